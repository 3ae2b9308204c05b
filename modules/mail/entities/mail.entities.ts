import { BigIntType, Entity, Enum, Index, ManyToOne, Property, Unique, type Opt, type Rel } from '@mikro-orm/core';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../../api/base.entity';

/**
 * A support mailbox: where mail is fetched from (IMAP) and answers are sent through (SMTP),
 * with the defaults of the applications it creates. Passwords are stored encrypted
 * (AES-256-GCM) and never leave the server.
 */
@ObjectType({ description: 'A support mailbox (IMAP in, SMTP out). Passwords are never returned: see hasImapPassword / hasSmtpPassword.' })
@Entity({ tableName: 'mailboxes' })
export class Mailbox extends BaseEntity {
  @Field()
  @Unique()
  @Property({ length: 200 })
  name!: string;

  @Field()
  @Property({ length: 255 })
  imapHost!: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  imapPort!: number;

  @Field(() => Boolean, { description: 'Implicit TLS (port 993). Without it the connection upgrades with STARTTLS when offered.' })
  @Property({ type: 'boolean', default: true })
  imapTls: Opt<boolean> = true;

  @Field()
  @Property({ length: 255 })
  imapUser!: string;

  @Property({ type: 'text', nullable: true, hidden: true })
  imapPasswordEnc?: string | null;

  @Field(() => String, { description: 'The IMAP folder fetched (INBOX unless set).' })
  @Property({ length: 255, default: 'INBOX' })
  folder: Opt<string> = 'INBOX';

  @Field()
  @Property({ length: 255 })
  smtpHost!: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  smtpPort!: number;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: true })
  smtpTls: Opt<boolean> = true;

  @Field(() => String, { nullable: true })
  @Property({ length: 255, nullable: true })
  smtpUser?: string | null;

  @Property({ type: 'text', nullable: true, hidden: true })
  smtpPasswordEnc?: string | null;

  @Field({ description: 'Sender name of answers and acknowledgements.' })
  @Property({ length: 200 })
  fromName!: string;

  @Field({ description: 'Sender address of answers and acknowledgements (the support address).' })
  @Property({ length: 320 })
  fromAddress!: string;

  @Field(() => ID, { description: 'Category of applications created from this mailbox.' })
  @Property({ type: 'integer' })
  defaultCategoryId!: number;

  @Field(() => ID, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  defaultPriorityId?: number | null;

  @Field(() => ID, { nullable: true, description: 'Team the new applications are assigned to.' })
  @Property({ type: 'integer', nullable: true })
  defaultTeamId?: number | null;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: true })
  active: Opt<boolean> = true;

  @Field(() => Boolean, { description: 'A reply to a closed application reopens it.' })
  @Property({ type: 'boolean', default: false })
  reopenClosed: Opt<boolean> = false;

  @Field(() => Boolean, { description: 'Send an acknowledgement (Auto-Submitted: auto-replied) for each new application.' })
  @Property({ type: 'boolean', default: false })
  sendAcknowledgement: Opt<boolean> = false;

  @Field(() => Float, { nullable: true, description: 'Mail larger than this (bytes) is recorded and skipped; MAIL_MAX_MESSAGE_BYTES when unset.' })
  @Property({ type: 'integer', nullable: true })
  maxMessageBytes?: number | null;

  // --- sync state (written by the worker) ---

  @Field(() => Float, { nullable: true, description: 'UIDVALIDITY of the folder when last synced.' })
  @Property({ type: new BigIntType('number'), nullable: true })
  uidValidity?: number | null;

  @Field(() => Float, { description: 'The last UID fully processed under uidValidity.' })
  @Property({ type: new BigIntType('number'), default: 0 })
  lastUid: Opt<number> = 0;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  lastSyncAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'The last connection or processing error (cleared by a successful sync).' })
  @Property({ type: 'text', nullable: true })
  lastError?: string | null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  lastErrorAt?: Date | null;

  @Field(() => Int, { description: 'Messages on the server not yet processed, at the last sync.' })
  @Property({ type: 'integer', default: 0 })
  backlog: Opt<number> = 0;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt?: Date | null;
}

