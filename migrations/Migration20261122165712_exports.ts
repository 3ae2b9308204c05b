import { Migration } from '@mikro-orm/migrations';

export class Migration20261122165712_exports extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "export_jobs" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "owner_id" int not null, "kind" varchar(40) not null, "format" varchar(10) null, "params" jsonb not null default '{}', "status" varchar(20) not null default 'QUEUED', "progress" real not null default 0, "row_count" int not null default 0, "total_rows" int null, "file_name" varchar(255) null, "storage_key" varchar(100) null, "size" bigint null, "result" jsonb null, "error" text null, "finished_at" timestamptz null, "expires_at" timestamptz null);`);
    this.addSql(`create index "export_jobs_status_index" on "export_jobs" ("status");`);
    this.addSql(`create index "export_jobs_expires_at_index" on "export_jobs" ("expires_at");`);
    this.addSql(`create index "export_jobs_owner_id_created_at_index" on "export_jobs" ("owner_id", "created_at");`);

    this.addSql(`alter table "export_jobs" add constraint "export_jobs_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on update cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "export_jobs" cascade;`);
  }

}
