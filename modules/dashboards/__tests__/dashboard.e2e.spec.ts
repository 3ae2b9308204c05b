import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { codeOf, sleep, startTestApp, type GqlResult, type RoleName, type TestApp } from '../../../test/harness';

/**
 * The manager dashboard against ground truth: every widget is compared with plain SQL over the
 * applications the viewer can list (the list API is the definition of "may read"), for the
 * administrator, a team leader and an agent of the other team, over ranges that cut months,
 * after creations, stage changes, reassignments, category changes with time entries and
 * archiving. The rollups must also equal a rebuild from scratch.
 */

const WIDGETS = `
  from to fromRollups
  totals { total open closed averageHoursToAcceptance averageHoursToClose }
  byStage { id label count }
  byCategory { id label count level hasChildren }
  topAccounts { id label count }
  topProjects { id label count }
  byAssignee { id label open closed total }
  byTeam { id label open closed total }
  timeByUser { id label minutes }
  timeByCategory { id label minutes }
  timeByProject { id label minutes }
  timeByAccount { id label minutes }
  timeline { start opened closed }
`;
const DASHBOARD = `query($i: DashboardInput!) { dashboard(input: $i) { ${WIDGETS} } }`;
const CREATE = 'mutation($i: CreateApplicationInput!) { createApplication(input: $i) { id version } }';
const LIST = 'query($f: ApplicationFilter, $p: PageInput) { applications(filter: $f, page: $p) { pageInfo { hasNextPage endCursor } items { id } } }';

