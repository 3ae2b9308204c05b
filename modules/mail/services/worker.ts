import pg from 'pg';
import { ImapFlow } from 'imapflow';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import type { AppServices } from '../../../api/context';
import { logger } from '../../../api/logger';
import { Mailbox } from '../entities/mail.entities';
import { headerOf, ingestRaw, NUMBER_IN_SUBJECT, recordOversize } from './ingest.service';
import { closeTransports, sendPending } from './outbox.service';
import { decryptSecret } from './secret';

const LOCK_CLASS = 0x6d61696c; // 'mail'
const sleep = (ms: number, signal: { wake?: () => void }) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.wake = () => {
      clearTimeout(t);
      resolve();
    };
  });

export function imapClientOf(services: AppServices, mb: Mailbox): ImapFlow {
  return new ImapFlow({
    host: mb.imapHost,
    port: mb.imapPort,
    secure: mb.imapTls,
    auth: { user: mb.imapUser, pass: decryptSecret(services.config, mb.imapPasswordEnc) ?? '' },
    logger: false,
    connectionTimeout: 20_000,
    greetingTimeout: 15_000,
    socketTimeout: 5 * 60_000,
    autoIdleDelay: 1000,
    maxIdleTime: Math.min(services.config.MAIL_POLL_SECONDS, 120) * 1000,
    missingIdleCommand: 'NOOP',
  });
}

/**
 * Fetches one mailbox: one worker per mailbox across every server instance (a session
 * advisory lock on a dedicated PostgreSQL connection: whoever holds it fetches; when that
 * process dies the lock goes with its connection). It resumes from the last UID finished
 * under the folder's UIDVALIDITY, waits in IDLE (or polls where IDLE is missing), and sends
 * pending answers and acknowledgements.
 */
export class MailboxWorker {
  private stopping = false;
  private loop: Promise<void> | null = null;
  private client: ImapFlow | null = null;
  private lock: pg.Client | null = null;
  private signal: { wake?: () => void } = {};
  /** Whether this worker holds the mailbox's lock now (for tests and status). */
  holding = false;

  constructor(
    private readonly services: AppServices,
    readonly mailboxId: number,
    readonly mailboxVersion: number,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.signal.wake?.();
    await this.client?.logout().catch(() => this.client?.close());
    await this.loop;
  }

