import { Migration } from '@mikro-orm/migrations';

export class Migration20261122144612_applications extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "application_counters" ("year" int not null, "last" int not null, constraint "application_counters_pkey" primary key ("year"));`);

    this.addSql(`create table "categories" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "name" varchar(200) not null, "parent_id" int null, "level" int not null, "sort_order" int not null default 0, "active" boolean not null default true, "archived_at" timestamptz null);`);
    this.addSql(`create index "categories_parent_id_index" on "categories" ("parent_id");`);

    this.addSql(`create table "process_stages" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "name" varchar(200) not null, "sort_order" int not null default 0, "closed" boolean not null default false, "is_initial" boolean not null default false, "color" varchar(20) null, "active" boolean not null default true, "archived_at" timestamptz null);`);

    this.addSql(`create table "process_stage_transitions" ("from_stage_id" int not null, "to_stage_id" int not null, constraint "process_stage_transitions_pkey" primary key ("from_stage_id", "to_stage_id"));`);

    this.addSql(`create table "applications" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "number" varchar(20) not null, "applicant_id" int not null, "reporter_id" int null, "branch_id" int null, "priority_id" int not null, "stage_id" int not null, "category_id" int not null, "subcategory_id" int null, "tree_category_id" int null, "channel_id" int not null, "reference_no" varchar(100) null, "application_date" timestamptz not null, "acceptance_date" timestamptz null, "assignee_user_id" int null, "assignee_team_id" int null, "assignee_everyone" boolean not null default false, "responsible_id" int null, "project_id" int null, "campaign_id" int null, "subscription_id" int null, "extra" jsonb not null default '{}', "subject" varchar(500) not null, "detail" text null, "created_by_id" int null, "closed_at" timestamptz null, "follow_up_count" int not null default 0, "time_spent_minutes" int not null default 0, "archived_at" timestamptz null);`);
    this.addSql(`alter table "applications" add constraint "applications_number_unique" unique ("number");`);
    this.addSql(`create index "applications_applicant_id_index" on "applications" ("applicant_id");`);
    this.addSql(`create index "applications_reporter_id_index" on "applications" ("reporter_id");`);
    this.addSql(`create index "applications_branch_id_index" on "applications" ("branch_id");`);
    this.addSql(`create index "applications_priority_id_index" on "applications" ("priority_id");`);
    this.addSql(`create index "applications_stage_id_index" on "applications" ("stage_id");`);
    this.addSql(`create index "applications_category_id_index" on "applications" ("category_id");`);
    this.addSql(`create index "applications_subcategory_id_index" on "applications" ("subcategory_id");`);
    this.addSql(`create index "applications_tree_category_id_index" on "applications" ("tree_category_id");`);
    this.addSql(`create index "applications_channel_id_index" on "applications" ("channel_id");`);
    this.addSql(`create index "applications_reference_no_index" on "applications" ("reference_no");`);
    this.addSql(`create index "applications_application_date_index" on "applications" ("application_date");`);
    this.addSql(`create index "applications_acceptance_date_index" on "applications" ("acceptance_date");`);
    this.addSql(`create index "applications_assignee_user_id_index" on "applications" ("assignee_user_id");`);
    this.addSql(`create index "applications_assignee_team_id_index" on "applications" ("assignee_team_id");`);
    this.addSql(`create index "applications_assignee_everyone_index" on "applications" ("assignee_everyone");`);
    this.addSql(`create index "applications_responsible_id_index" on "applications" ("responsible_id");`);
    this.addSql(`create index "applications_project_id_index" on "applications" ("project_id");`);
    this.addSql(`create index "applications_campaign_id_index" on "applications" ("campaign_id");`);
    this.addSql(`create index "applications_subscription_id_index" on "applications" ("subscription_id");`);
    this.addSql(`create index "applications_created_by_id_index" on "applications" ("created_by_id");`);
    this.addSql(`create index "applications_closed_at_index" on "applications" ("closed_at");`);
    this.addSql(`create index "applications_follow_up_count_index" on "applications" ("follow_up_count");`);
    this.addSql(`create index "applications_time_spent_minutes_index" on "applications" ("time_spent_minutes");`);
    this.addSql(`create index "applications_archived_at_index" on "applications" ("archived_at");`);
    this.addSql(`create index "applications_live_date" on "applications" ("application_date" desc, "id" desc) where "archived_at" is null;`);
    this.addSql(`create index "applications_extra_gin" on "applications" using gin ("extra" jsonb_path_ops);`);
    this.addSql(`create index "applications_subject_trgm" on "applications" using gist (tr_fold("subject") gist_trgm_ops);`);
    this.addSql(`create index "applications_search_trgm" on "applications" using gin (tr_fold("subject" || ' ' || coalesce("detail", '')) gin_trgm_ops);`);

    this.addSql(`create table "time_entries" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "application_id" int not null, "user_id" int not null, "date" date not null, "minutes" int not null, "note" text null, "account_id" int not null, "subscription_id" int null, "project_id" int null);`);
    this.addSql(`create index "time_entries_application_id_index" on "time_entries" ("application_id");`);
    this.addSql(`create index "time_entries_account_id_index" on "time_entries" ("account_id");`);
    this.addSql(`create index "time_entries_subscription_id_index" on "time_entries" ("subscription_id");`);
    this.addSql(`create index "time_entries_project_id_index" on "time_entries" ("project_id");`);
    this.addSql(`create index "time_entries_user_id_date_index" on "time_entries" ("user_id", "date");`);

    this.addSql(`create table "follow_ups" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "application_id" int not null, "author_id" int null, "noted_at" timestamptz not null, "text" text not null, "edited_at" timestamptz null);`);
    this.addSql(`create index "follow_ups_author_id_index" on "follow_ups" ("author_id");`);
    this.addSql(`create index "follow_ups_application_id_noted_at_index" on "follow_ups" ("application_id", "noted_at");`);

    this.addSql(`create table "application_history" ("id" serial primary key, "application_id" int not null, "actor_id" int null, "at" timestamptz not null default now(), "field" varchar(100) not null, "old_value" text null, "new_value" text null);`);
    this.addSql(`create index "application_history_application_id_at_index" on "application_history" ("application_id", "at");`);

    this.addSql(`alter table "categories" add constraint "categories_parent_id_foreign" foreign key ("parent_id") references "categories" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "process_stage_transitions" add constraint "process_stage_transitions_from_stage_id_foreign" foreign key ("from_stage_id") references "process_stages" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "process_stage_transitions" add constraint "process_stage_transitions_to_stage_id_foreign" foreign key ("to_stage_id") references "process_stages" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "applications" add constraint "applications_applicant_id_foreign" foreign key ("applicant_id") references "accounts" ("id") on update cascade;`);
    this.addSql(`alter table "applications" add constraint "applications_reporter_id_foreign" foreign key ("reporter_id") references "contacts" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "applications" add constraint "applications_branch_id_foreign" foreign key ("branch_id") references "branches" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "applications" add constraint "applications_priority_id_foreign" foreign key ("priority_id") references "priorities" ("id") on update cascade;`);
    this.addSql(`alter table "applications" add constraint "applications_stage_id_foreign" foreign key ("stage_id") references "process_stages" ("id") on update cascade;`);
    this.addSql(`alter table "applications" add constraint "applications_category_id_foreign" foreign key ("category_id") references "categories" ("id") on update cascade;`);
    this.addSql(`alter table "applications" add constraint "applications_subcategory_id_foreign" foreign key ("subcategory_id") references "categories" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "applications" add constraint "applications_tree_category_id_foreign" foreign key ("tree_category_id") references "categories" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "applications" add constraint "applications_channel_id_foreign" foreign key ("channel_id") references "contact_channels" ("id") on update cascade;`);
    this.addSql(`alter table "applications" add constraint "applications_assignee_user_id_foreign" foreign key ("assignee_user_id") references "users" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "applications" add constraint "applications_assignee_team_id_foreign" foreign key ("assignee_team_id") references "teams" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "applications" add constraint "applications_responsible_id_foreign" foreign key ("responsible_id") references "users" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "applications" add constraint "applications_project_id_foreign" foreign key ("project_id") references "projects" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "applications" add constraint "applications_campaign_id_foreign" foreign key ("campaign_id") references "campaigns" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "applications" add constraint "applications_subscription_id_foreign" foreign key ("subscription_id") references "subscriptions" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "applications" add constraint "applications_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "time_entries" add constraint "time_entries_application_id_foreign" foreign key ("application_id") references "applications" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "time_entries" add constraint "time_entries_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade;`);
    this.addSql(`alter table "time_entries" add constraint "time_entries_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on update cascade;`);
    this.addSql(`alter table "time_entries" add constraint "time_entries_subscription_id_foreign" foreign key ("subscription_id") references "subscriptions" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "time_entries" add constraint "time_entries_project_id_foreign" foreign key ("project_id") references "projects" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "follow_ups" add constraint "follow_ups_application_id_foreign" foreign key ("application_id") references "applications" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "follow_ups" add constraint "follow_ups_author_id_foreign" foreign key ("author_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "application_history" add constraint "application_history_application_id_foreign" foreign key ("application_id") references "applications" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "application_history" add constraint "application_history_actor_id_foreign" foreign key ("actor_id") references "users" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "categories" drop constraint "categories_parent_id_foreign";`);

    this.addSql(`alter table "applications" drop constraint "applications_category_id_foreign";`);

    this.addSql(`alter table "applications" drop constraint "applications_subcategory_id_foreign";`);

    this.addSql(`alter table "applications" drop constraint "applications_tree_category_id_foreign";`);

    this.addSql(`alter table "process_stage_transitions" drop constraint "process_stage_transitions_from_stage_id_foreign";`);

    this.addSql(`alter table "process_stage_transitions" drop constraint "process_stage_transitions_to_stage_id_foreign";`);

    this.addSql(`alter table "applications" drop constraint "applications_stage_id_foreign";`);

    this.addSql(`alter table "time_entries" drop constraint "time_entries_application_id_foreign";`);

    this.addSql(`alter table "follow_ups" drop constraint "follow_ups_application_id_foreign";`);

    this.addSql(`alter table "application_history" drop constraint "application_history_application_id_foreign";`);

    this.addSql(`drop table if exists "application_counters" cascade;`);

    this.addSql(`drop table if exists "categories" cascade;`);

    this.addSql(`drop table if exists "process_stages" cascade;`);

    this.addSql(`drop table if exists "process_stage_transitions" cascade;`);

    this.addSql(`drop table if exists "applications" cascade;`);

    this.addSql(`drop table if exists "time_entries" cascade;`);

    this.addSql(`drop table if exists "follow_ups" cascade;`);

    this.addSql(`drop table if exists "application_history" cascade;`);
  }

}
