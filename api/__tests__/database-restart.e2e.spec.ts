import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { ADMIN_EMAIL, PASSWORD, sleep, startTestApp, type GqlResult, type TestApp } from '../../test/harness';

/**
 * QUALITY: the server survives a PostgreSQL restart. Requests fail cleanly meanwhile (a 503 /
 * SERVICE_UNAVAILABLE, never an internal error) and succeed afterwards, without restarting
 * the server; the event listener reconnects, so subscriptions keep receiving events.
 *
 * A restart is simulated by terminating every backend of the test database, which is what
 * the server's connections see when PostgreSQL restarts.
 *
 * Note: this file never uses `t.sql` (the harness pool's connections would be killed with the
 * others); it uses short-lived clients instead.
 */

const ME = '{ me { email } }';
const USERS = '{ users(page: { limit: 50 }) { items { email } total } }';
const TEAM_VERSION = 'query($id: ID!) { team(id: $id) { version } }';
const UPDATE_TEAM = 'mutation($id: ID!, $v: Int!, $i: UpdateTeamInput!) { updateTeam(id: $id, version: $v, input: $i) { id name } }';
const TEAM_CHANGED = 'subscription($id: ID) { teamChanged(id: $id) { kind team { id name } } }';

describe('PostgreSQL restart', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  /** One query on a connection of its own (never the harness pool). */
  async function sqlOnce<T extends pg.QueryResultRow = any>(text: string, params: unknown[] = []): Promise<T[]> {
    const c = new pg.Client({ connectionString: t.dbUrl });
    c.on('error', () => undefined);
    await c.connect();
    try {
      return (await c.query<T>(text, params)).rows;
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  /** Terminates every other backend of the test database, as a restart would. Returns their pids. */
  async function killBackends(): Promise<number[]> {
    const rows = await sqlOnce<{ pid: number; ok: boolean }>(
      'select pid, pg_terminate_backend(pid) as ok from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    return rows.filter((r) => r.ok).map((r) => r.pid);
  }

  /** The backend of the event listener (its last statement was LISTEN). */
  async function listenerPids(): Promise<number[]> {
    const rows = await sqlOnce<{ pid: number }>(
      "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query ilike 'LISTEN%'",
    );
    return rows.map((r) => r.pid);
  }

  const codes = (r: GqlResult) => (r.errors ?? []).map((e) => e.extensions?.code);

  /** A clean answer: success, or a 503 / SERVICE_UNAVAILABLE; never a 5xx of another kind or an internal error. */
  function describeIfUnclean(r: GqlResult): string | null {
    const cs = codes(r);
    const clean = cs.every((c) => c === 'SERVICE_UNAVAILABLE') && (r.status < 500 || (r.status === 503 && cs.length > 0));
    return clean ? null : `HTTP ${r.status}: ${JSON.stringify(r.body)}`;
  }

  const ok = (r: GqlResult) => r.status === 200 && !r.errors;

  async function meAndUsers(): Promise<GqlResult[]> {
    return Promise.all([t.gql(ME, {}, { as: 'agentA1' }), t.gql(USERS, {}, { as: 'admin' })]);
  }

  function assertAnswers(me: GqlResult, users: GqlResult) {
    expect(me.data.me.email).toBe(t.world.users.agentA1.email);
    expect(users.data.users.items.map((u: { email: string }) => u.email)).toEqual(expect.arrayContaining(Object.values(t.world.users).map((u) => u.email)));
  }

  /**
   * The outage: connections dropped repeatedly for 1.5 s with `me` (agentA1) and `users`
   * (admin) requests in flight all along; then, once things work again, one more drop and
   * the very next requests, on until both succeed. Returns every answer, and the last two.
   */
  async function outage(call: () => Promise<GqlResult[]>): Promise<{ responses: GqlResult[]; last: GqlResult[] }> {
    const responses: GqlResult[] = [];
    const killed: number[] = [];
    let dropping = true;
    const killer = (async () => {
      while (dropping) {
        killed.push(...(await killBackends()));
        await sleep(50);
      }
    })();
    const until = Date.now() + 1500;
    try {
      while (Date.now() < until) responses.push(...(await Promise.all([call(), call()])).flat());
    } finally {
      dropping = false;
      await killer;
    }
    expect(killed.length).toBeGreaterThan(0);

    const recover = async () => {
      const deadline = Date.now() + 10_000;
      let last: GqlResult[] = [];
      do {
        last = await call();
        responses.push(...last);
        if (last.every(ok)) break;
        await sleep(100);
      } while (Date.now() < deadline);
      return last;
    };
    const recovered = await recover();
    expect(recovered.filter((r) => !ok(r)).map((r) => ({ status: r.status, body: r.body }))).toEqual([]);
    expect((await killBackends()).length).toBeGreaterThan(0);
    return { responses, last: await recover() };
  }

  it('answers requests during the outage cleanly (503 SERVICE_UNAVAILABLE, never 500) and normally again within seconds', async () => {
    const before = await meAndUsers();
    expect(before.map(ok)).toEqual([true, true]);
    assertAnswers(before[0], before[1]);

    const { responses, last } = await outage(meAndUsers);
    expect(responses.map(describeIfUnclean).filter(Boolean)).toEqual([]);
    expect(last.map(ok)).toEqual([true, true]);
    assertAnswers(last[0], last[1]);
    // And it stays up: more requests go through.
    const again = await meAndUsers();
    expect(again.map(ok)).toEqual([true, true]);
  });

  it('reports not ready (503) or ready on /readyz meanwhile, never a 500, and ready again within seconds', async () => {
    expect((await request(t.url).get('/readyz')).status).toBe(200);
    expect((await killBackends()).length).toBeGreaterThan(0);
    const statuses: number[] = [];
    const deadline = Date.now() + 10_000;
    let status = 0;
    do {
      const res = await request(t.url).get('/readyz');
      status = res.status;
      statuses.push(status);
      if (status === 200) {
        expect(res.body).toEqual({ status: 'ready' });
        break;
      }
      await sleep(100);
    } while (Date.now() < deadline);
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(status).toBe(200);
  });

  it('keeps subscriptions receiving events after the event listener connection was killed', async () => {
    const client = t.ws(t.world.users.admin.token);
    const events: { kind: string; team: { id: string; name: string } }[] = [];
    const errors: unknown[] = [];
    const teamId = String(t.world.teams.A);
    const dispose = client.subscribe<{ teamChanged: { kind: string; team: { id: string; name: string } } }>(
      { query: TEAM_CHANGED, variables: { id: teamId } },
      {
        next: (v) => (v.errors ? errors.push(v.errors) : events.push(v.data!.teamChanged)),
        error: (e) => errors.push(e),
        complete: () => undefined,
      },
    );
    const mutations: GqlResult[] = [];
    let n = 0;
    const rename = async () => {
      const v = await t.gql(TEAM_VERSION, { id: teamId }, { as: 'admin' });
      mutations.push(v);
      if (!ok(v)) return;
      const res = await t.gql(UPDATE_TEAM, { id: teamId, v: v.data.team.version, i: { name: `Takım A restart ${++n}` } }, { as: 'admin' });
      mutations.push(res);
    };
    /** Renames team A every 500 ms until a new event arrives (up to `ms`). */
    const untilEvent = async (ms: number) => {
      const mark = events.length;
      const deadline = Date.now() + ms;
      while (events.length === mark && Date.now() < deadline) {
        await rename();
        const next = Date.now() + 500;
        while (events.length === mark && Date.now() < next) await sleep(20);
      }
      return events.length > mark;
    };

    try {
      // The subscription is live.
      expect(await untilEvent(10_000)).toBe(true);

      const listeners = await listenerPids();
      expect(listeners.length).toBeGreaterThan(0);
      const killed = await killBackends();
      expect(killed).toEqual(expect.arrayContaining(listeners));

      // A fresh change after the listener has reconnected reaches the subscriber.
      const mark = events.length;
      expect(await untilEvent(10_000)).toBe(true);
      const [event] = events.slice(mark);
      expect(event.kind).toBe('changed');
      expect(event.team.id).toBe(teamId);

      // A new listener connection is in place, the subscription never errored, and every
      // request meanwhile failed cleanly if at all.
      expect((await listenerPids()).filter((p) => !listeners.includes(p)).length).toBeGreaterThan(0);
      expect(t.app.services.events.listening).toBe(true);
      expect(errors).toEqual([]);
      expect(mutations.map(describeIfUnclean).filter(Boolean)).toEqual([]);
    } finally {
      dispose();
    }
  });

  it('keeps a production server process (npm start) running through the outage, answering cleanly, without a restart', async () => {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.on('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port: p } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(p));
      });
    });
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, ['-r', './api/register.js', 'api/main.ts'], {
      cwd: path.join(__dirname, '..', '..'),
      env: {
        ...process.env,
        DATABASE_URL: t.dbUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_ENV: 'production',
        JOBS_ENABLED: 'false',
        SERVE_BACKOFFICE: 'false',
        LOG_LEVEL: 'fatal',
        ADMIN_PASSWORD: PASSWORD,
        ADMIN_EMAIL,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += String(d)));
    child.stderr!.on('data', (d) => (output += String(d)));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const alive = () => child.exitCode === null && child.signalCode === null;
    const call = async (query: string, token: string): Promise<GqlResult> => {
      if (!alive()) return { status: 0, body: { exited: child.exitCode ?? child.signalCode, output: output.slice(-1500) } };
      const res = await request(url)
        .post('/graphql')
        .set('content-type', 'application/json')
        .set('authorization', `Bearer ${token}`)
        .send({ query })
        .catch((err: Error) => ({ status: 0, body: { error: err.message } }));
      return { status: res.status, data: res.body?.data, errors: res.body?.errors, body: res.body };
    };
    const both = () => Promise.all([call(ME, t.world.users.agentA1.token), call(USERS, t.world.users.admin.token)]);
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (!alive()) throw new Error(`server exited during start:\n${output}`);
        const res = await request(url).get('/readyz').timeout(2000).catch(() => null);
        if (res?.status === 200) break;
        if (Date.now() > deadline) throw new Error(`server not ready within 30 s:\n${output}`);
        await sleep(200);
      }
      expect((await both()).map(ok)).toEqual([true, true]);

      const { responses, last } = await outage(both);
      // Still the same process, never died, every answer clean.
      expect({ alive: alive(), output: alive() ? '' : output }).toEqual({ alive: true, output: '' });
      expect(responses.map(describeIfUnclean).filter(Boolean)).toEqual([]);
      expect(last.filter((r) => !ok(r)).map((r) => ({ status: r.status, body: r.body }))).toEqual([]);
      assertAnswers(last[0], last[1]);
    } finally {
      if (alive()) child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const exit = await Promise.race([exited, new Promise<null>((r) => (timer = setTimeout(() => r(null), 25_000)))]);
      clearTimeout(timer);
      if (!exit) child.kill('SIGKILL');
    }
  }, 90_000);
});
