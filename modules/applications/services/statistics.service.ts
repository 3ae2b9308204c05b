import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { accessibleWhere } from '../../../api/ability';
import type { Context } from '../../../api/context';
import { BadInputError } from '../../../api/errors';
import { parseIds } from '../../../api/ids';
import type { ApplicationFilter } from '../dto/application.input';
import { Application } from '../entities/application.entities';
import { applicationService } from './application.service';

/**
 * Aggregates over applications and time entries for dashboards.
 *
 * Rollups: `application_stats` holds, per Istanbul day and per month, counts and sums per
 * assignee (user, team, everyone: the only columns permission rules read) and per one
 * dimension ("kind"). Database triggers keep it exact inside every writing transaction
 * (migrations/Migration20261122170000_application_stats.ts). A question is answered from
 * whole months plus the odd days at both ends, with the viewer's permission condition compiled
 * onto the assignee columns: a few hundred rows for a team leader, whatever the range.
 *
 * Filters other than assignee ones, the applicant dimension and the tree categories below
 * subcategories cannot be answered from rollups: those questions run over the applications
 * themselves (the list's own filter and permission WHERE), one plain query per kind with the
 * definitions of the triggers' row functions; the tests hold both paths to SQL ground truth.
 */

export enum StatKind {
  ALL = 0,
  STAGE = 1,
  CATEGORY = 2,
  APPLICANT = 3,
  PROJECT = 4,
  CLOSED_ON = 5,
  TIME_USER = 6,
  TIME_CATEGORY = 7,
  TIME_PROJECT = 8,
  TIME_ACCOUNT = 9,
}

export interface StatsScope {
  /** First day, YYYY-MM-DD (Istanbul), inclusive. */
  from: string;
  /** Last day, inclusive. */
  to: string;
  filter?: ApplicationFilter;
}

/** A prepared question, or null when the viewer may read no application. */
export interface StatsSource {
  /** True when the rollups can answer (no filter other than assignee ones). */
  fast: boolean;
  scope: StatsScope;
  /** A relation `s` (grain, kind, period, assignee_*, k1-k3, measures) and its conditions. */
  relation(kinds: StatKind[], opts: { byDay: boolean; detail: boolean }): Promise<{ from: string; where: string }>;
}

/** Kinds the rollups do not keep (see the migration): always counted from the rows. */
export const DETAIL_KINDS = [StatKind.APPLICANT, StatKind.TIME_ACCOUNT];

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 366 * 100;
const TZ = 'Europe/Istanbul';

function parseDay(v: string, field: string): Date {
  const d = DAY.test(v) ? new Date(`${v}T00:00:00Z`) : new Date(NaN);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) throw new BadInputError(field, `Not a date (YYYY-MM-DD): ${v}.`, 'INVALID_DATE');
  return d;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);
const monthStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
const nextMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));

/** Days of [from, to] as whole months plus the days before and after them. */
export function splitRange(from: string, to: string): { months?: [string, string]; days: [string, string][] } {
  // The dashboard's input is what reaches here: errors name its fields.
  const f = parseDay(from, 'input.from');
  const t = parseDay(to, 'input.to');
  if (t < f) throw new BadInputError('input.to', 'The range ends before it starts.', 'DATE_ORDER');
  if ((t.getTime() - f.getTime()) / 86_400_000 > MAX_DAYS) throw new BadInputError('input.to', 'The range may span at most 100 years.', 'TOO_LARGE');
  const firstMonth = f.getUTCDate() === 1 ? f : nextMonth(f);
  const afterLastMonth = addDays(t, 1).getUTCDate() === 1 ? addDays(t, 1) : monthStart(t);
  if (firstMonth >= afterLastMonth) return { days: [[from, to]] };
  const days: [string, string][] = [];
  if (f < firstMonth) days.push([from, iso(addDays(firstMonth, -1))]);
  if (afterLastMonth <= t) days.push([iso(afterLastMonth), to]);
  return { months: [iso(firstMonth), iso(monthStart(addDays(afterLastMonth, -1)))], days };
}

const COLUMNS: Record<string, string> = { assigneeUser: 'assignee_user_id', assigneeTeam: 'assignee_team_id', assigneeEveryone: 'assignee_everyone' };

function literal(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const n = Number(v);
  if (Number.isSafeInteger(n) && (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v)))) return String(n);
  throw new Error('unsupported value');
}

/**
 * A permission condition (CASL rules as a MikroORM where, see api/ability.ts) as SQL over the
 * assignee columns of `alias`; undefined when it reads any other field.
 */
export function assigneeConditionSql(cond: Record<string, unknown>, alias = 's'): string | undefined {
  try {
    return compile(cond, alias);
  } catch {
    return undefined;
  }
}

