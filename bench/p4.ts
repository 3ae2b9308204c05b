import pg from 'pg';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { fmtMs, graphql, scopeSql, type Principal } from './lib';
import type { LoadCase, LoadResult, LoadSpec } from './load';

/**
 * P4: every dashboard widget as a team leader, for ranges from a week to the whole data set,
 * each widget its own request; the baseline is the plain GROUP BY over applications with the
 * same permission WHERE. Also: each widget's figures against that GROUP BY (checks), the write
 * overhead of the rollup triggers (the same updates with the triggers on and off, in rolled
 * back transactions), and how stale a dashboard can be (a change to the moment a subscriber is
 * told to refresh, over graphql-ws).
 */

export const P4_TARGET = 'p95 <= 10 ms; <= 1 s stale; write overhead <= 1 ms per change';

const WIDGETS: Record<string, string> = {
  totals: 'totals { total open closed averageHoursToAcceptance averageHoursToClose }',
  byStage: 'byStage { id count }',
  byCategory: 'byCategory { id count hasChildren }',
  topAccounts: 'topAccounts { id label count }',
  topProjects: 'topProjects { id label count }',
  byAssignee: 'byAssignee { id open closed total }',
  byTeam: 'byTeam { id open closed total }',
  timeByUser: 'timeByUser { id minutes }',
  timeByCategory: 'timeByCategory { id minutes }',
  timeByProject: 'timeByProject { id minutes }',
  timeByAccount: 'timeByAccount { id minutes }',
  timeline: 'timeline { start opened closed }',
};
const query = (widget: string) => `query($i: DashboardInput!) { dashboard(input: $i) { fromRollups ${WIDGETS[widget]} } }`;

export interface P4Context {
  url: string;
  databaseUrl: string;
  leader: Principal;
  token: string;
  adminToken: string;
  until: Date;
  quick: boolean;
  q: <R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]) => Promise<R[]>;
  load: (spec: Omit<LoadSpec, 'url' | 'databaseUrl'>, label: string) => Promise<LoadResult>;
  gqlCase: (name: string, query: string, variables: Record<string, unknown>, token: string, capture?: boolean) => LoadCase;
  sqlCase: (name: string, s: { sql: string; params: unknown[] }, capture?: boolean) => LoadCase;
  budget: (ms: number) => number;
  log: (msg: string) => void;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** The GROUP BY baseline of a widget over [from, to] (Istanbul days), as the leader. */
function baselineSql(widget: string, leader: Principal, from: string, to: string): { sql: string; params: unknown[] } {
  const scope = scopeSql(leader, 3);
  const apps = `applications a where a.archived_at is null and (a.application_date at time zone 'Europe/Istanbul')::date between $1 and $2 and ${scope.sql}`;
  const time = `time_entries t join applications a on a.id = t.application_id where a.archived_at is null and t.date between $1 and $2 and ${scope.sql}`;
  const sql: Record<string, string> = {
    totals: `select count(*) total, count(*) filter (where a.closed_at is not null) closed, avg(extract(epoch from a.acceptance_date - a.application_date)) acc, avg(extract(epoch from a.closed_at - a.application_date)) cls from ${apps}`,
    byStage: `select a.stage_id id, count(*) n from ${apps} group by 1`,
    byCategory: `select a.category_id id, count(*) n from ${apps} group by 1`,
    topAccounts: `select a.applicant_id id, count(*) n from ${apps} group by 1 order by 2 desc, 1 limit 10`,
    topProjects: `select a.project_id id, count(*) n from ${apps} and a.project_id is not null group by 1 order by 2 desc, 1 limit 10`,
    byAssignee: `select a.assignee_user_id id, count(*) n, count(*) filter (where a.closed_at is not null) closed from ${apps} group by 1`,
    byTeam: `select a.assignee_team_id id, count(*) n, count(*) filter (where a.closed_at is not null) closed from ${apps} group by 1`,
    timeByUser: `select t.user_id id, sum(t.minutes) n from ${time} group by 1`,
    timeByCategory: `select a.category_id id, sum(t.minutes) n from ${time} group by 1`,
    timeByProject: `select t.project_id id, sum(t.minutes) n from ${time} group by 1`,
    timeByAccount: `select t.account_id id, sum(t.minutes) n from ${time} group by 1 order by 2 desc, 1 limit 10`,
    timeline: `select (a.application_date at time zone 'Europe/Istanbul')::date id, count(*) n from ${apps} group by 1`,
  };
  return { sql: sql[widget], params: [from, to, ...scope.params] };
}

