import { authorize, type Context } from '../../../api/context';
import { relation } from '../../../api/crud';
import { ForbiddenError, BadInputError } from '../../../api/errors';
import { parseId } from '../../../api/ids';
import { Account } from '../../accounts/entities/account.entities';
import { Category, ProcessStage } from '../../applications/entities/classification.entities';
import { allCategories, pathOf, subtreeIds } from '../../applications/services/classification.service';
import { StatKind, statisticsService, type StatsSource } from '../../applications/services/statistics.service';
import { Team } from '../../identity/entities/team.entity';
import { User } from '../../identity/entities/user.entity';
import { Project } from '../../reference/entities/reference.entities';
import {
  DashboardGranularity,
  type DashboardCategoryCount,
  type DashboardCount,
  type DashboardInput,
  type DashboardMinutes,
  type DashboardPeriod,
  type DashboardTotals,
  type DashboardWorkload,
} from '../dto/dashboard.types';

type Named = { id: number; name: string };
type Labeled = { id: string | null; label: string | null };

const num = (v: unknown) => Number(v ?? 0);

/**
 * The dashboard's widgets over the application statistics (applications module). Labels come
 * through the same loaders and read rules as everywhere else: a record the viewer may not read
 * is counted (its applications are readable) but not named.
 */
export const dashboardService = {
  async source(ctx: Context, input: DashboardInput): Promise<StatsSource | null> {
    authorize(ctx, 'read', 'Application');
    checkRange(input);
    return statisticsService.source(ctx, { from: input.from, to: input.to, filter: input.filter });
  },

  /** A widget needs its field readable (field rules on Application). */
  requireField(ctx: Context, field: string): void {
    if (!ctx.ability.can('read', 'Application', field)) throw new ForbiddenError(`You may not read the ${field} of applications.`);
  },

  async totals(ctx: Context, src: StatsSource | null): Promise<DashboardTotals> {
    const empty = { total: 0, open: 0, closed: 0, averageHoursToAcceptance: null, averageHoursToClose: null };
    if (!src) return empty;
    const [r] = await statisticsService.grouped<Record<string, string>>(ctx, src, [StatKind.ALL], {
      select: 'sum(s.n) total, sum(s.n) filter (where s.k1 = 1) closed, sum(s.accept_secs) accept_secs, sum(s.accepted) accepted, sum(s.close_secs) close_secs, sum(s.closed) n_closed',
    });
    if (!r) return empty;
    const hours = (secs: unknown, n: unknown) => (num(n) > 0 ? Math.round((num(secs) / num(n) / 3600) * 100) / 100 : null);
    return {
      total: num(r.total),
      closed: num(r.closed),
      open: num(r.total) - num(r.closed),
      averageHoursToAcceptance: hours(r.accept_secs, r.accepted),
      averageHoursToClose: hours(r.close_secs, r.n_closed),
    };
  },

  async byStage(ctx: Context, src: StatsSource | null): Promise<DashboardCount[]> {
    this.requireField(ctx, 'stage');
    if (!src) return [];
    const rows = await statisticsService.grouped<{ k: number; n: string }>(ctx, src, [StatKind.STAGE], { select: 's.k1 k, sum(s.n) n', groupBy: 's.k1', having: 'sum(s.n) <> 0' });
    const stages = await readable(ctx, ProcessStage, 'ProcessStage', rows.map((r) => r.k));
    const order = (id: number) => stages.get(id)?.sortOrder ?? 0;
    return rows.sort((a, b) => order(a.k) - order(b.k)).map((r) => ({ id: String(r.k), label: stages.get(r.k)?.name ?? null, count: num(r.n) }));
  },

  /** Children of `parentId` (top level without it), each counting its whole subtree. */
  async byCategory(ctx: Context, src: StatsSource | null, parentId: string | undefined, kind: StatKind.CATEGORY | StatKind.TIME_CATEGORY): Promise<{ node: Category | null; value: number }[]> {
    this.requireField(ctx, 'category');
    const all = await allCategories(ctx);
    const byId = new Map(all.map((c) => [c.id, c]));
    let parent: Category | null = null;
    if (parentId) {
      parent = byId.get(parseId(parentId, 'input.categoryParentId')) ?? null;
      if (!parent) throw new BadInputError('input.categoryParentId', `No such category: ${parentId}.`, 'NOT_FOUND_REFERENCE');
    }
    if (!src) return [];
    // The column that holds the level below the parent; deeper nodes roll up to their ancestor.
    const level = parent?.level ?? 0;
    const col = level === 0 ? 's.k1' : level === 1 ? 's.k2' : 's.k3';
    const parentCol = level === 1 ? 's.k1' : level >= 2 ? 's.k2' : null;
    let extraWhere: string | undefined;
    const path = parent ? pathOf(all, parent.id) : [];
    if (parent && parentCol) {
      extraWhere = `${parentCol} = ${level === 1 ? parent.id : path[1].id}`;
      if (level >= 3) extraWhere += ` and s.k3 in (${subtreeIds(all, parent.id).join(', ')})`;
    }
    const rows = await statisticsService.grouped<{ k: number | null; n: string }>(ctx, src, [kind], { select: `${col} k, sum(s.n) n`, groupBy: col, extraWhere, having: 'sum(s.n) <> 0', detail: level >= 2 });
    const sums = new Map<number | null, number>();
    for (const r of rows) {
      // A deeper node counts for the child of the parent on its path (null: the parent itself).
      const key = r.k !== null && parent && level >= 2 ? (pathOf(all, r.k)[path.length]?.id ?? null) : r.k;
      sums.set(key, (sums.get(key) ?? 0) + num(r.n));
    }
    return [...sums.entries()]
      .map(([id, value]) => ({ node: id === null ? null : byId.get(id) ?? null, value }))
      .sort((a, b) => b.value - a.value);
  },

  async categoryCounts(ctx: Context, src: StatsSource | null, parentId: string | undefined): Promise<DashboardCategoryCount[]> {
    const parents = new Set((await allCategories(ctx)).map((c) => c.parent?.id));
    const rows = await this.byCategory(ctx, src, parentId, StatKind.CATEGORY);
    return rows.map(({ node, value }) => ({
      id: node ? String(node.id) : null,
      label: node?.name ?? null,
      level: node?.level ?? null,
      hasChildren: node ? parents.has(node.id) : false,
      count: value,
    }));
  },

  async top(ctx: Context, src: StatsSource | null, kind: StatKind.APPLICANT | StatKind.PROJECT, limit: number): Promise<DashboardCount[]> {
    this.requireField(ctx, kind === StatKind.APPLICANT ? 'applicant' : 'project');
    if (!src) return [];
    const rows = await statisticsService.grouped<{ k: number; n: string }>(ctx, src, [kind], {
      select: 's.k1 k, sum(s.n) n',
      extraWhere: 's.k1 is not null',
      groupBy: 's.k1',
      having: 'sum(s.n) > 0',
      orderBy: 'sum(s.n) desc, s.k1',
      limit,
    });
    const labeled = kind === StatKind.APPLICANT ? await labels(ctx, Account, 'Account', rows.map((r) => r.k)) : await labels(ctx, Project, 'Project', rows.map((r) => r.k));
    return rows.map((r) => ({ ...labeled(r.k), count: num(r.n) }));
  },

  async workload(ctx: Context, src: StatsSource | null, by: 'user' | 'team'): Promise<DashboardWorkload[]> {
    this.requireField(ctx, 'assignee');
    if (!src) return [];
    const col = by === 'user' ? 's.assignee_user_id' : 's.assignee_team_id';
    const rows = await statisticsService.grouped<{ k: number | null; total: string; closed: string }>(ctx, src, [StatKind.ALL], {
      select: `${col} k, sum(s.n) total, coalesce(sum(s.n) filter (where s.k1 = 1), 0) closed`,
      groupBy: col,
      having: 'sum(s.n) <> 0',
      orderBy: `sum(s.n) desc, ${col}`,
    });
    const labeled = by === 'user' ? await labels(ctx, User, 'User', rows.map((r) => r.k)) : await labels(ctx, Team, 'Team', rows.map((r) => r.k));
    return rows.map((r) => ({ ...labeled(r.k), total: num(r.total), closed: num(r.closed), open: num(r.total) - num(r.closed) }));
  },

  async minutes(ctx: Context, src: StatsSource | null, kind: StatKind.TIME_USER | StatKind.TIME_PROJECT | StatKind.TIME_ACCOUNT, limit: number): Promise<DashboardMinutes[]> {
    if (!src) return [];
    const rows = await statisticsService.grouped<{ k: number | null; n: string }>(ctx, src, [kind], {
      select: 's.k1 k, sum(s.n) n',
      groupBy: 's.k1',
      having: 'sum(s.n) > 0',
      orderBy: 'sum(s.n) desc, s.k1',
      limit: kind === StatKind.TIME_ACCOUNT ? limit : undefined,
    });
    const ids = rows.map((r) => r.k);
    const labeled =
      kind === StatKind.TIME_USER ? await labels(ctx, User, 'User', ids) : kind === StatKind.TIME_PROJECT ? await labels(ctx, Project, 'Project', ids) : await labels(ctx, Account, 'Account', ids);
    return rows.map((r) => ({ ...labeled(r.k), minutes: num(r.n) }));
  },

  async categoryMinutes(ctx: Context, src: StatsSource | null, parentId: string | undefined): Promise<DashboardMinutes[]> {
    const rows = await this.byCategory(ctx, src, parentId, StatKind.TIME_CATEGORY);
    return rows.map(({ node, value }) => ({ id: node ? String(node.id) : null, label: node?.name ?? null, minutes: value }));
  },

  async timeline(ctx: Context, src: StatsSource | null, input: DashboardInput): Promise<DashboardPeriod[]> {
    const bucket =
      input.granularity === DashboardGranularity.MONTH ? `date_trunc('month', s.period)::date` : input.granularity === DashboardGranularity.WEEK ? `date_trunc('week', s.period)::date` : 's.period';
    const periods = periodsOf(input.from, input.to, input.granularity);
    const out = new Map(periods.map((p) => [p, { start: p, opened: 0, closed: 0 }]));
    if (!src) return [...out.values()];
    // Months can come from monthly rollups; days and weeks need daily ones.
    const byDay = input.granularity !== DashboardGranularity.MONTH;
    const rows = await statisticsService.grouped<{ p: string | Date; kind: number; n: string }>(ctx, src, [StatKind.ALL, StatKind.CLOSED_ON], {
      select: `to_char(${bucket}, 'YYYY-MM-DD') p, s.kind kind, sum(s.n) n`,
      groupBy: `1, 2`,
      byDay,
    });
    for (const r of rows) {
      // date_trunc's weeks start on Monday, as periodsOf's do.
      const slot = out.get(String(r.p));
      if (!slot) continue;
      if (Number(r.kind) === StatKind.ALL) slot.opened += num(r.n);
      else slot.closed += num(r.n);
    }
    return [...out.values()];
  },
};

