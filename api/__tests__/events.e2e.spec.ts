import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { ADMIN_EMAIL, codeOf, PASSWORD, sleep, startTestApp, type RoleName, type TestApp } from '../../test/harness';
import { freePort } from '../../test/ports';

/**
 * Domain events travel through PostgreSQL NOTIFY: a write on one server instance reaches the
 * subscribers of every instance on the same database, each subscriber seeing only what it
 * may read, and only for writes that committed.
 *
 * Instance A runs in this process (startTestApp); instance B is a real `npm start` process
 * (api/main.ts) on the same database. Subscribers sign in through A (same database, so the
 * tokens are valid on B).
 */

const REPO_ROOT = path.join(__dirname, '..', '..');
const TEAM_CHANGED = 'subscription($id: ID) { teamChanged(id: $id) { kind team { id name } } }';
const UPDATE_TEAM = 'mutation($id: ID!, $v: Int!, $i: UpdateTeamInput!) { updateTeam(id: $id, version: $v, input: $i) { id name version } }';
const CREATE_TEAM = 'mutation($i: CreateTeamInput!) { createTeam(input: $i) { id name } }';

interface TeamEvent {
  kind: string;
  team: { id: string; name: string };
}

/** Records every event of one subscription, in arrival order. */
class Recorder {
  readonly events: TeamEvent[] = [];
  readonly errors: unknown[] = [];
  readonly dispose: () => void;
  /** Settles when the server ends the subscription (error or complete). */
  readonly ended: Promise<'error' | 'complete'>;

  constructor(
    readonly label: string,
    client: Client,
    variables: Record<string, unknown> = {},
  ) {
    let end: (how: 'error' | 'complete') => void = () => undefined;
    this.ended = new Promise((resolve) => (end = resolve));
    this.dispose = client.subscribe<{ teamChanged: TeamEvent }>(
      { query: TEAM_CHANGED, variables },
      {
        next: (v) => {
          if (v.errors?.length) this.errors.push(v.errors);
          else if (v.data?.teamChanged) this.events.push(v.data.teamChanged);
        },
        error: (e) => {
          // graphql-ws reports a closed socket with its CloseEvent, an error list otherwise.
          const ev = e as { code?: number; reason?: string; message?: string };
          this.errors.push(ev && (ev.code !== undefined || ev.reason !== undefined || ev.message !== undefined) ? { code: ev.code, reason: ev.reason, message: ev.message } : e);
          end('error');
        },
        complete: () => end('complete'),
      },
    );
  }

  mark(): number {
    return this.events.length;
  }

  since(mark: number): TeamEvent[] {
    return this.events.slice(mark);
  }

  /** Resolves with the first recorded event matching `pred`; fails after `ms`. */
  async waitFor(pred: (e: TeamEvent) => boolean, what: string, ms = 10_000): Promise<TeamEvent> {
    return (await this.waitForCount(0, 1, pred, what, ms))[0];
  }

  /** Resolves with the events since `mark` matching `pred` once there are at least `n`. */
  async waitForCount(mark: number, n: number, pred: (e: TeamEvent) => boolean, what: string, ms = 10_000): Promise<TeamEvent[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.since(mark).filter(pred);
      if (found.length >= n) return found;
      if (this.errors.length) throw new Error(`${this.label}: subscription failed: ${JSON.stringify(this.errors)}`);
      if (Date.now() > deadline) throw new Error(`${this.label}: expected ${n} event(s) ${what} within ${ms} ms; got ${JSON.stringify(this.since(mark))}`);
      await sleep(20);
    }
  }
}