function ok<T = any>(res: GqlResult<T>): T {
  if (res.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(res.errors)}`);
  return res.data as T;
}

type Row = Record<string, any>;

describe('dashboards', () => {
  let t: TestApp;
  const cat: Record<string, string> = {};
  const accounts: string[] = [];
  const projects: string[] = [];
  let stages: { id: string; name: string; closed: boolean }[] = [];
  const apps: { id: string; version: number }[] = [];
  const uid = (r: RoleName) => String(t.world.users[r].id);

  beforeAll(async () => {
    t = await startTestApp();
    const mkCat = async (name: string, parentId?: string) => ok(await t.gql('mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id } }', { i: { name, parentId } }, { as: 'admin' })).createCategory.id as string;
    cat.sikayet = await mkCat('Şikâyet');
    cat.fatura = await mkCat('Fatura', cat.sikayet);
    cat.yuksek = await mkCat('Yüksek fatura', cat.fatura);
    cat.yuksekIade = await mkCat('İade talebi', cat.yuksek);
    cat.gecikme = await mkCat('Gecikmeli fatura', cat.fatura);
    cat.teslimat = await mkCat('Teslimat', cat.sikayet);
    cat.istek = await mkCat('İstek');
    cat.bilgi = await mkCat('Bilgi talebi', cat.istek);
    for (const name of ['Işık Elektrik A.Ş.', 'Çağrı Gıda Ltd. Şti.', 'Öztürk İnşaat']) {
      accounts.push(ok(await t.gql('mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }', { i: { kind: 'COMPANY', name } }, { as: 'admin' })).createAccount.id);
    }
    for (const [name, code] of [['Kurumsal Destek', 'KD'], ['Bireysel Satış', 'BS']]) {
      projects.push(ok(await t.gql('mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }', { i: { name, code } }, { as: 'admin' })).createProject.id);
    }
    stages = ok(await t.gql('{ processStages(page: { limit: 100 }) { items { id name closed } } }', {}, { as: 'admin' })).processStages.items;

    // 36 applications over four months; some fall on both sides of Istanbul midnight at month ends.
    const dates = [
      '2026-01-05T09:00:00Z', '2026-01-20T12:00:00Z', '2026-01-31T20:59:00Z', '2026-01-31T21:00:00Z', '2026-02-01T08:00:00Z', '2026-02-14T10:00:00Z',
      '2026-02-28T20:30:00Z', '2026-02-28T21:30:00Z', '2026-03-01T06:00:00Z', '2026-03-10T13:00:00Z', '2026-03-15T07:00:00Z', '2026-03-31T22:00:00Z',
    ];
    const assignees = [
      { teamId: String(t.world.teams.A) },
      { userId: uid('agentA1'), teamId: String(t.world.teams.A) },
      { userId: uid('agentA2') },
      { teamId: String(t.world.teams.B) },
      { userId: uid('agentB1') },
      { everyone: true },
      null,
    ];
    const categories = [
      { categoryId: cat.sikayet, subcategoryId: cat.fatura, treeCategoryId: cat.yuksek },
      { categoryId: cat.sikayet, subcategoryId: cat.fatura, treeCategoryId: cat.yuksekIade },
      { categoryId: cat.sikayet, subcategoryId: cat.fatura, treeCategoryId: cat.gecikme },
      { categoryId: cat.sikayet, subcategoryId: cat.teslimat },
      { categoryId: cat.sikayet },
      { categoryId: cat.istek, subcategoryId: cat.bilgi },
    ];
    for (let i = 0; i < 36; i++) {
      const input = {
        subject: `Başvuru ${i}: ığüşöç İĞÜŞÖÇ`,
        applicantId: accounts[i % 3 === 0 ? 0 : i % 5 === 0 ? 2 : 1],
        applicationDate: dates[i % dates.length],
        acceptanceDate: i % 4 === 0 ? new Date(new Date(dates[i % dates.length]).getTime() + (i + 1) * 3600_000).toISOString() : undefined,
        projectId: i % 3 === 2 ? null : projects[i % 2],
        assignee: assignees[i % assignees.length],
        ...categories[i % categories.length],
      };
      apps.push(ok(await t.gql(CREATE, { i: input }, { as: 'admin' })).createApplication);
    }
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  /** Ids of the applications `who` can list: the definition of what they may read. */
  async function readable(who: RoleName): Promise<number[]> {
    const ids: number[] = [];
    let after: string | undefined;
    for (;;) {
      const page = ok(await t.gql(LIST, { p: { limit: 200, after } }, { as: who })).applications;
      ids.push(...page.items.map((a: { id: string }) => Number(a.id)));
      if (!page.pageInfo.hasNextPage) return ids;
      after = page.pageInfo.endCursor;
    }
  }

  const DAY = `(a.application_date at time zone 'Europe/Istanbul')::date`;

  /** Ground truth for one viewer and range, in plain SQL. */
  async function truth(ids: number[], from: string, to: string, parent?: string) {
    const inRange = `a.id = any($1) and a.archived_at is null and ${DAY} between $2 and $3`;
    const p = [ids, from, to];
    const group = async (col: string) => Object.fromEntries((await t.sql(`select ${col} k, count(*)::int n from applications a where ${inRange} group by 1`, p)).map((r) => [String(r.k), r.n]));
    const [tot] = await t.sql(
      `select count(*)::int total, count(*) filter (where closed_at is not null)::int closed,
         avg(extract(epoch from acceptance_date - application_date)) filter (where acceptance_date is not null) / 3600 acc,
         avg(extract(epoch from closed_at - application_date)) filter (where closed_at is not null) / 3600 cls
       from applications a where ${inRange}`,
      p,
    );
    const work = async (col: string) =>
      Object.fromEntries(
        (await t.sql(`select ${col} k, count(*)::int total, count(*) filter (where closed_at is not null)::int closed from applications a where ${inRange} group by 1`, p)).map((r) => [String(r.k), r]),
      );
    const time = async (col: string) =>
      Object.fromEntries(
        (
          await t.sql(
            `select ${col} k, sum(te.minutes)::int n from time_entries te join applications a on a.id = te.application_id
             where a.id = any($1) and a.archived_at is null and te.date between $2 and $3 group by 1`,
            p,
          )
        ).map((r) => [String(r.k), r.n]),
      );
    const opened = Object.fromEntries((await t.sql(`select to_char(${DAY}, 'YYYY-MM-DD') k, count(*)::int n from applications a where ${inRange} group by 1`, p)).map((r) => [r.k, r.n]));
    const closedOn = Object.fromEntries(
      (
        await t.sql(
          `select to_char((closed_at at time zone 'Europe/Istanbul')::date, 'YYYY-MM-DD') k, count(*)::int n from applications a
           where a.id = any($1) and a.archived_at is null and (closed_at at time zone 'Europe/Istanbul')::date between $2 and $3 group by 1`,
          p,
        )
      ).map((r) => [r.k, r.n]),
    );
    const categoryCol = parent === undefined ? 'a.category_id' : parent === cat.sikayet ? 'a.subcategory_id' : parent === cat.fatura ? `case when a.tree_category_id = ${cat.yuksekIade} then ${cat.yuksek} else a.tree_category_id end` : null;
    const categoryWhere = parent === undefined ? 'true' : parent === cat.sikayet ? `a.category_id = ${cat.sikayet}` : `a.subcategory_id = ${parent}`;
    const categories = Object.fromEntries(
      (await t.sql(`select ${categoryCol} k, count(*)::int n from applications a where ${inRange} and ${categoryWhere} group by 1`, p)).map((r) => [String(r.k), r.n]),
    );
    return {
      tot,
      stage: await group('a.stage_id'),
      account: await group('a.applicant_id'),
      project: await group('a.project_id'),
      user: await work('a.assignee_user_id'),
      team: await work('a.assignee_team_id'),
      timeUser: await time('te.user_id'),
      timeProject: await time('te.project_id'),
      timeAccount: await time('te.account_id'),
      timeCategory: await time('a.category_id'),
      opened,
      closedOn,
      categories,
    };
  }

  async function compare(who: RoleName, from: string, to: string, extra: Record<string, unknown> = {}) {
    const d = ok(await t.gql(DASHBOARD, { i: { from, to, top: 100, ...extra } }, { as: who })).dashboard;
    const g = await truth(await readable(who), from, to, extra.categoryParentId as string | undefined);
    expect(d.totals.total).toBe(g.tot.total);
    expect(d.totals.closed).toBe(g.tot.closed);
    expect(d.totals.open).toBe(g.tot.total - g.tot.closed);
    const hours = (v: unknown) => (v === null ? null : Math.round(Number(v) * 100) / 100);
    expect(d.totals.averageHoursToAcceptance).toBe(hours(g.tot.acc));
    expect(d.totals.averageHoursToClose).toBe(hours(g.tot.cls));
    expect(Object.fromEntries(d.byStage.map((r: Row) => [r.id, r.count]))).toEqual(g.stage);
    expect(Object.fromEntries(d.topAccounts.map((r: Row) => [r.id, r.count]))).toEqual(g.account);
    const projectsTruth = Object.fromEntries(Object.entries(g.project).filter(([k]) => k !== 'null'));
    expect(Object.fromEntries(d.topProjects.map((r: Row) => [r.id, r.count]))).toEqual(projectsTruth);
    expect(Object.fromEntries(d.byAssignee.map((r: Row) => [String(r.id), [r.total, r.closed, r.open]]))).toEqual(
      Object.fromEntries(Object.entries(g.user).map(([k, r]: [string, any]) => [k, [r.total, r.closed, r.total - r.closed]])),
    );
    expect(Object.fromEntries(d.byTeam.map((r: Row) => [String(r.id), [r.total, r.closed]]))).toEqual(Object.fromEntries(Object.entries(g.team).map(([k, r]: [string, any]) => [k, [r.total, r.closed]])));
    expect(Object.fromEntries(d.timeByUser.map((r: Row) => [String(r.id), r.minutes]))).toEqual(g.timeUser);
    expect(Object.fromEntries(d.timeByProject.map((r: Row) => [String(r.id), r.minutes]))).toEqual(g.timeProject);
    expect(Object.fromEntries(d.timeByAccount.map((r: Row) => [String(r.id), r.minutes]))).toEqual(g.timeAccount);
    if (extra.categoryParentId === undefined) expect(Object.fromEntries(d.timeByCategory.map((r: Row) => [String(r.id), r.minutes]))).toEqual(g.timeCategory);
    expect(Object.fromEntries(d.byCategory.map((r: Row) => [String(r.id), r.count]))).toEqual(g.categories);
    const opened = Object.fromEntries(d.timeline.filter((p: Row) => p.opened).map((p: Row) => [p.start, p.opened]));
    const closed = Object.fromEntries(d.timeline.filter((p: Row) => p.closed).map((p: Row) => [p.start, p.closed]));
    if (!extra.granularity || extra.granularity === 'DAY') {
      expect(opened).toEqual(g.opened);
      expect(closed).toEqual(g.closedOn);
    }
    expect(d.timeline.reduce((s: number, p: Row) => s + p.opened, 0)).toBe(g.tot.total);
    return d;
  }

  const RANGES: [string, string][] = [
    ['2026-01-01', '2026-12-31'], // whole months only
    ['2026-01-20', '2026-03-10'], // days, a whole month, days
    ['2026-02-01', '2026-02-01'], // one day: the 31 January 21:00 UTC application is Istanbul's 1 February
    ['2026-01-31', '2026-02-28'], // the edges of Istanbul days
    ['2025-01-01', '2025-12-31'], // nothing
  ];

  it('equals SQL ground truth for every widget and range, as admin, team leader and agent', async () => {
    for (const who of ['admin', 'leaderA', 'agentB1'] as RoleName[]) {
      for (const [from, to] of RANGES) {
        const d = await compare(who, from, to);
        expect(d.fromRollups).toBe(true);
      }
    }
    const one = ok(await t.gql(DASHBOARD, { i: { from: '2026-02-01', to: '2026-02-01' } }, { as: 'admin' })).dashboard;
    expect(one.totals.total).toBe(6); // 31 January 21:00 UTC and 1 February 08:00 UTC, three applications each
  });

  it('stays exact through stage changes, reassignments, category changes with time entries, and archiving', async () => {
    const closedStage = stages.find((s) => s.closed)!;
    const change = 'mutation($id: ID!, $v: Int!, $s: ID!) { changeApplicationStage(id: $id, version: $v, stageId: $s) { id version } }';
    for (const i of [0, 1, 5, 8, 13, 21]) {
      apps[i] = ok(await t.gql(change, { id: apps[i].id, v: apps[i].version, s: closedStage.id }, { as: 'admin' })).changeApplicationStage;
    }
    const addTime = 'mutation($a: ID!, $i: TimeEntryInput!) { addTimeEntry(applicationId: $a, input: $i) { id } }';
    for (const [i, who, date, minutes] of [
      [2, 'agentA1', '2026-02-01', 30],
      [2, 'agentA2', '2026-02-02', 45],
      [9, 'admin', '2026-03-31', 15],
      [10, 'agentB1', '2026-01-31', 20],
      [14, 'leaderA', '2026-03-01', 60],
    ] as [number, RoleName, string, number][]) {
      // The admin enters time for everyone (agents may only add time to what they can read).
      const res = await t.gql(addTime, { a: apps[i].id, i: { minutes, date, note: 'Müşteriyle görüşüldü' } }, { as: who });
      if (res.errors) ok(await t.gql(addTime, { a: apps[i].id, i: { minutes, date } }, { as: 'admin' }));
    }
    const fresh = async (i: number) => (apps[i] = ok(await t.gql('query($id: ID!) { application(id: $id) { id version } }', { id: apps[i].id }, { as: 'admin' })).application);
    // Time entries move with their application's assignee and category.
    await fresh(2);
    apps[2] = ok(await t.gql('mutation($id: ID!, $v: Int!, $i: AssigneeInput!) { assignApplication(id: $id, version: $v, input: $i) { id version } }', { id: apps[2].id, v: apps[2].version, i: { userId: uid('agentB1') } }, { as: 'admin' })).assignApplication;
    await fresh(9);
    apps[9] = ok(
      await t.gql('mutation($id: ID!, $v: Int!, $i: UpdateApplicationInput!) { updateApplication(id: $id, version: $v, input: $i) { id version } }', { id: apps[9].id, v: apps[9].version, i: { categoryId: cat.istek, subcategoryId: cat.bilgi, treeCategoryId: null } }, { as: 'admin' }),
    ).updateApplication;
    ok(await t.gql('mutation($id: ID!) { archiveApplication(id: $id) { id } }', { id: apps[14].id }, { as: 'admin' }));

    for (const who of ['admin', 'leaderA', 'agentA1', 'agentB1'] as RoleName[]) {
      for (const [from, to] of RANGES.slice(0, 4)) await compare(who, from, to);
    }
    // Drill-down: Şikâyet → its subcategories → Fatura's tree categories (İade talebi counts under Yüksek fatura).
    await compare('admin', '2026-01-01', '2026-12-31', { categoryParentId: cat.sikayet });
    const drill = await compare('leaderA', '2026-01-15', '2026-03-20', { categoryParentId: cat.fatura });
    expect(drill.byCategory.every((r: Row) => r.id === null || [cat.yuksek, cat.gecikme].includes(r.id))).toBe(true);
    // Weeks and months add up to the same.
    await compare('leaderA', '2026-01-20', '2026-03-10', { granularity: 'WEEK' });
    await compare('admin', '2026-01-20', '2026-03-10', { granularity: 'MONTH' });
  });

  it('answers any other list filter from the applications themselves, with the same figures', async () => {
    const d = ok(await t.gql(DASHBOARD, { i: { from: '2026-01-01', to: '2026-12-31', filter: { search: 'başvuru 1' } } }, { as: 'leaderA' })).dashboard;
    expect(d.fromRollups).toBe(false);
    const ids = await readable('leaderA');
    const matching = await t.sql(`select id from applications where id = any($1) and subject ilike 'Başvuru 1%'`, [ids]);
    expect(d.totals.total).toBe(matching.length);
    const byAssignee = ok(await t.gql(DASHBOARD, { i: { from: '2026-01-01', to: '2026-12-31', filter: { assigneeTeamIds: [String(t.world.teams.A)] } } }, { as: 'admin' })).dashboard;
    expect(byAssignee.fromRollups).toBe(true);
    const [{ n }] = await t.sql(`select count(*)::int n from applications where assignee_team_id = $1 and archived_at is null`, [t.world.teams.A]);
    expect(byAssignee.totals.total).toBe(n);
    // The same question both ways gives the same answer.
    const slow = ok(await t.gql(DASHBOARD, { i: { from: '2026-01-20', to: '2026-03-10', filter: { applicationDate: { from: '2020-01-01T00:00:00Z' } } } }, { as: 'leaderA' })).dashboard;
    const fast = ok(await t.gql(DASHBOARD, { i: { from: '2026-01-20', to: '2026-03-10' } }, { as: 'leaderA' })).dashboard;
    expect(slow.fromRollups).toBe(false);
    const { from: _f, fromRollups: _a, ...slowRest } = slow;
    const { from: _g, fromRollups: _b, ...fastRest } = fast;
    expect(slowRest).toEqual(fastRest);
  });

  it('rollups equal a rebuild from scratch', async () => {
    const snapshot = `select grain, kind, period::text, assignee_user_id, assignee_team_id, assignee_everyone, k1, k2, k3, n::int, accept_secs::int, accepted::int, close_secs::int, closed::int
      from application_stats where n <> 0 or accepted <> 0 or closed <> 0 order by 1,2,3,4,5,6,7,8,9`;
    const before = await t.sql(snapshot);
    expect(before.length).toBeGreaterThan(0);
    await t.sql('select application_stats_rebuild()');
    expect(await t.sql(snapshot)).toEqual(before);
  });

  it('never counts or names what the viewer may not read', async () => {
    const b = ok(await t.gql(DASHBOARD, { i: { from: '2026-01-01', to: '2026-12-31' } }, { as: 'agentB1' })).dashboard;
    const a = ok(await t.gql(DASHBOARD, { i: { from: '2026-01-01', to: '2026-12-31' } }, { as: 'leaderA' })).dashboard;
    const teamA = String(t.world.teams.A);
    expect(b.byTeam.some((r: Row) => r.id === teamA)).toBe(false);
    expect(b.byAssignee.some((r: Row) => [uid('agentA1'), uid('agentA2')].includes(r.id))).toBe(false);
    expect(a.byTeam.some((r: Row) => r.id === String(t.world.teams.B))).toBe(false);
    expect(b.totals.total).toBeLessThan(36);
    expect(b.totals.total + a.totals.total).toBeGreaterThan(b.totals.total);
    const anon = await t.gql(DASHBOARD, { i: { from: '2026-01-01', to: '2026-12-31' } });
    expect(codeOf(anon)).toBe('UNAUTHENTICATED');
  });

  it('refuses bad input naming the field', async () => {
    const bad = await t.gql(DASHBOARD, { i: { from: '2026-03-01', to: '2026-02-01' } }, { as: 'admin' });
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0].extensions!.field).toBe('input.to');
    const parent = await t.gql(DASHBOARD, { i: { from: '2026-01-01', to: '2026-02-01', categoryParentId: '999999' } }, { as: 'admin' });
    expect(codeOf(parent)).toBe('BAD_USER_INPUT');
    expect(parent.errors![0].extensions!.field).toBe('input.categoryParentId');
    const top = await t.gql(DASHBOARD, { i: { from: '2026-01-01', to: '2026-02-01', top: 1000 } }, { as: 'admin' });
    expect(codeOf(top)).toBe('BAD_USER_INPUT');
    const notADate = await t.gql(DASHBOARD, { i: { from: '2026-02-30', to: '2026-03-01' } }, { as: 'admin' });
    expect(codeOf(notADate)).toBe('BAD_USER_INPUT');
    expect(notADate.errors![0].extensions!.field).toBe('input.from');
  });

  it('bounds the range: years 1900-2199, and a timeline of at most 3660 periods', async () => {
    // Near year 9999 the timeline used to build thousands of periods and fail with a 500.
    const farVar = await t.gql(DASHBOARD, { i: { from: '9999-12-31', to: '9999-12-31' } }, { as: 'admin' });
    expect(codeOf(farVar)).toBe('BAD_USER_INPUT');
    expect(farVar.errors!.map((e) => e.extensions!.field).sort()).toEqual(['input.from']);
    const farLiteral = await t.gql('{ dashboard(input: {from: "2026-01-01", to: "9999-12-31"}) { totals { total } timeline { start } } }', {}, { as: 'admin' });
    expect(codeOf(farLiteral)).toBe('BAD_USER_INPUT');
    expect(farLiteral.errors![0].extensions!.field).toBe('input.to');
    const year0 = await t.gql(DASHBOARD, { i: { from: '0000-01-01', to: '2026-01-01' } }, { as: 'admin' });
    expect(codeOf(year0)).toBe('BAD_USER_INPUT');
    expect(year0.errors![0].extensions!.field).toBe('input.from');
    // A century by the day is too many periods; by the month it is fine.
    const byDay = await t.gql(DASHBOARD, { i: { from: '2000-01-01', to: '2099-12-31' } }, { as: 'admin' });
    expect(codeOf(byDay)).toBe('BAD_USER_INPUT');
    expect(byDay.errors![0].extensions).toMatchObject({ field: 'input.to', maxPeriods: 3660 });
    const byMonth = ok(await t.gql('query($i: DashboardInput!) { dashboard(input: $i) { totals { total } timeline { start } } }', { i: { from: '2000-01-01', to: '2099-12-31', granularity: 'MONTH' } }, { as: 'admin' }));
    expect(byMonth.dashboard.timeline).toHaveLength(100 * 12);
    expect(byMonth.dashboard.timeline[0].start).toBe('2000-01-01');
    const tenYears = ok(await t.gql('query($i: DashboardInput!) { dashboard(input: $i) { timeline { start } } }', { i: { from: '2020-01-01', to: '2029-12-31' } }, { as: 'admin' }));
    expect(tenYears.dashboard.timeline).toHaveLength(3653);
  });

  it('tells subscribers to refresh when applications they may read change, and only then', async () => {
    const leader = t.ws(t.world.users.leaderA.token);
    const other = t.ws(t.world.users.agentB1.token);
    const received: Record<string, number> = { leader: 0, other: 0 };
    const sub = (c: typeof leader, key: string) =>
      c.subscribe({ query: 'subscription { dashboardChanged { at changes } }' }, { next: () => void received[key]++, error: () => undefined, complete: () => undefined });
    const offs = [sub(leader, 'leader'), sub(other, 'other')];
    await sleep(300);
    for (let i = 0; i < 3; i++) {
      ok(await t.gql(CREATE, { i: { subject: `Canlı ${i}`, applicantId: accounts[0], categoryId: cat.istek, assignee: { teamId: String(t.world.teams.A) } } }, { as: 'admin' }));
    }
    for (let i = 0; i < 40 && received.leader === 0; i++) await sleep(50);
    await sleep(700);
    expect(received.leader).toBeGreaterThanOrEqual(1);
    expect(received.leader).toBeLessThanOrEqual(2); // three changes, coalesced
    expect(received.other).toBe(0);
    offs.forEach((off) => off());
    await Promise.all([leader.dispose(), other.dispose()]);
  });

  describe('exports', () => {
    const EXPORT = 'mutation($i: DashboardInput!, $f: ExportFormat!) { exportDashboard(input: $i, format: $f) { id status } }';
    const JOB = 'query($id: ID!) { exportJob(id: $id) { id status error downloadUrl fileName } }';
    async function exported(who: RoleName, format: 'PDF' | 'XLSX', input: Record<string, unknown>): Promise<{ buf: Buffer; fileName: string }> {
      const { id } = ok(await t.gql(EXPORT, { i: input, f: format }, { as: who })).exportDashboard;
      for (let i = 0; i < 300; i++) {
        const job = ok(await t.gql(JOB, { id }, { as: who })).exportJob;
        if (job.status === 'DONE') {
          const res = await request(t.url).get(job.downloadUrl).buffer(true).parse((r, cb) => {
            const chunks: Buffer[] = [];
            r.on('data', (c: Buffer) => chunks.push(c));
            r.on('end', () => cb(null, Buffer.concat(chunks)));
          });
          expect(res.status).toBe(200);
          return { buf: res.body as Buffer, fileName: job.fileName };
        }
        if (job.status !== 'QUEUED' && job.status !== 'RUNNING') throw new Error(`export ${job.status}: ${job.error}`);
        await sleep(100);
      }
      throw new Error('the export did not finish');
    }
    const pdfText = (buf: Buffer) => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dash-')), 'panel.pdf');
      fs.writeFileSync(file, buf);
      return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    };

    it('draws the dashboard to PDF with Turkish labels intact and the viewer’s own figures', async () => {
      const input = { from: '2026-01-01', to: '2026-12-31' };
      const d = ok(await t.gql(DASHBOARD, { i: input }, { as: 'leaderA' })).dashboard;
      const { buf, fileName } = await exported('leaderA', 'PDF', input);
      expect(buf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(fileName).toBe('Panel 2026-01-01_2026-12-31.pdf');
      const text = pdfText(buf);
      for (const s of ['Çağrı merkezi paneli', 'Tarih aralığı: 01.01.2026 – 31.12.2026', 'Aşamalar', 'Kategoriler', 'Şikâyet', 'İstek', 'Harcanan süre: kullanıcı', 'Açılan ve kapanan başvurular']) expect(text).toContain(s);
      expect(text).toMatch(new RegExp(`Toplam başvuru\\s+${d.totals.total}\\b`));
      for (const a of d.topAccounts) expect(text).toContain(a.label);
      // The other team's assignee never appears in team A's leader's export.
      const b = ok(await t.gql('query($id: ID!) { user(id: $id) { name } }', { id: uid('agentB1') }, { as: 'admin' })).user.name;
      expect(d.byAssignee.some((r: Row) => r.id === uid('agentB1'))).toBe(false);
      expect(text).not.toContain(b);
    });

    it('writes the dashboard tables to Excel, a sheet per widget, numbers as numbers', async () => {
      const input = { from: '2026-01-20', to: '2026-03-10', granularity: 'WEEK' };
      const d = ok(await t.gql(DASHBOARD, { i: input }, { as: 'admin' })).dashboard;
      const { buf } = await exported('admin', 'XLSX', input);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(buf as never);
      expect(wb.worksheets.map((w) => w.name)).toEqual(expect.arrayContaining(['Özet', 'Zaman çizelgesi', 'Aşamalar', 'Kategoriler', 'Hesaplar', 'Takımlar', 'Süre - kullanıcı']));
      const stages = wb.getWorksheet('Aşamalar')!;
      const values: number[] = [];
      stages.eachRow((row, n) => {
        if (n > 1) values.push(row.getCell(2).value as number);
      });
      expect(values.every((v) => typeof v === 'number')).toBe(true);
      expect(values.reduce((a, b) => a + b, 0)).toBe(d.totals.total);
      const summary = wb.getWorksheet('Özet')!;
      expect(summary.getRow(2).getCell(1).value).toBeInstanceOf(Date);
      expect(summary.getRow(2).getCell(3).value).toBe(d.totals.total);
      const timeline = wb.getWorksheet('Zaman çizelgesi')!;
      expect(timeline.getRow(2).getCell(1).value).toBeInstanceOf(Date);
      expect(timeline.rowCount - 1).toBe(d.timeline.length);
      const accounts = wb.getWorksheet('Hesaplar')!;
      expect(accounts.getRow(2).getCell(1).value).toBe(d.topAccounts[0].label);
    });

    it('refuses a bad range before queueing anything', async () => {
      const bad = await t.gql(EXPORT, { i: { from: '2026-03-01', to: '2026-02-01' }, f: 'PDF' }, { as: 'admin' });
      expect(codeOf(bad)).toBe('BAD_USER_INPUT');
      expect(bad.errors![0].extensions!.field).toBe('input.to');
    });
  });
});
