import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { authorize, type Context } from '../../../api/context';
import { parseId } from '../../../api/ids';
import { applicationService } from '../../applications/services/application.service';
import { CreateMailboxInput, MailboxTestResult, UpdateMailboxInput } from '../dto/mail.input';
import { Mailbox, MailMessage } from '../entities/mail.entities';
import { mailboxService } from '../services/mailbox.service';
import { replyToApplication } from '../services/outbox.service';

@Resolver(() => Mailbox)
export class MailboxResolver {
  @Query(() => [Mailbox], { description: 'Support mailboxes with their sync status (administrators).' })
  mailboxes(@Ctx() ctx: Context) {
    return mailboxService.list(ctx);
  }

  @Query(() => Mailbox)
  mailbox(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return mailboxService.get(ctx, id);
  }

  @Mutation(() => Mailbox)
  createMailbox(@Arg('input') input: CreateMailboxInput, @Ctx() ctx: Context) {
    return mailboxService.create(ctx, input);
  }

  @Mutation(() => Mailbox)
  updateMailbox(@Arg('id', () => ID) id: string, @Arg('version', () => Int) version: number, @Arg('input') input: UpdateMailboxInput, @Ctx() ctx: Context) {
    return mailboxService.update(ctx, id, version, input);
  }

  @Mutation(() => Mailbox, { description: 'Stops fetching the mailbox and hides it; its mail stays.' })
  archiveMailbox(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return mailboxService.archive(ctx, id);
  }

  @Mutation(() => MailboxTestResult, { description: 'Connects to IMAP and SMTP with the stored settings and reports the first step that failed.' })
  testMailboxConnection(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return mailboxService.test(ctx, id);
  }

  @FieldResolver(() => Boolean)
  hasImapPassword(@Root() m: Mailbox) {
    return !!m.imapPasswordEnc;
  }

  @FieldResolver(() => Boolean)
  hasSmtpPassword(@Root() m: Mailbox) {
    return !!m.smtpPasswordEnc;
  }

  @FieldResolver(() => Int, { description: 'Mail waiting in the quarantine.' })
  async quarantined(@Root() m: Mailbox, @Ctx() ctx: Context) {
    return (await mailboxService.counts(ctx, m.id)).quarantined ?? 0;
  }

  @FieldResolver(() => Int, { description: 'Mail that became applications or follow-ups.' })
  async processed(@Root() m: Mailbox, @Ctx() ctx: Context) {
    return (await mailboxService.counts(ctx, m.id)).processed ?? 0;
  }

  @FieldResolver(() => Int, { description: 'Answers and acknowledgements not sent yet.' })
  async outgoingPending(@Root() m: Mailbox, @Ctx() ctx: Context) {
    return (await mailboxService.counts(ctx, m.id)).pending ?? 0;
  }
}

@Resolver(() => MailMessage)
export class MailMessageResolver {
  @Query(() => [MailMessage], { description: 'Quarantined mail (administrators), newest first.' })
  quarantinedMail(@Arg('mailboxId', () => ID, { nullable: true }) mailboxId: string | null, @Ctx() ctx: Context) {
    return mailboxService.quarantine(ctx, mailboxId);
  }

  @Query(() => [MailMessage], { description: 'The mail thread of an application you may read, oldest first.' })
  async applicationMail(@Arg('applicationId', () => ID) applicationId: string, @Ctx() ctx: Context) {
    const app = await applicationService.get(ctx, parseId(applicationId, 'applicationId'));
    return ctx.em.find(MailMessage, { applicationId: app.id, status: { $nin: ['quarantined', 'discarded'] } } as never, { orderBy: { id: 'asc' } });
  }

  @Mutation(() => MailMessage, { description: 'Processes a quarantined mail again; returns its record (a new one once processed). `charset` decodes text whose declared charset is unknown or wrong with the one named.' })
  retryQuarantinedMail(
    @Arg('id', () => ID) id: string,
    @Arg('charset', () => String, { nullable: true, description: 'e.g. windows-1254, iso-8859-9, koi8-r' }) charset: string | null,
    @Ctx() ctx: Context,
  ) {
    return mailboxService.retry(ctx, id, charset);
  }

  @Mutation(() => MailMessage, { description: 'Drops a quarantined mail (its raw bytes are deleted).' })
  discardQuarantinedMail(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return mailboxService.discard(ctx, id);
  }

  @Mutation(() => MailMessage, { description: 'Answers the customer by e-mail from the application (threaded; stored as a follow-up). Needs the right to add a follow-up.' })
  replyToApplication(@Arg('applicationId', () => ID) applicationId: string, @Arg('body') body: string, @Arg('mailboxId', () => ID, { nullable: true }) mailboxId: string | null, @Ctx() ctx: Context) {
    return replyToApplication(ctx, applicationId, body, mailboxId);
  }

  @FieldResolver(() => String, { nullable: true, description: 'The raw message, base64, while it is kept (quarantined mail; received mail until rawExpiresAt). Administrators only.' })
  async raw(@Root() m: MailMessage, @Ctx() ctx: Context) {
    if (m.status !== 'quarantined' && (m.direction !== 'in' || !ctx.ability.can('manage', 'Mailbox'))) return null;
    authorize(ctx, 'manage', 'Mailbox');
    return mailboxService.raw(ctx, String(m.id));
  }

  @FieldResolver(() => ID)
  mailboxId(@Root() m: MailMessage) {
    return m.mailbox.id;
  }
}
