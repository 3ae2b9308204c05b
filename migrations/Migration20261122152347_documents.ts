import { Migration } from '@mikro-orm/migrations';

export class Migration20261122152347_documents extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "documents" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "name" varchar(255) not null, "file_name" varchar(255) not null, "description" text null, "folder" varchar(500) null, "tags" text[] not null default '{}', "mime_type" varchar(200) not null, "size" bigint not null, "sha256" varchar(64) not null, "storage_key" varchar(100) not null, "uploaded_by_id" int null, "archived_at" timestamptz null);`);
    this.addSql(`create index "documents_folder_index" on "documents" ("folder");`);
    this.addSql(`create index "documents_sha256_index" on "documents" ("sha256");`);
    this.addSql(`create index "documents_uploaded_by_id_index" on "documents" ("uploaded_by_id");`);
    this.addSql(`create index "documents_archived_at_index" on "documents" ("archived_at");`);
    this.addSql(`create index "documents_tags_gin" on "documents" using gin ("tags");`);
    this.addSql(`create index "documents_name_trgm" on "documents" using gin (tr_fold("name" || ' ' || coalesce("description", '')) gin_trgm_ops);`);

    this.addSql(`alter table "documents" add constraint "documents_uploaded_by_id_foreign" foreign key ("uploaded_by_id") references "users" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "documents" cascade;`);
  }

}
