import { Migration } from '@mikro-orm/migrations';

/**
 * Dashboard rollups (modules/applications/README.md, "Statistics"): counts and sums per day and
 * per month, per assignee (the columns the permission rules read) and per one dimension,
 * maintained by triggers in the same transaction as every write to applications and time
 * entries, so they are never stale and no write path can miss them.
 *
 * kind: 0 all (k1 closed 0/1; also the acceptance and closing durations), 1 stage (k1),
 *       2 category (k1 category, k2 subcategory, k3 tree category), 3 applicant (k1 account),
 *       4 project (k1), 5 closed on (the period is the closing day),
 *       6-9 minutes spent per user, per category (k1-k3), per project, per account.
 * The rollups keep the low-cardinality ones only: kinds 3 and 9 and the tree category (k3)
 * would make a row of almost every application, so those are always counted from the rows
 * (modules/applications/services/statistics.service.ts, rowsSql, defines every kind).
 * Days are Istanbul days (Turkey keeps UTC+3 all year). Archived applications count nowhere.
 */
const STATS_ROWS = `
create or replace function application_stats_rows(a applications, sign int)
returns table (grain char(1), kind smallint, period date, k1 int, k2 int, k3 int, n bigint, accept_secs bigint, accepted bigint, close_secs bigint, closed bigint)
language sql stable as $fn$
  select g.grain,
         x.kind,
         case when g.grain = 'd' then x.day else date_trunc('month', x.day)::date end,
         x.k1, x.k2, x.k3,
         sign * x.n, sign * x.acs, sign * x.acc, sign * x.cls, sign * x.cl
  from (values ('d'::char(1)), ('m'::char(1))) g(grain),
       lateral (values
         (0::smallint, (a.application_date at time zone 'Europe/Istanbul')::date, (a.closed_at is not null)::int, null::int, null::int, 1::bigint,
          coalesce(extract(epoch from a.acceptance_date - a.application_date)::bigint, 0), (a.acceptance_date is not null)::int::bigint,
          coalesce(extract(epoch from a.closed_at - a.application_date)::bigint, 0), (a.closed_at is not null)::int::bigint),
         (1::smallint, (a.application_date at time zone 'Europe/Istanbul')::date, a.stage_id, null::int, null::int, 1::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint),
         (2::smallint, (a.application_date at time zone 'Europe/Istanbul')::date, a.category_id, a.subcategory_id, null::int, 1::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint),
         (4::smallint, (a.application_date at time zone 'Europe/Istanbul')::date, a.project_id, null::int, null::int, 1::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint),
         (5::smallint, (a.closed_at at time zone 'Europe/Istanbul')::date, null::int, null::int, null::int, 1::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint)
       ) x(kind, day, k1, k2, k3, n, acs, acc, cls, cl)
  where a.id is not null and a.archived_at is null and x.day is not null
$fn$;`;

const TIME_ROWS = `
create or replace function time_entry_stats_rows(a applications, t time_entries, sign int)
returns table (grain char(1), kind smallint, period date, k1 int, k2 int, k3 int, n bigint)
language sql stable as $fn$
  select g.grain, x.kind, case when g.grain = 'd' then t.date else date_trunc('month', t.date)::date end, x.k1, x.k2, x.k3, sign * t.minutes::bigint
  from (values ('d'::char(1)), ('m'::char(1))) g(grain),
       lateral (values
         (6::smallint, t.user_id, null::int, null::int),
         (7::smallint, a.category_id, a.subcategory_id, null::int),
         (8::smallint, t.project_id, null::int, null::int)
       ) x(kind, k1, k2, k3)
  where a.id is not null and t.id is not null and a.archived_at is null
$fn$;`;

