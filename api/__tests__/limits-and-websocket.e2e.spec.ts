/**
 * The API's protective edges, over HTTP and over WebSocket (graphql-ws):
 *   1. query limits (depth, aliases, directives, tokens, cost) reject before any resolver runs
 *   2. no HTTP batching, no mutations over GET, CSRF prevention
 *   3. production mode hides schema details, stack traces and introspection
 *   4. WebSocket authentication (close code 4403)
 *   5. a cap on subscriptions per socket
 *   6. sockets of disabled users and ended sessions close within seconds
 *   7. bad input never produces a 500 (or an INTERNAL_SERVER_ERROR for a client mistake)
 */
import request from 'supertest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { logger } from '../logger';
import { codeOf, sleep, startTestApp, type GqlResult, type TestApp } from '../../test/harness';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const wsUrl = (t: TestApp) => `${t.url.replace(/^http/, 'ws')}/graphql`;

/** Every graphql-ws client a test opens; disposed after each test. */
const openClients: Client[] = [];
afterEach(async () => {
  for (const c of openClients.splice(0)) await c.dispose();
});

interface Socket {
  client: Client;
  /** Resolves once the server acknowledged the connection; rejects if it closed first. */
  ready: Promise<void>;
  /** The close code, once the socket closed. */
  readonly closeCode: number | undefined;
  /** How many times the client (re)connected: 1 means everything ran on one socket. */
  readonly connects: number;
}

/** A non-lazy graphql-ws client: one socket, opened now, never retried. */
function openSocket(t: TestApp, connectionParams: Record<string, unknown>): Socket {
  let closeCode: number | undefined;
  let connects = 0;
  const client = createClient({
    url: wsUrl(t),
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
  });
  openClients.push(client);
  const ready = new Promise<void>((resolve, reject) => {
    client.on('connected', () => {
      connects++;
      resolve();
    });
    client.on('closed', (e) => {
      closeCode = (e as { code: number }).code;
      reject(new Error(`socket closed with ${closeCode}`));
    });
  });
  ready.catch(() => undefined);
  return {
    client,
    ready,
    get closeCode() {
      return closeCode;
    },
    get connects() {
      return connects;
    },
  };
}

const socketAs = (t: TestApp, token: string) => openSocket(t, { authorization: `Bearer ${token}` });

interface WsResult {
  data?: any;
  errors?: { message: string; extensions?: Record<string, any> }[];
}

/**
 * Runs one query or mutation over a socket: the result, or the errors the server refused the
 * operation with (graphql-ws `error` message). Rejects when the socket closes instead.
 */
function wsRun(client: Client, query: string, variables?: Record<string, unknown>): Promise<WsResult> {
  return new Promise((resolve, reject) => {
    let result: WsResult | undefined;
    const timer = setTimeout(() => reject(new Error('no answer over the socket within 5 s')), 5000);
    client.subscribe(
      { query, variables },
      {
        next: (v) => {
          result = v as WsResult;
        },
        error: (e) => {
          clearTimeout(timer);
          if (Array.isArray(e)) resolve({ errors: e });
          else reject(new Error(`socket failed: ${(e as { code?: number }).code ?? String(e)}`));
        },
        complete: () => {
          clearTimeout(timer);
          resolve(result ?? {});
        },
      },
    );
  });
}

const wsCode = (r: WsResult) => r.errors?.[0]?.extensions?.code;

/** A running subscription whose events and error are collected for later assertions. */
function collect(client: Client, query: string, variables?: Record<string, unknown>) {
  const state = { events: [] as any[], error: undefined as unknown, completed: false };
  const dispose = client.subscribe(
    { query, variables },
    {
      next: (v) => void state.events.push(v),
      error: (e) => void (state.error = e),
      complete: () => void (state.completed = true),
    },
  );
  return { state, dispose };
}

type Collector = ReturnType<typeof collect>;

/** Team names a teamChanged subscription has received, in order. */
const seen = (c: Collector): string[] => c.state.events.map((e) => e.data?.teamChanged?.team?.name);

/** Subscribes; the collector if the server has not refused it within `ms`, else null. */
async function accepted(client: Client, query: string, ms = 300): Promise<Collector | null> {
  const c = collect(client, query);
  await sleep(ms);
  if (c.state.error === undefined) return c;
  return null;
}

/** Changes team `id` (its description) as the administrator. */
async function touchTeam(t: TestApp, id: number): Promise<void> {
  const [{ version }] = await t.sql(`select version from teams where id = $1`, [id]);
  const res = await t.gql(
    'mutation($id: ID!, $v: Int!, $d: String) { updateTeam(id: $id, version: $v, input: { description: $d }) { id } }',
    { id: String(id), v: version, d: `touched at ${Date.now()}` },
    { as: 'admin' },
  );
  expect(res.errors).toBeUndefined();
}

/**
 * Proves subscriptions are live: changes an existing team until every subscription has received
 * an event about it (at most 5 s). Delivery of every single event is checked on its own, below.
 */
async function expectLive(t: TestApp, subs: Collector[], teamId: number): Promise<void> {
  const before = subs.map((x) => x.state.events.length);
  const got = () => subs.every((x, i) => x.state.events.slice(before[i]).some((e) => e.data?.teamChanged?.team?.id === String(teamId)));
  const until = Date.now() + 5000;
  while (Date.now() < until) {
    await touchTeam(t, teamId);
    const deadline = Date.now() + 500;
    while (Date.now() < deadline) {
      if (got()) return;
      await sleep(25);
    }
  }
  throw new Error('the subscriptions received no event within 5 s');
}

