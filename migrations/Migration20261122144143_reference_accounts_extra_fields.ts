import { Migration } from '@mikro-orm/migrations';

export class Migration20261122144143_reference_accounts_extra_fields extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "extra_field_target" as enum ('APPLICATION', 'ACCOUNT', 'CONTACT');`);
    this.addSql(`create type "extra_field_type" as enum ('TEXT', 'LONG_TEXT', 'NUMBER', 'DATE', 'BOOLEAN', 'SINGLE_CHOICE', 'MULTIPLE_CHOICE');`);
    this.addSql(`create type "account_kind" as enum ('COMPANY', 'INDIVIDUAL');`);
    this.addSql(`create table "branches" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "name" varchar(200) not null, "sort_order" int not null default 0, "active" boolean not null default true, "archived_at" timestamptz null, "code" varchar(50) null, "city" varchar(100) null, "phone" varchar(40) null);`);
    this.addSql(`create index "branches_archived_at_index" on "branches" ("archived_at");`);

    this.addSql(`create table "campaigns" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "name" varchar(200) not null, "sort_order" int not null default 0, "active" boolean not null default true, "archived_at" timestamptz null, "code" varchar(50) null, "description" text null, "start_date" date null, "end_date" date null);`);
    this.addSql(`create index "campaigns_archived_at_index" on "campaigns" ("archived_at");`);

    this.addSql(`create table "contact_channels" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "name" varchar(200) not null, "sort_order" int not null default 0, "active" boolean not null default true, "archived_at" timestamptz null, "code" varchar(50) not null, "is_default" boolean not null default false);`);
    this.addSql(`create index "contact_channels_archived_at_index" on "contact_channels" ("archived_at");`);
    this.addSql(`alter table "contact_channels" add constraint "contact_channels_code_unique" unique ("code");`);

    this.addSql(`create table "extra_field_definitions" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "target" "extra_field_target" not null, "key" varchar(50) not null, "label" varchar(200) not null, "description" text null, "type" "extra_field_type" not null, "required" boolean not null default false, "options" text[] not null default '{}', "category_ids" int[] not null default '{}', "sort_order" int not null default 0, "active" boolean not null default true, "archived_at" timestamptz null);`);
    this.addSql(`create index "extra_field_definitions_archived_at_index" on "extra_field_definitions" ("archived_at");`);
    this.addSql(`alter table "extra_field_definitions" add constraint "extra_field_definitions_target_key_unique" unique ("target", "key");`);

    this.addSql(`create table "priorities" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "name" varchar(200) not null, "sort_order" int not null default 0, "active" boolean not null default true, "archived_at" timestamptz null, "color" varchar(20) null, "is_default" boolean not null default false);`);
    this.addSql(`create index "priorities_archived_at_index" on "priorities" ("archived_at");`);

    this.addSql(`create table "projects" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "name" varchar(200) not null, "sort_order" int not null default 0, "active" boolean not null default true, "archived_at" timestamptz null, "code" varchar(50) null, "description" text null, "start_date" date null, "end_date" date null);`);
    this.addSql(`create index "projects_archived_at_index" on "projects" ("archived_at");`);

    this.addSql(`create table "regions" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "name" varchar(200) not null, "responsible_id" int null, "active" boolean not null default true, "archived_at" timestamptz null);`);

    this.addSql(`create table "accounts" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "kind" "account_kind" not null, "name" varchar(300) not null, "tax_number" varchar(20) null, "tax_office" varchar(100) null, "identity_number" varchar(20) null, "phones" text[] not null default '{}', "phone_keys" text[] not null default '{}', "emails" text[] not null default '{}', "address" text null, "city" varchar(100) null, "district" varchar(100) null, "region_id" int null, "extra" jsonb not null default '{}', "active" boolean not null default true, "archived_at" timestamptz null);`);
    this.addSql(`create index "accounts_name_index" on "accounts" ("name");`);
    this.addSql(`create index "accounts_tax_number_index" on "accounts" ("tax_number");`);
    this.addSql(`create index "accounts_identity_number_index" on "accounts" ("identity_number");`);
    this.addSql(`create index "accounts_region_id_index" on "accounts" ("region_id");`);
    this.addSql(`create index "accounts_archived_at_index" on "accounts" ("archived_at");`);
    this.addSql(`create index "accounts_phone_keys_gin" on "accounts" using gin ("phone_keys");`);
    this.addSql(`create index "accounts_extra_gin" on "accounts" using gin ("extra" jsonb_path_ops);`);
    this.addSql(`create index "accounts_name_fold_trgm" on "accounts" using gin (tr_fold("name") gin_trgm_ops);`);

    this.addSql(`create table "subscriptions" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "account_id" int not null, "number" varchar(50) not null, "name" varchar(200) null, "address" text null, "start_date" date null, "end_date" date null, "active" boolean not null default true, "archived_at" timestamptz null);`);
    this.addSql(`create index "subscriptions_account_id_index" on "subscriptions" ("account_id");`);
    this.addSql(`alter table "subscriptions" add constraint "subscriptions_number_unique" unique ("number");`);

    this.addSql(`create table "contacts" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "account_id" int not null, "first_name" varchar(100) not null, "last_name" varchar(100) not null, "title" varchar(100) null, "phone" varchar(40) null, "email" varchar(320) null, "extra" jsonb not null default '{}', "active" boolean not null default true, "archived_at" timestamptz null);`);
    this.addSql(`create index "contacts_account_id_index" on "contacts" ("account_id");`);
    this.addSql(`create index "contacts_email_index" on "contacts" ("email");`);
    this.addSql(`create index "contacts_extra_gin" on "contacts" using gin ("extra" jsonb_path_ops);`);

    this.addSql(`alter table "regions" add constraint "regions_responsible_id_foreign" foreign key ("responsible_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "accounts" add constraint "accounts_region_id_foreign" foreign key ("region_id") references "regions" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "subscriptions" add constraint "subscriptions_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "contacts" add constraint "contacts_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "accounts" drop constraint "accounts_region_id_foreign";`);

    this.addSql(`alter table "subscriptions" drop constraint "subscriptions_account_id_foreign";`);

    this.addSql(`alter table "contacts" drop constraint "contacts_account_id_foreign";`);

    this.addSql(`drop table if exists "branches" cascade;`);

    this.addSql(`drop table if exists "campaigns" cascade;`);

    this.addSql(`drop table if exists "contact_channels" cascade;`);

    this.addSql(`drop table if exists "extra_field_definitions" cascade;`);

    this.addSql(`drop table if exists "priorities" cascade;`);

    this.addSql(`drop table if exists "projects" cascade;`);

    this.addSql(`drop table if exists "regions" cascade;`);

    this.addSql(`drop table if exists "accounts" cascade;`);

    this.addSql(`drop table if exists "subscriptions" cascade;`);

    this.addSql(`drop table if exists "contacts" cascade;`);

    this.addSql(`drop type "extra_field_target";`);
    this.addSql(`drop type "extra_field_type";`);
    this.addSql(`drop type "account_kind";`);
  }

}
