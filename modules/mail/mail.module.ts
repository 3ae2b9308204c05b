import type { EntityManager } from '@mikro-orm/core';
import type { ModuleDefinition } from '../../api/module';
import { ContactChannel } from '../reference/entities/reference.entities';
import { Mailbox, MailMessage } from './entities/mail.entities';
import { MailboxResolver, MailMessageResolver } from './resolvers/mail.resolver';
import { MailWorkers } from './services/worker';

/**
 * The e-mail channel: support mailboxes fetched over IMAP become applications, replies
 * thread back as follow-ups, answers go out over SMTP. Mailboxes are administered by
 * administrators only (no default grants for other roles).
 */
export const mailModule: ModuleDefinition = {
  name: 'mail',
  entities: [Mailbox, MailMessage],
  resolvers: [MailboxResolver, MailMessageResolver],
  subjects: [{ name: 'Mailbox', entity: Mailbox, actions: ['read', 'create', 'update', 'archive', 'manage'], description: 'Support mailboxes, their quarantine and raw mail.' }],
  defaultGrants: {},
  async bootstrap(em: EntityManager) {
    // Mail-created applications use the "E-posta" channel (code email).
    if (!(await em.findOne(ContactChannel, { code: 'email' }))) {
      em.create(ContactChannel, { code: 'email', name: 'E-posta', sortOrder: 20 });
      await em.flush();
    }
  },
  workers: (services) => new MailWorkers(services),
};