/** Creates a team as the administrator; returns its name. */
async function createTeam(t: TestApp, name: string): Promise<string> {
  const res = await t.gql('mutation($n: String!) { createTeam(input: { name: $n }) { id } }', { n: name }, { as: 'admin' });
  expect(res.errors).toBeUndefined();
  return name;
}

/** Polls until `check` returns true; fails after `seconds`. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, seconds = 5): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`not within ${seconds} s: ${what}`);
}

/**
 * A raw graphql-transport-ws handshake: sends `connection_init` (with `payload` unless it is
 * undefined) and reports whether the server acknowledged it or closed the socket, and with which code.
 */
function rawHandshake(t: TestApp, payload: unknown): Promise<{ acked: boolean; code?: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(t), 'graphql-transport-ws');
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no answer to connection_init within 5 s'));
    }, 5000);
    ws.on('open', () => ws.send(JSON.stringify(payload === undefined ? { type: 'connection_init' } : { type: 'connection_init', payload })));
    ws.on('message', (raw) => {
      if (JSON.parse(String(raw)).type === 'connection_ack') {
        clearTimeout(timer);
        resolve({ acked: true });
        ws.close(1000);
      }
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve({ acked: false, code });
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** A raw HTTP POST to /graphql with any body and content type. */
function rawPost(t: TestApp, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  let req = request(t.url).post('/graphql');
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  return req.send(body);
}

/** An HTTP GET to /graphql with the operation in the query string. */
function httpGet(t: TestApp, params: Record<string, string>, headers: Record<string, string> = {}) {
  let req = request(t.url).get('/graphql').query(params);
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  return req;
}

const bearer = (t: TestApp, who: keyof TestApp['world']['users']) => `Bearer ${t.world.users[who].token}`;

async function teamsNamed(t: TestApp, prefix: string): Promise<number> {
  const [row] = await t.sql<{ n: number }>(`select count(*)::int as n from teams where name like $1`, [`${prefix}%`]);
  return row.n;
}

/** No stack traces, source paths or internals anywhere in an error answer. */
function expectNoInternals(errors: { extensions?: Record<string, any> }[] | undefined) {
  expect(errors?.length).toBeGreaterThan(0);
  for (const e of errors!) {
    expect(e.extensions?.stacktrace).toBeUndefined();
    expect(e.extensions?.exception).toBeUndefined();
  }
  expect(JSON.stringify(errors)).not.toMatch(/node_modules|\.ts:\d+|\.js:\d+|\n\s+at /);
}

const ME = '{ me { email } }';
const TEAM_CHANGED = 'subscription { teamChanged { kind team { id name } } }';

/** `f(0) f(1) … f(n-1)`, separated by spaces. */
const times = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(' ');

// ---------------------------------------------------------------------------------------------
// 1. Query limits, 2. HTTP transport rules, 5. subscriptions per socket
// ---------------------------------------------------------------------------------------------

const LIMITS = {
  GRAPHQL_MAX_DEPTH: '5',
  GRAPHQL_MAX_ALIASES: '5',
  GRAPHQL_MAX_DIRECTIVES: '5',
  GRAPHQL_MAX_TOKENS: '300',
  GRAPHQL_MAX_COST: '500',
  WS_MAX_SUBSCRIPTIONS: '2',
};

/**
 * Abusive operations, each over exactly one limit, and a mutation twin of each that would
 * create a team named `<prefix>…` if a resolver ran.
 */
const abusive = {
  // me(1) teams(2) members(3) teams(4) members(5) email(6)
  depth: {
    code: 'GRAPHQL_VALIDATION_FAILED',
    query: '{ me { teams { members { teams { members { email } } } } } }',
    mutation: (p: string) => `mutation { createTeam(input: { name: "${p}" }) { members { teams { members { teams { id } } } } } }`,
  },
  // the same depth hidden in fragments
  depthInFragments: {
    code: 'GRAPHQL_VALIDATION_FAILED',
    query: '{ me { ...U } } fragment U on User { teams { ...T } } fragment T on Team { members { teams { members { email } } } }',
    mutation: (p: string) => `mutation { createTeam(input: { name: "${p}" }) { ...T } } fragment T on Team { members { teams { members { teams { id } } } } }`,
  },
  aliases: {
    code: 'GRAPHQL_VALIDATION_FAILED',
    query: `{ ${times(6, (i) => `a${i}: me { id }`)} }`,
    mutation: (p: string) => `mutation { ${times(6, (i) => `t${i}: createTeam(input: { name: "${p}${i}" }) { id }`)} }`,
  },
  directives: {
    code: 'GRAPHQL_VALIDATION_FAILED',
    query: `{ me { ${times(6, () => 'email @include(if: true)')} } }`,
    mutation: (p: string) => `mutation { createTeam(input: { name: "${p}" }) { ${times(6, () => 'id @include(if: true)')} } }`,
  },
  tokens: {
    code: 'GRAPHQL_PARSE_FAILED',
    query: `{ me { ${times(400, () => 'id')} } }`,
    mutation: (p: string) => `mutation { createTeam(input: { name: "${p}" }) { ${times(400, () => 'id')} } }`,
  },
  // cost ≈ 624 > 500 at depth 5, 5 aliases or fewer and about 130 tokens
  cost: {
    code: 'GRAPHQL_VALIDATION_FAILED',
    query: `{ me { teams { members { teams { ${times(120, () => 'id')} } } } } }`,
    mutation: (p: string) => `mutation { createTeam(input: { name: "${p}" }) { members { teams { members { ${times(120, () => 'id')} } } } } }`,
  },
} as const;

/** Operations at (not over) every limit: they must run. */
const fine = {
  depth: '{ me { email teams { members { teams { name } } } } }',
  aliases: `{ ${times(5, (i) => `a${i}: me { id }`)} }`,
  directives: `{ me { ${times(5, () => 'email @include(if: true)')} } }`,
  tokens: `{ me { ${times(280, () => 'id')} } }`,
  cost: '{ me { email teams { name members { email name } } } }',
};

describe('limits (depth 5, aliases 5, directives 5, tokens 300, cost 500, 2 subscriptions per socket)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(LIMITS);
  });
  afterAll(() => t.stop());

  /** The `me` of an ordinary query run as agentA1: it carries their e-mail or their id. */
  const expectAgentA1 = (me: { email?: string; id?: string }) => {
    expect(me.email ?? Number(me.id)).toBe(me.email !== undefined ? t.world.users.agentA1.email : t.world.users.agentA1.id);
  };

  describe('query limits over HTTP', () => {
    it.each(Object.entries(abusive))('rejects an operation over the %s limit with its error code and no data', async (_name, { code, query }) => {
      const res = await t.gql(query, {}, { as: 'agentA1' });
      expect(res.status).toBe(400);
      expect(codeOf(res)).toBe(code);
      expect(res.data).toBeUndefined();
    });

    it('names the exceeded limit in the message (outside production)', async () => {
      expect((await t.gql(abusive.depth.query, {}, { as: 'agentA1' })).errors![0].message).toMatch(/depth limit of 5/i);
      expect((await t.gql(abusive.aliases.query, {}, { as: 'agentA1' })).errors![0].message).toMatch(/aliases limit of 5/i);
      expect((await t.gql(abusive.directives.query, {}, { as: 'agentA1' })).errors![0].message).toMatch(/directives limit of 5/i);
      expect((await t.gql(abusive.tokens.query, {}, { as: 'agentA1' })).errors![0].message).toMatch(/more th[ae]t 300 tokens/i);
      expect((await t.gql(abusive.cost.query, {}, { as: 'agentA1' })).errors![0].message).toMatch(/cost limit of 500/i);
    });

    it.each(Object.entries(fine))('runs an ordinary operation at the %s limit', async (_name, query) => {
      const res = await t.gql(query, {}, { as: 'agentA1' });
      expect(res.errors).toBeUndefined();
      expect(res.status).toBe(200);
      expectAgentA1(res.data.me ?? res.data.a0);
    });

    it.each(Object.entries(abusive))('refuses a mutation over the %s limit before any resolver runs: nothing is written', async (name, { code, mutation }) => {
      const prefix = `HTTP limit ${name} `;
      const res = await t.gql(mutation(prefix), {}, { as: 'admin' });
      expect(codeOf(res)).toBe(code);
      expect(res.data).toBeUndefined();
      expect(await teamsNamed(t, prefix)).toBe(0);
    });

    it('does write the same mutation when it stays within the limits (the check above can see writes)', async () => {
      const prefix = 'HTTP within limits ';
      const res = await t.gql(`mutation { ${times(5, (i) => `t${i}: createTeam(input: { name: "${prefix}${i}" }) { id name }`)} }`, {}, { as: 'admin' });
      expect(res.errors).toBeUndefined();
      expect(res.data.t4.name).toBe(`${prefix}4`);
      expect(await teamsNamed(t, prefix)).toBe(5);
    });
  });

  describe('query limits over WebSocket', () => {
    it.each(Object.entries(abusive))('rejects an operation over the %s limit with its error code', async (_name, { code, query }) => {
      const s = socketAs(t, t.world.users.agentA1.token);
      const res = await wsRun(s.client, query);
      expect(wsCode(res)).toBe(code);
      expect(res.data).toBeUndefined();
    });

    it('rejects a subscription over the depth limit', async () => {
      const s = socketAs(t, t.world.users.agentA1.token);
      const res = await wsRun(s.client, 'subscription { teamChanged { team { members { teams { members { email } } } } } }');
      expect(wsCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    it.each(Object.entries(fine))('runs an ordinary operation at the %s limit', async (_name, query) => {
      const s = socketAs(t, t.world.users.agentA1.token);
      const res = await wsRun(s.client, query);
      expect(res.errors).toBeUndefined();
      expectAgentA1(res.data.me ?? res.data.a0);
    });

    it.each(Object.entries(abusive))('refuses a mutation over the %s limit before any resolver runs: nothing is written', async (name, { code, mutation }) => {
      const prefix = `WS limit ${name} `;
      const s = socketAs(t, t.world.users.admin.token);
      const res = await wsRun(s.client, mutation(prefix));
      expect(wsCode(res)).toBe(code);
      expect(await teamsNamed(t, prefix)).toBe(0);
    });

    it('does write a mutation within the limits', async () => {
      const s = socketAs(t, t.world.users.admin.token);
      const res = await wsRun(s.client, 'mutation { createTeam(input: { name: "WS within limits" }) { id name } }');
      expect(res.errors).toBeUndefined();
      expect(res.data.createTeam.name).toBe('WS within limits');
      expect(await teamsNamed(t, 'WS within limits')).toBe(1);
    });
  });

  describe('HTTP transport rules', () => {
    it('refuses a batched array of operations with a 4xx', async () => {
      const res = await rawPost(t, JSON.stringify([{ query: ME }, { query: '{ me { id } }' }]), {
        'content-type': 'application/json',
        authorization: bearer(t, 'agentA1'),
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(JSON.stringify(res.body)).not.toContain(t.world.users.agentA1.email);
    });

    it('runs none of the mutations of a refused batch', async () => {
      const prefix = 'Batched ';
      const ops = [0, 1].map((i) => ({ query: `mutation { createTeam(input: { name: "${prefix}${i}" }) { id } }` }));
      const res = await rawPost(t, JSON.stringify(ops), { 'content-type': 'application/json', authorization: bearer(t, 'admin') });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(await teamsNamed(t, prefix)).toBe(0);
    });

    it('answers a GET query that carries a preflight header', async () => {
      const preflight: Record<string, string>[] = [{ 'apollo-require-preflight': 'true' }, { 'x-apollo-operation-name': 'Me' }];
      for (const header of preflight) {
        const res = await httpGet(t, { query: 'query Me { me { email } }' }, { authorization: bearer(t, 'agentA1'), ...header });
        expect(res.status).toBe(200);
        expect(res.body.data.me.email).toBe(t.world.users.agentA1.email);
      }
    });

    it('refuses (CSRF) a GET query without a content type or preflight header with 400', async () => {
      const res = await httpGet(t, { query: ME }, { authorization: bearer(t, 'agentA1') });
      expect(res.status).toBe(400);
      expect(res.body?.data).toBeUndefined();
      expect(res.text).not.toContain(t.world.users.agentA1.email);
    });

    it('refuses a mutation sent with GET, even with a preflight header, and writes nothing', async () => {
      const res = await httpGet(t, { query: 'mutation { createTeam(input: { name: "Via GET" }) { id } }' }, { authorization: bearer(t, 'admin'), 'apollo-require-preflight': 'true' });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(await teamsNamed(t, 'Via GET')).toBe(0);
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
      'refuses (CSRF) a simple-request POST as %s with 400 and writes nothing',
      async (contentType) => {
        const body = JSON.stringify({ query: 'mutation { createTeam(input: { name: "Via form" }) { id } }' });
        const res = await rawPost(t, body, { 'content-type': contentType, authorization: bearer(t, 'admin') });
        expect(res.status).toBe(400);
        expect(await teamsNamed(t, 'Via form')).toBe(0);
      },
    );
  });

  describe('subscriptions per socket (cap 2)', () => {
    it('refuses the third subscription on one socket with RATE_LIMITED, and accepts a new one after one completes', async () => {
      const s = socketAs(t, t.world.users.admin.token);
      await s.ready;
      const first = collect(s.client, TEAM_CHANGED);
      const second = collect(s.client, TEAM_CHANGED);
      const third = collect(s.client, TEAM_CHANGED);
      await eventually('the third subscription is refused', () => third.state.error !== undefined);
      expect(Array.isArray(third.state.error)).toBe(true);
      expect((third.state.error as WsResult['errors'])![0].extensions?.code).toBe('RATE_LIMITED');

      // The two accepted ones are live.
      await expectLive(t, [first, second], t.world.teams.B);
      expect([first.state.error, second.state.error]).toEqual([undefined, undefined]);
      const seenByFirst = first.state.events.length;

      // Completing one frees its slot.
      first.dispose();
      let fourth: Collector | null = null;
      await eventually('a new subscription is accepted once one completed', async () => (fourth = await accepted(s.client, TEAM_CHANGED)) !== null);
      await expectLive(t, [fourth!, second], t.world.teams.B);
      expect(first.state.events).toHaveLength(seenByFirst);

      // And the cap still holds.
      expect(await accepted(s.client, TEAM_CHANGED)).toBeNull();
      expect(s.connects).toBe(1);
    });

    it('counts per socket: another socket of the same user has its own slots', async () => {
      const a = socketAs(t, t.world.users.admin.token);
      const b = socketAs(t, t.world.users.admin.token);
      await Promise.all([a.ready, b.ready]);
      const subs = [collect(a.client, TEAM_CHANGED), collect(a.client, TEAM_CHANGED), collect(b.client, TEAM_CHANGED), collect(b.client, TEAM_CHANGED)];
      await sleep(300);
      await expectLive(t, subs, t.world.teams.B);
      expect(subs.map((x) => x.state.error)).toEqual([undefined, undefined, undefined, undefined]);
    });

    it('lets a socket at the subscription cap still run queries and mutations (the cap is on subscriptions)', async () => {
      const s = socketAs(t, t.world.users.admin.token);
      await s.ready;
      const subs = [collect(s.client, TEAM_CHANGED), collect(s.client, TEAM_CHANGED)];
      await sleep(300);
      expect(subs.map((x) => x.state.error)).toEqual([undefined, undefined]);
      const query = await wsRun(s.client, ME);
      expect(query.errors).toBeUndefined();
      expect(query.data.me.email).toBe(t.world.users.admin.email);
      const mutation = await wsRun(s.client, 'mutation { createTeam(input: { name: "At the cap" }) { name } }');
      expect(mutation.errors).toBeUndefined();
      expect(mutation.data.createTeam.name).toBe('At the cap');
    });

    it('does not count finished queries, refused operations or failed subscriptions against the cap', async () => {
      const s = socketAs(t, t.world.users.agentA1.token);
      await s.ready;
      for (let i = 0; i < 3; i++) expect((await wsRun(s.client, ME)).data.me.email).toBe(t.world.users.agentA1.email);
      expect(wsCode(await wsRun(s.client, '{ me { nope } }'))).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(wsCode(await wsRun(s.client, 'subscription { teamChanged(id: "not-an-id") { kind } }'))).toBe('BAD_USER_INPUT');
      expect(await accepted(s.client, TEAM_CHANGED)).not.toBeNull();
      expect(await accepted(s.client, TEAM_CHANGED)).not.toBeNull();
      expect(s.connects).toBe(1);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Production mode
// ---------------------------------------------------------------------------------------------

describe('production mode (NODE_ENV=production)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production' });
  });
  afterAll(() => t.stop());

  const INTROSPECTION = ['{ __schema { types { name } } }', '{ __type(name: "User") { fields { name } } }'];

  it('reports an unknown field without a "Did you mean" suggestion over HTTP', async () => {
    const res = await t.gql('{ me { emial } }', {}, { as: 'agentA1' });
    expect(res.status).toBe(400);
    expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0].message).toMatch(/Cannot query field "emial"/);
    expect(JSON.stringify(res.errors)).not.toMatch(/did you mean/i);
  });

  it('reports an unknown field without a "Did you mean" suggestion over WebSocket', async () => {
    const s = socketAs(t, t.world.users.agentA1.token);
    const res = await wsRun(s.client, '{ me { emial } }');
    expect(wsCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0].message).toMatch(/Cannot query field "emial"/);
    expect(JSON.stringify(res.errors)).not.toMatch(/did you mean/i);
  });

  it('reports a misspelt input field or enum value in variables without suggesting the right one', async () => {
    const input = await t.gql('mutation($i: SignInInput!) { signIn(input: $i) { token } }', { i: { emial: 'a@b.co', password: 'whatever-password' } });
    expect(codeOf(input)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(input.errors)).not.toMatch(/did you mean/i);
    const sort = await t.gql('query($s: [TeamSort!]) { teams(sort: $s) { total } }', { s: [{ field: 'nam' }] }, { as: 'admin' });
    expect(codeOf(sort)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(sort.errors)).not.toMatch(/did you mean/i);
  });

  it('puts no stack trace in any error over HTTP', async () => {
    const answers: GqlResult[] = [
      await t.gql('{ me { emial } }', {}, { as: 'agentA1' }), // validation
      await t.gql('{ me { email } ', {}, { as: 'agentA1' }), // syntax
      await t.gql(ME), // UNAUTHENTICATED
      await t.gql('{ user(id: "abc") { id } }', {}, { as: 'admin' }), // BAD_USER_INPUT
      await t.gql('{ user(id: "999999") { id } }', {}, { as: 'admin' }), // NOT_FOUND
      await t.gql('{ users { total } }', {}, { as: 'agentA1', token: 'not-a-valid-token-at-all' }), // bad token
      await t.gql('query($id: ID!) { user(id: $id) { id } }', { id: { nested: true } }, { as: 'admin' }), // variable type
    ];
    for (const a of answers) expectNoInternals(a.errors);
    expect(answers.map(codeOf)).toEqual(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'UNAUTHENTICATED', 'BAD_USER_INPUT', 'NOT_FOUND', 'UNAUTHENTICATED', 'BAD_USER_INPUT']);
  });

  it('puts no stack trace in any error over WebSocket', async () => {
    const s = socketAs(t, t.world.users.agentA1.token);
    const answers = [
      await wsRun(s.client, '{ me { emial } }'),
      await wsRun(s.client, '{ me { email } '),
      await wsRun(s.client, '{ user(id: "abc") { id } }'),
      await wsRun(s.client, '{ user(id: "999999") { id } }'),
    ];
    for (const a of answers) expectNoInternals(a.errors);
    expect(answers.map(wsCode)).toEqual(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_USER_INPUT', 'NOT_FOUND']);
  });

  it.each(INTROSPECTION)('refuses introspection over HTTP by default: %s', async (query) => {
    const res = await t.gql(query, {}, { as: 'admin' });
    expect(res.status).toBe(400);
    expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.data).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain('"UserPage"');
  });

  it.each(INTROSPECTION)('refuses introspection over WebSocket by default: %s', async (query) => {
    const s = socketAs(t, t.world.users.admin.token);
    const res = await wsRun(s.client, query);
    expect(wsCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.data).toBeUndefined();
  });

  it('still answers ordinary queries and __typename', async () => {
    expect((await t.gql('{ __typename me { email } }', {}, { as: 'agentA1' })).data).toEqual({ __typename: 'Query', me: { email: t.world.users.agentA1.email } });
    const s = socketAs(t, t.world.users.agentA1.token);
    expect((await wsRun(s.client, '{ __typename me { email } }')).data).toEqual({ __typename: 'Query', me: { email: t.world.users.agentA1.email } });
  });
});

// ---------------------------------------------------------------------------------------------
// Default test app: introspection outside production, 4. authentication, 6. session ends, 7. bad input
// ---------------------------------------------------------------------------------------------

describe('outside production (NODE_ENV=test)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('answers introspection over HTTP and WebSocket', async () => {
    const http = await t.gql('{ __schema { types { name } } }', {}, { as: 'agentA1' });
    expect(http.errors).toBeUndefined();
    expect(http.data.__schema.types.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['User', 'Team', 'TeamEvent']));
    const s = socketAs(t, t.world.users.agentA1.token);
    const ws = await wsRun(s.client, '{ __type(name: "User") { fields { name } } }');
    expect(ws.errors).toBeUndefined();
    expect(ws.data.__type.fields.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['email', 'teams']));
  });

  describe('WebSocket authentication', () => {
    it.each([
      ['no connection_init payload', undefined],
      ['an empty payload', {}],
      ['an empty bearer', { authorization: 'Bearer ' }],
      ['an unknown token', { authorization: 'Bearer not-a-real-token-0123456789abcdef' }],
      ['a token without "Bearer"', { authorization: 'x'.repeat(43) }],
      ['a non-string authorization', { authorization: 12345678901234 }],
      ['an object as authorization', { authorization: { token: 'x' } }],
    ])('closes a socket with %s with 4403', async (_name, payload) => {
      expect(await rawHandshake(t, payload)).toEqual({ acked: false, code: 4403 });
    });

    it('acknowledges a socket with a valid token (authorization or Authorization)', async () => {
      const token = t.world.users.agentA1.token;
      expect(await rawHandshake(t, { authorization: `Bearer ${token}` })).toEqual({ acked: true });
      expect(await rawHandshake(t, { Authorization: `Bearer ${token}` })).toEqual({ acked: true });
    });

    it('closes with 4403 a socket whose token was signed out, or whose user is disabled', async () => {
      const ended = (await t.signIn('agent.a1@test.local')).data.signIn.token;
      expect((await t.gql('mutation { signOut }', {}, { token: ended })).data.signOut).toBe(true);
      expect(await rawHandshake(t, { authorization: `Bearer ${ended}` })).toEqual({ acked: false, code: 4403 });

      const disabled = (await t.signIn('leader.b@test.local')).data.signIn.token;
      await t.sql(`update users set active = false where email = 'leader.b@test.local'`);
      try {
        expect(await rawHandshake(t, { authorization: `Bearer ${disabled}` })).toEqual({ acked: false, code: 4403 });
      } finally {
        await t.sql(`update users set active = true where email = 'leader.b@test.local'`);
      }
    });

    it('with the graphql-ws client: no token and a bad token are closed with 4403 and run nothing', async () => {
      for (const params of [{}, { authorization: 'Bearer not-a-real-token-0123456789abcdef' }]) {
        const s = openSocket(t, params);
        await expect(s.ready).rejects.toThrow(/4403/);
        expect(s.closeCode).toBe(4403);
      }
    });

    it('with a valid token, answers { me { email } } as that user and streams subscriptions', async () => {
      const s = socketAs(t, t.world.users.agentA2.token);
      await s.ready;
      expect((await wsRun(s.client, ME)).data).toEqual({ me: { email: t.world.users.agentA2.email } });
      const sub = collect(s.client, TEAM_CHANGED);
      await sleep(200);
      await expectLive(t, [sub], t.world.teams.A);
      expect(sub.state.events[0].data.teamChanged).toEqual({ kind: 'changed', team: { id: String(t.world.teams.A), name: 'Takım A' } });
    });
  });

  describe('subscription delivery', () => {
    it('delivers every created team to a subscriber, in order', async () => {
      const s = socketAs(t, t.world.users.admin.token);
      await s.ready;
      const sub = collect(s.client, TEAM_CHANGED);
      await expectLive(t, [sub], t.world.teams.A);
      const names: string[] = [];
      for (let i = 0; i < 20; i++) names.push(await createTeam(t, `Delivered ${i}`));
      // Wait up to 5 s, then compare: the diff shows which changes went missing.
      await eventually('every change arrives', () => seen(sub).filter((n) => n.startsWith('Delivered')).length >= names.length).catch(() => undefined);
      expect(seen(sub).filter((n) => n.startsWith('Delivered'))).toEqual(names);
    });
  });

  describe('sockets of ended sessions and disabled users', () => {
    /** A subscribed socket as `token`, proven to work. */
    async function liveSocket(token: string) {
      const s = socketAs(t, token);
      await s.ready;
      const sub = collect(s.client, TEAM_CHANGED);
      expect((await wsRun(s.client, ME)).data.me.email).toBeTruthy();
      return { s, sub };
    }

    it('closes the socket of a disabled user with 4403 within 5 seconds, and keeps the others open', async () => {
      const token = (await t.signIn('agent.a2@test.local')).data.signIn.token;
      const victim = await liveSocket(token);
      const bystander = await liveSocket(t.world.users.admin.token);
      const id = t.world.users.agentA2.id;
      const [{ version }] = await t.sql(`select version from users where id = $1`, [id]);
      const upd = await t.gql('mutation($id: ID!, $v: Int!) { updateUser(id: $id, version: $v, input: { active: false }) { active } }', { id: String(id), v: version }, { as: 'admin' });
      try {
        expect(upd.data.updateUser.active).toBe(false);
        await eventually('the disabled user’s socket closes', () => victim.s.closeCode !== undefined, 5);
        expect(victim.s.closeCode).toBe(4403);
        // The administrator's socket survived the same checks and still works.
        expect(bystander.s.closeCode).toBeUndefined();
        expect((await wsRun(bystander.s.client, ME)).data.me.email).toBe(t.world.users.admin.email);
        expect(bystander.sub.state.error).toBeUndefined();
      } finally {
        await t.sql(`update users set active = true where id = $1`, [id]);
      }
    });

    it('closes a socket with 4403 within 5 seconds of signOut, but not the other sessions of the same user', async () => {
      const token = (await t.signIn('agent.a1@test.local')).data.signIn.token;
      const signedOut = await liveSocket(token);
      const otherSession = await liveSocket(t.world.users.agentA1.token);
      expect((await t.gql('mutation { signOut }', {}, { token })).data.signOut).toBe(true);
      await eventually('the signed-out socket closes', () => signedOut.s.closeCode !== undefined, 5);
      expect(signedOut.s.closeCode).toBe(4403);
      expect(otherSession.s.closeCode).toBeUndefined();
      expect((await wsRun(otherSession.s.client, ME)).data.me.email).toBe(t.world.users.agentA1.email);
    });

    it('closes a socket with 4403 within 5 seconds when signOut is sent over that socket', async () => {
      const token = (await t.signIn('agent.a1@test.local')).data.signIn.token;
      const { s } = await liveSocket(token);
      expect((await wsRun(s.client, 'mutation { signOut }')).data.signOut).toBe(true);
      await eventually('the socket closes', () => s.closeCode !== undefined, 5);
      expect(s.closeCode).toBe(4403);
    });

    it('closes every socket of a user with 4403 within 5 seconds when an administrator revokes their sessions', async () => {
      const fresh = (await t.signIn('leader.b@test.local')).data.signIn.token;
      const a = await liveSocket(fresh);
      const b = await liveSocket(t.world.users.leaderB.token);
      const res = await t.gql('mutation($u: ID!) { revokeUserSessions(userId: $u) }', { u: String(t.world.users.leaderB.id) }, { as: 'admin' });
      expect(res.data.revokeUserSessions).toBeGreaterThanOrEqual(2);
      await eventually('both sockets close', () => a.s.closeCode !== undefined && b.s.closeCode !== undefined, 5);
      expect([a.s.closeCode, b.s.closeCode]).toEqual([4403, 4403]);
    });
  });

  describe('bad input over HTTP never gives a 500', () => {
    const ok4xx = (status: number) => {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    };

    it.each([
      ['a truncated JSON body', '{"query": "{ me { email } }"'],
      ['a JSON body that is not an object', '"{ me { email } }"'],
      ['a JSON null body', 'null'],
      ['garbage', '\u0000\u0001not json at all'],
      ['an empty array', '[]'],
    ])('answers %s with a clean 4xx JSON error', async (_name, body) => {
      const res = await rawPost(t, body, { 'content-type': 'application/json', authorization: bearer(t, 'agentA1') });
      ok4xx(res.status);
      expect(res.text).not.toMatch(/\n\s+at |node_modules/);
    });

    it('answers a body over the size limit with 413 PAYLOAD_TOO_LARGE', async () => {
      const res = await rawPost(t, JSON.stringify({ query: ME, variables: { pad: 'x'.repeat(1_100_000) } }));
      expect(res.status).toBe(413);
      expect(res.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('logs each request under the path the client asked for', async () => {
      const seen: { path?: string; status?: number }[] = [];
      const spy = jest.spyOn(logger, 'info').mockImplementation(((o: { path?: string; status?: number }) => {
        seen.push(o);
      }) as never);
      try {
        await rawPost(t, JSON.stringify({ query: ME }), { 'content-type': 'application/json', authorization: bearer(t, 'agentA1') });
        await request(t.url).get('/graphql?query=%7B__typename%7D').set('apollo-require-preflight', '1');
        await request(t.url).get('/healthz');
        await sleep(50);
      } finally {
        spy.mockRestore();
      }
      expect(seen.map((o) => o.path)).toEqual(['/graphql', '/graphql']);
    });

    it('answers an unsupported charset with a 4xx', async () => {
      const res = await rawPost(t, JSON.stringify({ query: ME }), { 'content-type': 'application/json; charset=klingon' });
      ok4xx(res.status);
    });

    it.each([
      ['an empty query', { query: '' }],
      ['no query at all', {}],
      ['a query that is not a string', { query: 42 }],
      ['variables that are not an object', { query: ME, variables: 'x' }],
      ['an unknown operation name', { query: 'query A { me { email } } query B { me { id } }', operationName: 'C' }],
      ['two operations and no name', { query: 'query A { me { email } } query B { me { id } }' }],
      ['only a fragment', { query: 'fragment F on User { id }' }],
    ])('answers %s with a 4xx and a typed error', async (_name, body) => {
      const res = await rawPost(t, JSON.stringify(body), { 'content-type': 'application/json', authorization: bearer(t, 'agentA1') });
      ok4xx(res.status);
      expect(res.body.errors?.[0]?.extensions?.code).toMatch(/^[A-Z_]+$/);
      expect(res.body.errors[0].extensions.code).not.toBe('INTERNAL_SERVER_ERROR');
    });

    it.each([
      ['an object for an ID', 'query($id: ID!) { user(id: $id) { id } }', { id: { a: 1 } }],
      ['a string for an Int', 'query($p: PageInput) { users(page: $p) { total } }', { p: { limit: 'ten' } }],
      ['an Int beyond 32 bits', 'query($p: PageInput) { users(page: $p) { total } }', { p: { limit: 2 ** 40 } }],
      ['a missing required variable', 'query($id: ID!) { user(id: $id) { id } }', {}],
      ['an unknown input field', 'query($f: TeamFilter) { teams(filter: $f) { total } }', { f: { owner: 'me' } }],
      ['an unknown enum value', 'query($s: [TeamSort!]) { teams(sort: $s) { total } }', { s: [{ field: 'DROP TABLE' }] }],
    ])('answers wrong variable types (%s) with 400 BAD_USER_INPUT', async (_name, query, variables) => {
      const res = await t.gql(query, variables, { as: 'admin' });
      expect(res.status).toBe(400);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.data).toBeUndefined();
    });

    it.each([
      ['a huge numeric string', '9'.repeat(100_000)],
      ['a huge non-numeric string', 'x'.repeat(100_000)],
      ['beyond int4', '2147483648'],
      ['zero', '0'],
      ['negative', '-1'],
      ['a decimal', '1.5'],
      ['an exponent', '1e3'],
      ['hexadecimal', '0x10'],
      ['letters', 'abc'],
      ['SQL', "1; drop table users --"],
      ['a NUL byte', '1\u0000'],
    ])('answers an id that is %s with BAD_USER_INPUT, never a 500', async (_name, id) => {
      for (const query of ['query($id: ID!) { user(id: $id) { id } }', 'query($id: ID!) { team(id: $id) { id } }', 'query($id: ID!) { teams(filter: { memberId: $id }) { total } }']) {
        const res = await t.gql(query, { id }, { as: 'admin' });
        expect(res.status).toBeLessThan(500);
        expect(codeOf(res)).toBe('BAD_USER_INPUT');
      }
    });

    it('answers an unknown but well-formed id with NOT_FOUND', async () => {
      const res = await t.gql('{ user(id: "2147483647") { id } }', {}, { as: 'admin' });
      expect(res.status).toBe(200);
      expect(codeOf(res)).toBe('NOT_FOUND');
    });

    it.each([
      ['a page limit out of range', '{ users(page: { limit: 100000 }) { total } }'],
      ['a negative offset', '{ users(page: { offset: -5 }) { total } }'],
      ['both page styles', '{ users(page: { limit: 5, first: 5 }) { total } }'],
      ['a garbage cursor', '{ users(page: { first: 5, after: "%%%not-a-cursor%%%" }) { items { id } } }'],
      ['a cursor that is not an array', `{ users(page: { first: 5, after: "${Buffer.from(JSON.stringify({ a: 1 })).toString('base64url')}" }) { items { id } } }`],
      ['a cursor with a value of the wrong type', `{ users(page: { first: 5, after: "${Buffer.from(JSON.stringify(['x', 'abc'])).toString('base64url')}" }) { items { id } } }`],
      ['a search over 200 characters', `{ teams(filter: { search: "${'a'.repeat(201)}" }) { total } }`],
    ])('answers %s with BAD_USER_INPUT', async (_name, query) => {
      const res = await t.gql(query, {}, { as: 'admin' });
      expect(res.status).toBeLessThan(500);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
    });

    it.each([
      ['a search', 'query($s: String) { teams(filter: { search: $s }) { items { id } } }', { s: 'a\u0000b' }],
      ['a team name', 'mutation($n: String!) { createTeam(input: { name: $n }) { id } }', { n: 'Nul\u0000team' }],
      ['a sign-in e-mail', 'mutation($e: String!) { signIn(input: { email: $e, password: "whatever-password" }) { token } }', { e: 'nul\u0000@test.local' }],
    ])('answers a NUL character in %s with a typed client error, not INTERNAL_SERVER_ERROR', async (_name, query, variables) => {
      const res = await t.gql(query, variables, { as: 'admin' });
      expect(res.status).toBeLessThan(500);
      expect(['BAD_USER_INPUT', 'UNAUTHENTICATED']).toContain(codeOf(res));
    });

  });

  describe('bad input over WebSocket gets typed errors, not INTERNAL_SERVER_ERROR', () => {
    it.each([
      ['wrong variable types', 'query($id: ID!) { user(id: $id) { id } }', { id: { a: 1 } }, 'BAD_USER_INPUT'],
      ['a missing required variable', 'query($id: ID!) { user(id: $id) { id } }', {}, 'BAD_USER_INPUT'],
      ['a non-numeric id', '{ user(id: "abc") { id } }', undefined, 'BAD_USER_INPUT'],
      ['a huge id', `{ user(id: "${'9'.repeat(10_000)}") { id } }`, undefined, 'BAD_USER_INPUT'],
      ['an unknown field', '{ me { nope } }', undefined, 'GRAPHQL_VALIDATION_FAILED'],
      ['a syntax error', '{ me { email }', undefined, 'GRAPHQL_PARSE_FAILED'],
    ])('%s', async (_name, query, variables, code) => {
      const s = socketAs(t, t.world.users.admin.token);
      const res = await wsRun(s.client, query, variables);
      expect(wsCode(res)).toBe(code);
      expect(res.data?.user ?? null).toBeNull();
    });

    it('an operation name that matches no operation', async () => {
      const s = socketAs(t, t.world.users.admin.token);
      const res = await new Promise<WsResult>((resolve, reject) => {
        s.client.subscribe(
          { query: 'query A { me { email } } query B { me { id } }', operationName: 'C' },
          { next: (v) => resolve(v as WsResult), error: (e) => (Array.isArray(e) ? resolve({ errors: e }) : reject(e)), complete: () => undefined },
        );
      });
      expect(res.errors?.length).toBeGreaterThan(0);
      expect(wsCode(res)).not.toBe('INTERNAL_SERVER_ERROR');
      expect(s.closeCode).toBeUndefined();
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Its own app: a stray unhandled rejection fails every test of the describe block it lands in.
// ---------------------------------------------------------------------------------------------

describe('a list query that fails', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('leaves no stray failing count query behind (an unhandled rejection ends the server process)', async () => {
    // Items and total run concurrently and both fail on a NUL byte. If the total's rejection is
    // never awaited, Node reports an unhandled rejection (jest fails this block), which
    // terminates a production process (Node's default --unhandled-rejections=throw).
    const res = await t.gql('query($s: String) { teams(filter: { search: $s }) { total items { id } } }', { s: 'a\u0000b' }, { as: 'admin' });
    expect(res.status).toBeLessThan(500);
    await sleep(500);
    expect((await t.gql(ME, {}, { as: 'admin' })).data.me.email).toBe(t.world.users.admin.email);
  });
});
