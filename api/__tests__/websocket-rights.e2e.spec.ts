import v8 from 'node:v8';
import vm from 'node:vm';
import type { Client } from 'graphql-ws';
import { codeOf, sleep, startTestApp, type GqlResult, type RoleName, type TestApp } from '../../test/harness';

/**
 * An open WebSocket acts with its user's current rights, not with the rights the user had when
 * it connected; and a subscription kept open for a whole shift holds no memory per event.
 */

const APP_CHANGED = 'subscription { applicationChanged { kind application { id subject applicant { name } stage { name } category { name } } } }';
const CREATE_APP = 'mutation($i: CreateApplicationInput!) { createApplication(input: $i) { id version } }';
const ADD_FOLLOW_UP = 'mutation($a: ID!, $i: FollowUpInput!) { addFollowUp(applicationId: $a, input: $i) { id } }';
const APPLICATION = 'query($id: ID!) { application(id: $id) { id } }';

function ok<T = any>(res: GqlResult<T>): T {
  if (res.errors?.length) throw new Error(JSON.stringify(res.errors));
  return res.data as T;
}

/** One operation over the socket: its data, or its first error. */
function over(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: any; errors?: any[] }> {
  return new Promise((resolve, reject) => {
    let result: { data?: any; errors?: any[] } = {};
    client.subscribe(
      { query, variables },
      {
        next: (v) => (result = v as never),
        error: (e) => (Array.isArray(e) ? resolve({ errors: e }) : reject(e)),
        complete: () => resolve(result),
      },
    );
  });
}

/** Collects the ids of every applicationChanged event the subscriber receives. */
function collect(client: Client): { ids: string[]; errors: unknown[]; dispose(): void } {
  const out = { ids: [] as string[], errors: [] as unknown[], dispose: () => undefined as void };
  out.dispose = client.subscribe<{ applicationChanged: { application: { id: string } } }>(
    { query: APP_CHANGED },
    {
      next: (v) => (v.errors ? out.errors.push(v.errors) : out.ids.push(v.data!.applicationChanged.application.id)),
      error: (e) => out.errors.push(e),
      complete: () => undefined,
    },
  );
  return out;
}

async function eventually(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(25);
  }
}

