/**
 * `npm run bench`: the performance targets of ../shared/QUALITY.md on the benchmark data set
 * (`npm run seed:bulk`), each against a baseline measured in the same run.
 *
 *   npm run bench                 # full run (about 5 minutes on the 1,000,000 set)
 *   npm run bench -- --quick      # shorter measurements (meant for `seed:bulk -- --quick`)
 *   options: --concurrency N (throughput runs, default 4), --no-p4, --no-p7, --no-p8, --no-p9, --no-exports (P5, P6), --out FILE
 *
 * The server runs as `npm start` would (production mode) in a child process; the load comes
 * from another child process over loopback (bench/load.ts). Statement counts come from a
 * third process that runs the server in-process with `pg` instrumented (bench/statements.ts).
 * Prints a table and writes the same as JSON to bench/results/latest.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { LoadCase, LoadResult, LoadSpec } from './load';
import {
  BENCH_DEFAULT_PASSWORD,
  BENCH_DEFAULT_URL,
  fmtMs,
  graphql,
  loadAverage,
  PRINCIPAL_SQL,
  ROOT,
  rssOf,
  runJsonChild,
  scopeSql,
  signIn,
  startServer,
  type Principal,
  type Summary,
} from './lib';
import type { StatementResult, StatementSpec } from './statements';
import { P4_TARGET, runP4 } from './p4';
import { P7_TARGET, runP7, type P7Row } from './p7';

// ---------------------------------------------------------------- options

interface Options {
  quick: boolean;
  concurrency: number;
  p4: boolean;
  p7: boolean;
  p9: boolean;
  exports: boolean;
  p8: boolean;
  out: string;
  url: string;
  password: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    quick: false,
    concurrency: 4,
    p4: true,
    p7: true,
    p9: true,
    exports: true,
    p8: true,
    out: path.join(ROOT, 'bench', 'results', 'latest.json'),
    url: process.env.BENCH_DATABASE_URL || BENCH_DEFAULT_URL,
    password: process.env.BENCH_PASSWORD || BENCH_DEFAULT_PASSWORD,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--concurrency') o.concurrency = Number(argv[++i]);
    else if (a === '--no-p4') o.p4 = false;
    else if (a === '--no-p7') o.p7 = false;
    else if (a === '--no-p9') o.p9 = false;
    else if (a === '--no-exports') o.exports = false;
    else if (a === '--no-p8') o.p8 = false;
    else if (a === '--out') o.out = path.resolve(argv[++i]);
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: bench [--quick] [--concurrency N] [--no-p4] [--no-p7] [--no-p8] [--no-p9] [--no-exports] [--out FILE]\n  database: BENCH_DATABASE_URL (default ' + BENCH_DEFAULT_URL + ')\n');
      process.exit(0);
    } else {
      process.stderr.write(`bench: unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1 || o.concurrency > 64) {
    process.stderr.write('bench: --concurrency must be 1-64\n');
    process.exit(2);
  }
  return o;
}

// ---------------------------------------------------------------- the operations measured

/** The list page of P1/P2: every relation a list shows, follow-up count and time spent. */
const LIST_QUERY = `query ApplicationList($filter: ApplicationFilter, $sort: [ApplicationSort!], $page: PageInput) {
  applications(filter: $filter, sort: $sort, page: $page) {
    items {
      id number subject applicationDate acceptanceDate closedAt referenceNo assigneeEveryone followUpCount timeSpentMinutes
      applicant { id name } reporter { id firstName lastName } branch { id name }
      priority { id name color } stage { id name closed color }
      category { id name } subcategory { id name } treeCategory { id name } channel { id name }
      assigneeUser { id name } assigneeTeam { id name } responsible { id name }
      project { id name } campaign { id name } subscription { id number } createdBy { id name }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The same page as one hand-written SQL statement over `pg` (relations the viewer may not read are null). */
function listSql(p: Principal, from: string, limit: number, offset = 0): { sql: string; params: unknown[] } {
  const params: unknown[] = [from, limit + 1, offset];
  const scope = scopeSql(p, params.length + 1);
  params.push(...scope.params);
  // Users and teams the viewer may read (identity's default grants): members of their teams, their teams.
  let members = 0;
  let teams = '';
  if (p.role !== 'administrator') {
    params.push(p.memberIds);
    members = params.length;
    params.push(p.teamIds);
    teams = `and t.id = any($${params.length}::int[])`;
  }
  const user = (alias: string, col: string) => `left join users ${alias} on ${alias}.id = a.${col}${members ? ` and ${alias}.id = any($${members}::int[])` : ''}`;
  // The page first (filter, permission rule, order, limit), then its relations: one statement.
  const sql = `
    with page as materialized (
      select a.id, pr.sort_order
        from applications a
        join priorities pr on pr.id = a.priority_id
       where a.archived_at is null and a.application_date >= $1::timestamptz and ${scope.sql}
       order by pr.sort_order desc, a.application_date desc, a.id asc
       limit $2 offset $3
    )
    select a.id, a.number, a.subject, a.application_date, a.acceptance_date, a.closed_at, a.reference_no, a.assignee_everyone, a.follow_up_count, a.time_spent_minutes,
           acc.id as applicant_id, acc.name as applicant_name, rc.id as reporter_id, rc.first_name as reporter_first_name, rc.last_name as reporter_last_name,
           b.id as branch_id, b.name as branch_name, pr.id as priority_id, pr.name as priority_name, pr.color as priority_color,
           st.id as stage_id, st.name as stage_name, st.closed as stage_closed, st.color as stage_color,
           c1.id as category_id, c1.name as category_name, c2.id as subcategory_id, c2.name as subcategory_name, c3.id as tree_category_id, c3.name as tree_category_name,
           ch.id as channel_id, ch.name as channel_name, au.id as assignee_user_id, au.name as assignee_user_name, t.id as assignee_team_id, t.name as assignee_team_name,
           ru.id as responsible_id, ru.name as responsible_name, pj.id as project_id, pj.name as project_name, cp.id as campaign_id, cp.name as campaign_name,
           sb.id as subscription_id, sb.number as subscription_number, cb.id as created_by_id, cb.name as created_by_name
      from page p
      join applications a on a.id = p.id
      join priorities pr on pr.id = a.priority_id
      join accounts acc on acc.id = a.applicant_id
      left join contacts rc on rc.id = a.reporter_id
      left join branches b on b.id = a.branch_id
      join process_stages st on st.id = a.stage_id
      join categories c1 on c1.id = a.category_id
      left join categories c2 on c2.id = a.subcategory_id
      left join categories c3 on c3.id = a.tree_category_id
      join contact_channels ch on ch.id = a.channel_id
      ${user('au', 'assignee_user_id')}
      left join teams t on t.id = a.assignee_team_id ${teams}
      ${user('ru', 'responsible_id')}
      left join projects pj on pj.id = a.project_id
      left join campaigns cp on cp.id = a.campaign_id
      left join subscriptions sb on sb.id = a.subscription_id
      ${user('cb', 'created_by_id')}
     order by p.sort_order desc, a.application_date desc, a.id asc`;
  return { sql, params };
}

/** Only ids and the cursor: to walk to the deep page of P2 (a cursor depends on the order, not on the selection). */
const WALK_QUERY = `query Walk($filter: ApplicationFilter, $sort: [ApplicationSort!], $page: PageInput) {
  applications(filter: $filter, sort: $sort, page: $page) { items { id } pageInfo { hasNextPage endCursor } }
}`;

const TOTAL_QUERY = `query ApplicationTotal($filter: ApplicationFilter) { applications(filter: $filter) { total totalExact } }`;

const DETAIL_QUERY = `query ApplicationDetail($id: ID!) {
  application(id: $id) {
    id number subject detail applicationDate acceptanceDate closedAt referenceNo assigneeEveryone followUpCount timeSpentMinutes extra version
    applicant { id name } reporter { id firstName lastName } branch { id name } priority { id name } stage { id name closed }
    category { id name } subcategory { id name } treeCategory { id name } channel { id name }
    assigneeUser { id name } assigneeTeam { id name } responsible { id name } project { id name } campaign { id name } subscription { id number } createdBy { id name }
    followUps { id notedAt text author { id name } }
    timeEntries { id date minutes note user { id name } }
    history { id at field oldValue newValue actor { id name } }
  }
}`;

// ---------------------------------------------------------------- report rows

type Status = 'pass' | 'fail' | 'not measured';

interface TargetRow {
  id: string;
  workload: string;
  status: Status;
  measured?: string;
  baseline?: string;
  ratio?: string;
  target: string;
  notes?: string[];
  data?: unknown;
}

const pct = (s: Summary | undefined) => (s ? `p50 ${fmtMs(s.p50)} / p95 ${fmtMs(s.p95)} / p99 ${fmtMs(s.p99)} ms (n=${s.n})` : '-');

function printTable(rows: TargetRow[]) {
  const cols: [string, (r: TargetRow) => string][] = [
    ['#', (r) => r.id],
    ['measured', (r) => r.measured ?? (r.status === 'not measured' ? 'not measured' : '-')],
    ['baseline', (r) => r.baseline ?? '-'],
    ['ratio', (r) => r.ratio ?? '-'],
    ['target', (r) => r.target],
    ['result', (r) => r.status.toUpperCase()],
  ];
  const widths = cols.map(([h, f]) => Math.max(h.length, ...rows.map((r) => f(r).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  const out: string[] = [line(cols.map(([h]) => h)), widths.map((w) => '-'.repeat(w)).join('-|-')];
  for (const r of rows) {
    out.push(line(cols.map(([, f]) => f(r))));
    out.push(`${''.padEnd(widths[0])}   ${r.workload}`);
    for (const n of r.notes ?? []) out.push(`${''.padEnd(widths[0])}   · ${n}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