  private dbUrl(): string {
    return this.services.orm.config.getClientUrl();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        if (!(await this.acquire())) {
          await sleep(Math.min(this.services.config.MAIL_POLL_SECONDS, 5) * 1000, this.signal);
          continue;
        }
        await this.session();
        failures = 0;
      } catch (err) {
        failures++;
        if (!this.stopping) {
          logger.warn({ mailboxId: this.mailboxId, err: (err as Error).message }, 'mailbox worker error');
          await this.recordError(err as Error);
          await sleep(Math.min(1000 * 2 ** Math.min(failures, 6), 60_000), this.signal);
        }
      } finally {
        await this.release();
      }
    }
  }

  private async acquire(): Promise<boolean> {
    if (this.lock) return true;
    const c = new pg.Client({ connectionString: this.dbUrl(), application_name: `mail-worker-${this.mailboxId}` });
    c.on('error', () => {
      // The lock is gone with the connection: stop this session, the loop starts over.
      this.holding = false;
      void this.client?.close();
    });
    await c.connect();
    const { rows } = await c.query('select pg_try_advisory_lock($1, $2) as ok', [LOCK_CLASS, this.mailboxId]);
    if (!rows[0].ok) {
      await c.end().catch(() => undefined);
      return false;
    }
    this.lock = c;
    this.holding = true;
    return true;
  }

  private async release(): Promise<void> {
    const c = this.lock;
    this.lock = null;
    this.holding = false;
    if (this.client) {
      const cl = this.client;
      this.client = null;
      await cl.logout().catch(() => cl.close());
    }
    if (c) await c.end().catch(() => undefined);
  }

  private async mailbox(): Promise<Mailbox | null> {
    return (this.services.orm.em.fork() as SqlEntityManager).findOne(Mailbox, { id: this.mailboxId, active: true, archivedAt: null });
  }

  private async session(): Promise<void> {
    const mb = await this.mailbox();
    if (!mb) {
      this.stopping = true;
      return;
    }
    const client = imapClientOf(this.services, mb);
    this.client = client;
    let changed = false;
    client.on('exists', () => {
      changed = true;
      this.signal.wake?.();
    });
    client.on('error', () => undefined);
    client.on('close', () => this.signal.wake?.());
    await client.connect();
    await client.mailboxOpen(mb.folder);
    while (!this.stopping && client.usable && this.holding) {
      changed = false;
      await this.sync(client, mb);
      await sendPending(this.services).catch((err) => logger.warn({ err: (err as Error).message }, 'sending mail failed'));
      if (changed || this.stopping) continue;
      await sleep(this.services.config.MAIL_POLL_SECONDS * 1000, this.signal);
    }
    if (!this.stopping && !client.usable) throw new Error('IMAP connection closed');
  }

  /** Fetches everything after the cursor, in UID order, in batches. */
  async sync(client: ImapFlow, mb: Mailbox): Promise<void> {
    const em = this.services.orm.em.fork() as SqlEntityManager;
    const box = client.mailbox;
    if (!box) throw new Error('no folder open');
    const uidValidity = String(box.uidValidity);
    const [state] = await em.execute<{ uid_validity: string | null; last_uid: string }[]>('select uid_validity, last_uid from mailboxes where id = ?', [mb.id]);
    if (state.uid_validity === null || String(state.uid_validity) !== uidValidity) {
      // A new UIDVALIDITY: old UIDs mean nothing. Start over; the duplicate key keeps
      // already-processed mail from making anything twice.
      logger.info({ mailboxId: mb.id, from: state.uid_validity, to: uidValidity }, 'UIDVALIDITY changed: rescanning the folder');
      await em.execute('update mailboxes set uid_validity = ?, last_uid = 0 where id = ?', [uidValidity, mb.id]);
      state.last_uid = '0';
    }
    const lastUid = Number(state.last_uid);
    const max = mb.maxMessageBytes ?? this.services.config.MAIL_MAX_MESSAGE_BYTES;
    const pending: { uid: number; size: number }[] = [];
    if (box.exists > 0) {
      for await (const m of client.fetch(`${lastUid + 1}:*`, { uid: true, size: true }, { uid: true })) {
        if (m.uid > lastUid) pending.push({ uid: m.uid, size: m.size ?? 0 });
      }
    }
    pending.sort((a, b) => a.uid - b.uid);
    await em.execute('update mailboxes set backlog = ?, last_sync_at = now() where id = ?', [pending.length, mb.id]);
    let left = pending.length;
    const batchSize = this.services.config.MAIL_BATCH_SIZE;
    let i = 0;
    while (i < pending.length && !this.stopping && this.holding) {
      // A batch: up to MAIL_BATCH_SIZE messages and ~64 MB of sources held at once.
      const batch: { uid: number; size: number }[] = [];
      let bytes = 0;
      while (i < pending.length && batch.length < batchSize && (batch.length === 0 || bytes + pending[i].size <= 64 * 1024 * 1024)) {
        const p = pending[i++];
        if (p.size > max) {
          await this.flushBatch(client, mb, uidValidity, batch);
          left -= batch.length;
          batch.length = 0;
          bytes = 0;
          const env = await client.fetchOne(String(p.uid), { uid: true, envelope: true }, { uid: true });
          const e = env ? env.envelope : undefined;
          await recordOversize(this.services, mb, { uid: p.uid, uidValidity, size: p.size, messageId: e?.messageId, from: e?.from?.[0]?.address, subject: e?.subject });
          left--;
          continue;
        }
        batch.push(p);
        bytes += p.size;
      }
      await this.flushBatch(client, mb, uidValidity, batch);
      left -= batch.length;
      await em.execute('update mailboxes set backlog = ?, last_sync_at = now(), last_error = null where id = ?', [Math.max(left, 0), mb.id]);
    }
    if (!pending.length) await em.execute('update mailboxes set last_error = null where id = ? and last_error is not null', [mb.id]);
  }

  /**
   * Processes one fetched batch. Mail of different senders runs in parallel lanes
   * (MAIL_CONCURRENCY); one sender's mail stays in UID order, and mail that looks like a
   * reply (In-Reply-To, References, a number in the subject) runs after the rest, in order,
   * so it finds the application the batch just created. The cursor moves past the batch
   * only once every message of it is committed: a crash in between re-fetches the batch and
   * the duplicate key skips what was done.
   */
  private async flushBatch(client: ImapFlow, mb: Mailbox, uidValidity: string, batch: { uid: number }[]): Promise<void> {
    if (!batch.length) return;
    const fetched = await client.fetchAll(batch.map((b) => b.uid).join(','), { uid: true, source: true }, { uid: true });
    fetched.sort((a, b) => a.uid - b.uid);
    const lanes = new Map<string, { uid: number; source: Buffer }[]>();
    const replies: { uid: number; source: Buffer }[] = [];
    for (const m of fetched) {
      if (!m.source) continue;
      const head = headerOf(m.source);
      if (/^(in-reply-to|references):/im.test(head) || NUMBER_IN_SUBJECT.test(head)) replies.push({ uid: m.uid, source: m.source });
      else {
        const from = (/^from:.*?([^\s<>"]+@[^\s<>"]+)/im.exec(head)?.[1] ?? '').toLowerCase();
        const lane = lanes.get(from) ?? [];
        lane.push({ uid: m.uid, source: m.source });
        lanes.set(from, lane);
      }
    }
    const one = async (m: { uid: number; source: Buffer }) => {
      const r = await ingestRaw(this.services, mb, m.source, { uid: m.uid, uidValidity });
      if (r.outbox.length) await sendPending(this.services, r.outbox).catch(() => undefined);
    };
    const queue = [...lanes.values()];
    const run = async () => {
      for (let lane = queue.shift(); lane; lane = queue.shift()) for (const m of lane) await one(m);
    };
    const results = await Promise.allSettled(Array.from({ length: Math.min(this.services.config.MAIL_CONCURRENCY, queue.length) }, run));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    for (const m of replies) await one(m);
    const top = batch.reduce((a, b) => Math.max(a, b.uid), 0);
    await (this.services.orm.em.fork() as SqlEntityManager).execute(`update mailboxes set last_uid = greatest(last_uid, ?) where id = ? and uid_validity = ?`, [top, mb.id, uidValidity]);
  }

  private async recordError(err: Error): Promise<void> {
    await (this.services.orm.em.fork() as SqlEntityManager)
      .execute('update mailboxes set last_error = ?, last_error_at = now() where id = ?', [`${(err as { code?: string }).code ? `${(err as { code?: string }).code}: ` : ''}${err.message}`.slice(0, 2000), this.mailboxId])
      .catch(() => undefined);
  }
}