/** Adds signed rows, summed per key first (one upsert cannot touch a row twice) and in key order (no deadlocks between writers). */
const UPSERT = (source: string) => `
  insert into application_stats as s (grain, kind, period, assignee_user_id, assignee_team_id, assignee_everyone, k1, k2, k3, n, accept_secs, accepted, close_secs, closed)
  select r.grain, r.kind, r.period, r.au, r.at, r.ae, r.k1, r.k2, r.k3, sum(r.n), sum(r.accept_secs), sum(r.accepted), sum(r.close_secs), sum(r.closed)
  from (${source}) r
  group by r.grain, r.kind, r.period, r.au, r.at, r.ae, r.k1, r.k2, r.k3
  having sum(r.n) <> 0 or sum(r.accept_secs) <> 0 or sum(r.accepted) <> 0 or sum(r.close_secs) <> 0 or sum(r.closed) <> 0
  order by r.grain, r.kind, r.period, r.au, r.at, r.ae, r.k1, r.k2, r.k3
  on conflict (grain, kind, period, assignee_user_id, assignee_team_id, assignee_everyone, k1, k2, k3)
  do update set n = s.n + excluded.n, accept_secs = s.accept_secs + excluded.accept_secs, accepted = s.accepted + excluded.accepted,
                close_secs = s.close_secs + excluded.close_secs, closed = s.closed + excluded.closed`;

const APP_PART = (rec: string, sign: string, from = `application_stats_rows(${rec}, ${sign}) r`) =>
  `select r.grain, r.kind, r.period, ${rec}.assignee_user_id au, ${rec}.assignee_team_id at, ${rec}.assignee_everyone ae, r.k1, r.k2, r.k3, r.n, r.accept_secs, r.accepted, r.close_secs, r.closed
   from ${from}`;

/** \`from\` must name the rows r of time_entry_stats_rows(rec, entry, sign). */
const TIME_PART = (rec: string, from: string) =>
  `select r.grain, r.kind, r.period, ${rec}.assignee_user_id au, ${rec}.assignee_team_id at, ${rec}.assignee_everyone ae, r.k1, r.k2, r.k3, r.n, 0::bigint accept_secs, 0::bigint accepted, 0::bigint close_secs, 0::bigint closed
   from ${from}`;
const ENTRIES_OF = (rec: string, sign: string) => `time_entries t cross join lateral time_entry_stats_rows(${rec}, t, ${sign}) r where t.application_id = ${rec}.id`;

const APP_TRIGGER = `
create or replace function applications_stats_trg() returns trigger language plpgsql as $fn$
declare
  moved boolean;
begin
  if tg_op = 'UPDATE' then
    if (old.application_date, old.acceptance_date, old.closed_at, old.archived_at, old.stage_id, old.category_id, old.subcategory_id, old.tree_category_id,
        old.applicant_id, old.project_id, old.assignee_user_id, old.assignee_team_id, old.assignee_everyone)
       is not distinct from
       (new.application_date, new.acceptance_date, new.closed_at, new.archived_at, new.stage_id, new.category_id, new.subcategory_id, new.tree_category_id,
        new.applicant_id, new.project_id, new.assignee_user_id, new.assignee_team_id, new.assignee_everyone) then
      return null;
    end if;
    -- Time entries count under the application's assignee and category: move them too.
    moved := (old.archived_at, old.category_id, old.subcategory_id, old.tree_category_id, old.assignee_user_id, old.assignee_team_id, old.assignee_everyone)
             is distinct from
             (new.archived_at, new.category_id, new.subcategory_id, new.tree_category_id, new.assignee_user_id, new.assignee_team_id, new.assignee_everyone);
    if moved then
      ${UPSERT(`${APP_PART('old', '-1')} union all ${APP_PART('new', '1')}
        union all ${TIME_PART('old', ENTRIES_OF('old', '-1'))}
        union all ${TIME_PART('new', ENTRIES_OF('new', '1'))}`)};
    else
      ${UPSERT(`${APP_PART('old', '-1')} union all ${APP_PART('new', '1')}`)};
    end if;
    return null;
  elsif tg_op = 'INSERT' then
    ${UPSERT(APP_PART('new', '1'))};
    return null;
  else
    -- BEFORE DELETE: the time entries are still there (their own trigger finds no application once it is gone).
    ${UPSERT(`${APP_PART('old', '-1')} union all ${TIME_PART('old', ENTRIES_OF('old', '-1'))}`)};
    return old;
  end if;
end
$fn$;`;

