import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { ImapFlow } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

// Where scripts/test-prereqs.js (npm test's pretest) checks for it too.
const DOVECOT = process.env.DOVECOT_PATH || '/usr/sbin/dovecot';

export interface Dovecot {
  port: number;
  user: string;
  password: string;
  dir: string;
  /** An IMAP client signed in as the test user (for delivering with APPEND). */
  client(): Promise<ImapFlow>;
  /** Delivers raw messages into a folder with IMAP APPEND. */
  append(raws: (string | Buffer)[], folder?: string): Promise<void>;
  /** Deletes and recreates a folder: a new UIDVALIDITY. */
  recreate(folder: string, raws: (string | Buffer)[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A private Dovecot (Debian's dovecot-imapd) on a free port: its own configuration, a
 * passwd-file user, Maildir, base_dir and state under a temporary folder. Missing Dovecot
 * fails loudly: install it with `apt-get install -y dovecot-imapd`.
 */
export async function startDovecot(): Promise<Dovecot> {
  if (!fs.existsSync(DOVECOT)) throw new Error(`${DOVECOT} is missing: apt-get install -y dovecot-imapd (the mail tests need a real IMAP server)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-dovecot-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const user = 'destek@test.local';
  const password = 'imap-secret-1';
  const mail = path.join(dir, 'mail');
  fs.mkdirSync(mail, { recursive: true });
  execFileSync('chown', ['-R', 'dovecot:dovecot', mail]);
  fs.writeFileSync(path.join(dir, 'passwd'), `${user}:{PLAIN}${password}::::::\n`);
  const conf = `
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = cc-dovecot-${port}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = ${dir}/dovecot.log
mail_location = maildir:${mail}/%u
default_internal_user = dovecot
default_login_user = dovecot
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/passwd
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${mail}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
protocol imap {
  mail_max_userip_connections = 50
}
`;
  const confFile = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(confFile, conf);
  const proc: ChildProcess = spawn(DOVECOT, ['-F', '-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout?.on('data', (d) => (output += d));
  proc.stderr?.on('data', (d) => (output += d));
  const started = Date.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`dovecot exited: ${output}${fs.existsSync(`${dir}/dovecot.log`) ? fs.readFileSync(`${dir}/dovecot.log`, 'utf8') : ''}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('data', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() - started > 15_000) {
      proc.kill('SIGKILL');
      throw new Error(`dovecot did not listen on ${port}: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const d: Dovecot = {
    port,
    user,
    password,
    dir,
    async client() {
      const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false, disableAutoIdle: true });
      c.on('error', () => undefined);
      await c.connect();
      return c;
    },
    async append(raws, folder = 'INBOX') {
      const c = await d.client();
      try {
        for (const r of raws) await c.append(folder, r);
      } finally {
        await c.logout().catch(() => c.close());
      }
    },
    async recreate(folder, raws) {
      const c = await d.client();
      try {
        await c.mailboxDelete(folder).catch(() => undefined);
        await c.mailboxCreate(folder).catch(() => undefined);
        for (const r of raws) await c.append(folder, r);
      } finally {
        await c.logout().catch(() => c.close());
      }
    },
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return d;
}

export interface SmtpSink {
  port: number;
  messages: { raw: Buffer; parsed: ParsedMail; envelopeTo: string[] }[];
  /** Waits until at least n messages arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** An SMTP server (smtp-server) that keeps what it receives. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SmtpSink['messages'] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        messages.push({ raw, parsed: await simpleParser(raw), envelopeTo: session.envelope.rcptTo.map((r) => r.address) });
        cb();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    messages,
    async waitFor(n, timeoutMs = 15_000) {
      const start = Date.now();
      while (messages.length < n) {
        if (Date.now() - start > timeoutMs) throw new Error(`expected ${n} mails at the SMTP sink, got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A plain RFC 5322 message. */
export function mail(o: { from: string; to?: string; subject: string; body?: string; messageId?: string | null; headers?: Record<string, string>; charset?: string; bodyBytes?: Buffer }): Buffer {
  const lines = [`From: ${o.from}`, `To: ${o.to ?? 'destek@test.local'}`, `Subject: ${o.subject}`, `Date: ${new Date().toUTCString()}`];
  if (o.messageId !== null) lines.push(`Message-ID: <${o.messageId ?? `${Math.random().toString(36).slice(2)}.${Date.now()}@musteri.test`}>`);
  for (const [k, v] of Object.entries(o.headers ?? {})) lines.push(`${k}: ${v}`);
  lines.push('MIME-Version: 1.0', `Content-Type: text/plain; charset=${o.charset ?? 'utf-8'}`, 'Content-Transfer-Encoding: 8bit', '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'utf8'), o.bodyBytes ?? Buffer.from(`${o.body ?? 'Merhaba'}\r\n`, 'utf8')]);
}