export enum MailDirection {
  IN = 'in',
  OUT = 'out',
}
registerEnumType(MailDirection, { name: 'MailDirection' });

export enum MailStatus {
  /** In: became an application or a follow-up. */
  PROCESSED = 'processed',
  /** In: could not be processed; raw bytes kept for an administrator. */
  QUARANTINED = 'quarantined',
  /** In: recorded but not processed (over the size limit, or a loop). */
  SKIPPED = 'skipped',
  /** In: an administrator discarded it from the quarantine. */
  DISCARDED = 'discarded',
  /** Out: written with its follow-up, waiting to be sent. */
  PENDING = 'pending',
  SENT = 'sent',
  FAILED = 'failed',
}
registerEnumType(MailStatus, { name: 'MailStatus' });

/**
 * Every mail the system saw or sent, once. The unique (mailbox, dedup key) makes
 * ingestion exactly-once: the key is the Message-ID, or the SHA-256 of the raw bytes when
 * there is none, and the row is written in the same transaction as the application or
 * follow-up it produced and the mailbox cursor.
 */
@ObjectType({ description: 'A mail received or sent by a mailbox.' })
@Entity({ tableName: 'mail_messages' })
@Unique({ properties: ['mailbox', 'dedupKey'] })
@Index({ properties: ['applicationId'] })
@Index({ properties: ['messageId'] })
@Index({ properties: ['status'] })
export class MailMessage extends BaseEntity {
  @ManyToOne(() => Mailbox, { deleteRule: 'cascade' })
  mailbox!: Rel<Mailbox>;

  @Field(() => MailDirection)
  @Enum({ items: () => MailDirection, nativeEnumName: 'mail_direction' })
  direction!: MailDirection;

  @Field(() => String, { description: 'new, reply, answer, ack, oversize, own, quarantined.' })
  @Property({ length: 20 })
  kind!: string;

  @Property({ type: 'text' })
  dedupKey!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  messageId?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  inReplyTo?: string | null;

  @Field(() => [String])
  @Property({ type: 'text[]', default: '{}' })
  references: Opt<string[]> = [];

  @Field(() => String, { nullable: true })
  @Property({ length: 320, nullable: true })
  fromAddress?: string | null;

  @Field(() => String, { nullable: true })
  @Index()
  @Property({ length: 320, nullable: true })
  toAddress?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  subject?: string | null;

  @Field(() => ID, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  applicationId?: number | null;

  @Field(() => ID, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  followUpId?: number | null;

  @Field(() => MailStatus)
  @Enum({ items: () => MailStatus, nativeEnumName: 'mail_status' })
  status!: MailStatus;

  /**
   * Raw bytes of received mail (only administrators read them): kept while quarantined, and
   * for MAIL_RAW_RETENTION_DAYS after processing, so a parsing mistake can be corrected.
   */
  @Property({ type: 'blob', nullable: true, lazy: true, hidden: true })
  raw?: Buffer | null;

  @Field(() => Date, { nullable: true, description: 'When the raw bytes of this processed mail are deleted (the record stays). Null: kept while quarantined, or already deleted.' })
  @Index()
  @Property({ type: 'timestamptz', nullable: true })
  rawExpiresAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'Text decoded with another charset than the mail declared (an unknown or wrong one): where, what was declared, what was used.' })
  @Property({ type: 'text', nullable: true })
  decodingNote?: string | null;

  @Field(() => String, { nullable: true, description: 'The charset(s) used instead of the declared one (e.g. iso-8859-9), when decodingNote is set.' })
  @Property({ length: 100, nullable: true })
  fallbackCharset?: string | null;

  /** Text of an outgoing mail (sent after the transaction that wrote it commits). */
  @Property({ type: 'text', nullable: true, lazy: true, hidden: true })
  body?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  error?: string | null;

  @Field(() => Float, { nullable: true })
  @Property({ type: new BigIntType('number'), nullable: true })
  uid?: number | null;

  @Field(() => Float, { nullable: true })
  @Property({ type: new BigIntType('number'), nullable: true })
  uidValidity?: number | null;

  @Field(() => Float, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  size?: number | null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  sentAt?: Date | null;
}
