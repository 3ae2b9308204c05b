import { Migration } from '@mikro-orm/migrations';

export class Migration20261122142850_identity extends Migration {

  override async up(): Promise<void> {
    // Platform: trigram search, and the Turkish search fold used by every text filter
    // (same as searchFold() in api/ids.ts): Turkish lower case, then ASCII base letters.
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(`create or replace function tr_fold(t text) returns text language sql immutable strict parallel safe as $fn$
      select translate(lower(translate(t, 'İIÇĞÖŞÜÂÎÛ', 'iıçğöşüâîû')), 'çğıöşüâîû', 'cgiosuaiu')
    $fn$;`);
    this.addSql(`create table "login_throttles" ("key" varchar(320) not null, "failures" int not null default 0, "window_started_at" timestamptz not null default now(), "locked_until" timestamptz null, constraint "login_throttles_pkey" primary key ("key"));`);

    this.addSql(`create table "roles" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "key" varchar(50) null, "name" varchar(200) not null, "description" text null, "built_in" boolean not null default false, "grants" jsonb not null default '[]', "seeded_subjects" text[] not null default '{}', "archived_at" timestamptz null);`);
    this.addSql(`alter table "roles" add constraint "roles_key_unique" unique ("key");`);
    this.addSql(`alter table "roles" add constraint "roles_name_unique" unique ("name");`);

    this.addSql(`create table "users" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "name" varchar(200) not null, "email" varchar(320) not null, "phone" varchar(40) null, "active" boolean not null default true, "password_hash" varchar(200) not null, "allowed_ip_ranges" text[] not null default '{}', "last_sign_in_at" timestamptz null, "archived_at" timestamptz null);`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);
    this.addSql(`create index "users_active_index" on "users" ("active");`);
    this.addSql(`create index "users_archived_at_index" on "users" ("archived_at");`);

    this.addSql(`create table "teams" ("id" serial primary key, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, "name" varchar(200) not null, "description" text null, "leader_id" int null, "active" boolean not null default true, "archived_at" timestamptz null);`);
    this.addSql(`create index "teams_leader_id_index" on "teams" ("leader_id");`);
    this.addSql(`create index "teams_archived_at_index" on "teams" ("archived_at");`);

    this.addSql(`create table "team_members" ("team_id" int not null, "user_id" int not null, constraint "team_members_pkey" primary key ("team_id", "user_id"));`);

    this.addSql(`create table "sessions" ("id" serial primary key, "token_hash" varchar(64) not null, "user_id" int not null, "created_at" timestamptz not null default now(), "last_seen_at" timestamptz not null default now(), "expires_at" timestamptz not null, "revoked_at" timestamptz null, "ip" varchar(64) null, "user_agent" varchar(400) null);`);
    this.addSql(`alter table "sessions" add constraint "sessions_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);
    this.addSql(`create index "sessions_expires_at_index" on "sessions" ("expires_at");`);

    this.addSql(`create index "team_members_user_id_index" on "team_members" ("user_id");`);
    this.addSql(`create table "user_roles" ("user_id" int not null, "role_id" int not null, constraint "user_roles_pkey" primary key ("user_id", "role_id"));`);

    this.addSql(`create index "user_roles_role_id_index" on "user_roles" ("role_id");`);
    this.addSql(`create index "users_name_fold_trgm" on "users" using gin (tr_fold("name") gin_trgm_ops);`);

    this.addSql(`alter table "teams" add constraint "teams_leader_id_foreign" foreign key ("leader_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "team_members" add constraint "team_members_team_id_foreign" foreign key ("team_id") references "teams" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "team_members" add constraint "team_members_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "user_roles" add constraint "user_roles_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "user_roles" add constraint "user_roles_role_id_foreign" foreign key ("role_id") references "roles" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "user_roles" drop constraint "user_roles_role_id_foreign";`);

    this.addSql(`alter table "teams" drop constraint "teams_leader_id_foreign";`);

    this.addSql(`alter table "team_members" drop constraint "team_members_user_id_foreign";`);

    this.addSql(`alter table "sessions" drop constraint "sessions_user_id_foreign";`);

    this.addSql(`alter table "user_roles" drop constraint "user_roles_user_id_foreign";`);

    this.addSql(`alter table "team_members" drop constraint "team_members_team_id_foreign";`);

    this.addSql(`drop table if exists "login_throttles" cascade;`);

    this.addSql(`drop table if exists "roles" cascade;`);

    this.addSql(`drop table if exists "users" cascade;`);

    this.addSql(`drop table if exists "teams" cascade;`);

    this.addSql(`drop table if exists "team_members" cascade;`);

    this.addSql(`drop table if exists "sessions" cascade;`);

    this.addSql(`drop table if exists "user_roles" cascade;`);
  }

}