/** The widget's figures keyed by id, from GraphQL and from the baseline, for comparison. */
function figures(widget: string, data: any): Record<string, number> {
  const d = data?.dashboard;
  if (!d) return { error: 1 };
  if (widget === 'totals') return { total: d.totals.total, closed: d.totals.closed };
  if (widget === 'timeline') return Object.fromEntries(d.timeline.filter((p: any) => p.opened).map((p: any) => [p.start, p.opened]));
  return Object.fromEntries(d[widget].map((r: any) => [String(r.id), r.count ?? r.total ?? r.minutes]));
}
function baselineFigures(widget: string, rows: any[]): Record<string, number> {
  if (widget === 'totals') return { total: Number(rows[0].total), closed: Number(rows[0].closed) };
  if (widget === 'timeline') return Object.fromEntries(rows.map((r) => [day(new Date(Date.UTC(r.id.getFullYear(), r.id.getMonth(), r.id.getDate()))), Number(r.n)]));
  return Object.fromEntries(rows.map((r) => [String(r.id), Number(r.n)]));
}

export async function runP4(c: P4Context) {
  const last = new Date(c.until.getTime() - 86_400_000);
  const ranges: [string, string, string][] = [
    ['7 days', day(new Date(last.getTime() - 6 * 86_400_000)), day(last)],
    ['30 days', day(new Date(last.getTime() - 29 * 86_400_000)), day(last)],
    ['12 months', day(new Date(last.getTime() - 364 * 86_400_000)), day(last)],
    ['whole data set', '2000-01-01', day(last)],
  ];
  const checks: { name: string; ok: boolean; detail: string }[] = [];

  // ---- correctness: each widget over 12 months equals its GROUP BY
  const [, from12, to12] = ranges[2];
  for (const w of Object.keys(WIDGETS)) {
    const g = await graphql(c.url, query(w), { i: { from: from12, to: to12, top: 10 } }, c.token);
    const b = baselineSql(w, c.leader, from12, to12);
    const got = figures(w, g.data);
    const want = baselineFigures(w, await c.q(b.sql, b.params));
    const same = !g.errors && JSON.stringify(Object.entries(got).sort()) === JSON.stringify(Object.entries(want).sort());
    checks.push({ name: `P4 ${w} (12 months, team leader) equals GROUP BY`, ok: same, detail: same ? `${Object.keys(got).length} figures` : `graphql ${JSON.stringify(g.errors ?? got).slice(0, 200)} vs sql ${JSON.stringify(want).slice(0, 200)}` });
  }

  // ---- latency: every widget x every range, one request each
  const cases: LoadCase[] = [];
  for (const [label, from, to] of ranges) for (const w of Object.keys(WIDGETS)) cases.push(c.gqlCase(`P4 ${w} ${label}`, query(w), { i: { from, to, top: 10 } }, c.token));
  for (const w of ['byStage', 'topAccounts', 'timeByUser']) cases.push(c.sqlCase(`P4 GROUP BY ${w} 12 months`, baselineSql(w, c.leader, from12, to12)));
  const r = await c.load(
    { mode: 'interleave', concurrency: 1, cases, warmup: { requests: c.quick ? 1 : 3, maxMs: c.budget(20_000) }, measure: { minRequests: 20, maxRequests: 300, maxMs: c.budget(120_000), hardMs: c.budget(180_000) } },
    `P4 ${Object.keys(WIDGETS).length} widgets x ${ranges.length} ranges as a team leader`,
  );

  // ---- write overhead: the same changes with the rollup triggers on and off (rolled back)
  const client = new pg.Client({ connectionString: c.databaseUrl, application_name: 'bench-p4' });
  await client.connect();
  const overhead: Record<string, number> = {};
  try {
    const [{ ids }] = (await client.query(`select array_agg(id) ids from (select id from applications where archived_at is null order by id desc limit 300) x`)).rows;
    const stages = (await client.query(`select id from process_stages order by id`)).rows.map((s) => s.id);
    const [{ team }] = (await client.query(`select min(id) team from teams`)).rows;
    const run = async (on: boolean) => {
      await client.query('begin');
      if (!on) {
        await client.query('alter table applications disable trigger applications_stats');
        await client.query('alter table time_entries disable trigger time_entries_stats');
      }
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < ids.length; i++) {
        await client.query('update applications set stage_id = $2, assignee_team_id = $3, assignee_user_id = null where id = $1', [ids[i], stages[i % stages.length], team]);
        await client.query(`insert into time_entries (application_id, user_id, date, minutes, account_id, created_at, updated_at, version) select id, 1, current_date, 5, applicant_id, now(), now(), 1 from applications where id = $1`, [ids[i]]);
      }
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      await client.query('rollback');
      return ms / ids.length;
    };
    await run(true); // warm
    const samples: { on: number; off: number }[] = [];
    for (let k = 0; k < (c.quick ? 1 : 3); k++) samples.push({ off: await run(false), on: await run(true) });
    overhead.on = Math.min(...samples.map((s) => s.on));
    overhead.off = Math.min(...samples.map((s) => s.off));
    overhead.perChange = (overhead.on - overhead.off) / 2; // two changes per iteration
    overhead.changes = ids.length * 2;
  } finally {
    await client.end();
  }

  // ---- staleness: a change, then the subscriber's notice
  const ws = createClient({ url: c.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${c.token}` }, retryAttempts: 0 });
  const stale: number[] = [];
  try {
    const [target] = await c.q(`select a.id, a.version from applications a where a.archived_at is null and ${scopeSql(c.leader, 1).sql} order by a.id desc limit 1`, scopeSql(c.leader, 1).params);
    let version = target.version;
    let resolveNotice: (() => void) | null = null;
    const off = ws.subscribe({ query: 'subscription { dashboardChanged { at changes } }' }, { next: () => resolveNotice?.(), error: () => undefined, complete: () => undefined });
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < (c.quick ? 3 : 10); i++) {
      const notice = new Promise<void>((resolve, reject) => {
        resolveNotice = resolve;
        setTimeout(() => reject(new Error('no notice within 5 s')), 5000);
      });
      const t0 = Date.now();
      const res = await graphql(c.url, 'mutation($id: ID!, $v: Int!, $i: UpdateApplicationInput!) { updateApplication(id: $id, version: $v, input: $i) { version } }', { id: String(target.id), v: version, i: { referenceNo: `P4-${Date.now()}-${i}` } }, c.adminToken);
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      version = res.data.updateApplication.version;
      await notice;
      stale.push(Date.now() - t0);
      await new Promise((r) => setTimeout(r, 700));
    }
    off();
  } catch (err) {
    c.log(`P4 staleness: ${(err as Error).message}`);
  } finally {
    await ws.dispose();
  }

  const widgetRows = Object.entries(r.cases).filter(([name]) => !name.includes('GROUP BY'));
  const worst = widgetRows.reduce((a, b) => (b[1].p95 > a[1].p95 ? b : a));
  const over = widgetRows.filter(([, s]) => s.p95 > 10);
  const staleMax = stale.length ? Math.max(...stale) : null;
  const allCorrect = checks.every((x) => x.ok);
  const pass = over.length === 0 && staleMax !== null && staleMax <= 1000 && overhead.perChange <= 1 && allCorrect;
  const base = (w: string) => r.cases[`P4 GROUP BY ${w} 12 months`];
  return {
    checks,
    raw: { load: r, overhead, stale },
    row: {
      id: 'P4',
      workload: `dashboard: ${Object.keys(WIDGETS).length} widgets x ${ranges.length} ranges (7 days .. whole data set), one request each, as a team leader`,
      status: pass ? 'pass' : 'fail',
      measured: `worst p95 ${fmtMs(worst[1].p95)} ms (${worst[0].replace('P4 ', '')}); ${widgetRows.length - over.length}/${widgetRows.length} within 10 ms`,
      baseline: `GROUP BY p95 ${fmtMs(base('byStage')?.p95)} ms (stage), ${fmtMs(base('topAccounts')?.p95)} ms (accounts), ${fmtMs(base('timeByUser')?.p95)} ms (time per user), 12 months`,
      ratio: '-',
      target: P4_TARGET,
      notes: [
        `write overhead of the rollup triggers: ${overhead.perChange?.toFixed(3)} ms per change (${overhead.on?.toFixed(3)} vs ${overhead.off?.toFixed(3)} ms per update + time entry, triggers on / off)`,
        `staleness: rollups are written in the changing transaction; subscriber notice ${stale.length ? `${Math.min(...stale)}-${staleMax} ms after the mutation was sent (n=${stale.length})` : 'not measured'}`,
        ...widgetRows.map(([name, s]) => `${s.p95 <= 10 ? 'ok  ' : 'SLOW'} ${name.replace('P4 ', '')}: p50 ${fmtMs(s.p50)} / p95 ${fmtMs(s.p95)} ms`),
      ],
      data: { overhead, stale, widgets: Object.fromEntries(widgetRows.map(([n, s]) => [n, { p50: s.p50, p95: s.p95, p99: s.p99, n: s.n }])) },
    },
  };
}
