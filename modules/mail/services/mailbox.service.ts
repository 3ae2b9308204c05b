import dns from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import nodemailer from 'nodemailer';
import { assertVersion, authorize, withEm, type Context } from '../../../api/context';
import { BadInputError, NotFoundError } from '../../../api/errors';
import { intArray, parseId } from '../../../api/ids';
import { allCategories } from '../../applications/services/classification.service';
import { teamService } from '../../identity/services/team.service';
import { priorityService } from '../../reference/services/reference.services';
import type { CreateMailboxInput, MailboxTestResult, UpdateMailboxInput } from '../dto/mail.input';
import { Mailbox, MailMessage, MailStatus } from '../entities/mail.entities';
import { isKnownCharset } from './decoding';
import { processQuarantined } from './ingest.service';
import { encryptSecret, decryptSecret } from './secret';
import { imapClientOf } from './worker';

const SUBJECT = 'Mailbox';

async function checkDefaults(ctx: Context, input: CreateMailboxInput | UpdateMailboxInput, data: Record<string, unknown>) {
  if (input.defaultCategoryId !== undefined) {
    const id = parseId(input.defaultCategoryId, 'input.defaultCategoryId');
    const c = (await allCategories(ctx)).find((x) => x.id === id);
    if (!c || c.archivedAt || !c.active || c.level !== 1) throw new BadInputError('input.defaultCategoryId', `No active level 1 category ${input.defaultCategoryId}.`, 'NOT_FOUND_REFERENCE');
    data.defaultCategoryId = id;
  }
  if (input.defaultPriorityId !== undefined) data.defaultPriorityId = (await priorityService.require(ctx, input.defaultPriorityId, 'input.defaultPriorityId'))?.id ?? null;
  if (input.defaultTeamId !== undefined) {
    if (input.defaultTeamId) {
      // Mail-made applications are assigned to it (resolveAssignee refuses archived teams): refuse one here too.
      const team = await teamService.get(ctx, input.defaultTeamId).catch((err) => {
        if (err instanceof NotFoundError) return null;
        throw err;
      });
      if (!team || team.archivedAt) throw new BadInputError('input.defaultTeamId', `No such team: ${input.defaultTeamId}.`, 'NOT_FOUND_REFERENCE');
      data.defaultTeamId = team.id;
    } else data.defaultTeamId = null;
  }
}

async function uniqueName(ctx: Context, name: string, id?: number) {
  const other = await ctx.em.findOne(Mailbox, { name, ...(id ? { id: { $ne: id } } : {}) });
  if (other) throw new BadInputError('input.name', `Another mailbox is called ${name}.`, 'NOT_UNIQUE');
}

const PLAIN = ['name', 'imapHost', 'imapPort', 'imapTls', 'imapUser', 'folder', 'smtpHost', 'smtpPort', 'smtpTls', 'smtpUser', 'fromName', 'fromAddress', 'active', 'reopenClosed', 'sendAcknowledgement', 'maxMessageBytes'] as const;