const TIME_TRIGGER = `
create or replace function time_entries_stats_trg() returns trigger language plpgsql as $fn$
declare
  olda applications;
  newa applications;
begin
  if tg_op in ('UPDATE', 'DELETE') then
    select * into olda from applications where id = old.application_id;
  end if;
  if tg_op in ('UPDATE', 'INSERT') then
    select * into newa from applications where id = new.application_id;
  end if;
  if tg_op = 'UPDATE' then
    ${UPSERT(`${TIME_PART('olda', 'time_entry_stats_rows(olda, old, -1) r')} union all ${TIME_PART('newa', 'time_entry_stats_rows(newa, new, 1) r')}`)};
  elsif tg_op = 'INSERT' then
    ${UPSERT(TIME_PART('newa', 'time_entry_stats_rows(newa, new, 1) r'))};
  else
    ${UPSERT(TIME_PART('olda', 'time_entry_stats_rows(olda, old, -1) r'))};
  end if;
  return null;
end
$fn$;`;

/** Recomputes every rollup from the rows (after bulk loads that ran with the triggers disabled). */
const REBUILD = `
create or replace function application_stats_rebuild() returns void language plpgsql as $fn$
begin
  lock table application_stats in exclusive mode;
  delete from application_stats;
  ${UPSERT(APP_PART('a', '1', 'applications a cross join lateral application_stats_rows(a, 1) r'))};
  ${UPSERT(TIME_PART('a', 'time_entries t join applications a on a.id = t.application_id cross join lateral time_entry_stats_rows(a, t, 1) r'))};
end
$fn$;`;

export class Migration20261122170000_application_stats extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "application_stats" (
      "id" bigserial primary key,
      "grain" char(1) not null,
      "kind" smallint not null,
      "period" date not null,
      "assignee_user_id" int null,
      "assignee_team_id" int null,
      "assignee_everyone" boolean not null,
      "k1" int null,
      "k2" int null,
      "k3" int null,
      "n" bigint not null default 0,
      "accept_secs" bigint not null default 0,
      "accepted" bigint not null default 0,
      "close_secs" bigint not null default 0,
      "closed" bigint not null default 0
    );`);
    this.addSql(`create unique index "application_stats_key" on "application_stats" ("grain", "kind", "period", "assignee_user_id", "assignee_team_id", "assignee_everyone", "k1", "k2", "k3") nulls not distinct;`);
    this.addSql(`create index "application_stats_user" on "application_stats" ("grain", "kind", "assignee_user_id", "period");`);
    this.addSql(`create index "application_stats_team" on "application_stats" ("grain", "kind", "assignee_team_id", "period");`);
    this.addSql(STATS_ROWS);
    this.addSql(TIME_ROWS);
    this.addSql(APP_TRIGGER);
    this.addSql(TIME_TRIGGER);
    this.addSql(REBUILD);
    this.addSql(`create trigger "applications_stats" after insert or update on "applications" for each row execute function applications_stats_trg();`);
    this.addSql(`create trigger "applications_stats_delete" before delete on "applications" for each row execute function applications_stats_trg();`);
    this.addSql(`create trigger "time_entries_stats" after insert or update or delete on "time_entries" for each row execute function time_entries_stats_trg();`);
    this.addSql(`select application_stats_rebuild();`);
    this.addSql(`analyze "application_stats";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "time_entries_stats" on "time_entries";`);
    this.addSql(`drop trigger if exists "applications_stats_delete" on "applications";`);
    this.addSql(`drop trigger if exists "applications_stats" on "applications";`);
    this.addSql(`drop function if exists application_stats_rebuild(), time_entries_stats_trg(), applications_stats_trg(), time_entry_stats_rows(applications, time_entries, int), application_stats_rows(applications, int);`);
    this.addSql(`drop table if exists "application_stats";`);
  }
}