function compile(cond: unknown, alias: string): string {
  if (cond === null || typeof cond !== 'object' || Array.isArray(cond)) throw new Error('unsupported condition');
  const parts: string[] = [];
  for (const [key, value] of Object.entries(cond as Record<string, unknown>)) {
    if (key === '$or' || key === '$and') {
      const list = (value as unknown[]).map((c) => compile(c, alias));
      if (!list.length) parts.push(key === '$or' ? 'false' : 'true');
      else parts.push(`(${list.join(key === '$or' ? ' or ' : ' and ')})`);
    } else if (key === '$not') {
      parts.push(`not (${compile(value, alias)})`);
    } else if (COLUMNS[key]) {
      const col = `${alias}.${COLUMNS[key]}`;
      if (value === null) parts.push(`${col} is null`);
      else if (typeof value === 'object') {
        const ops = Object.entries(value as Record<string, unknown>);
        for (const [op, arg] of ops) {
          if (op === '$in' || op === '$nin') {
            const list = (arg as unknown[]).map(literal);
            const inList = list.length ? `${col} in (${list.join(', ')})` : 'false';
            parts.push(op === '$in' ? inList : `not (${inList})`);
          } else if (op === '$eq') parts.push(arg === null ? `${col} is null` : `${col} = ${literal(arg)}`);
          else if (op === '$ne') parts.push(arg === null ? `${col} is not null` : `${col} <> ${literal(arg)}`);
          else throw new Error(`unsupported operator ${op}`);
        }
      } else parts.push(`${col} = ${literal(value)}`);
    } else throw new Error(`unsupported field ${key}`);
  }
  return parts.length ? parts.join(' and ') : 'true';
}

/** Filters the rollups can answer: none, or by assignee. */
function rollupFilter(f: ApplicationFilter | undefined): string | undefined {
  if (!f) return 'true';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(f)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value) && !value.length) continue;
    if (key === 'assigneeUserIds') parts.push(`s.assignee_user_id in (${parseIds(value as string[], 'filter.assigneeUserIds').join(', ')})`);
    else if (key === 'assigneeTeamIds') parts.push(`s.assignee_team_id in (${parseIds(value as string[], 'filter.assigneeTeamIds').join(', ')})`);
    else if (key === 'assignedToEveryone') parts.push(`s.assignee_everyone = ${value ? 'true' : 'false'}`);
    else if (key === 'unassigned' && value === true) parts.push('(s.assignee_user_id is null and s.assignee_team_id is null and not s.assignee_everyone)');
    else if (key === 'unassigned' && value === false) continue;
    else if (key === 'includeArchived' && value === false) continue;
    else return undefined;
  }
  return parts.length ? parts.join(' and ') : 'true';
}

const DAY_OF = (col: string) => `(${col} at time zone '${TZ}')::date`;
const ROW_COLUMNS = 'grain, kind, period, k1, k2, k3, n, accept_secs, accepted, close_secs, closed, assignee_user_id, assignee_team_id, assignee_everyone';

/**
 * The WHERE of `select a.id from applications as a where ...` as a condition on `a`: the
 * planner filters the rows directly (an `a.id in (subquery)` semi-join costs ~4x more at a
 * team leader's 300k rows). A query that needs a join is kept whole, as a subquery.
 */
function conditionOnA(sql: string): string {
  const m = /^select "a"\."id" from "applications" as "a" where (.*)$/s.exec(sql);
  return m ? m[1] : `a.id in (${sql.replace(/"a"/g, '"fa"')})`;
}

/**
 * The rows of one kind for the applications matching `cond` (over `a`), straight from the tables, as the
 * triggers' row functions define them (migrations/Migration20261122170000_application_stats.ts;
 * the tests hold both to the same ground truth). Daily grain; the tree category included.
 */
function rowsSql(kind: StatKind, cond: string, scope: StatsScope): string {
  const range = (col: string) => `${col} >= '${scope.from}'::timestamp at time zone '${TZ}' and ${col} < ('${scope.to}'::date + 1)::timestamp at time zone '${TZ}'`;
  const app = (period: string, keys: string, measures: string, where: string) =>
    `select 'd'::char(1), ${Number(kind)}::smallint, ${period}, ${keys}, ${measures}, a.assignee_user_id, a.assignee_team_id, a.assignee_everyone
     from applications a where a.archived_at is null and (${cond}) and ${where}`;
  const time = (keys: string) =>
    `select 'd'::char(1), ${Number(kind)}::smallint, t.date, ${keys}, t.minutes::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, a.assignee_user_id, a.assignee_team_id, a.assignee_everyone
     from time_entries t join applications a on a.id = t.application_id
     where a.archived_at is null and (${cond}) and t.date between '${scope.from}' and '${scope.to}'`;
  const one = '1::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint';
  const byDay = DAY_OF('a.application_date');
  const inRange = range('a.application_date');
  switch (kind) {
    case StatKind.ALL:
      return app(
        byDay,
        '(a.closed_at is not null)::int, null::int, null::int',
        `1::bigint, coalesce(extract(epoch from a.acceptance_date - a.application_date)::bigint, 0), (a.acceptance_date is not null)::int::bigint,
         coalesce(extract(epoch from a.closed_at - a.application_date)::bigint, 0), (a.closed_at is not null)::int::bigint`,
        inRange,
      );
    case StatKind.STAGE:
      return app(byDay, 'a.stage_id, null::int, null::int', one, inRange);
    case StatKind.CATEGORY:
      return app(byDay, 'a.category_id, a.subcategory_id, a.tree_category_id', one, inRange);
    case StatKind.APPLICANT:
      return app(byDay, 'a.applicant_id, null::int, null::int', one, inRange);
    case StatKind.PROJECT:
      return app(byDay, 'a.project_id, null::int, null::int', one, inRange);
    case StatKind.CLOSED_ON:
      return app(DAY_OF('a.closed_at'), 'null::int, null::int, null::int', one, range('a.closed_at'));
    case StatKind.TIME_USER:
      return time('t.user_id, null::int, null::int');
    case StatKind.TIME_CATEGORY:
      return time('a.category_id, a.subcategory_id, a.tree_category_id');
    case StatKind.TIME_PROJECT:
      return time('t.project_id, null::int, null::int');
    case StatKind.TIME_ACCOUNT:
      return time('t.account_id, null::int, null::int');
  }
  throw new Error(`unknown kind ${kind}`);
}

