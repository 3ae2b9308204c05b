import { createHash, randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { systemContext, type AppServices, type Context } from '../../../api/context';
import { AppError, isConnectionError } from '../../../api/errors';
import { textArray } from '../../../api/ids';
import { applicantByEmail } from '../../accounts/services/account.services';
import type { CreateApplicationInput } from '../../applications/dto/application.input';
import type { Application } from '../../applications/entities/application.entities';
import { applicationService, findApplicationByNumber, reopenIn } from '../../applications/services/application.service';
import { changed } from '../../applications/services/conversion.service';
import { createDocumentIn, storeBytes } from '../../documents/services/document.service';
import { linkService } from '../../links/services/link.service';
import { ContactChannel } from '../../reference/entities/reference.entities';
import { MailDirection, MailMessage, MailStatus, type Mailbox } from '../entities/mail.entities';
import { decodedProblems, inspectMail } from './decoding';
import { sendPending } from './outbox.service';

/** `[#2026-000123]` in a subject: the application a mail belongs to. */
export const NUMBER_IN_SUBJECT = /\[#(\d{4}-\d{6})\]/;

export type Outcome = 'created' | 'followUp' | 'duplicate' | 'own' | 'quarantined' | 'skipped';

/** Where a mail came from (the worker moves the mailbox cursor once a batch is committed). */
export interface IncomingMeta {
  uid?: number;
  uidValidity?: string;
}

/** Message-ID without angle brackets and blanks, or null. */
export function cleanId(id: string | null | undefined): string | null {
  const v = (id ?? '').trim().replace(/^<|>$/g, '').trim();
  return v ? v.slice(0, 900) : null;
}

/** The header block of raw mail (unfolded), read without a full parse. */
export function headerOf(raw: Buffer): string {
  let end = raw.indexOf('\r\n\r\n');
  if (end < 0) end = raw.indexOf('\n\n');
  return raw
    .subarray(0, end >= 0 ? end : Math.min(raw.length, 64 * 1024))
    .toString('latin1')
    .replace(/\r?\n[ \t]+/g, ' ');
}

/** The header-level Message-ID of raw mail (for the duplicate key). */
export function rawMessageId(raw: Buffer): string | null {
  const m = /^message-id:\s*(.+)$/im.exec(headerOf(raw));
  return m ? cleanId(m[1].trim().split(/\s+/)[0]) : null;
}

/** The key that makes a mail exactly-once per mailbox. */
export function dedupKeyOf(raw: Buffer, messageId: string | null): string {
  return messageId ? `mid:${messageId}` : `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

const firstAddress = (a: AddressObject | AddressObject[] | undefined) => {
  const list = Array.isArray(a) ? a.flatMap((x) => x.value) : (a?.value ?? []);
  return list.find((v) => v.address) ?? null;
};

const header = (p: ParsedMail, name: string): string => {
  const v = p.headers.get(name);
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && 'value' in (v as object)) return String((v as { value: unknown }).value);
  return String(v);
};

/**
 * Mail that must never get an automatic answer: Auto-Submitted other than "no",
 * Precedence bulk/junk/list, a mailer daemon, or an empty Return-Path (a bounce).
 */
export function isAutomated(p: ParsedMail): boolean {
  const auto = header(p, 'auto-submitted').trim().toLowerCase();
  if (auto && auto !== 'no') return true;
  if (['bulk', 'junk', 'list'].includes(header(p, 'precedence').trim().toLowerCase())) return true;
  const from = firstAddress(p.from)?.address?.toLowerCase() ?? '';
  if (/^(mailer-daemon|postmaster)@/.test(from) || /mailer-daemon/i.test(firstAddress(p.from)?.name ?? '')) return true;
  const rp = p.headers.get('return-path');
  if (rp !== undefined && /^\s*<?\s*>?\s*$/.test(typeof rp === 'string' ? rp : ((rp as AddressObject)?.text ?? 'x'))) return true;
  return false;
}

function describe(err: unknown): string {
  if (err instanceof AppError) return `${err.message}${err.extensions?.field ? ` (${String(err.extensions.field)})` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

/** The "E-posta" contact channel (seeded by the reference module) that mail-made applications get. */
async function emailChannelId(em: SqlEntityManager): Promise<number> {
  const ch = await em.findOne(ContactChannel, { code: 'email' });
  if (!ch) throw new Error('the e-mail contact channel (code "email") is missing');
  return ch.id;
}

/** A mail as read for processing: parsed, or the reasons it cannot be read faithfully. */
export interface MailReading {
  parsed: ParsedMail | null;
  /** Why the mail is bad (empty: it can be processed). */
  problems: string[];
  /** Text decoded with another charset than declared (see decoding.ts), for the mail record. */
  note: string | null;
  fallbackCharset: string | null;
}

/**
 * Reads a mail: what mailparser would silently get wrong (a boundary that never appears, an
 * unknown or wrong charset, invalid base64 or quoted-printable, text lost or turned into
 * U+FFFD) is a problem, unless a fallback charset reads it as clean Turkish; a mail without a
 * sender address is a problem too. `charset` is an administrator's choice on retry.
 */
export async function readMail(raw: Buffer, charset?: string | null): Promise<MailReading> {
  const inspection = inspectMail(raw, { charset });
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(inspection.patched ?? raw, { skipImageLinks: true, skipTextToHtml: true, maxHtmlLengthToParse: 5 * 1024 * 1024 });
  } catch (err) {
    return { parsed: null, problems: [`the mail cannot be parsed: ${describe(err)}`, ...inspection.problems], note: null, fallbackCharset: null };
  }
  const problems = inspection.problems.length
    ? inspection.problems
    : decodedProblems(inspection, { subject: parsed.subject ?? '', text: bodyText(parsed), html: typeof parsed.html === 'string' ? parsed.html : '' });
  if (!firstAddress(parsed.from)?.address) problems.unshift('the mail has no sender address (From)');
  return { parsed, problems, note: inspection.note, fallbackCharset: inspection.fallbackCharset };
}

const problemText = (r: MailReading) => r.problems.join('; ');

const SUBJECT_MAX = 500;
const TEXT_MAX = 50_000;

function bodyText(p: ParsedMail): string {
  // mailparser turns an HTML-only mail into text; scripts, styles and markup do not survive.
  const t = (p.text ?? '').replace(/\r\n/g, '\n').split(String.fromCharCode(0)).join('').trim();
  return t.length > TEXT_MAX ? `${t.slice(0, TEXT_MAX)}\n[…]` : t;
}

async function threadOf(ctx: Context, mailboxId: number, p: ParsedMail, subject: string): Promise<Application | null> {
  const refs = [p.inReplyTo, ...(Array.isArray(p.references) ? p.references : p.references ? [p.references] : [])].map(cleanId).filter((x): x is string => !!x);
  if (refs.length) {
    const rows = await ctx.em.execute<{ application_id: number }[]>(
      `select application_id from mail_messages where message_id = any(?::text[]) and application_id is not null order by (mailbox_id = ?) desc, id desc limit 1`,
      [textArray(refs), mailboxId],
    );
    if (rows.length) {
      const app = await applicationService.get(ctx, rows[0].application_id).catch(() => null);
      if (app && !app.archivedAt) return app;
    }
  }
  const m = NUMBER_IN_SUBJECT.exec(subject);
  if (m) {
    const app = await findApplicationByNumber(ctx, m[1]);
    if (app && !app.archivedAt) return app;
  }
  return null;
}

async function attach(ctx: Context, app: Application, p: ParsedMail): Promise<number> {
  let n = 0;
  for (const a of p.attachments ?? []) {
    if (!a.content || !a.content.length) continue;
    const name = a.filename || (a.cid ? `inline-${a.cid.replace(/[^\w.-]/g, '_')}` : `ek-${n + 1}`);
    const upload = storeBytes(ctx, name, a.contentType, a.content, { folder: 'E-posta', ...(a.cid ? { description: `cid:${a.cid}` } : {}) });
    const doc = await createDocumentIn(ctx, upload);
    await linkService.link(ctx, { type: 'Application', id: app.id }, { type: 'Document', id: doc.id });
    await changed(ctx, app, 'document', null, doc.name, { type: 'Document', id: doc.id });
    n++;
  }
  return n;
}

export interface ProcessResult {
  outcome: Outcome;
  applicationId?: number;
  /** Outgoing mail rows written (an acknowledgement) to send once committed. */
  outbox: number[];
  /** The mail_messages row written (absent for a duplicate). */
  mailId?: number;
}

/**
 * One received mail, exactly once: the mail_messages row (unique per mailbox and key), the
 * application or follow-up it makes, its documents and an acknowledgement queued for sending
 * are one transaction. Bad mail is quarantined (with its raw bytes)
 * in a transaction of its own; connection errors are thrown for the caller to retry (the
 * worker moves the mailbox cursor once the whole batch is committed).
 */
export async function ingestRaw(services: AppServices, mailbox: Mailbox, raw: Buffer, meta: IncomingMeta = {}): Promise<ProcessResult> {
  const headerId = rawMessageId(raw);
  const key = dedupKeyOf(raw, headerId);
  const reading = await readMail(raw);
  let error = problemText(reading);
  if (!reading.problems.length) {
    try {
      return await services.orm.em.fork().transactional((em) => processParsed(services, em as SqlEntityManager, mailbox, raw, key, headerId, reading, meta));
    } catch (err) {
      if (isConnectionError(err)) throw err;
      error = describe(err);
    }
  }
  return quarantine(services, mailbox, raw, key, headerId, reading.parsed, error, meta);
}

/** Until when the raw bytes of a processed mail are kept (MAIL_RAW_RETENTION_DAYS; null: not kept). */
function rawKept(services: AppServices, raw: Buffer): { raw: Buffer | null; raw_expires_at: Date | null } {
  const days = services.config.MAIL_RAW_RETENTION_DAYS;
  return days > 0 ? { raw, raw_expires_at: new Date(Date.now() + days * 24 * 3600 * 1000) } : { raw: null, raw_expires_at: null };
}

/**
 * Deletes the raw bytes of processed mail whose retention has passed (the record stays);
 * quarantined mail keeps them until it is retried or discarded. Returns how many were deleted.
 */
export async function purgeExpiredRaw(ctx: Context): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await ctx.em.execute<{ id: number }[]>(
      `update mail_messages set raw = null, raw_expires_at = null, updated_at = now()
       where id in (select id from mail_messages where raw_expires_at <= now() and status <> 'quarantined' order by raw_expires_at limit 1000)
       returning id`,
    );
    total += rows.length;
    if (rows.length < 1000) return total;
  }
}

async function insertRow(em: SqlEntityManager, row: Record<string, unknown>): Promise<number | null> {
  const cols = Object.keys(row);
  const rows = await em.execute<{ id: number }[]>(
    `insert into mail_messages (${cols.map((c) => `"${c}"`).join(', ')}, created_at, updated_at, version) values (${cols.map(() => '?').join(', ')}, now(), now(), 1)
     on conflict (mailbox_id, dedup_key) do nothing returning id`,
    cols.map((c) => row[c]),
  );
  return rows.length ? rows[0].id : null;
}

async function processParsed(services: AppServices, em: SqlEntityManager, mailbox: Mailbox, raw: Buffer, key: string, headerId: string | null, reading: MailReading, meta: IncomingMeta): Promise<ProcessResult> {
  const ctx = systemContext(services, em);
  const p = reading.parsed!;
  const from = firstAddress(p.from)!;
  const address = from.address!.trim().toLowerCase();
  const messageId = cleanId(p.messageId) ?? headerId;
  const subject = (p.subject ?? '').replace(/\s+/g, ' ').trim() || '(konusuz)';
  const references = (Array.isArray(p.references) ? p.references : p.references ? [p.references] : []).map(cleanId).filter((x): x is string => !!x).slice(-50);
  const rowId = await insertRow(em, {
    mailbox_id: mailbox.id,
    direction: MailDirection.IN,
    kind: 'new',
    dedup_key: key,
    message_id: messageId,
    in_reply_to: cleanId(p.inReplyTo),
    references: textArray(references),
    from_address: address.slice(0, 320),
    to_address: firstAddress(p.to)?.address?.toLowerCase().slice(0, 320) ?? null,
    subject: subject.slice(0, 2000),
    status: MailStatus.PROCESSED,
    uid: meta.uid ?? null,
    uid_validity: meta.uidValidity ?? null,
    size: raw.length,
    ...rawKept(services, raw),
    decoding_note: reading.note,
    fallback_charset: reading.fallbackCharset,
  });
  if (rowId === null) {
    return { outcome: 'duplicate', outbox: [] };
  }
  // Our own answer coming back (a copy to the support address): recorded, nothing more.
  // Our Message-IDs end in the sender address's domain, so only those are looked up.
  if (messageId && messageId.toLowerCase().endsWith(`@${mailbox.fromAddress.split('@')[1]?.toLowerCase()}`)) {
    const own = await em.execute(`select 1 from mail_messages where message_id = ? and direction = 'out' limit 1`, [messageId]);
    if (own.length) {
      await em.execute(`update mail_messages set kind = 'own', status = ? where id = ?`, [MailStatus.SKIPPED, rowId]);
      return { outcome: 'own', outbox: [], mailId: rowId };
    }
  }
  const text = bodyText(p);
  const outbox: number[] = [];
  let app = await threadOf(ctx, mailbox.id, p, subject);
  let outcome: Outcome;
  let followUpId: number | null = null;
  if (app) {
    if (app.closedAt && mailbox.reopenClosed) await reopenIn(ctx, app);
    const note = `E-posta — ${from.name ? `${from.name} <${address}>` : address}\nKonu: ${subject}\n\n${text || '(boş)'}`;
    const f = await applicationService.addFollowUp(ctx, String(app.id), { text: note.slice(0, TEXT_MAX) });
    followUpId = f.id;
    outcome = 'followUp';
  } else {
    const applicant = await applicantByEmail(ctx, address, from.name);
    const input = {
      applicantId: String(applicant.account.id),
      reporterId: applicant.contact ? String(applicant.contact.id) : null,
      categoryId: String(mailbox.defaultCategoryId),
      priorityId: mailbox.defaultPriorityId ? String(mailbox.defaultPriorityId) : null,
      channelId: String(await emailChannelId(em)),
      assignee: mailbox.defaultTeamId ? { teamId: String(mailbox.defaultTeamId) } : undefined,
      subject: subject.slice(0, SUBJECT_MAX),
      detail: text || null,
    } as unknown as CreateApplicationInput;
    app = await applicationService.create(ctx, input);
    outcome = 'created';
    if (mailbox.sendAcknowledgement && !isAutomated(p) && address !== mailbox.fromAddress.toLowerCase()) {
      const ack = await queueAcknowledgement(ctx, mailbox, app, address, messageId, references, subject);
      if (ack) outbox.push(ack);
    }
  }
  await attach(ctx, app, p);
  await em.execute(`update mail_messages set kind = ?, application_id = ?, follow_up_id = ? where id = ?`, [outcome === 'created' ? 'new' : 'reply', app.id, followUpId, rowId]);
  return { outcome, applicationId: app.id, outbox, mailId: rowId };
}

export function newMessageId(fromAddress: string): string {
  const domain = fromAddress.split('@')[1]?.replace(/[^\w.-]/g, '') || 'localhost';
  return `${randomUUID()}@${domain}`;
}

/** An acknowledgement, unless this address already got MAIL_ACK_DAILY_CAP of them today. */
async function queueAcknowledgement(ctx: Context, mailbox: Mailbox, app: Application, to: string, inReplyTo: string | null, references: string[], subject: string): Promise<number | null> {
  const em = ctx.em;
  // One address at a time (parallel mail from the same sender cannot exceed the cap).
  await em.execute(`select pg_advisory_xact_lock(hashtext('mail-ack'), hashtext(?))`, [to]);
  const [{ n }] = await em.execute<{ n: number }[]>(
    `select count(*)::int as n from mail_messages where direction = 'out' and kind = 'ack' and to_address = ? and created_at > now() - interval '1 day'`,
    [to],
  );
  if (n >= ctx.config.MAIL_ACK_DAILY_CAP) return null;
  const messageId = newMessageId(mailbox.fromAddress);
  return insertRow(em, {
    mailbox_id: mailbox.id,
    direction: MailDirection.OUT,
    kind: 'ack',
    dedup_key: `out:${messageId}`,
    message_id: messageId,
    in_reply_to: inReplyTo,
    references: textArray([...references, ...(inReplyTo ? [inReplyTo] : [])].slice(-50)),
    from_address: mailbox.fromAddress,
    to_address: to,
    subject: `Başvurunuz alındı [#${app.number}] ${subject}`.slice(0, 2000),
    application_id: app.id,
    status: MailStatus.PENDING,
    body:
      `Merhaba,\n\nBaşvurunuz ${app.number} numarasıyla kaydedildi. Bu numara konu satırında kaldığı sürece ` +
      `yanıtlarınız aynı başvuruya eklenir.\n\n${mailbox.fromName}\n\n(Bu ileti otomatik olarak gönderilmiştir.)`,
  });
}

async function quarantine(services: AppServices, mailbox: Mailbox, raw: Buffer, key: string, headerId: string | null, p: ParsedMail | null, error: string, meta: IncomingMeta): Promise<ProcessResult> {
  return services.orm.em.fork().transactional(async (e) => {
    const em = e as SqlEntityManager;
    const id = await insertRow(em, {
      mailbox_id: mailbox.id,
      direction: MailDirection.IN,
      kind: 'quarantined',
      dedup_key: key,
      message_id: headerId,
      from_address: p ? (firstAddress(p.from)?.address?.toLowerCase().slice(0, 320) ?? null) : null,
      subject: p?.subject?.slice(0, 2000) ?? null,
      status: MailStatus.QUARANTINED,
      raw,
      error: error.slice(0, 4000),
      uid: meta.uid ?? null,
      uid_validity: meta.uidValidity ?? null,
      size: raw.length,
    });
    return { outcome: id === null ? 'duplicate' : 'quarantined', outbox: [] };
  });
}

/** Mail over the size limit: recorded (never downloaded whole) and skipped. */
export async function recordOversize(services: AppServices, mailbox: Mailbox, meta: IncomingMeta & { size: number; messageId?: string | null; from?: string | null; subject?: string | null }): Promise<ProcessResult> {
  return services.orm.em.fork().transactional(async (e) => {
    const em = e as SqlEntityManager;
    const messageId = cleanId(meta.messageId);
    const id = await insertRow(em, {
      mailbox_id: mailbox.id,
      direction: MailDirection.IN,
      kind: 'oversize',
      dedup_key: messageId ? `mid:${messageId}` : `uid:${meta.uidValidity}:${meta.uid}`,
      message_id: messageId,
      from_address: meta.from?.toLowerCase().slice(0, 320) ?? null,
      subject: meta.subject?.slice(0, 2000) ?? null,
      status: MailStatus.SKIPPED,
      error: `larger than the limit (${meta.size} bytes)`,
      uid: meta.uid ?? null,
      uid_validity: meta.uidValidity ?? null,
      size: meta.size,
    });
    // The worker records an over-size mail between batches, so the cursor may move past it now.
    if (meta.uid !== undefined) {
      await em.execute(`update mailboxes set last_uid = greatest(last_uid, ?) where id = ? and uid_validity is not distinct from ?`, [meta.uid, mailbox.id, meta.uidValidity ?? null]);
    }
    return { outcome: id === null ? 'duplicate' : 'skipped', outbox: [] };
  });
}

/**
 * Processes a quarantined mail again from its raw bytes (with `charset`, an administrator's
 * reading of text in an unknown or wrong charset): in one transaction the quarantine row is
 * removed and the mail processed (a new row: its id is returned); if it fails again the row
 * stays, with the new error.
 */
export async function processQuarantined(services: AppServices, id: number, charset?: string | null): Promise<{ outcome: Outcome; mailId: number }> {
  const em0 = services.orm.em.fork() as SqlEntityManager;
  const row = await em0.findOne(MailMessage, { id, status: MailStatus.QUARANTINED }, { populate: ['raw', 'mailbox'] });
  if (!row || !row.raw) return { outcome: 'duplicate', mailId: id };
  const raw = Buffer.from(row.raw);
  const mailbox = row.mailbox as Mailbox;
  try {
    const reading = await readMail(raw, charset);
    if (reading.problems.length) throw new Error(problemText(reading));
    const r = await services.orm.em.fork().transactional(async (e) => {
      const em = e as SqlEntityManager;
      // Two retries at once: the second finds the row gone and reports the first one's result.
      const gone = await em.execute(`delete from mail_messages where id = ? and status = 'quarantined' returning id`, [id]);
      if (!gone.length) return { outcome: 'duplicate' as Outcome, outbox: [] };
      return processParsed(services, em, mailbox, raw, row.dedupKey, rawMessageId(raw), reading, {});
    });
    if (r.outbox.length) await sendPending(services, r.outbox).catch(() => undefined);
    if (r.mailId) return { outcome: r.outcome, mailId: r.mailId };
    const [now] = await em0.execute<{ id: number }[]>('select id from mail_messages where mailbox_id = ? and dedup_key = ?', [mailbox.id, row.dedupKey]);
    return { outcome: r.outcome, mailId: now?.id ?? id };
  } catch (err) {
    if (isConnectionError(err)) throw err;
    await em0.execute('update mail_messages set error = ?, updated_at = now() where id = ?', [describe(err).slice(0, 4000), id]);
    return { outcome: 'quarantined', mailId: id };
  }
}