/** The promise's value, or 'timeout' after `ms`. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('domain events across server instances', () => {
  let t: TestApp;
  let child: ChildProcess;
  let childOutput = '';
  let childExit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let bUrl: string;
  const clients: Client[] = [];
  const recorders: Recorder[] = [];
  let run = 0;

  const teamA = () => String(t.world.teams.A);
  const teamB = () => String(t.world.teams.B);
  const unique = (label: string) => `${label} ${++run} ${Date.now().toString(36)}`;

  /** A graphql-ws client on instance B. */
  function wsB(as: RoleName): Client {
    const client = createClient({
      url: `${bUrl.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${t.world.users[as].token}` },
      retryAttempts: 0,
      lazy: true,
    });
    clients.push(client);
    return client;
  }

  function subscribe(label: string, client: Client, variables: Record<string, unknown> = {}): Recorder {
    const r = new Recorder(label, client, variables);
    recorders.push(r);
    return r;
  }

  async function versionOf(teamId: string): Promise<number> {
    const [row] = await t.sql<{ version: number }>('select version from teams where id = $1', [teamId]);
    return row.version;
  }

  /** updateTeam on instance A as the administrator, with the team's current version. */
  async function updateTeam(teamId: string, input: Record<string, unknown>) {
    const res = await t.gql(UPDATE_TEAM, { id: teamId, v: await versionOf(teamId), i: input }, { as: 'admin' });
    expect(res.errors).toBeUndefined();
    expect(res.data.updateTeam.id).toBe(teamId);
    expectDelivery(readersOf(teamId));
    return res.data.updateTeam as { id: string; name: string; version: number };
  }

  /**
   * How many events each subscriber should have received so far (once warmed up): lets each
   * test start only when everything published before it has been delivered (see `settle`).
   */
  const expected = new Map<Recorder, number>();
  const readersOf = (teamId: string): Recorder[] =>
    teamId === teamA()
      ? [adminB, leaderAB, agentA1B, adminA, agentA1A]
      : teamId === teamB()
        ? [adminB, leaderBB, agentB1B, adminA, adminOnlyB, adminOnlyBonA]
        : [adminB, adminA];
  function expectDelivery(rs: Recorder[]) {
    for (const r of rs) if (expected.has(r)) expected.set(r, expected.get(r)! + 1);
  }
  /** Waits (up to 3 s) for the events still in flight, then takes the counts as they are. */
  async function settle() {
    const deadline = Date.now() + 3000;
    while ([...expected].some(([r, n]) => r.events.length < n) && Date.now() < deadline) await sleep(20);
    for (const r of expected.keys()) expected.set(r, r.events.length);
  }

  /**
   * Subscriptions start asynchronously on the server: touch both teams until every given
   * subscriber has received something, then let stragglers arrive, so that the tests below
   * can count events exactly.
   */
  async function warmUp(rs: Recorder[]) {
    const deadline = Date.now() + 20_000;
    while (rs.some((r) => r.events.length === 0)) {
      if (Date.now() > deadline) throw new Error(`subscriptions never started: ${rs.filter((r) => !r.events.length).map((r) => `${r.label} ${JSON.stringify(r.errors)}`).join(', ')}`);
      await updateTeam(teamA(), { description: unique('warm-up A') });
      await updateTeam(teamB(), { description: unique('warm-up B') });
      const round = Date.now() + 2000;
      while (rs.some((r) => r.events.length === 0) && Date.now() < round) await sleep(20);
    }
    await sleep(300);
  }

  const ofTeam = (id: () => string) => (e: TeamEvent) => e.team.id === id();
  const changedOf = (id: () => string) => (e: TeamEvent) => e.team.id === id() && e.kind === 'changed';

  // Instance B subscribers (all teams), plus an instance A one and two filtered to one team.
  let adminB: Recorder;
  let leaderAB: Recorder;
  let agentA1B: Recorder;
  let leaderBB: Recorder;
  let agentB1B: Recorder;
  let adminA: Recorder;
  let agentA1A: Recorder;
  let adminOnlyB: Recorder;
  let adminOnlyBonA: Recorder;

  beforeAll(async () => {
    t = await startTestApp();
    const port = await freePort();
    bUrl = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['-r', './api/register.js', 'api/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: t.dbUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_ENV: 'test',
        JOBS_ENABLED: 'false',
        SERVE_BACKOFFICE: 'false',
        LOG_LEVEL: 'warn',
        ADMIN_PASSWORD: PASSWORD,
        ADMIN_EMAIL,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (childOutput += String(d)));
    child.stderr!.on('data', (d) => (childOutput += String(d)));
    childExit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`instance B exited during start (${child.exitCode ?? child.signalCode}):\n${childOutput}`);
      const res = await request(bUrl).get('/readyz').timeout(2000).catch(() => null);
      if (res?.status === 200) break;
      if (Date.now() > deadline) throw new Error(`instance B not ready within 30 s:\n${childOutput}`);
      await sleep(200);
    }

    adminB = subscribe('admin@B', wsB('admin'));
    leaderAB = subscribe('leaderA@B', wsB('leaderA'));
    agentA1B = subscribe('agentA1@B', wsB('agentA1'));
    leaderBB = subscribe('leaderB@B', wsB('leaderB'));
    agentB1B = subscribe('agentB1@B', wsB('agentB1'));
    adminA = subscribe('admin@A', t.ws(t.world.users.admin.token));
    agentA1A = subscribe('agentA1@A', t.ws(t.world.users.agentA1.token));
    adminOnlyB = subscribe('admin@B teamChanged(id: B)', wsB('admin'), { id: teamB() });
    adminOnlyBonA = subscribe('admin@A teamChanged(id: B)', t.ws(t.world.users.admin.token), { id: teamB() });
    await warmUp(recorders);
    for (const r of recorders) expected.set(r, r.events.length);
  }, 90_000);

  beforeEach(() => settle());

  /** SIGTERM to instance B; resolves with how it exited (or SIGKILLs it after 25 s). */
  async function terminateB(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const exit = await within(childExit, 25_000);
    if (exit !== 'timeout') return exit;
    child.kill('SIGKILL');
    await childExit;
    return { code: null, signal: 'SIGKILL' };
  }

  afterAll(async () => {
    for (const r of recorders) r.dispose();
    for (const c of clients) await c.dispose();
    // Normally the last test has stopped instance B already; this is the fallback.
    const exit = child ? await terminateB() : null;
    await t?.stop();
    if (exit) expect({ ...exit, output: exit.code === 0 ? '' : childOutput }).toEqual({ code: 0, signal: null, output: '' });
  }, 60_000);

  it('delivers a change made on instance A to exactly the subscribers on instance B who may read the team', async () => {
    const marks = new Map(recorders.map((r) => [r, r.mark()]));
    await updateTeam(teamA(), { name: unique('Takım A cross') });
    // Team A's readers (administrator, its leader, its agent) on the other instance: one event each.
    for (const r of [adminB, leaderAB, agentA1B]) {
      const got = await r.waitForCount(marks.get(r)!, 1, changedOf(teamA), 'for team A');
      expect(got).toHaveLength(1);
    }

    // Then team B changes. Events arrive in commit order and each event's record is loaded
    // once per instance for all its subscribers, so once admin@B has the team A event,
    // anything agentB1/leaderB could have got for team A would already be there.
    await updateTeam(teamB(), { name: unique('Takım B cross') });
    for (const r of [agentB1B, leaderBB]) {
      await r.waitForCount(marks.get(r)!, 1, changedOf(teamB), 'for team B');
      expect(r.since(marks.get(r)!).map((e) => [e.kind, e.team.id])).toEqual([['changed', teamB()]]);
    }
    await adminB.waitForCount(marks.get(adminB)!, 1, changedOf(teamB), 'for team B');
    expect(adminB.since(marks.get(adminB)!).map((e) => [e.kind, e.team.id])).toEqual([
      ['changed', teamA()],
      ['changed', teamB()],
    ]);
    // And the other way round: team A's people never see team B.
    for (const r of [agentA1B, leaderAB]) {
      expect(r.since(marks.get(r)!).map((e) => [e.kind, e.team.id])).toEqual([['changed', teamA()]]);
    }
  });

  it('never delivers a team to a subscriber who may not read it, warm-up included', () => {
    for (const r of [agentB1B, leaderBB]) expect(r.events.filter(ofTeam(teamA))).toEqual([]);
    for (const r of [agentA1B, leaderAB, agentA1A]) expect(r.events.filter(ofTeam(teamB))).toEqual([]);
    for (const r of recorders) expect(r.errors).toEqual([]);
  });

  it('delivers on the instance where the write happened (A to A) as well', async () => {
    const marks = [adminA.mark(), agentA1A.mark(), agentA1B.mark()];
    await updateTeam(teamA(), { description: unique('local') });
    await adminA.waitForCount(marks[0], 1, changedOf(teamA), 'for team A');
    await agentA1A.waitForCount(marks[1], 1, changedOf(teamA), 'for team A');
    await agentA1B.waitForCount(marks[2], 1, changedOf(teamA), 'for team A');
    for (const [i, r] of [adminA, agentA1A, agentA1B].entries()) {
      expect(r.since(marks[i]).map((e) => [e.kind, e.team.id])).toEqual([['changed', teamA()]]);
    }
  });

  it('each event shows the team as the write committed it, on both instances', async () => {
    // Three changes in a row: the team in each event must carry that change's name, not the
    // state from before the write (the receiving instance loads the record when notified).
    const seen: { expected: string; got: Record<string, string> }[] = [];
    for (let i = 0; i < 3; i++) {
      const marks = [adminA.mark(), adminB.mark(), agentA1B.mark()];
      const name = unique('Takım A committed');
      await updateTeam(teamA(), { name });
      const got: Record<string, string> = {};
      for (const [j, r] of [adminA, adminB, agentA1B].entries()) {
        const [e] = await r.waitForCount(marks[j], 1, changedOf(teamA), 'for team A');
        got[r.label] = e.team.name;
      }
      seen.push({ expected: name, got });
    }
    expect(seen).toEqual(seen.map((s) => ({ expected: s.expected, got: { 'admin@A': s.expected, 'admin@B': s.expected, 'agentA1@B': s.expected } })));
  });

  it('teamChanged(id:) receives only the events of that team, on both instances', async () => {
    const marks = [adminOnlyB.mark(), adminOnlyBonA.mark(), adminB.mark(), adminA.mark()];
    await updateTeam(teamA(), { description: unique('filtered A') });
    // The unfiltered admin subscriptions get team A first; the filtered ones must not.
    await adminB.waitForCount(marks[2], 1, changedOf(teamA), 'for team A');
    await adminA.waitForCount(marks[3], 1, changedOf(teamA), 'for team A');
    await updateTeam(teamB(), { description: unique('filtered B') });
    for (const [i, r] of [adminOnlyB, adminOnlyBonA].entries()) {
      await r.waitForCount(marks[i], 1, changedOf(teamB), 'for team B');
      expect(r.since(marks[i]).map((e) => [e.kind, e.team.id])).toEqual([['changed', teamB()]]);
      expect(r.events.filter((e) => e.team.id !== teamB())).toEqual([]);
    }
  });

  it('delivers creation and archiving to the administrator on the other instance, and a new team to nobody who may not read it', async () => {
    const marks = [adminB.mark(), agentA1B.mark(), agentB1B.mark()];
    const name = unique('Takım C');
    const created = await t.gql(CREATE_TEAM, { i: { name } }, { as: 'admin' });
    expect(created.errors).toBeUndefined();
    const id = created.data.createTeam.id as string;
    expectDelivery(readersOf(id));
    expect(await adminB.waitFor((e) => e.team.id === id && e.kind === 'created', `created ${id}`)).toEqual({ kind: 'created', team: { id, name } });
    const archived = await t.gql('mutation($id: ID!) { archiveTeam(id: $id) { id } }', { id }, { as: 'admin' });
    expect(archived.errors).toBeUndefined();
    expectDelivery(readersOf(id));
    expect(await adminB.waitFor((e) => e.team.id === id && e.kind === 'archived', `archived ${id}`)).toEqual({ kind: 'archived', team: { id, name } });
    expect(adminB.since(marks[0]).map((e) => [e.kind, e.team.id])).toEqual([
      ['created', id],
      ['archived', id],
    ]);
    // Neither agent belongs to team C: a following change of their own team reaches them first.
    await updateTeam(teamA(), { description: unique('after C') });
    await updateTeam(teamB(), { description: unique('after C') });
    await agentA1B.waitForCount(marks[1], 1, changedOf(teamA), 'for team A');
    await agentB1B.waitForCount(marks[2], 1, changedOf(teamB), 'for team B');
    expect(agentA1B.since(marks[1]).map((e) => [e.kind, e.team.id])).toEqual([['changed', teamA()]]);
    expect(agentB1B.since(marks[2]).map((e) => [e.kind, e.team.id])).toEqual([['changed', teamB()]]);
  });

  describe('a write that fails publishes nothing', () => {
    /**
     * Runs `fail`, then two successful changes of team A and one of team B. Every subscriber
     * of team A, on both instances, must see exactly the two team A changes. Order proves it:
     * the administrators receive team B's change last, so by then anything published for the
     * failed write would have arrived before it on their instance.
     */
    async function expectNothingPublishedBy(fail: () => Promise<void>) {
      const watchers = [adminB, agentA1B, leaderAB, adminA, agentA1A];
      const marks = watchers.map((r) => r.mark());
      await fail();
      await updateTeam(teamA(), { description: unique('after failure 1') });
      await updateTeam(teamA(), { description: unique('after failure 2') });
      await updateTeam(teamB(), { description: unique('after failure') });
      for (const [i, r] of watchers.entries()) await r.waitForCount(marks[i], 2, changedOf(teamA), 'for team A');
      for (const r of [adminB, adminA]) await r.waitForCount(marks[watchers.indexOf(r)], 1, changedOf(teamB), 'for team B');
      for (const [i, r] of watchers.entries()) {
        const expected = [['changed', teamA()], ['changed', teamA()], ...(r === adminA || r === adminB ? [['changed', teamB()]] : [])];
        expect({ who: r.label, events: r.since(marks[i]).map((e) => [e.kind, e.team.id]) }).toEqual({ who: r.label, events: expected });
      }
    }

    it('updateTeam with a stale version (CONFLICT)', async () => {
      await expectNothingPublishedBy(async () => {
        const before = await t.sql('select name, version from teams where id = $1', [teamA()]);
        const res = await t.gql(UPDATE_TEAM, { id: teamA(), v: before[0].version - 1, i: { name: unique('stale') } }, { as: 'admin' });
        expect(codeOf(res)).toBe('CONFLICT');
        expect(await t.sql('select name, version from teams where id = $1', [teamA()])).toEqual(before);
      });
    });

    it('createTeam with a name already taken (BAD_USER_INPUT)', async () => {
      await expectNothingPublishedBy(async () => {
        const [{ name }] = await t.sql('select name from teams where id = $1', [teamA()]);
        const before = await t.sql('select count(*)::int as n from teams');
        const res = await t.gql(CREATE_TEAM, { i: { name: `  ${String(name).toUpperCase()} ` } }, { as: 'admin' });
        expect(codeOf(res)).toBe('BAD_USER_INPUT');
        expect(res.errors![0].extensions!.field).toBe('input.name');
        expect(await t.sql('select count(*)::int as n from teams')).toEqual(before);
      });
    });

    it('updateTeam whose transaction fails at COMMIT (a deferred constraint)', async () => {
      // A deferred check that fails only when the transaction commits, i.e. after the service
      // has published its event: PostgreSQL must then drop the notification with the rollback.
      await t.sql(`create or replace function test_fail_at_commit() returns trigger language plpgsql as $$
        begin raise exception 'deferred check failed' using errcode = '23505'; end $$`);
      await t.sql(`create constraint trigger test_fail_at_commit after update on teams deferrable initially deferred
        for each row when (new.name like 'commit fails%') execute function test_fail_at_commit()`);
      try {
        await expectNothingPublishedBy(async () => {
          const before = await t.sql('select name, version from teams where id = $1', [teamA()]);
          const res = await t.gql(UPDATE_TEAM, { id: teamA(), v: before[0].version, i: { name: unique('commit fails') } }, { as: 'admin' });
          expect(res.data?.updateTeam ?? null).toBeNull();
          expect(codeOf(res)).toBe('CONFLICT');
          expect(await t.sql('select name, version from teams where id = $1', [teamA()])).toEqual(before);
        });
      } finally {
        await t.sql('drop trigger if exists test_fail_at_commit on teams');
        await t.sql('drop function if exists test_fail_at_commit()');
      }
    });
  });

  // Last: stops instance B (describe blocks run in order, after the tests above).
  describe('shutdown', () => {
    it('instance B shuts down gracefully on SIGTERM (exit code 0), closing the subscriptions still connected', async () => {
      const last = subscribe('agentA1@B (at shutdown)', wsB('agentA1'));
      await warmUp([last]);
      const exit = await terminateB();
      expect({ ...exit, output: exit.code === 0 ? '' : childOutput }).toEqual({ code: 0, signal: null, output: '' });
      // Its WebSocket subscribers are told (the socket closes), not left hanging.
      for (const r of [last, adminB, agentB1B, adminOnlyB]) expect(await within(r.ended, 5000)).not.toBe('timeout');
    });
  });
});