export const mailboxService = {
  async list(ctx: Context): Promise<Mailbox[]> {
    authorize(ctx, 'read', SUBJECT);
    return ctx.em.find(Mailbox, { archivedAt: null }, { orderBy: { name: 'asc' } });
  },

  async get(ctx: Context, id: string): Promise<Mailbox> {
    authorize(ctx, 'read', SUBJECT);
    const mb = await ctx.em.findOne(Mailbox, { id: parseId(id, 'id') });
    if (!mb) throw new NotFoundError(SUBJECT, id, 'id');
    return mb;
  },

  async create(ctx: Context, input: CreateMailboxInput): Promise<Mailbox> {
    authorize(ctx, 'create', SUBJECT);
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const data: Record<string, unknown> = {};
      for (const k of PLAIN) if (input[k] !== undefined) data[k] = typeof input[k] === 'string' ? (input[k] as string).trim() : input[k];
      data.fromAddress = String(data.fromAddress).toLowerCase();
      await uniqueName(tctx, data.name as string);
      await checkDefaults(tctx, input, data);
      if (input.imapPassword) data.imapPasswordEnc = encryptSecret(ctx.config, input.imapPassword);
      if (input.smtpPassword) data.smtpPasswordEnc = encryptSecret(ctx.config, input.smtpPassword);
      const mb = em.create(Mailbox, data as never);
      await em.flush();
      return mb;
    });
  },

  async update(ctx: Context, id: string, version: number, input: UpdateMailboxInput): Promise<Mailbox> {
    authorize(ctx, 'update', SUBJECT);
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const mb = await em.findOne(Mailbox, { id: parseId(id, 'id'), archivedAt: null });
      if (!mb) throw new NotFoundError(SUBJECT, id, 'id');
      assertVersion(SUBJECT, mb, version);
      const data: Record<string, unknown> = {};
      for (const k of PLAIN) if (input[k] !== undefined) data[k] = typeof input[k] === 'string' ? (input[k] as string).trim() : input[k];
      if (data.fromAddress) data.fromAddress = String(data.fromAddress).toLowerCase();
      if (data.name) await uniqueName(tctx, data.name as string, mb.id);
      await checkDefaults(tctx, input, data);
      if (input.imapPassword !== undefined) data.imapPasswordEnc = input.imapPassword ? encryptSecret(ctx.config, input.imapPassword) : null;
      if (input.smtpPassword !== undefined) data.smtpPasswordEnc = input.smtpPassword ? encryptSecret(ctx.config, input.smtpPassword) : null;
      em.assign(mb, data);
      await em.flush();
      return mb;
    });
  },

  async archive(ctx: Context, id: string): Promise<Mailbox> {
    authorize(ctx, 'archive', SUBJECT);
    return ctx.em.transactional(async (em) => {
      const mb = await em.findOne(Mailbox, { id: parseId(id, 'id') });
      if (!mb) throw new NotFoundError(SUBJECT, id, 'id');
      if (!mb.archivedAt) {
        mb.archivedAt = new Date();
        mb.active = false;
        await em.flush();
      }
      return mb;
    });
  },

  /** Counts of a mailbox's mail by status (for its status panel): one statement for every mailbox of a request. */
  counts(ctx: Context, mailboxId: number): Promise<Record<string, number>> {
    return ctx.loaders
      .get<number, Record<string, number>>('mail:counts', async (ids) => {
        const rows = await ctx.em.execute<{ mailbox_id: number; status: string; n: number }[]>(
          `select mailbox_id, status, count(*)::int as n from mail_messages where mailbox_id = any(?::int[]) and status in ('quarantined', 'processed', 'pending') group by 1, 2`,
          [intArray(ids)],
        );
        return ids.map((id) => Object.fromEntries(rows.filter((r) => r.mailbox_id === id).map((r) => [r.status, r.n])));
      })
      .load(mailboxId);
  },

  /** Quarantined mail, newest first (administrators: raw bytes included on request). */
  async quarantine(ctx: Context, mailboxId?: string | null): Promise<MailMessage[]> {
    authorize(ctx, 'manage', SUBJECT);
    return ctx.em.find(MailMessage, { status: MailStatus.QUARANTINED, ...(mailboxId ? { mailbox: parseId(mailboxId, 'mailboxId') } : {}) }, { orderBy: { id: 'desc' }, limit: 500 });
  },

  /** The raw bytes of a mail, base64, while they are kept (quarantined mail, or processed mail within MAIL_RAW_RETENTION_DAYS). */
  async raw(ctx: Context, id: string): Promise<string | null> {
    authorize(ctx, 'manage', SUBJECT);
    const m = await ctx.em.findOne(MailMessage, { id: parseId(id, 'id') }, { populate: ['raw'] });
    if (!m) throw new NotFoundError('MailMessage', id, 'id');
    return m.raw ? m.raw.toString('base64') : null;
  },

  /**
   * Tries a quarantined mail again (after a fix or a configuration change); `charset` decodes
   * text whose declared charset is unknown or wrong with the one the administrator names.
   * Returns the mail's record: processed (a new record) or still quarantined with the new error.
   */
  async retry(ctx: Context, id: string, charset?: string | null): Promise<MailMessage> {
    authorize(ctx, 'manage', SUBJECT);
    const mid = parseId(id, 'id');
    const cs = charset?.trim() || null;
    if (cs !== null && (cs.length > 40 || !isKnownCharset(cs))) throw new BadInputError('charset', `Unknown charset "${cs.slice(0, 40)}": name one such as windows-1254, iso-8859-9 or koi8-r.`);
    const m = await ctx.em.findOne(MailMessage, { id: mid, status: MailStatus.QUARANTINED });
    if (!m) throw new NotFoundError('MailMessage', id, 'id');
    const r = await processQuarantined(ctx.services, mid, cs);
    return (ctx.em.fork() as SqlEntityManager).findOneOrFail(MailMessage, r.mailId);
  },

  async discard(ctx: Context, id: string): Promise<MailMessage> {
    authorize(ctx, 'manage', SUBJECT);
    return ctx.em.transactional(async (em) => {
      const m = await em.findOne(MailMessage, { id: parseId(id, 'id'), status: MailStatus.QUARANTINED }, { populate: ['raw'] });
      if (!m) throw new NotFoundError('MailMessage', id, 'id');
      m.status = MailStatus.DISCARDED;
      m.raw = null;
      await em.flush();
      return m;
    });
  },

  /** "Test connection": DNS, TCP, TLS, login and folder for IMAP, then SMTP; names the step that failed. */
  async test(ctx: Context, id: string): Promise<MailboxTestResult> {
    authorize(ctx, 'update', SUBJECT);
    const mb = await mailboxService.get(ctx, id);
    const steps: string[] = [];
    const fail = (stage: string, err: unknown): MailboxTestResult => {
      const message = `${(err as { code?: string }).code ? `${(err as { code?: string }).code}: ` : ''}${(err as Error).message ?? String(err)}`;
      steps.push(`${stage}: ${message}`);
      return { ok: false, stage, message, steps };
    };
    for (const side of ['imap', 'smtp'] as const) {
      const host = side === 'imap' ? mb.imapHost : mb.smtpHost;
      const port = side === 'imap' ? mb.imapPort : mb.smtpPort;
      const secure = side === 'imap' ? mb.imapTls : mb.smtpTls;
      let address: string;
      try {
        address = net.isIP(host) ? host : (await dns.lookup(host)).address;
        steps.push(`${side}:dns: ${host} → ${address}`);
      } catch (err) {
        return fail(`${side}:dns`, err);
      }
      try {
        await probe(address, port, secure ? host : null);
        steps.push(`${side}:tcp: ${address}:${port} open`);
        if (secure) steps.push(`${side}:tls: handshake ok`);
      } catch (err) {
        return fail(`${side}:${(err as { stage?: string }).stage ?? 'tcp'}`, err);
      }
      if (side === 'imap') {
        const client = imapClientOf(ctx.services, mb);
        client.on('error', () => undefined);
        try {
          await client.connect();
          steps.push('imap:login: ok');
        } catch (err) {
          client.close();
          return fail((err as { authenticationFailed?: boolean }).authenticationFailed ? 'imap:login' : 'imap:tls', err);
        }
        try {
          const box = await client.mailboxOpen(mb.folder, { readOnly: true });
          steps.push(`imap:folder: ${mb.folder} (${box.exists} messages)`);
        } catch (err) {
          await client.logout().catch(() => client.close());
          return fail('imap:folder', err);
        }
        await client.logout().catch(() => client.close());
      } else {
        const t = nodemailer.createTransport({ host: mb.smtpHost, port: mb.smtpPort, secure: mb.smtpTls, auth: mb.smtpUser ? { user: mb.smtpUser, pass: decryptSecret(ctx.config, mb.smtpPasswordEnc) ?? '' } : undefined, connectionTimeout: 10_000 });
        try {
          await t.verify();
          steps.push('smtp:login: ok');
        } catch (err) {
          return fail((err as { code?: string }).code === 'EAUTH' ? 'smtp:login' : 'smtp:tls', err);
        } finally {
          t.close();
        }
      }
    }
    return { ok: true, stage: 'ok', message: 'IMAP and SMTP answered and accepted the login.', steps };
  },
};

/** Opens a TCP (and, with `tlsHost`, a TLS) connection and closes it. */
function probe(host: string, port: number, tlsHost: string | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port, timeout: 10_000 });
    const bad = (stage: string) => (err: Error) => {
      sock.destroy();
      reject(Object.assign(err, { stage }));
    };
    sock.once('error', bad('tcp'));
    sock.once('timeout', () => bad('tcp')(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    sock.once('connect', () => {
      if (!tlsHost) {
        sock.end();
        resolve();
        return;
      }
      sock.removeAllListeners('error');
      const t = tls.connect({ socket: sock, servername: net.isIP(tlsHost) ? undefined : tlsHost });
      t.once('secureConnect', () => {
        t.end();
        resolve();
      });
      t.once('error', (err) => {
        t.destroy();
        reject(Object.assign(err, { stage: 'tls' }));
      });
    });
  });
}

