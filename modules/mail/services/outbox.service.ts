import type { SqlEntityManager } from '@mikro-orm/postgresql';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppServices, Context } from '../../../api/context';
import { withEm } from '../../../api/context';
import { BadInputError } from '../../../api/errors';
import { intArray, parseId } from '../../../api/ids';
import { applicationService } from '../../applications/services/application.service';
import { Mailbox, MailMessage, MailDirection, MailStatus } from '../entities/mail.entities';
import { NUMBER_IN_SUBJECT, newMessageId } from './ingest.service';
import { decryptSecret } from './secret';

const transports = new Map<string, Transporter>();

/** A nodemailer transport for the mailbox's SMTP settings (cached per mailbox version). */
export function transportOf(services: AppServices, mb: Mailbox): Transporter {
  const key = `${mb.id}:${mb.version}`;
  let t = transports.get(key);
  if (!t) {
    for (const k of transports.keys()) if (k.startsWith(`${mb.id}:`)) transports.get(k)!.close();
    const pass = decryptSecret(services.config, mb.smtpPasswordEnc);
    t = nodemailer.createTransport({
      host: mb.smtpHost,
      port: mb.smtpPort,
      secure: mb.smtpTls,
      auth: mb.smtpUser ? { user: mb.smtpUser, pass: pass ?? '' } : undefined,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    });
    transports.set(key, t);
  }
  return t;
}

export function closeTransports(): void {
  for (const t of transports.values()) t.close();
  transports.clear();
}

/**
 * Sends outgoing mail rows that are pending (all, or the given ids). Each row is locked
 * while it is sent (FOR UPDATE SKIP LOCKED), so two instances never send the same row;
 * a permanent SMTP refusal (5xx) marks it failed, anything else leaves it pending with
 * the error for the next round.
 */
export async function sendPending(services: AppServices, ids?: number[]): Promise<number> {
  let sent = 0;
  for (;;) {
    const done = await services.orm.em.fork().transactional(async (e) => {
      const em = e as SqlEntityManager;
      const rows = await em.execute<{ id: number }[]>(
        `select id from mail_messages where direction = 'out' and status = 'pending' ${ids ? 'and id = any(?::int[])' : ''}
         and (updated_at < now() - interval '30 seconds' or error is null) order by id limit 1 for update skip locked`,
        ids ? [intArray(ids)] : [],
      );
      if (!rows.length) return null;
      const m = await em.findOneOrFail(MailMessage, rows[0].id, { populate: ['body'] });
      const mb = await em.findOneOrFail(Mailbox, m.mailbox.id);
      try {
        await transportOf(services, mb).sendMail({
          from: { name: mb.fromName, address: mb.fromAddress },
          to: m.toAddress!,
          subject: m.subject ?? '',
          text: m.body ?? '',
          messageId: `<${m.messageId}>`,
          inReplyTo: m.inReplyTo ? `<${m.inReplyTo}>` : undefined,
          references: m.references.length ? m.references.map((r) => `<${r}>`).join(' ') : undefined,
          headers: m.kind === 'ack' ? { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' } : {},
        });
        m.status = MailStatus.SENT;
        m.sentAt = new Date();
        m.error = null;
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode ?? 0;
        m.error = (err as Error).message.slice(0, 4000);
        if (code >= 500) m.status = MailStatus.FAILED;
        m.updatedAt = new Date();
      }
      await em.flush();
      return m.status === MailStatus.SENT ? 1 : 0;
    });
    if (done === null) return sent;
    sent += done;
  }
}

/**
 * An answer to the customer from the application: a follow-up (needs the right to add
 * one) and an outgoing mail written in the same transaction, threaded to the last mail
 * of the application (In-Reply-To, References, the number in the subject). Sent right
 * after the commit; if SMTP is down it stays pending and the mailbox worker retries.
 */
export async function replyToApplication(ctx: Context, applicationId: string, body: string, mailboxId?: string | null): Promise<MailMessage> {
  const text = body?.trim() ?? '';
  if (!text) throw new BadInputError('body', 'The answer is empty.');
  if (text.length > 50_000) throw new BadInputError('body', 'The answer is longer than 50000 characters.');
  const id = parseId(applicationId, 'applicationId');
  const row = await ctx.em.transactional(async (e) => {
    const em = e as SqlEntityManager;
    const tctx = withEm(ctx, em);
    const app = await applicationService.get(tctx, id);
    const thread = await em.find(MailMessage, { applicationId: app.id, status: { $nin: [MailStatus.QUARANTINED, MailStatus.DISCARDED] } }, { orderBy: { id: 'asc' } });
    const lastIn = [...thread].reverse().find((m) => m.direction === MailDirection.IN && m.fromAddress);
    if (!lastIn) throw new BadInputError('applicationId', `Application ${app.number} did not come by e-mail: there is no address to answer.`);
    const mb = mailboxId ? await em.findOne(Mailbox, { id: parseId(mailboxId, 'mailboxId'), archivedAt: null }) : await em.findOne(Mailbox, lastIn.mailbox.id);
    if (!mb) throw new BadInputError('mailboxId', `No such mailbox: ${mailboxId}.`, 'NOT_FOUND_REFERENCE');
    const f = await applicationService.addFollowUp(tctx, String(app.id), { text: `E-posta yanıtı → ${lastIn.fromAddress}\n\n${text}` });
    const base = (lastIn.subject ?? app.subject).replace(/^\s*((re|ynt|yan[ıi]t|fwd?|ilt)\s*:\s*)+/i, '');
    const subject = `Re: ${NUMBER_IN_SUBJECT.test(base) ? base : `${base} [#${app.number}]`}`;
    const messageId = newMessageId(mb.fromAddress);
    const refs = thread.map((m) => m.messageId).filter((x): x is string => !!x).slice(-30);
    const out = em.create(MailMessage, {
      mailbox: mb,
      direction: MailDirection.OUT,
      kind: 'answer',
      dedupKey: `out:${messageId}`,
      messageId,
      inReplyTo: lastIn.messageId ?? null,
      references: refs,
      fromAddress: mb.fromAddress,
      toAddress: lastIn.fromAddress,
      subject: subject.slice(0, 2000),
      applicationId: app.id,
      followUpId: f.id,
      status: MailStatus.PENDING,
      body: text,
    });
    await em.flush();
    return out;
  });
  await sendPending(ctx.services, [row.id]).catch((err) => ctx.log.warn({ err: (err as Error).message }, 'answer not sent yet'));
  return (ctx.em.fork() as SqlEntityManager).findOneOrFail(MailMessage, row.id);
}