// ---------------------------------------------------------------- main

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const t0 = Date.now();
  const loadBefore = loadAverage();
  const log = (msg: string) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);
  // Measurement windows (ms) per phase; --quick takes a fifth of each.
  const scale = o.quick ? 0.2 : 1;
  const budget = (ms: number) => Math.round(ms * scale);
  const warm = (requests: number, ms: number) => ({ requests: o.quick ? Math.ceil(requests / 3) : requests, maxMs: budget(ms) });

  // ---- the data set
  const db = new pg.Client({ connectionString: o.url, application_name: 'bench' });
  try {
    await db.connect();
  } catch (err) {
    throw new Error(`cannot connect to ${o.url.replace(/:[^:@/]*@/, ':***@')} (${(err as Error).message}); build the data set first: npm run seed:bulk${o.quick ? ' -- --quick' : ''}`);
  }
  const q = async <R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]) => (await db.query<R>(sql, params)).rows;
  const [metaRow] = await q<{ d: string | null }>(`select shobj_description(oid, 'pg_database') as d from pg_database where datname = current_database()`);
  let meta: any;
  try {
    meta = JSON.parse(metaRow?.d ?? '');
  } catch {}
  if (meta?.kind !== 'callcenter-bench') throw new Error('this database was not made by seed:bulk (no data set description); run npm run seed:bulk first');
  const [{ server_version: pgVersion }] = await q<{ server_version: string }>('show server_version');
  const N: number = meta.counts.applications;
  log(`data set: ${N.toLocaleString('en-US')} applications (seed ${meta.seed}, ${meta.from} .. ${meta.until}), PostgreSQL ${pgVersion}, load average ${loadBefore.join(' ')}`);
  if (o.quick && N > 200_000) log('note: --quick on a full data set only shortens the measurements');

  const principalOf = async (email: string, role: Principal['role']): Promise<Principal> => {
    const [u] = await q<{ id: number }>('select id from users where email = $1', [email]);
    if (!u) throw new Error(`no user ${email} in the data set`);
    const [p] = await q<{ team_ids: number[]; led_team_ids: number[]; member_ids: number[] }>(PRINCIPAL_SQL, [u.id]);
    return { role, userId: u.id, email, teamIds: p?.team_ids ?? [], ledTeamIds: p?.led_team_ids ?? [], memberIds: p?.member_ids ?? [u.id] };
  };
  const agent = await principalOf(meta.users.agent, 'agent');
  const leader = await principalOf(meta.users.teamLeader, 'team_leader');
  const admin = await principalOf(meta.users.admin, 'administrator');
  const id = async (sql: string, params?: unknown[]) => {
    const [r] = await q<{ id: number }>(sql, params);
    if (!r) throw new Error(`not found: ${sql}`);
    return String(r.id);
  };
  const urgent = await id(`select id from priorities where name = 'Acil'`);
  const email = await id(`select id from contact_channels where code = 'email'`);
  const complaints = await id(`select id from categories where name = 'Şikâyet' and level = 1`);
  const busiest = await id(`select applicant_id as id from applications group by applicant_id order by count(*) desc, applicant_id limit 1`);
  const until = new Date(`${meta.until}T00:00:00Z`);
  const from12m = new Date(until.getTime() - 365 * 86_400_000).toISOString();
  const from3m = new Date(until.getTime() - 91 * 86_400_000).toISOString();

  // ---- the server, as npm start runs it
  log('starting the server (production mode)');
  const serverStart = Date.now();
  const server = await startServer(o.url);
  const serverStartMs = Date.now() - serverStart;
  const results: TargetRow[] = [];
  const raw: Record<string, unknown> = {};
  const checks: { name: string; ok: boolean; detail: string }[] = [];
  let serverRss: ReturnType<typeof rssOf> = null;
  let statements: StatementResult | null = null;

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-bench-'));
  let specNo = 0;
  const load = async (spec: Omit<LoadSpec, 'url' | 'databaseUrl'>, label: string): Promise<LoadResult> => {
    const file = path.join(tmp, `load-${++specNo}.json`);
    fs.writeFileSync(file, JSON.stringify({ ...spec, url: server.url, databaseUrl: o.url }));
    log(`${label} (${spec.mode}, concurrency ${spec.concurrency}, up to ${(spec.measure.maxMs / 1000).toFixed(0)} s)`);
    const hard = spec.measure.hardMs ?? 2 * spec.measure.maxMs;
    const r = await runJsonChild<LoadResult>(path.join(ROOT, 'bench', 'load.ts'), [file], {}, hard * (spec.mode === 'separate' ? spec.cases.length : 1) + spec.warmup.maxMs * spec.cases.length + 120_000);
    for (const [name, s] of Object.entries(r.cases)) if (s.errors) log(`  ${name}: ${s.errors} errors, first: ${s.firstError}`);
    const gone = server.died();
    if (gone) throw new Error(`${gone} during "${label}"; its last output:\n${server.output().slice(-4000)}`);
    return r;
  };
  const gqlCase = (name: string, query: string, variables: Record<string, unknown>, token: string, capture = false): LoadCase => ({ name, kind: 'http', body: JSON.stringify({ query, variables }), token, capture });
  const sqlCase = (name: string, s: { sql: string; params: unknown[] }, capture = false): LoadCase => ({ name, kind: 'sql', sql: s.sql, params: s.params, capture });

  try {
    const tokens = { agent: await signIn(server.url, agent.email, o.password), leader: await signIn(server.url, leader.email, o.password), admin: await signIn(server.url, admin.email, o.password) };
    const listVars = (page: Record<string, unknown>) => ({
      filter: { applicationDate: { from: from12m } },
      sort: [
        { field: 'priority', direction: 'DESC' },
        { field: 'applicationDate', direction: 'DESC' },
      ],
      page,
    });

    // ---- correctness of the comparison: the GraphQL page is the SQL page
    const samePage = async (who: Principal, token: string, label: string) => {
      const g = await graphql(server.url, LIST_QUERY, listVars({ first: 50 }), token);
      const s = await q(listSql(who, from12m, 50).sql, listSql(who, from12m, 50).params);
      const gi = (g.data?.applications?.items ?? []).map((x: { id: string }) => Number(x.id));
      const si = s.slice(0, 50).map((r) => Number(r.id));
      const ok = !g.errors && gi.length === si.length && gi.every((x: number, i: number) => x === si[i]);
      checks.push({ name: `P1 page as ${label} equals the SQL baseline's page`, ok, detail: ok ? `${gi.length} rows, same ids in the same order` : `graphql ${JSON.stringify(g.errors ?? gi.slice(0, 5))} vs sql ${JSON.stringify(si.slice(0, 5))}` });
      if (!ok) log(`WARNING: ${label}'s GraphQL page differs from the SQL baseline`);
    };
    await samePage(agent, tokens.agent, 'agent');
    await samePage(leader, tokens.leader, 'team leader');
    await samePage(admin, tokens.admin, 'administrator');

    // ---- P1: latency, agent, interleaved with its baseline
    const p1 = await load(
      {
        mode: 'interleave',
        concurrency: 1,
        cases: [gqlCase('P1 graphql agent', LIST_QUERY, listVars({ first: 50 }), tokens.agent), sqlCase('P1 sql agent', listSql(agent, from12m, 50))],
        warmup: warm(15, 15_000),
        measure: { minRequests: 50, maxRequests: 3000, maxMs: budget(75_000), hardMs: budget(90_000) },
      },
      'P1 latency as an agent',
    );
    raw.p1 = p1;
    const p1roles = await load(
      {
        mode: 'interleave',
        concurrency: 1,
        cases: [
          gqlCase('P1 graphql team leader', LIST_QUERY, listVars({ first: 50 }), tokens.leader),
          sqlCase('P1 sql team leader', listSql(leader, from12m, 50)),
          gqlCase('P1 graphql administrator', LIST_QUERY, listVars({ first: 50 }), tokens.admin),
          sqlCase('P1 sql administrator', listSql(admin, from12m, 50)),
        ],
        warmup: warm(5, 5_000),
        measure: { minRequests: 25, maxRequests: 2000, maxMs: budget(45_000), hardMs: budget(60_000) },
      },
      'P1 latency as a team leader and an administrator',
    );
    raw.p1roles = p1roles;
    const p1tp = await load(
      {
        mode: 'separate',
        concurrency: o.concurrency,
        cases: [gqlCase('P1 graphql agent (throughput)', LIST_QUERY, listVars({ first: 50 }), tokens.agent), sqlCase('P1 sql agent (throughput)', listSql(agent, from12m, 50))],
        warmup: warm(2 * o.concurrency, 5_000),
        measure: { minRequests: 20, maxRequests: 5000, maxMs: budget(12_000), hardMs: budget(20_000) },
      },
      `P1 throughput at concurrency ${o.concurrency}`,
    );
    raw.p1throughput = p1tp;

    // ---- P2: the same page 20,000 rows deep (scaled with the data set), by cursor
    const [{ n: matching }] = await q<{ n: string }>(`select count(*) as n from applications a where a.archived_at is null and a.application_date >= $1 and ${scopeSql(agent, 2).sql}`, [from12m, ...scopeSql(agent, 2).params]);
    const wanted = Math.round((20_000 * N) / 1_000_000);
    const depth = Math.max(0, Math.min(wanted, Math.floor((Number(matching) - 50) / 50) * 50));
    let after: string | null = null;
    let walked = 0;
    const walkStarted = Date.now();
    while (walked < depth) {
      const first = Math.min(500, depth - walked);
      const r: { errors?: unknown; data?: any } = await graphql(server.url, WALK_QUERY, listVars(after ? { first, after } : { first }), tokens.agent);
      if (r.errors || !r.data) throw new Error(`walking to the deep page failed: ${JSON.stringify(r.errors)}`);
      walked += r.data.applications.items.length;
      after = r.data.applications.pageInfo.endCursor;
      if (!r.data.applications.pageInfo.hasNextPage) break;
    }
    log(`P2: walked ${walked.toLocaleString('en-US')} rows deep by cursor in ${((Date.now() - walkStarted) / 1000).toFixed(1)} s (${Number(matching).toLocaleString('en-US')} rows match the agent's filter)`);
    {
      const g = await graphql(server.url, LIST_QUERY, listVars({ first: 50, after }), tokens.agent);
      const s = await q(listSql(agent, from12m, 50, walked).sql, listSql(agent, from12m, 50, walked).params);
      const gi = (g.data?.applications?.items ?? []).map((x: { id: string }) => Number(x.id));
      const si = s.slice(0, 50).map((r) => Number(r.id));
      const ok = !g.errors && gi.length > 0 && gi.length === si.length && gi.every((x: number, i: number) => x === si[i]);
      checks.push({ name: `P2 page ${walked} rows deep equals the SQL baseline's OFFSET ${walked}`, ok, detail: ok ? `${gi.length} rows, same ids` : `graphql ${JSON.stringify(g.errors ?? gi.slice(0, 5))} vs sql ${JSON.stringify(si.slice(0, 5))}` });
    }
    const p2 = await load(
      {
        mode: 'interleave',
        concurrency: 1,
        cases: [
          gqlCase('P2 graphql page 1', LIST_QUERY, listVars({ first: 50 }), tokens.agent),
          gqlCase('P2 graphql deep page', LIST_QUERY, listVars({ first: 50, after }), tokens.agent),
          sqlCase('P2 sql deep page (offset)', listSql(agent, from12m, 50, walked)),
        ],
        warmup: warm(5, 5_000),
        measure: { minRequests: 30, maxRequests: 2000, maxMs: budget(45_000), hardMs: budget(60_000) },
      },
      `P2 page 1 vs ${walked} rows deep`,
    );
    raw.p2 = { depth: walked, wantedDepth: wanted, matching: Number(matching), load: p2 };

    // ---- P3: totals for a range of filters, against exact count(*)
    type P3 = { name: string; who: Principal; token: string; filter: Record<string, unknown>; where: (first: number) => { sql: string; params: unknown[] } };
    const plain = (sql: string, params: unknown[] = []) => () => ({ sql, params });
    const p3cases: P3[] = [
      { name: 'agent, no filter', who: agent, token: tokens.agent, filter: {}, where: plain('true') },
      { name: 'agent, last 12 months (the P1 filter)', who: agent, token: tokens.agent, filter: { applicationDate: { from: from12m } }, where: (n) => ({ sql: `a.application_date >= $${n}`, params: [from12m] }) },
      { name: 'agent, open and urgent', who: agent, token: tokens.agent, filter: { closed: false, priorityIds: [urgent] }, where: (n) => ({ sql: `a.closed_at is null and a.priority_id = $${n}`, params: [Number(urgent)] }) },
      {
        name: 'agent, search "fatura"',
        who: agent,
        token: tokens.agent,
        filter: { search: 'fatura' },
        where: (n) => ({
          sql: `(tr_fold(a.subject || ' ' || coalesce(a.detail, '')) like $${n} or a.number like $${n} or a.applicant_id in (select id from accounts where tr_fold(name) like $${n} limit 5000))`,
          params: ['%fatura%'],
        }),
      },
      { name: 'team leader, no filter', who: leader, token: tokens.leader, filter: {}, where: plain('true') },
      { name: 'team leader, open, e-mail channel', who: leader, token: tokens.leader, filter: { closed: false, channelIds: [email] }, where: (n) => ({ sql: `a.closed_at is null and a.channel_id = $${n}`, params: [Number(email)] }) },
      { name: 'administrator, no filter', who: admin, token: tokens.admin, filter: {}, where: plain('true') },
      { name: 'administrator, busiest applicant', who: admin, token: tokens.admin, filter: { applicantIds: [busiest] }, where: (n) => ({ sql: `a.applicant_id = $${n}`, params: [Number(busiest)] }) },
      {
        name: 'administrator, complaints, last 3 months',
        who: admin,
        token: tokens.admin,
        filter: { categoryIds: [complaints], applicationDate: { from: from3m } },
        where: (n) => ({ sql: `a.category_id = $${n} and a.application_date >= $${n + 1}`, params: [Number(complaints), from3m] }),
      },
    ];
    const countSql = (c: P3) => {
      const w = c.where(1);
      const scope = scopeSql(c.who, 1 + w.params.length);
      return { sql: `select count(*)::int as n from applications a where a.archived_at is null and ${w.sql} and ${scope.sql}`, params: [...w.params, ...scope.params] };
    };
    const p3 = await load(
      {
        mode: 'interleave',
        concurrency: 1,
        cases: p3cases.flatMap((c) => [gqlCase(`P3 graphql ${c.name}`, TOTAL_QUERY, { filter: c.filter }, c.token, true), sqlCase(`P3 sql ${c.name}`, countSql(c), true)]),
        warmup: warm(3, 2_000),
        measure: { minRequests: 30, maxRequests: 1000, maxMs: budget(75_000), hardMs: budget(90_000) },
      },
      `P3 totals for ${p3cases.length} filters`,
    );
    raw.p3 = p3;

    // ---- P4: dashboard widgets (bench/p4.ts)
    let p4: any = null;
    if (o.p4) {
      try {
        p4 = await runP4({ url: server.url, databaseUrl: o.url, leader, token: tokens.leader, adminToken: tokens.admin, until, quick: o.quick, q, load, gqlCase, sqlCase, budget, log });
        checks.push(...p4.checks);
        raw.p4 = p4.raw;
      } catch (err) {
        log(`P4 failed: ${(err as Error).message.split('\n')[0]}`);
      }
    }

    // ---- a detail page: an application the agent may read, with follow-ups and time entries
    const detailScope = scopeSql(agent, 1);
    const [detail] = await q<{ id: number }>(
      `select a.id from applications a where a.archived_at is null and ${detailScope.sql} and a.follow_up_count >= 3 and a.time_spent_minutes > 0 order by a.id desc limit 1`,
      detailScope.params,
    );
    serverRss = rssOf(server.child.pid!);
    // ---- P7: subscription fan-out (bench/p7.ts; a second instance and the baseline of its own)
    let p7: P7Row | null = null;
    if (o.p7) {
      try {
        const r = await runP7({ urlA: server.url, databaseUrl: o.url, db, password: o.password, quick: o.quick, log, pidA: server.child.pid });
        p7 = r.row;
        checks.push(...r.checks);
        raw.p7 = r.raw;
      } catch (err) {
        log(`P7 failed: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    await server.stop();
    log(`server stopped; peak RSS ${serverRss ? serverRss.peakMB.toFixed(0) : '?'} MB`);

    // ---- statements per request (in-process, instrumented)
    const stSpec: StatementSpec = {
      databaseUrl: o.url,
      password: o.password,
      users: { agent: agent.email, leader: leader.email, admin: admin.email },
      operations: [
        { name: 'me (per-request overhead)', as: 'agent', query: '{ me { id } }' },
        ...[10, 50, 200].map((n) => ({ name: `list, page of ${n}`, as: 'agent', query: LIST_QUERY, variables: listVars({ first: n }) })),
        { name: 'list, page of 50, deep cursor', as: 'agent', query: LIST_QUERY, variables: listVars({ first: 50, after }) },
        { name: 'list, page of 50', as: 'leader', query: LIST_QUERY, variables: listVars({ first: 50 }) },
        { name: 'list, page of 50', as: 'admin', query: LIST_QUERY, variables: listVars({ first: 50 }) },
        { name: 'total only', as: 'agent', query: TOTAL_QUERY, variables: { filter: { applicationDate: { from: from12m } } } },
        ...(detail ? [{ name: `detail (application ${detail.id})`, as: 'agent', query: DETAIL_QUERY, variables: { id: String(detail.id) } }] : []),
      ],
    };
    const stFile = path.join(tmp, 'statements.json');
    fs.writeFileSync(stFile, JSON.stringify(stSpec));
    log('counting SQL statements per request');
    try {
      statements = await runJsonChild<StatementResult>(path.join(ROOT, 'bench', 'statements.ts'), [stFile], {}, 180_000);
    } catch (err) {
      log(`statement counts failed: ${(err as Error).message.split('\n')[0]}`);
    }

    // ---- P8: e-mail ingestion (bench/p8.ts: a private Dovecot and a database of its own)
    let p8: any = null;
    if (o.p8) {
      const n = o.quick ? 500 : 2000;
      log(`P8: ingesting ${n} mails from a private Dovecot`);
      try {
        p8 = await runJsonChild(path.join(ROOT, 'bench', 'p8.ts'), [String(n)], {}, 40 * 60_000);
      } catch (err) {
        log(`P8 failed: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    raw.p8 = p8;

    // ---- P9
    let p9: any = null;
    if (o.p9) {
      log('P9: executing 10,000 in-memory rows');
      try {
        p9 = await runJsonChild(path.join(ROOT, 'bench', 'p9.ts'), [String(o.quick ? 6 : 20)], {}, 300_000);
      } catch (err) {
        log(`P9 failed: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    raw.p9 = p9;

    // ---- P5, P6: exports, each job in a child process of its own (so its peak RSS is the export's)
    let p5: any = null;
    let p6: any = null;
    if (o.exports) {
      log(`P5: Excel export of every application (${N.toLocaleString('en-US')}) vs COPY ... TO STDOUT`);
      try {
        p5 = await runJsonChild(path.join(ROOT, 'bench', 'p5.ts'), [o.url, admin.email, 'XLSX'], {}, 1_800_000);
      } catch (err) {
        log(`P5 failed: ${(err as Error).message.split('\n')[0]}`);
      }
      log('P6: PDF export of 100,000 applications');
      try {
        p6 = await runJsonChild(path.join(ROOT, 'bench', 'p6.ts'), [o.url, admin.email, String(Math.min(100_000, N))], {}, 900_000);
      } catch (err) {
        log(`P6 failed: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    raw.p5 = p5;
    raw.p6 = p6;

    // ---------------------------------------------------------------- the verdicts
    const c = (r: LoadResult, name: string) => r.cases[name];
    const stmts = (name: string, as = 'agent') => statements?.operations.find((x) => x.name === name && x.as === as);
    const listCounts = [10, 50, 200].map((n) => stmts(`list, page of ${n}`)?.statements);
    const constant = listCounts.every((x) => x !== undefined) && new Set(listCounts).size === 1;

    {
      const g = c(p1, 'P1 graphql agent');
      const s = c(p1, 'P1 sql agent');
      const ratio = g.p95 / s.p95;
      const ok = ratio <= 1.5 && constant && !g.errors;
      const gt = c(p1tp, 'P1 graphql agent (throughput)');
      const stt = c(p1tp, 'P1 sql agent (throughput)');
      results.push({
        id: 'P1',
        workload: `page of 50 with 17 relations, follow-up count, time spent; last 12 months, sorted by priority then date; as an agent (permission filter on)`,
        status: statements ? (ok ? 'pass' : 'fail') : ratio <= 1.5 ? 'not measured' : 'fail',
        measured: pct(g),
        baseline: `SQL ${pct(s)}`,
        ratio: `${ratio.toFixed(2)}x p95`,
        target: '<= 1.5x p95; statements constant',
        notes: [
          `statements per request, pages of 10 / 50 / 200: ${listCounts.map((x) => x ?? '?').join(' / ')} (${statements ? (constant ? 'constant' : 'NOT constant') : 'not measured'})`,
          `throughput at concurrency ${o.concurrency}: ${gt.throughput.toFixed(1)} req/s vs SQL ${stt.throughput.toFixed(1)} req/s (p95 ${fmtMs(gt.p95)} vs ${fmtMs(stt.p95)} ms)`,
          ...['team leader', 'administrator'].map((who) => {
            const gg = c(p1roles, `P1 graphql ${who}`);
            const ss = c(p1roles, `P1 sql ${who}`);
            return `as ${who}: p95 ${fmtMs(gg.p95)} ms vs SQL ${fmtMs(ss.p95)} ms = ${(gg.p95 / ss.p95).toFixed(2)}x`;
          }),
        ],
        data: { graphql: g, sql: s, statements: listCounts, throughput: { graphql: gt, sql: stt }, roles: p1roles.cases },
      });
    }
    {
      const page1 = c(p2, 'P2 graphql page 1');
      const deep = c(p2, 'P2 graphql deep page');
      const off = c(p2, 'P2 sql deep page (offset)');
      const ratio = deep.p95 / page1.p95;
      const notes = [`hand-written SQL with OFFSET ${walked}: p95 ${fmtMs(off.p95)} ms`];
      if (walked < 20_000) notes.unshift(`depth ${walked.toLocaleString('en-US')} rows: 20,000 scaled to this data set (${N.toLocaleString('en-US')} applications; ${Number(matching).toLocaleString('en-US')} match the agent's filter)`);
      results.push({
        id: 'P2',
        workload: `the P1 page ${walked.toLocaleString('en-US')} rows deep, page: { first: 50, after } (cursor walked with the API's own endCursor)`,
        status: walked === 0 ? 'not measured' : ratio <= 2 && !deep.errors ? 'pass' : 'fail',
        measured: pct(deep),
        baseline: `page 1 ${pct(page1)}`,
        ratio: `${ratio.toFixed(2)}x p95`,
        target: '<= 2x page 1',
        notes,
        data: { depth: walked, page1, deep, sqlOffset: off },
      });
    }
    {
      const rows = p3cases.map((pc) => {
        const g = c(p3, `P3 graphql ${pc.name}`);
        const s = c(p3, `P3 sql ${pc.name}`);
        const gotTotal = (g.captured as any)?.data?.applications;
        const exact = (s.captured as { n: number }[] | undefined)?.[0]?.n;
        // Exact when it says so; otherwise a marked lower bound (the cap), below the real count.
        const correct = gotTotal && exact !== undefined ? (gotTotal.totalExact ? gotTotal.total === exact : gotTotal.total < exact) : false;
        return { name: pc.name, g, s, total: gotTotal?.total, totalExact: gotTotal?.totalExact, exact, correct };
      });
      const worst = rows.reduce((a, b) => (b.g.p95 > a.g.p95 ? b : a));
      const ok = rows.every((r) => r.g.p95 <= 15 && r.correct && !r.g.errors);
      results.push({
        id: 'P3',
        workload: `applications(filter) { total totalExact } for ${rows.length} filters as agent / team leader / administrator`,
        status: ok ? 'pass' : 'fail',
        measured: `worst p95 ${fmtMs(worst.g.p95)} ms (${worst.name})`,
        baseline: `count(*) p95 ${fmtMs(worst.s.p95)} ms`,
        ratio: `${(worst.g.p95 / worst.s.p95).toFixed(2)}x p95`,
        target: 'p95 <= 15 ms; exact or marked',
        notes: rows.map(
          (r) =>
            `${r.g.p95 <= 15 ? 'ok  ' : 'SLOW'} ${r.name}: p50 ${fmtMs(r.g.p50)} / p95 ${fmtMs(r.g.p95)} ms vs count(*) p95 ${fmtMs(r.s.p95)} ms; total ${r.total?.toLocaleString('en-US') ?? '?'}${r.totalExact ? ' exact' : ' (capped)'}, count(*) ${r.exact?.toLocaleString('en-US') ?? '?'}${r.correct ? '' : ' WRONG'}`,
        ),
        data: rows.map((r) => ({ name: r.name, graphql: { ...r.g, captured: undefined }, sql: { ...r.s, captured: undefined }, total: r.total, totalExact: r.totalExact, exactCount: r.exact, correct: r.correct })),
      });
    }
    const later: [string, string, string][] = [
      ['P5', 'Excel export of 1,000,000 rows', '<= 4x COPY ... TO STDOUT; peak RSS <= 300 MB'],
      ['P6', 'PDF export of 100,000 rows', '<= 10 s; peak RSS <= 300 MB; event loop blocked <= 100 ms'],
      ['P7', 'one event to 2,000 subscribed agents', 'p99 <= 250 ms; 2nd instance +10 ms p50 (vs raw ws broadcast)'],
    ];
    results.push(p4?.row ?? { id: 'P4', workload: 'dashboard widgets for any date range, as a team leader', status: 'not measured', target: P4_TARGET, notes: [o.p4 ? 'the P4 run failed (see the log)' : 'skipped (--no-p4)'] });
    if (p8) {
      results.push({
        id: 'P8',
        workload: `e-mail ingestion: ${p8.messages.toLocaleString('en-US')} mails appended to a private Dovecot, one mailbox worker into applications (own database)`,
        status: p8.perSecond >= 100 && p8.exactlyOnce ? 'pass' : 'fail',
        measured: `${p8.perSecond.toFixed(1)} messages/s (${p8.seconds.toFixed(1)} s)`,
        baseline: `IMAP APPEND of the same mails: ${(p8.messages / p8.appendSeconds).toFixed(0)} messages/s`,
        ratio: '',
        target: '>= 100 messages/s, exactly once',
        notes: [
          `exactly once: ${p8.applications} applications for ${p8.messages} mails, ${p8.distinctSubjects} distinct; after a full rescan ${p8.afterRescan} (${p8.exactlyOnce ? 'ok' : 'WRONG'})`,
          `rescan of the folder (every mail a duplicate): ${(p8.messages / p8.rescanSeconds).toFixed(0)} messages/s`,
        ],
        data: p8,
      });
    } else {
      results.push({ id: 'P8', workload: 'e-mail ingestion from a real IMAP server', status: 'not measured', target: '>= 100 messages/s, exactly once', notes: [o.p8 ? 'the P8 run failed (see the log)' : 'skipped (--no-p8)'] });
    }
    for (const [tid, workload, target] of later) {
      if (tid === 'P5' && p5) {
        const ratio = p5.ms / p5.copyMs;
        results.push({
          id: tid,
          workload: `Excel export of ${p5.rows.toLocaleString('en-US')} applications (22 columns + extra fields, names resolved) as the administrator, an export job end to end`,
          status: ratio <= 4 && p5.maxRssMB <= 300 ? 'pass' : 'fail',
          measured: `${(p5.ms / 1000).toFixed(1)} s, peak RSS ${p5.maxRssMB.toFixed(0)} MB, ${(p5.bytes / 1e6).toFixed(0)} MB file`,
          baseline: `COPY ... TO STDOUT CSV ${(p5.copyMs / 1000).toFixed(1)} s`,
          ratio: `${ratio.toFixed(2)}x`,
          target,
          notes: [`RSS before the job ${p5.rssBeforeMB.toFixed(0)} MB (modules loaded); event loop max ${p5.eventLoopMaxMs.toFixed(0)} ms, p99 ${p5.eventLoopP99Ms.toFixed(0)} ms`],
          data: p5,
        });
        continue;
      }
      if (tid === 'P6' && p6) {
        const ok = p6.ms <= 10_000 && p6.maxRssMB <= 300 && p6.eventLoopMaxMs <= 100;
        results.push({
          id: tid,
          workload: `PDF export of ${p6.rows.toLocaleString('en-US')} applications (9 columns, landscape, embedded DejaVu font) as the administrator, an export job end to end`,
          status: ok ? 'pass' : 'fail',
          measured: `${(p6.ms / 1000).toFixed(1)} s, peak RSS ${p6.maxRssMB.toFixed(0)} MB, event loop max ${p6.eventLoopMaxMs.toFixed(0)} ms (p99 ${p6.eventLoopP99Ms.toFixed(0)} ms), ${(p6.bytes / 1e6).toFixed(0)} MB file`,
          target,
          notes: [`RSS before the job ${p6.rssBeforeMB.toFixed(0)} MB (modules loaded)`],
          data: p6,
        });
        continue;
      }
      if (tid === 'P5' || tid === 'P6') {
        results.push({ id: tid, workload, status: 'not measured', target, notes: [o.exports ? `the ${tid} run failed (see the log)` : 'skipped (--no-exports)'] });
        continue;
      }
      if (tid !== 'P7') results.push({ id: tid, workload, status: 'not measured', target, notes: ['the feature has not landed yet'] });
      else results.push(p7 ?? { id: tid, workload, status: 'not measured', target: P7_TARGET, notes: [o.p7 ? 'the P7 run failed (see the log)' : 'skipped (--no-p7)'] });
    }
    if (p9) {
      const ratio = p9.server.p50 / p9.graphqlJs.p50;
      results.push({
        id: 'P9',
        workload: `GraphQL execution of ${p9.rows.toLocaleString('en-US')} in-memory rows (11 fields + 2 relations, ${(p9.responseBytes / 1e6).toFixed(1)} MB JSON): type-graphql schema on Apollo Server 5 as configured by the server`,
        status: ratio <= 1.3 ? 'pass' : 'fail',
        measured: `p50 ${fmtMs(p9.server.p50)} / p95 ${fmtMs(p9.server.p95)} ms (n=${p9.server.n})`,
        baseline: `graphql-js p50 ${fmtMs(p9.graphqlJs.p50)} / p95 ${fmtMs(p9.graphqlJs.p95)} ms`,
        ratio: `${ratio.toFixed(2)}x p50`,
        target: '<= 1.3x graphql-js',
        notes: [
          `same type-graphql schema through graphql-js execute(): p50 ${fmtMs(p9.typeGraphqlExecute.p50)} ms (${(p9.typeGraphqlExecute.p50 / p9.graphqlJs.p50).toFixed(2)}x)`,
          `Apollo with its default cache-control plugin disabled: p50 ${fmtMs(p9.serverWithoutCacheControl.p50)} ms (${(p9.serverWithoutCacheControl.p50 / p9.graphqlJs.p50).toFixed(2)}x)`,
        ],
        data: p9,
      });
    } else {
      results.push({ id: 'P9', workload: 'GraphQL execution of 10,000 rows', status: 'not measured', target: '<= 1.3x graphql-js', notes: [o.p9 ? 'the P9 run failed (see the log)' : 'skipped (--no-p9)'] });
    }
  } finally {
    if (server.child.exitCode === null) {
      serverRss ??= rssOf(server.child.pid!);
      await server.stop();
    }
    await db.end();
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  // ---------------------------------------------------------------- output
  const seconds = (Date.now() - t0) / 1000;
  const loadAfter = loadAverage();
  process.stdout.write(
    `\nBenchmark: ${N.toLocaleString('en-US')} applications (seed ${meta.seed}), ${os.cpus().length} CPUs, node ${process.version}, PostgreSQL ${pgVersion}; ` +
      `load average ${loadBefore.join(' ')} before, ${loadAfter.join(' ')} after; ${seconds.toFixed(0)} s${o.quick ? ' (--quick)' : ''}\n\n`,
  );
  results.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  printTable(results);
  if (statements) {
    process.stdout.write('\nSQL statements per request (steady state; in-process count of pg queries):\n');
    for (const s of statements.operations) process.stdout.write(`  ${String(s.statements).padStart(3)}  ${s.name} as ${s.as}${s.runs.length > 1 ? ` (runs: ${s.runs.join(', ')})` : ''}${s.error ? `  ERROR ${s.error}` : ''}\n`);
  }
  process.stdout.write(`\nChecks:\n${checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`).join('\n')}\n`);
  process.stdout.write(`\nServer: ready in ${(serverStartMs / 1000).toFixed(1)} s, peak RSS ${serverRss ? serverRss.peakMB.toFixed(0) : '?'} MB\n`);

  const json = {
    version: 1,
    startedAt: startedAt.toISOString(),
    seconds: Math.round(seconds),
    quick: o.quick,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, postgres: pgVersion, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
    dataset: meta,
    server: { readyMs: serverStartMs, peakRssMB: serverRss?.peakMB ?? null },
    targets: results,
    statements: statements?.operations ?? null,
    checks,
    raw,
  };
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`\nWritten to ${path.relative(process.cwd(), o.out) || o.out}\n`);
}

main()
  .then(() => process.exit(0))
  .catch((err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack || err.message : String(err)}\n`);
    process.exit(1);
  });
