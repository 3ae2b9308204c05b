import { Migration } from '@mikro-orm/migrations';

/** Raw bytes of received mail kept for MAIL_RAW_RETENTION_DAYS; charset fallbacks recorded on the mail. */
export class Migration20261202181854_mail_raw_retention extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "mail_messages" add column "raw_expires_at" timestamptz null, add column "decoding_note" text null, add column "fallback_charset" varchar(100) null;`);
    this.addSql(`create index "mail_messages_raw_expires_at_index" on "mail_messages" ("raw_expires_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "mail_messages_raw_expires_at_index";`);
    this.addSql(`alter table "mail_messages" drop column "raw_expires_at", drop column "decoding_note", drop column "fallback_charset";`);
  }

}