describe('WebSocket rights follow the user', () => {
  let t: TestApp;
  let input: (over?: Record<string, unknown>) => Record<string, unknown>;

  beforeAll(async () => {
    t = await startTestApp({ WS_MAX_CONNECTIONS_PER_USER: '4', WS_SESSION_CHECK_SECONDS: '3600' });
    const account = ok(await t.gql('mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }', { i: { kind: 'COMPANY', name: 'Işık Elektrik A.Ş.' } }, { as: 'admin' })).createAccount.id;
    const category = ok(await t.gql('mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id } }', { i: { name: 'Şikâyet' } }, { as: 'admin' })).createCategory.id;
    input = (over = {}) => ({ applicantId: account, categoryId: category, subject: 'Fatura yüksek geldi', assignee: { teamId: String(t.world.teams.A) }, ...over });
  });
  afterAll(() => t.stop());

  const token = (who: RoleName) => t.world.users[who].token;

  test('removed from the team: its events stop at once and writes over the socket are refused', async () => {
    const a1 = t.ws(token('agentA1'));
    const a2 = t.ws(token('agentA2'));
    const subA1 = collect(a1);
    const subA2 = collect(a2);
    await sleep(300);

    const first = ok(await t.gql(CREATE_APP, { i: input() }, { as: 'admin' })).createApplication.id;
    await eventually('both agents of team A see the first application', () => subA1.ids.includes(first) && subA2.ids.includes(first));
    expect((await over(a1, ADD_FOLLOW_UP, { a: first, i: { text: 'Müşteri arandı' } })).data?.addFollowUp?.id).toBeDefined();

    // The administrator takes agentA1 out of team A.
    const team = ok(await t.gql('query($id: ID!) { team(id: $id) { version } }', { id: String(t.world.teams.A) }, { as: 'admin' })).team;
    ok(await t.gql('mutation($id: ID!, $v: Int!, $i: UpdateTeamInput!) { updateTeam(id: $id, version: $v, input: $i) { id } }', { id: String(t.world.teams.A), v: team.version, i: { memberIds: [String(t.world.users.agentA2.id)] } }, { as: 'admin' }));
    // HTTP answers change at once; the socket's follow within the event's delivery.
    expect(codeOf(await t.gql(APPLICATION, { id: first }, { as: 'agentA1' }))).toBe('NOT_FOUND');
    await eventually('the socket no longer reads the application', async () => (await over(a1, APPLICATION, { id: first })).errors?.[0]?.extensions?.code === 'NOT_FOUND');

    const second = ok(await t.gql(CREATE_APP, { i: input({ subject: 'İkinci başvuru' }) }, { as: 'admin' })).createApplication.id;
    await eventually('agentA2 sees the second application', () => subA2.ids.includes(second));
    await sleep(500);
    expect(subA1.ids).not.toContain(second);
    expect(subA1.errors).toEqual([]);
    const write = await over(a1, ADD_FOLLOW_UP, { a: second, i: { text: 'Yetkisiz not' } });
    expect(write.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(ok(await t.gql('query($id: ID!) { application(id: $id) { followUpCount } }', { id: second }, { as: 'admin' })).application.followUpCount).toBe(0);

    // Back in the team: the same socket receives the team's events again.
    const team2 = ok(await t.gql('query($id: ID!) { team(id: $id) { version } }', { id: String(t.world.teams.A) }, { as: 'admin' })).team;
    ok(await t.gql('mutation($id: ID!, $v: Int!, $i: UpdateTeamInput!) { updateTeam(id: $id, version: $v, input: $i) { id } }', { id: String(t.world.teams.A), v: team2.version, i: { memberIds: [String(t.world.users.agentA1.id), String(t.world.users.agentA2.id)] } }, { as: 'admin' }));
    await eventually('the socket reads the application again', async () => !!(await over(a1, APPLICATION, { id: second })).data?.application);
    const third = ok(await t.gql(CREATE_APP, { i: input({ subject: 'Üçüncü başvuru' }) }, { as: 'admin' })).createApplication.id;
    await eventually('agentA1 sees the third application', () => subA1.ids.includes(third));
    subA1.dispose();
    subA2.dispose();
  });

  test('roles taken away: mutations over the socket are refused', async () => {
    const a1 = t.ws(token('agentA1'));
    const own = (await over(a1, CREATE_APP, { i: input({ subject: 'Rolüyle açtı' }) })).data?.createApplication?.id;
    expect(own).toBeDefined();
    const sub = collect(a1);
    await sleep(200);

    const empty = ok(await t.gql('mutation($i: CreateRoleInput!) { createRole(input: $i) { id } }', { i: { name: 'Yetkisiz', grants: [] } }, { as: 'admin' })).createRole.id;
    const user = ok(await t.gql('query($id: ID!) { user(id: $id) { version } }', { id: String(t.world.users.agentA1.id) }, { as: 'admin' })).user;
    ok(await t.gql('mutation($id: ID!, $v: Int!, $i: UpdateUserInput!) { updateUser(id: $id, version: $v, input: $i) { id } }', { id: String(t.world.users.agentA1.id), v: user.version, i: { roleIds: [empty] } }, { as: 'admin' }));

    await eventually('the socket can no longer read', async () => (await over(a1, APPLICATION, { id: own })).errors?.[0]?.extensions?.code === 'NOT_FOUND');
    expect((await over(a1, CREATE_APP, { i: input({ subject: 'Rolsüz deneme' }) })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const after = ok(await t.gql(CREATE_APP, { i: input({ subject: 'Takıma yeni iş' }) }, { as: 'admin' })).createApplication.id;
    await sleep(600);
    expect(sub.ids).not.toContain(after);
    const rows = await t.sql<{ n: number }>("select count(*)::int as n from applications where subject = 'Rolsüz deneme'");
    expect(rows[0].n).toBe(0);
    sub.dispose();
  });

  test('a disabled user’s sockets close at once, without waiting for the periodic check', async () => {
    const b1 = t.ws(token('agentB1'));
    const closed = new Promise<number>((resolve) => b1.on('closed', (e) => resolve((e as { code: number }).code)));
    // A subscription keeps the (lazy) socket open.
    const sub = collect(b1);
    await eventually('connected', async () => (await over(b1, '{ me { id } }')).data?.me?.id !== undefined);
    const user = ok(await t.gql('query($id: ID!) { user(id: $id) { version } }', { id: String(t.world.users.agentB1.id) }, { as: 'admin' })).user;
    ok(await t.gql('mutation($id: ID!, $v: Int!, $i: UpdateUserInput!) { updateUser(id: $id, version: $v, input: $i) { id } }', { id: String(t.world.users.agentB1.id), v: user.version, i: { active: false } }, { as: 'admin' }));
    // WS_SESSION_CHECK_SECONDS is an hour here: only the event can close it.
    const code = await Promise.race([closed, sleep(3000).then(() => 0)]);
    expect(code).toBe(4403);
    sub.dispose();
  });

  test('a bad variable over the socket names its field, as over HTTP', async () => {
    const res = await over(t.ws(token('leaderA')), 'mutation($i: CreateApplicationInput!) { createApplication(input: $i) { id } }', { i: { ...input(), applicationDate: 'dün' } });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.field).toBe('input.applicationDate');
  });

  test('connections per user are capped; other users still connect', async () => {
    const mine = [0, 1, 2, 3].map(() => t.ws(token('leaderB')));
    // Each keeps a subscription, so each (lazy) socket stays open.
    const subs = mine.map((c) => collect(c));
    for (const c of mine) expect((await over(c, '{ me { id } }')).data?.me?.id).toBe(String(t.world.users.leaderB.id));
    const fifth = t.ws(token('leaderB'));
    const refused = await over(fifth, '{ me { id } }').then(
      () => 0,
      (e) => (e as { code: number }).code,
    );
    expect(refused).toBe(4429);
    expect((await over(t.ws(token('leaderA')), '{ me { id } }')).data?.me?.id).toBe(String(t.world.users.leaderA.id));
    // A closed one frees its place.
    subs[0].dispose();
    await mine[0].dispose();
    await eventually('a place is free again', async () => (await over(t.ws(token('leaderB')), '{ me { id } }').catch(() => ({}) as { data?: any })).data?.me?.id === String(t.world.users.leaderB.id));
    for (const s of subs) s.dispose();
  });
});

describe('a long-lived subscription holds no memory per event', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ WS_SESSION_CHECK_SECONDS: '3600' });
  });
  afterAll(() => t.stop());

  test('thousands of events over one subscription leave the heap flat', async () => {
    const account = ok(await t.gql('mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }', { i: { kind: 'COMPANY', name: 'Deniz Gıda' } }, { as: 'admin' })).createAccount.id;
    const category = ok(await t.gql('mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id } }', { i: { name: 'Talep' } }, { as: 'admin' })).createCategory.id;
    const seed = ok(await t.gql(CREATE_APP, { i: { applicantId: account, categoryId: category, subject: 'Şablon', assignee: { teamId: String(t.world.teams.A) } } }, { as: 'admin' })).createApplication.id;
    // 6,000 applications, each with its own applicant: every event is about other records.
    const N = 3000;
    await t.sql(`insert into accounts (kind, name) select kind, name || ' ' || g from accounts a, generate_series(1, $2::int) g where a.id = $1`, [account, N]);
    await t.sql(
      `insert into applications (number, applicant_id, priority_id, stage_id, category_id, channel_id, application_date, assignee_team_id, subject, detail)
       select 'M-' || g, a.applicant_id + g, priority_id, stage_id, category_id, channel_id, application_date, assignee_team_id, subject || ' ' || g, repeat('Ayrıntı ', 50)
         from applications a, generate_series(1, $2::int) g where a.id = $1`,
      [seed, N],
    );
    const ids = (await t.sql<{ id: number }>(`select id from applications where number like 'M-%' order by id`)).map((r) => r.id);
    expect(ids).toHaveLength(N);

    const client = t.ws(t.world.users.leaderA.token);
    const sub = collect(client);
    await sleep(300);
    const send = async (from: number, to: number) => {
      const before = sub.ids.length;
      for (let i = from; i < to; i += 200) {
        const batch = ids.slice(i, Math.min(to, i + 200));
        for (const id of batch) t.app.services.events.emitLocal({ type: 'Application.changed', subject: 'Application', id, at: new Date().toISOString() });
        await eventually('the batch is delivered', () => sub.ids.length >= before + Math.min(to, i + 200) - from, 30_000);
      }
    };
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const heap = async () => {
      await sleep(50);
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    await send(0, 500); // warm-up
    const warm = await heap();
    await send(500, N);
    const after = await heap();
    expect(sub.errors).toEqual([]);
    expect(new Set(sub.ids).size).toBe(N);
    const growthMb = (after - warm) / 1024 / 1024;
    process.stdout.write(`heap: warm ${(warm / 1048576).toFixed(1)} MB, after ${N - 500} more events ${(after / 1048576).toFixed(1)} MB\n`);
    // Before the fix every event's records stayed in the subscription's EntityManager and
    // loaders: 7.4 MB for these 2,500 events (about 3 KB each); after it, under 1 MB.
    expect(growthMb).toBeLessThan(3);
    // Nothing is left holding a transaction open.
    const idle = await t.sql<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`);
    expect(idle[0].n).toBe(0);
    sub.dispose();
  }, 240_000);
});