/** The workers of every active mailbox; picks up new, changed and deactivated mailboxes. */
export class MailWorkers {
  private readonly workers = new Map<number, MailboxWorker>();
  private timer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly services: AppServices) {}

  async start(): Promise<void> {
    if (!this.services.config.MAIL_WORKERS_ENABLED || this.timer || this.stopped) return;
    await this.reconcile();
    this.timer = setInterval(() => {
      this.reconciling ??= this.reconcile()
        .catch((err) => logger.warn({ err: (err as Error).message }, 'mailbox workers'))
        .finally(() => (this.reconciling = null));
    }, Math.min(this.services.config.MAIL_POLL_SECONDS, 10) * 1000);
    this.timer.unref();
  }

  async reconcile(): Promise<void> {
    if (this.stopped) return;
    const active = await (this.services.orm.em.fork() as SqlEntityManager).find(Mailbox, { active: true, archivedAt: null }, { fields: ['id', 'version'] });
    const want = new Map(active.map((m) => [m.id, m.version]));
    for (const [id, w] of this.workers) {
      if (want.get(id) !== w.mailboxVersion) {
        this.workers.delete(id);
        await w.stop();
      }
    }
    for (const [id, version] of want) {
      if (this.stopped || this.workers.has(id)) continue;
      const w = new MailboxWorker(this.services, id, version);
      this.workers.set(id, w);
      w.start();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.reconciling;
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.workers.clear();
    closeTransports();
  }
}
