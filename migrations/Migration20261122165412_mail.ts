import { Migration } from '@mikro-orm/migrations';

export class Migration20261122165412_mail extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "mail_direction" as enum ('in', 'out');`);
    this.addSql(`create type "mail_status" as enum ('processed', 'quarantined', 'skipped', 'discarded', 'pending', 'sent', 'failed');`);
    this.addSql(`create table "mailboxes" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "name" varchar(200) not null, "imap_host" varchar(255) not null, "imap_port" int not null, "imap_tls" boolean not null default true, "imap_user" varchar(255) not null, "imap_password_enc" text null, "folder" varchar(255) not null default 'INBOX', "smtp_host" varchar(255) not null, "smtp_port" int not null, "smtp_tls" boolean not null default true, "smtp_user" varchar(255) null, "smtp_password_enc" text null, "from_name" varchar(200) not null, "from_address" varchar(320) not null, "default_category_id" int not null, "default_priority_id" int null, "default_team_id" int null, "active" boolean not null default true, "reopen_closed" boolean not null default false, "send_acknowledgement" boolean not null default false, "max_message_bytes" int null, "uid_validity" bigint null, "last_uid" bigint not null default 0, "last_sync_at" timestamptz null, "last_error" text null, "last_error_at" timestamptz null, "backlog" int not null default 0, "archived_at" timestamptz null);`);
    this.addSql(`alter table "mailboxes" add constraint "mailboxes_name_unique" unique ("name");`);

    this.addSql(`create table "mail_messages" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "mailbox_id" int not null, "direction" "mail_direction" not null, "kind" varchar(20) not null, "dedup_key" text not null, "message_id" text null, "in_reply_to" text null, "references" text[] not null default '{}', "from_address" varchar(320) null, "to_address" varchar(320) null, "subject" text null, "application_id" int null, "follow_up_id" int null, "status" "mail_status" not null, "raw" bytea null, "body" text null, "error" text null, "uid" bigint null, "uid_validity" bigint null, "size" int null, "sent_at" timestamptz null);`);
    this.addSql(`create index "mail_messages_to_address_index" on "mail_messages" ("to_address");`);
    this.addSql(`create index "mail_messages_status_index" on "mail_messages" ("status");`);
    this.addSql(`create index "mail_messages_message_id_index" on "mail_messages" ("message_id");`);
    this.addSql(`create index "mail_messages_application_id_index" on "mail_messages" ("application_id");`);
    this.addSql(`alter table "mail_messages" add constraint "mail_messages_mailbox_id_dedup_key_unique" unique ("mailbox_id", "dedup_key");`);

    this.addSql(`alter table "mail_messages" add constraint "mail_messages_mailbox_id_foreign" foreign key ("mailbox_id") references "mailboxes" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "mail_messages" drop constraint "mail_messages_mailbox_id_foreign";`);

    this.addSql(`drop table if exists "mailboxes" cascade;`);

    this.addSql(`drop table if exists "mail_messages" cascade;`);

    this.addSql(`drop type "mail_direction";`);
    this.addSql(`drop type "mail_status";`);
  }

}