export const statisticsService = {
  /** Prepares a question; null when the viewer may read no application. */
  async source(ctx: Context, scope: StatsScope): Promise<StatsSource | null> {
    const split = splitRange(scope.from, scope.to);
    const perm = accessibleWhere<Application>(ctx.ability, 'read', 'Application');
    if (perm === null) return null;
    const permSql = assigneeConditionSql(perm as Record<string, unknown>);
    const filterSql = rollupFilter(scope.filter);
    const kindList = (kinds: StatKind[]) => kinds.map((k) => String(Number(k))).join(', ');

    const fast = permSql !== undefined && filterSql !== undefined;
    let ids: Promise<string | null> | undefined;
    const idsSql = () =>
      (ids ??= applicationService.where(ctx, scope.filter).then((whereOf) => {
        const where = whereOf();
        if (where === null) return null;
        return conditionOnA((ctx.em as SqlEntityManager).createQueryBuilder(Application, 'a').select('a.id').where(where as never).getFormattedQuery());
      }));

    return {
      fast,
      scope,
      async relation(kinds, { byDay, detail }) {
        if (fast && !detail && !kinds.some((k) => DETAIL_KINDS.includes(k))) {
          const days = byDay ? [[scope.from, scope.to] as [string, string]] : split.days;
          const ranges = days.map(([a, b]) => `(s.grain = 'd' and s.period between '${a}' and '${b}')`);
          if (!byDay && split.months) ranges.push(`(s.grain = 'm' and s.period between '${split.months[0]}' and '${split.months[1]}')`);
          return { from: 'application_stats s', where: `s.kind in (${kindList(kinds)}) and (${ranges.join(' or ')}) and (${permSql}) and (${filterSql})` };
        }
        // From the rows: the list's filter and permission WHERE, as the ids in question.
        const inIds = await idsSql();
        if (inIds === null) return { from: 'application_stats s', where: 'false' };
        const parts = kinds.map((k) => rowsSql(k, inIds, scope));
        return { from: `(${parts.join(' union all ')}) s(${ROW_COLUMNS})`, where: `s.kind in (${kindList(kinds)}) and s.period between '${scope.from}' and '${scope.to}'` };
      },
    };
  },

  /**
   * Sums grouped by SQL expressions over `s` (k1-k3, assignee_user_id, assignee_team_id,
   * period...). `having`/`order`/`limit` shape top lists. One statement.
   */
  async grouped<R extends Record<string, unknown>>(
    ctx: Context,
    src: StatsSource,
    kinds: StatKind[],
    q: { select: string; groupBy?: string; extraWhere?: string; having?: string; orderBy?: string; limit?: number; byDay?: boolean; detail?: boolean },
  ): Promise<R[]> {
    const rel = await src.relation(kinds, { byDay: q.byDay ?? false, detail: q.detail ?? false });
    const sql = [
      `select ${q.select} from ${rel.from}`,
      `where ${rel.where}${q.extraWhere ? ` and (${q.extraWhere})` : ''}`,
      q.groupBy ? `group by ${q.groupBy}` : '',
      q.having ? `having ${q.having}` : '',
      q.orderBy ? `order by ${q.orderBy}` : '',
      q.limit ? `limit ${Math.max(1, Math.min(1000, Math.floor(q.limit)))}` : '',
    ].filter(Boolean).join('\n');
    return (ctx.em as SqlEntityManager).execute<R[]>(sql);
  },

  /** Recomputes every rollup from the rows: after bulk loads that ran with the triggers off. */
  async rebuild(em: SqlEntityManager): Promise<void> {
    await em.execute('select application_stats_rebuild()');
  },
};