/** The records the viewer may read among `ids`, by id (one batched load). */
async function readable<T extends Named>(ctx: Context, entity: new () => T, subject: string, ids: (number | null)[]): Promise<Map<number, T>> {
  const out = new Map<number, T>();
  await Promise.all(
    ids.map(async (id) => {
      const row = id === null ? null : await relation(ctx, entity as never, subject, { id });
      if (row) out.set(id!, row as T);
    }),
  );
  return out;
}

/** Names by id through the viewer's read rules: label null when not readable. */
async function labels<T extends Named>(ctx: Context, entity: new () => T, subject: string, ids: (number | null)[]): Promise<(id: number | null) => Labeled> {
  const rows = await readable(ctx, entity, subject, ids);
  return (id) => ({ id: id === null ? null : String(id), label: id === null ? null : rows.get(id)?.name ?? null });
}

function nextPeriod(p: string, g: DashboardGranularity): string {
  const d = new Date(`${p}T00:00:00Z`);
  if (g === DashboardGranularity.MONTH) return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
  return new Date(d.getTime() + (g === DashboardGranularity.WEEK ? 7 : 1) * 86_400_000).toISOString().slice(0, 10);
}

/** The most periods a timeline shows: ten years of days (longer ranges: weeks or months). */
export const MAX_PERIODS = 3660;

