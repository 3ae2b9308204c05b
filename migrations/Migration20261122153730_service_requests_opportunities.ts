import { Migration } from '@mikro-orm/migrations';

export class Migration20261122153730_service_requests_opportunities extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "sales_stage_outcome" as enum ('OPEN', 'WON', 'LOST');`);
    this.addSql(`create type "currency" as enum ('TRY', 'USD', 'EUR', 'GBP');`);
    this.addSql(`create table "sales_stages" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "name" varchar(200) not null, "sort_order" int not null default 0, "probability" int not null default 0, "outcome" "sales_stage_outcome" not null default 'OPEN', "color" varchar(20) null, "active" boolean not null default true, "archived_at" timestamptz null);`);
    this.addSql(`create index "sales_stages_sort_order_index" on "sales_stages" ("sort_order");`);
    this.addSql(`create index "sales_stages_outcome_index" on "sales_stages" ("outcome");`);
    this.addSql(`create index "sales_stages_archived_at_index" on "sales_stages" ("archived_at");`);

    this.addSql(`create table "service_request_counters" ("year" int not null, "last" int not null, constraint "service_request_counters_pkey" primary key ("year"));`);

    this.addSql(`create table "service_stages" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "name" varchar(200) not null, "sort_order" int not null default 0, "closed" boolean not null default false, "is_initial" boolean not null default false, "color" varchar(20) null, "active" boolean not null default true, "archived_at" timestamptz null);`);
    this.addSql(`create index "service_stages_sort_order_index" on "service_stages" ("sort_order");`);
    this.addSql(`create index "service_stages_closed_index" on "service_stages" ("closed");`);
    this.addSql(`create index "service_stages_archived_at_index" on "service_stages" ("archived_at");`);

    this.addSql(`create table "service_stage_transitions" ("from_stage_id" int not null, "to_stage_id" int not null, constraint "service_stage_transitions_pkey" primary key ("from_stage_id", "to_stage_id"));`);

    this.addSql(`create table "service_requests" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "number" varchar(20) not null, "account_id" int not null, "contact_id" int null, "subscription_id" int null, "subject" varchar(500) not null, "detail" text null, "product" varchar(300) null, "serial_number" varchar(100) null, "stage_id" int not null, "priority_id" int not null, "assignee_user_id" int null, "assignee_team_id" int null, "assignee_everyone" boolean not null default false, "requested_date" date not null, "planned_date" date null, "resolution_note" text null, "created_by_id" int null, "closed_at" timestamptz null, "archived_at" timestamptz null);`);
    this.addSql(`alter table "service_requests" add constraint "service_requests_number_unique" unique ("number");`);
    this.addSql(`create index "service_requests_account_id_index" on "service_requests" ("account_id");`);
    this.addSql(`create index "service_requests_contact_id_index" on "service_requests" ("contact_id");`);
    this.addSql(`create index "service_requests_subscription_id_index" on "service_requests" ("subscription_id");`);
    this.addSql(`create index "service_requests_subject_index" on "service_requests" ("subject");`);
    this.addSql(`create index "service_requests_stage_id_index" on "service_requests" ("stage_id");`);
    this.addSql(`create index "service_requests_priority_id_index" on "service_requests" ("priority_id");`);
    this.addSql(`create index "service_requests_assignee_user_id_index" on "service_requests" ("assignee_user_id");`);
    this.addSql(`create index "service_requests_assignee_team_id_index" on "service_requests" ("assignee_team_id");`);
    this.addSql(`create index "service_requests_assignee_everyone_index" on "service_requests" ("assignee_everyone");`);
    this.addSql(`create index "service_requests_requested_date_index" on "service_requests" ("requested_date");`);
    this.addSql(`create index "service_requests_planned_date_index" on "service_requests" ("planned_date");`);
    this.addSql(`create index "service_requests_created_by_id_index" on "service_requests" ("created_by_id");`);
    this.addSql(`create index "service_requests_closed_at_index" on "service_requests" ("closed_at");`);
    this.addSql(`create index "service_requests_archived_at_index" on "service_requests" ("archived_at");`);
    this.addSql(`create index "service_requests_updated_at_index" on "service_requests" ("updated_at");`);
    this.addSql(`create index "service_requests_created_at_index" on "service_requests" ("created_at");`);
    this.addSql(`create index "service_requests_live_requested" on "service_requests" ("requested_date" desc, "id" desc) where "archived_at" is null;`);
    this.addSql(`create index "service_requests_search_trgm" on "service_requests" using gin (tr_fold("number" || ' ' || "subject" || ' ' || coalesce("detail", '') || ' ' || coalesce("serial_number", '')) gin_trgm_ops);`);

    this.addSql(`create table "service_request_history" ("id" serial primary key, "service_request_id" int not null, "actor_id" int null, "at" timestamptz not null default now(), "field" varchar(100) not null, "old_value" text null, "new_value" text null);`);
    this.addSql(`create index "service_request_history_service_request_id_at_index" on "service_request_history" ("service_request_id", "at");`);

    this.addSql(`create table "opportunities" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "account_id" int not null, "contact_id" int null, "title" varchar(300) not null, "description" text null, "expected_amount" numeric(14,2) not null default 0, "currency" "currency" not null default 'TRY', "probability" int not null, "stage_id" int not null, "expected_close_date" date null, "owner_id" int null, "campaign_id" int null, "project_id" int null, "created_by_id" int null, "closed_at" timestamptz null, "archived_at" timestamptz null);`);
    this.addSql(`create index "opportunities_account_id_index" on "opportunities" ("account_id");`);
    this.addSql(`create index "opportunities_contact_id_index" on "opportunities" ("contact_id");`);
    this.addSql(`create index "opportunities_title_index" on "opportunities" ("title");`);
    this.addSql(`create index "opportunities_expected_amount_index" on "opportunities" ("expected_amount");`);
    this.addSql(`create index "opportunities_currency_index" on "opportunities" ("currency");`);
    this.addSql(`create index "opportunities_stage_id_index" on "opportunities" ("stage_id");`);
    this.addSql(`create index "opportunities_expected_close_date_index" on "opportunities" ("expected_close_date");`);
    this.addSql(`create index "opportunities_owner_id_index" on "opportunities" ("owner_id");`);
    this.addSql(`create index "opportunities_campaign_id_index" on "opportunities" ("campaign_id");`);
    this.addSql(`create index "opportunities_project_id_index" on "opportunities" ("project_id");`);
    this.addSql(`create index "opportunities_created_by_id_index" on "opportunities" ("created_by_id");`);
    this.addSql(`create index "opportunities_closed_at_index" on "opportunities" ("closed_at");`);
    this.addSql(`create index "opportunities_archived_at_index" on "opportunities" ("archived_at");`);
    this.addSql(`create index "opportunities_created_at_index" on "opportunities" ("created_at");`);
    this.addSql(`create index "opportunities_live_created" on "opportunities" ("created_at" desc, "id" desc) where "archived_at" is null;`);
    this.addSql(`create index "opportunities_search_trgm" on "opportunities" using gin (tr_fold("title" || ' ' || coalesce("description", '')) gin_trgm_ops);`);

    this.addSql(`alter table "service_stage_transitions" add constraint "service_stage_transitions_from_stage_id_foreign" foreign key ("from_stage_id") references "service_stages" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "service_stage_transitions" add constraint "service_stage_transitions_to_stage_id_foreign" foreign key ("to_stage_id") references "service_stages" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "service_requests" add constraint "service_requests_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade;`);
    this.addSql(`alter table "service_requests" add constraint "service_requests_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "service_requests" add constraint "service_requests_subscription_id_foreign" foreign key ("subscription_id") references "subscriptions" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "service_requests" add constraint "service_requests_stage_id_foreign" foreign key ("stage_id") references "service_stages" ("id") on update cascade;`);
    this.addSql(`alter table "service_requests" add constraint "service_requests_priority_id_foreign" foreign key ("priority_id") references "priorities" ("id") on update cascade;`);
    this.addSql(`alter table "service_requests" add constraint "service_requests_assignee_user_id_foreign" foreign key ("assignee_user_id") references "users" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "service_requests" add constraint "service_requests_assignee_team_id_foreign" foreign key ("assignee_team_id") references "teams" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "service_requests" add constraint "service_requests_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "service_request_history" add constraint "service_request_history_service_request_id_foreign" foreign key ("service_request_id") references "service_requests" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "service_request_history" add constraint "service_request_history_actor_id_foreign" foreign key ("actor_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "opportunities" add constraint "opportunities_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade;`);
    this.addSql(`alter table "opportunities" add constraint "opportunities_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "opportunities" add constraint "opportunities_stage_id_foreign" foreign key ("stage_id") references "sales_stages" ("id") on update cascade;`);
    this.addSql(`alter table "opportunities" add constraint "opportunities_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "opportunities" add constraint "opportunities_campaign_id_foreign" foreign key ("campaign_id") references "campaigns" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "opportunities" add constraint "opportunities_project_id_foreign" foreign key ("project_id") references "projects" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "opportunities" add constraint "opportunities_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "opportunities" drop constraint "opportunities_stage_id_foreign";`);

    this.addSql(`alter table "service_stage_transitions" drop constraint "service_stage_transitions_from_stage_id_foreign";`);

    this.addSql(`alter table "service_stage_transitions" drop constraint "service_stage_transitions_to_stage_id_foreign";`);

    this.addSql(`alter table "service_requests" drop constraint "service_requests_stage_id_foreign";`);

    this.addSql(`alter table "service_request_history" drop constraint "service_request_history_service_request_id_foreign";`);

    this.addSql(`drop table if exists "sales_stages" cascade;`);

    this.addSql(`drop table if exists "service_request_counters" cascade;`);

    this.addSql(`drop table if exists "service_stages" cascade;`);

    this.addSql(`drop table if exists "service_stage_transitions" cascade;`);

    this.addSql(`drop table if exists "service_requests" cascade;`);

    this.addSql(`drop table if exists "service_request_history" cascade;`);

    this.addSql(`drop table if exists "opportunities" cascade;`);

    this.addSql(`drop type "sales_stage_outcome";`);
    this.addSql(`drop type "currency";`);
  }

}
