import type { ModuleDefinition } from '../../api/module';
import { Mailbox, MailMessage } from './entities/mail.entities';
import { MailboxResolver, MailMessageResolver } from './resolvers/mail.resolver';
import { purgeExpiredRaw } from './services/ingest.service';
import { MailWorkers } from './services/worker';

/**
 * The e-mail channel: support mailboxes fetched over IMAP become applications, replies
 * thread back as follow-ups, answers go out over SMTP. Mailboxes are administered by
 * administrators only (no default grants for other roles). Mail-made applications get the
 * contact channel with code `email` ("E-posta"), which the reference module seeds. The raw
 * bytes of received mail are kept for MAIL_RAW_RETENTION_DAYS (an hourly job deletes them).
 */
export const mailModule: ModuleDefinition = {
  name: 'mail',
  entities: [Mailbox, MailMessage],
  resolvers: [MailboxResolver, MailMessageResolver],
  subjects: [{ name: 'Mailbox', entity: Mailbox, actions: ['read', 'create', 'update', 'archive', 'manage'], description: 'Support mailboxes, their quarantine and raw mail.' }],
  defaultGrants: {},
  jobs: [{ name: 'mail.purge-raw', schedule: '23 * * * *', handler: async (ctx) => void (await purgeExpiredRaw(ctx)) }],
  workers: (services) => new MailWorkers(services),
};