/** First day of the period holding `from` (weeks start on Monday, as date_trunc's do). */
function firstPeriod(from: string, g: DashboardGranularity): Date {
  const d = new Date(`${from}T00:00:00Z`);
  if (g === DashboardGranularity.MONTH) return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  if (g === DashboardGranularity.WEEK) return new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000);
  return d;
}

/**
 * A dashboard's range, checked before anything is counted: it ends on or after its start and its
 * timeline has at most MAX_PERIODS periods. (The days themselves are bounded for every date
 * input of the API, see api/dates.ts.)
 */
export function checkRange(input: Pick<DashboardInput, 'from' | 'to' | 'granularity'>): void {
  if (input.to < input.from) throw new BadInputError('input.to', 'The range ends before it starts.');
  const start = firstPeriod(input.from, input.granularity);
  const end = new Date(`${input.to}T00:00:00Z`);
  const n =
    input.granularity === DashboardGranularity.MONTH
      ? (end.getUTCFullYear() - start.getUTCFullYear()) * 12 + end.getUTCMonth() - start.getUTCMonth() + 1
      : Math.floor((end.getTime() - start.getTime()) / 86_400_000 / (input.granularity === DashboardGranularity.WEEK ? 7 : 1)) + 1;
  if (n > MAX_PERIODS) {
    throw new BadInputError('input.to', `The timeline may show at most ${MAX_PERIODS} periods; choose a shorter range or a longer period (WEEK, MONTH).`, 'TOO_MANY', { max: MAX_PERIODS }, { maxPeriods: MAX_PERIODS });
  }
}

/** Every period touching [from, to], by its first day (weeks start on Monday, as date_trunc does); the range was checked (checkRange). */
export function periodsOf(from: string, to: string, g: DashboardGranularity): string[] {
  const out: string[] = [];
  for (let p = firstPeriod(from, g).toISOString().slice(0, 10); p <= to; p = nextPeriod(p, g)) out.push(p);
  return out;
}
