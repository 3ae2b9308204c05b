/**
 * P8: e-mail ingestion from a real IMAP server. N mails (default 2,000; Turkish subjects and
 * bodies, no attachments, senders repeating) are appended to a private Dovecot, then
 * one mailbox worker turns them into applications; measured from the worker's start until
 * the last application is committed. Then exactly-once is checked: N applications, one per
 * message; a second worker that rescans the whole folder (cursor reset) adds none.
 * Uses a database of its own (P8_DATABASE_URL, default callcenter_bench_p8, recreated).
 *   node -r ./api/register.js bench/p8.ts [N]   → JSON on stdout (or BENCH_RESULT_FILE)
 */
import pg from 'pg';
import { startApp } from '../api/app';
import { parseConfig } from '../api/config';
import { systemContext } from '../api/context';
import { categoryService } from '../modules/applications/services/classification.service';
import { mail, startDovecot } from '../modules/mail/__tests__/servers';
import { mailboxService } from '../modules/mail/services/mailbox.service';
import { MailWorkers } from '../modules/mail/services/worker';
import { writeResult } from './lib';

const SUBJECTS = ['Faturam yüksek geldi', 'İnternet bağlantım kopuyor', 'Siparişim gelmedi', 'İade talebi', 'Şifremi unuttum', 'Ödeme iki kez çekildi'];

async function main() {
  const n = Number(process.argv[2] ?? 2000);
  const url = process.env.P8_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/callcenter_bench_p8';
  const u = new URL(url);
  const dbName = u.pathname.slice(1);
  if (!dbName.includes('bench')) throw new Error('P8_DATABASE_URL must name a database with "bench" in it (it is recreated)');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`drop database if exists "${dbName}" with (force)`);
  await c.query(`create database "${dbName}"`);
  await c.end();

  const dovecot = await startDovecot();
  const config = parseConfig({ ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: url, JOBS_ENABLED: 'false', SERVE_BACKOFFICE: 'false', LOG_LEVEL: 'warn', MAIL_POLL_SECONDS: '1', MAIL_SECRET_KEY: 'b'.repeat(64), ADMIN_PASSWORD: 'bench-parola-2026', DATA_DIR: `${dovecot.dir}/data` });
  const app = await startApp(config, { database: { url, embedded: false, stop: async () => undefined } });
  let workers: MailWorkers | null = null;
  try {
    const ctx = systemContext(app.services);
    const category = await categoryService.create(ctx, { name: 'E-posta' } as never);
    const mb = await mailboxService.create(ctx, {
      name: 'P8',
      imapHost: '127.0.0.1',
      imapPort: dovecot.port,
      imapTls: false,
      imapUser: dovecot.user,
      imapPassword: dovecot.password,
      folder: 'INBOX',
      smtpHost: '127.0.0.1',
      smtpPort: 25,
      smtpTls: false,
      fromName: 'Destek',
      fromAddress: 'destek@test.local',
      defaultCategoryId: String(category.id),
    } as never);
    const raws: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const subject = `${SUBJECTS[i % SUBJECTS.length]} #${i}`;
      const body = `Merhaba,\r\n${SUBJECTS[(i * 7) % SUBJECTS.length]} konusunda yardım istiyorum. Müşteri no ${100000 + i}.\r\nTeşekkürler, Ayşe Işık`;
      raws.push(mail({ from: `Müşteri ${i % 400} <musteri${i % 400}@ornek.test>`, subject, body, messageId: i % 10 === 9 ? null : `p8-${i}@ornek.test` }));
    }
    const appendStart = Date.now();
    const client = await dovecot.client();
    for (const r of raws) await client.append('INBOX', r);
    await client.logout();
    const appendSeconds = (Date.now() - appendStart) / 1000;

    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const count = async () => (await db.query(`select count(*)::int as n from mail_messages where direction = 'in' and status = 'processed'`)).rows[0].n as number;
    const t0 = process.hrtime.bigint();
    workers = new MailWorkers(app.services);
    await workers.start();
    let done = 0;
    const deadline = Date.now() + 30 * 60_000;
    while ((done = await count()) < n) {
      if (Date.now() > deadline) throw new Error(`only ${done} of ${n} processed in 30 minutes`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await workers.stop();
    workers = null;
    const apps = (await db.query(`select count(*)::int as n, count(distinct subject)::int as d from applications`)).rows[0];
    // Exactly once: a rescan of the whole folder adds nothing.
    await db.query(`update mailboxes set last_uid = 0 where id = $1`, [mb.id]);
    const r0 = process.hrtime.bigint();
    workers = new MailWorkers(app.services);
    await workers.start();
    for (;;) {
      const { rows } = await db.query(`select last_uid from mailboxes where id = $1`, [mb.id]);
      if (Number(rows[0].last_uid) >= n) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const rescanSeconds = Number(process.hrtime.bigint() - r0) / 1e9;
    await workers.stop();
    workers = null;
    const after = (await db.query(`select count(*)::int as n from applications`)).rows[0].n as number;
    await db.end();
    writeResult({ messages: n, seconds, perSecond: n / seconds, appendSeconds, applications: apps.n, distinctSubjects: apps.d, afterRescan: after, rescanSeconds, exactlyOnce: apps.n === n && apps.d === n && after === n });
  } finally {
    await workers?.stop();
    await app.stop();
    await dovecot.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`p8 failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
