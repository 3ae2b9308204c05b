import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import request from 'supertest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { ADMIN_EMAIL, codeOf, PASSWORD, sleep, startTestApp, type RoleName, type TestApp } from '../../test/harness';

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

  constructor(
    readonly label: string,
    client: Client,
    variables: Record<string, unknown> = {},
  ) {
    this.dispose = client.subscribe<{ teamChanged: TeamEvent }>(
      { query: TEAM_CHANGED, variables },
      {
        next: (v) => {
          if (v.errors?.length) this.errors.push(v.errors);
          else if (v.data?.teamChanged) this.events.push(v.data.teamChanged);
        },
        error: (e) => {
          this.errors.push(e);
        },
        complete: () => undefined,
      },
    );
  }

  mark(): number {
    return this.events.length;
  }

  since(mark: number): TeamEvent[] {
    return this.events.slice(mark);
  }

  has(pred: (e: TeamEvent) => boolean): boolean {
    return this.events.some(pred);
  }

  /** Resolves with the first recorded event matching `pred`; fails after `ms`. */
  async waitFor(pred: (e: TeamEvent) => boolean, what: string, ms = 10_000): Promise<TeamEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.find(pred);
      if (found) return found;
      if (this.errors.length) throw new Error(`${this.label}: subscription failed: ${JSON.stringify(this.errors)}`);
      if (Date.now() > deadline) throw new Error(`${this.label}: no event ${what} within ${ms} ms; got ${JSON.stringify(this.events)}`);
      await sleep(20);
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
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
    return res.data.updateTeam as { id: string; name: string; version: number };
  }

  /**
   * Subscriptions start asynchronously on the server; touch both teams until every given
   * subscriber has received something, so the tests below do not race the subscription start.
   */
  async function warmUp(rs: Recorder[]) {
    const deadline = Date.now() + 20_000;
    while (rs.some((r) => r.events.length === 0)) {
      if (Date.now() > deadline) throw new Error(`subscriptions never started: ${rs.filter((r) => !r.events.length).map((r) => `${r.label} ${JSON.stringify(r.errors)}`).join(', ')}`);
      await updateTeam(teamA(), { description: unique('warm-up A') });
      await updateTeam(teamB(), { description: unique('warm-up B') });
      await sleep(300);
    }
  }

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
  }, 90_000);

  afterAll(async () => {
    for (const r of recorders) r.dispose();
    for (const c of clients) await c.dispose();
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const exit = child ? await Promise.race([childExit, sleep(25_000).then(() => ({ code: null, signal: 'timeout' as never }))]) : null;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await t?.stop();
    // Graceful shutdown of `npm start` on SIGTERM: exit code 0.
    if (exit) expect({ ...exit, output: exit.code === 0 ? '' : childOutput }).toEqual({ code: 0, signal: null, output: '' });
  }, 60_000);

  it('delivers a change made on instance A to the subscribers on instance B who may read the team', async () => {
    const name = unique('Takım A cross');
    const marks = new Map(recorders.map((r) => [r, r.mark()]));
    await updateTeam(teamA(), { name });
    for (const r of [adminB, leaderAB, agentA1B]) {
      const e = await r.waitFor((ev) => ev.team.name === name, `for ${name}`);
      expect(e).toEqual({ kind: 'changed', team: { id: teamA(), name } });
    }
    // Exactly one event for the one change.
    for (const r of [adminB, leaderAB, agentA1B]) {
      expect(r.since(marks.get(r)!).filter((e) => e.team.id === teamA())).toEqual([{ kind: 'changed', team: { id: teamA(), name } }]);
    }

    // Then team B changes: its members receive that; since events arrive in commit order and
    // admin@B has already received the team A event (the record is loaded once per instance),
    // anything agentB1/leaderB could have got for team A would have arrived before it.
    const nameB = unique('Takım B cross');
    await updateTeam(teamB(), { name: nameB });
    for (const r of [agentB1B, leaderBB, adminB]) {
      const e = await r.waitFor((ev) => ev.team.name === nameB, `for ${nameB}`);
      expect(e).toEqual({ kind: 'changed', team: { id: teamB(), name: nameB } });
    }
    for (const r of [agentB1B, leaderBB]) {
      expect(r.since(marks.get(r)!)).toEqual([{ kind: 'changed', team: { id: teamB(), name: nameB } }]);
    }
    // And the other way round: team A's members never see team B.
    await adminB.waitFor((ev) => ev.team.name === nameB, `for ${nameB}`);
    for (const r of [agentA1B, leaderAB]) {
      expect(r.since(marks.get(r)!).filter((e) => e.team.id === teamB())).toEqual([]);
    }
  });

  it('never delivers a team to a subscriber who may not read it, warm-up included', () => {
    for (const r of [agentB1B, leaderBB]) expect(r.events.filter((e) => e.team.id === teamA())).toEqual([]);
    for (const r of [agentA1B, leaderAB, agentA1A]) expect(r.events.filter((e) => e.team.id === teamB())).toEqual([]);
    for (const r of recorders) expect(r.errors).toEqual([]);
  });

  it('delivers on the instance where the write happened (A to A) as well', async () => {
    const name = unique('Takım A local');
    const markAdmin = adminA.mark();
    const markAgent = agentA1A.mark();
    await updateTeam(teamA(), { name });
    expect(await adminA.waitFor((e) => e.team.name === name, `for ${name}`)).toEqual({ kind: 'changed', team: { id: teamA(), name } });
    expect(await agentA1A.waitFor((e) => e.team.name === name, `for ${name}`)).toEqual({ kind: 'changed', team: { id: teamA(), name } });
    expect(adminA.since(markAdmin)).toEqual([{ kind: 'changed', team: { id: teamA(), name } }]);
    expect(agentA1A.since(markAgent)).toEqual([{ kind: 'changed', team: { id: teamA(), name } }]);
  });

  it('teamChanged(id:) receives only the events of that team, on both instances', async () => {
    const marks = [adminOnlyB.mark(), adminOnlyBonA.mark()];
    const nameA = unique('Takım A filtered');
    const nameB = unique('Takım B filtered');
    await updateTeam(teamA(), { name: nameA });
    // The unfiltered admin subscriptions get team A first; the filtered ones must not.
    await adminB.waitFor((e) => e.team.name === nameA, `for ${nameA}`);
    await adminA.waitFor((e) => e.team.name === nameA, `for ${nameA}`);
    await updateTeam(teamB(), { name: nameB });
    for (const [i, r] of [adminOnlyB, adminOnlyBonA].entries()) {
      await r.waitFor((e) => e.team.name === nameB, `for ${nameB}`);
      expect(r.since(marks[i])).toEqual([{ kind: 'changed', team: { id: teamB(), name: nameB } }]);
      expect(r.events.every((e) => e.team.id === teamB())).toBe(true);
    }
  });

  it('delivers creation and archiving to the administrator on the other instance, and a new team to nobody who may not read it', async () => {
    const mark = [adminB.mark(), agentA1B.mark(), agentB1B.mark()];
    const name = unique('Takım C');
    const created = await t.gql(CREATE_TEAM, { i: { name } }, { as: 'admin' });
    expect(created.errors).toBeUndefined();
    const id = created.data.createTeam.id as string;
    expect(await adminB.waitFor((e) => e.team.id === id && e.kind === 'created', 'created')).toEqual({ kind: 'created', team: { id, name } });
    const archived = await t.gql('mutation($id: ID!) { archiveTeam(id: $id) { id } }', { id }, { as: 'admin' });
    expect(archived.errors).toBeUndefined();
    expect(await adminB.waitFor((e) => e.team.id === id && e.kind === 'archived', 'archived')).toEqual({ kind: 'archived', team: { id, name } });
    expect(adminB.since(mark[0]).filter((e) => e.team.id === id).map((e) => e.kind)).toEqual(['created', 'archived']);
    // Neither agent belongs to team C; a following team A change reaches agentA1 first.
    const nameA = unique('Takım A after C');
    await updateTeam(teamA(), { name: nameA });
    await agentA1B.waitFor((e) => e.team.name === nameA, `for ${nameA}`);
    expect(agentA1B.since(mark[1]).filter((e) => e.team.id === id)).toEqual([]);
    expect(agentB1B.since(mark[2]).filter((e) => e.team.id === id)).toEqual([]);
  });

  describe('a write that fails publishes nothing', () => {
    /**
     * Runs `fail`, then two successful changes of team A; every subscriber of team A must
     * see exactly those two changes (in order), nothing for the failed write.
     */
    async function expectNothingPublishedBy(fail: () => Promise<void>) {
      // Settle: everything published so far has been delivered everywhere.
      const settle = unique('Takım A settle');
      await updateTeam(teamA(), { name: settle });
      const watchers = [adminB, agentA1B, leaderAB, adminA, agentA1A];
      for (const r of watchers) await r.waitFor((e) => e.team.name === settle, `for ${settle}`);
      const marks = watchers.map((r) => r.mark());

      await fail();

      const first = unique('Takım A after failure');
      await updateTeam(teamA(), { name: first });
      for (const r of watchers) await r.waitFor((e) => e.team.name === first, `for ${first}`);
      const second = unique('Takım A after failure');
      await updateTeam(teamA(), { name: second });
      for (const r of watchers) await r.waitFor((e) => e.team.name === second, `for ${second}`);
      for (const [i, r] of watchers.entries()) {
        expect({ who: r.label, events: r.since(marks[i]) }).toEqual({
          who: r.label,
          events: [
            { kind: 'changed', team: { id: teamA(), name: first } },
            { kind: 'changed', team: { id: teamA(), name: second } },
          ],
        });
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
        const [{ name }] = await t.sql('select name from teams where id = $1', [teamB()]);
        const before = await t.sql('select count(*)::int as n from teams');
        const res = await t.gql(CREATE_TEAM, { i: { name: `  ${String(name).toUpperCase()} ` } }, { as: 'admin' });
        expect(codeOf(res)).toBe('BAD_USER_INPUT');
        expect(res.errors![0].extensions!.field).toBe('input.name');
        expect(await t.sql('select count(*)::int as n from teams')).toEqual(before);
      });
    });

    it('updateTeam whose transaction fails at COMMIT (a deferred constraint)', async () => {
      // A deferred unique-style check that only fails when the transaction commits, i.e.
      // after the service has published its event inside the transaction.
      const doomed = unique('commit fails');
      await t.sql(`create or replace function test_fail_at_commit() returns trigger language plpgsql as $$
        begin raise exception 'deferred check failed' using errcode = '23505'; end $$`);
      await t.sql(`create constraint trigger test_fail_at_commit after update on teams deferrable initially deferred
        for each row when (new.name like 'commit fails%') execute function test_fail_at_commit()`);
      try {
        await expectNothingPublishedBy(async () => {
          const before = await t.sql('select name, version from teams where id = $1', [teamA()]);
          const res = await t.gql(UPDATE_TEAM, { id: teamA(), v: before[0].version, i: { name: doomed } }, { as: 'admin' });
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
});
