import { Migration } from '@mikro-orm/migrations';

export class Migration20261122151951_links_tasks_contents extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "task_status" as enum ('OPEN', 'IN_PROGRESS', 'DONE', 'CANCELLED');`);
    this.addSql(`create table "idempotency_keys" ("id" serial primary key, "user_id" int not null, "key" varchar(200) not null, "operation" varchar(100) not null, "result_id" int null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "idempotency_keys_created_at_index" on "idempotency_keys" ("created_at");`);
    this.addSql(`alter table "idempotency_keys" add constraint "idempotency_keys_user_id_key_unique" unique ("user_id", "key");`);

    this.addSql(`create table "tasks" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "title" varchar(300) not null, "description" text null, "assignee_id" int null, "due_at" timestamptz null, "status" "task_status" not null default 'OPEN', "priority_id" int null, "created_by_id" int null, "completed_at" timestamptz null, "archived_at" timestamptz null);`);
    this.addSql(`create index "tasks_assignee_id_index" on "tasks" ("assignee_id");`);
    this.addSql(`create index "tasks_due_at_index" on "tasks" ("due_at");`);
    this.addSql(`create index "tasks_status_index" on "tasks" ("status");`);
    this.addSql(`create index "tasks_priority_id_index" on "tasks" ("priority_id");`);
    this.addSql(`create index "tasks_created_by_id_index" on "tasks" ("created_by_id");`);
    this.addSql(`create index "tasks_archived_at_index" on "tasks" ("archived_at");`);
    this.addSql(`create index "tasks_search_trgm" on "tasks" using gin (tr_fold("title" || ' ' || coalesce("description", '')) gin_trgm_ops);`);

    this.addSql(`create table "record_links" ("id" serial primary key, "from_type" varchar(50) not null, "from_id" int not null, "to_type" varchar(50) not null, "to_id" int not null, "created_by_id" int null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "record_links_to_type_to_id_index" on "record_links" ("to_type", "to_id");`);
    this.addSql(`alter table "record_links" add constraint "record_links_from_type_from_id_to_type_to_id_unique" unique ("from_type", "from_id", "to_type", "to_id");`);

    this.addSql(`create table "contents" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "title" varchar(300) not null, "body" text not null, "category" varchar(200) null, "tags" text[] not null default '{}', "published" boolean not null default true, "created_by_id" int null, "archived_at" timestamptz null);`);
    this.addSql(`create index "contents_category_index" on "contents" ("category");`);
    this.addSql(`create index "contents_published_index" on "contents" ("published");`);
    this.addSql(`create index "contents_archived_at_index" on "contents" ("archived_at");`);
    this.addSql(`create index "contents_tags_gin" on "contents" using gin ("tags");`);
    this.addSql(`create index "contents_search_trgm" on "contents" using gin (tr_fold("title" || ' ' || "body") gin_trgm_ops);`);

    this.addSql(`alter table "tasks" add constraint "tasks_assignee_id_foreign" foreign key ("assignee_id") references "users" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "tasks" add constraint "tasks_priority_id_foreign" foreign key ("priority_id") references "priorities" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "tasks" add constraint "tasks_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "record_links" add constraint "record_links_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "contents" add constraint "contents_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "idempotency_keys" cascade;`);

    this.addSql(`drop table if exists "tasks" cascade;`);

    this.addSql(`drop table if exists "record_links" cascade;`);

    this.addSql(`drop table if exists "contents" cascade;`);

    this.addSql(`drop type "task_status";`);
  }

}
