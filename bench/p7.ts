/**
 * P7: one event to 2,000 subscribed agents (../shared/QUALITY.md).
 *
 *   node -r ./api/register.js bench/p7.ts [--quick]   # P7 alone: starts the server(s) itself
 *   runP7(...) from bench/run.ts                         # inside the full benchmark
 *
 * Three roles in one file:
 *  - runP7() (the bench process): picks the applications with SQL, starts a second server
 *    instance (B) on the same database and the baseline (a raw `ws` server that broadcasts one
 *    message to every client), then runs the client child and turns its figures into a row.
 *  - the client child (`--client spec.json`): signs in the 180 agents once each, opens 2,000
 *    raw graphql-transport-ws sockets (~11 per agent), each subscribed to
 *    `applicationChanged` (no id), triggers events by updating an application assigned to
 *    everyone as the administrator over HTTP, one at a time, and times every delivery. The
 *    trigger and the subscribers share one process, so one clock (performance.now()).
 *  - standalone main (no arguments): P7 alone, for development.
 *
 * Latency of a delivery = the time the subscriber's socket handed over the message minus the
 * time the trigger was sent (the mutation's request, or the baseline's control message): it
 * includes the mutation itself (commit, NOTIFY), which is reported separately too.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import WebSocket, { WebSocketServer } from 'ws';
import { BENCH_DEFAULT_PASSWORD, BENCH_DEFAULT_URL, fmtMs, freePort, graphql, REGISTER, ROOT, rssOf, signIn, startServer, summarize, writeResult, type Summary } from './lib';

// ---------------------------------------------------------------- shared shapes

export interface P7Spec {
  urlA: string;
  urlB: string;
  baselineUrl: string;
  password: string;
  admin: string;
  agents: { email: string; teamIds: number[] }[];
  subscribers: number;
  warmup: number;
  rounds: number;
  /** assigned to everyone: every agent may read it */
  everyone: { id: number; version: number; referenceNo: string | null };
  /** assigned to one team only: only its agents may read it */
  team: { id: number; version: number; teamId: number };
  timeoutMs: number;
}

interface Phase {
  /** per delivery, from the trigger's send */
  latency: Summary;
  /** per delivery, from the mutation's HTTP response (can be negative: NOTIFY goes out at commit, before the response) */
  fromResponse?: Summary;
  /** the trigger's own round trip (mutation or control message) */
  trigger: Summary;
  expected: number;
  missed: number;
  rounds: number;
}

export interface P7ClientResult {
  fdLimit: number | null;
  signInMs: number;
  connectMs: { baseline: number; single: number; second: number };
  baseline: Phase;
  single: Phase;
  /** half the subscribers on instance A (where the mutation runs), half on B */
  twoInstances: Phase & { a: Summary; b: Summary };
  checks: { name: string; ok: boolean; detail: string }[];
  errors: string[];
  clientPeakRssMB: number | null;
  seconds: number;
}

const SUBSCRIPTION = 'subscription { applicationChanged { kind application { id number referenceNo } } }';
const UPDATE = 'mutation($id: ID!, $version: Int!, $input: UpdateApplicationInput!) { updateApplication(id: $id, version: $version, input: $input) { id version referenceNo } }';

const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The soft limit on open files of this process (Linux), or null. */
function fdLimit(pid: number | 'self' = 'self'): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync(`/proc/${pid}/limits`, 'utf8'));
    return m ? (m[1] === 'unlimited' ? Infinity : Number(m[1])) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- the client child

/** One subscriber socket: raw graphql-transport-ws (or the baseline's plain socket). */
interface Sub {
  ws: WebSocket;
  index: number;
  server: 'A' | 'B' | 'baseline';
}

/** Deliveries of the current round: socket index → receive time. Messages of other tags are counted as strays. */
class Collector {
  tag = '';
  times = new Map<number, number>();
  expected = 0;
  strays = new Map<string, Set<number>>();
  private done: (() => void) | null = null;

  start(tag: string, expected: number): Promise<void> {
    this.tag = tag;
    this.times = new Map();
    this.expected = expected;
    return new Promise<void>((resolve) => (this.done = resolve));
  }

  receive(index: number, tag: string, t: number) {
    if (tag === this.tag) {
      if (!this.times.has(index)) this.times.set(index, t);
      if (this.times.size >= this.expected && this.done) {
        this.done();
        this.done = null;
      }
      return;
    }
    let s = this.strays.get(tag);
    if (!s) this.strays.set(tag, (s = new Set()));
    s.add(index);
  }
}

const TAG = /"referenceNo":"([^"]*)"/;

function openGraphqlSub(url: string, token: string, index: number, server: 'A' | 'B', collector: Collector, errors: string[]): Promise<Sub> {
  const wsUrl = `${url.replace(/^http/, 'ws')}/graphql`;
  return new Promise<Sub>((resolve, reject) => {
    const ws = new WebSocket(wsUrl, 'graphql-transport-ws', { perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`socket ${index} (${server}): no subscription within 20 s`));
    }, 20_000);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    ws.on('message', (data: Buffer) => {
      const t = now();
      const text = data.toString();
      if (text.includes('"type":"next"')) {
        const m = TAG.exec(text);
        if (m) collector.receive(index, m[1], t);
        return;
      }
      const msg = JSON.parse(text) as { type: string; payload?: unknown };
      if (msg.type === 'connection_ack') {
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIPTION } }));
        // The server has registered the subscription once it answers a ping sent after it (messages are handled in order).
        ws.send(JSON.stringify({ type: 'ping' }));
      } else if (msg.type === 'pong') {
        clearTimeout(timer);
        resolve({ ws, index, server });
      } else if (msg.type === 'ping') ws.send('{"type":"pong"}');
      else if (msg.type === 'next' || msg.type === 'error' || msg.type === 'complete') {
        if (errors.length < 20) errors.push(`socket ${index} (${server}): ${text.slice(0, 300)}`);
      }
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`socket ${index} (${server}): ${err.message}`));
    });
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      const why = `socket ${index} (${server}) closed: ${code} ${reason.toString()}`;
      if (code !== 1000 && code !== 1005 && errors.length < 20) errors.push(why);
      reject(new Error(why));
    });
  });
}

function openBaselineSub(url: string, index: number, collector: Collector): Promise<Sub> {
  return new Promise<Sub>((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`baseline socket ${index}: not open within 20 s`));
    }, 20_000);
    ws.on('open', () => {
      clearTimeout(timer);
      resolve({ ws, index, server: 'baseline' });
    });
    ws.on('message', (data: Buffer) => {
      const t = now();
      const m = TAG.exec(data.toString());
      if (m) collector.receive(index, m[1], t);
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`baseline socket ${index}: ${err.message}`));
    });
  });
}

/** Runs `open` for every index, at most `parallel` at a time. */
async function openAll(indexes: number[], parallel: number, open: (i: number) => Promise<Sub>, into: Sub[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < indexes.length) {
      const i = indexes[next++];
      into[i] = await open(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, indexes.length) }, worker));
}

async function closeAll(subs: Sub[], indexes?: number[]): Promise<void> {
  const list = (indexes ?? subs.map((_, i) => i)).map((i) => subs[i]).filter(Boolean);
  await Promise.all(
    list.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.ws.readyState === WebSocket.CLOSED) return resolve();
          const t = setTimeout(() => {
            s.ws.terminate();
            resolve();
          }, 3000);
          s.ws.once('close', () => {
            clearTimeout(t);
            resolve();
          });
          s.ws.removeAllListeners('error');
          s.ws.on('error', () => undefined);
          s.ws.close();
        }),
    ),
  );
}

async function clientMain(specFile: string): Promise<void> {
  const spec = JSON.parse(fs.readFileSync(specFile, 'utf8')) as P7Spec;
  const started = now();
  const errors: string[] = [];
  const checks: P7ClientResult['checks'] = [];
  const N = spec.subscribers;
  const limit = fdLimit();
  if (limit !== null && limit < N + 200) throw new Error(`the client may open only ${limit} files; it needs ${N + 200} (raise ulimit -n)`);
  const runTag = `P7-${Date.now().toString(36)}`;
  let version = spec.everyone.version;

  // ---- sign in: the administrator and each agent once (argon2: a few at a time)
  const t0 = now();
  const adminToken = await signIn(spec.urlA, spec.admin, spec.password);
  const agentTokens: string[] = new Array(spec.agents.length);
  {
    let next = 0;
    const worker = async () => {
      while (next < spec.agents.length) {
        const i = next++;
        agentTokens[i] = await signIn(spec.urlA, spec.agents[i].email, spec.password);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
  }
  const signInMs = now() - t0;
  const agentOf = (i: number) => i % spec.agents.length;

  const update = async (id: number, ver: number, referenceNo: string): Promise<{ version: number; sent: number; answered: number }> => {
    const sent = now();
    const r = await graphql<{ updateApplication: { version: number } }>(spec.urlA, UPDATE, { id: String(id), version: ver, input: { referenceNo } }, adminToken);
    const answered = now();
    if (!r.data?.updateApplication) throw new Error(`updateApplication(${id}) failed: ${JSON.stringify(r.errors)}`);
    return { version: r.data.updateApplication.version, sent, answered };
  };

  /** Waits until `expected` deliveries of the collector's round arrived, or the timeout. */
  const waitRound = (done: Promise<void>) => Promise.race([done, sleep(spec.timeoutMs)]);

  /** warm-up + measured rounds; `trigger` returns its send and answer times. */
  const rounds = async (collector: Collector, label: string, trigger: (tag: string) => Promise<{ sent: number; answered: number }>, sideOf?: (i: number) => 'A' | 'B') => {
    const lat: number[] = [];
    const fromResp: number[] = [];
    const trig: number[] = [];
    const bySide = { A: [] as number[], B: [] as number[] };
    let missed = 0;
    for (let r = 0; r < spec.warmup + spec.rounds; r++) {
      const tag = `${runTag}-${label}-${r}`;
      const done = collector.start(tag, N);
      const { sent, answered } = await trigger(tag);
      await waitRound(done);
      if (r < spec.warmup) continue;
      trig.push(answered - sent);
      missed += N - collector.times.size;
      for (const [i, t] of collector.times) {
        lat.push(t - sent);
        fromResp.push(t - answered);
        if (sideOf) bySide[sideOf(i)].push(t - sent);
      }
      await sleep(50);
    }
    return { lat, fromResp, trig, bySide, missed };
  };

  // ---- the baseline: a raw ws server broadcasting one message to every client
  const baseCollector = new Collector();
  const baseSubs: Sub[] = [];
  let t1 = now();
  await openAll(
    Array.from({ length: N }, (_, i) => i),
    50,
    (i) => openBaselineSub(spec.baselineUrl, i, baseCollector),
    baseSubs,
  );
  const baselineConnectMs = now() - t1;
  const control = await openBaselineSub(`${spec.baselineUrl}?control=1`, -1, new Collector());
  const baseRun = await rounds(baseCollector, 'base', async (tag) => {
    const sent = now();
    control.ws.send(tag);
    return { sent, answered: sent };
  });
  await closeAll([...baseSubs, control]);
  const baseline: Phase = { latency: summarize(baseRun.lat, baseRun.missed, 0), trigger: summarize(baseRun.trig, 0, 0), expected: N * spec.rounds, missed: baseRun.missed, rounds: spec.rounds };

  // ---- one instance: every subscriber on A
  const collector = new Collector();
  const subs: Sub[] = [];
  t1 = now();
  await openAll(
    Array.from({ length: N }, (_, i) => i),
    50,
    (i) => openGraphqlSub(spec.urlA, agentTokens[agentOf(i)], i, 'A', collector, errors),
    subs,
  );
  const singleConnectMs = now() - t1;
  await sleep(500); // the last subscriptions are registered

  // Before timing: a test event reaches all; an event of one team's application reaches only that team.
  {
    const tag = `${runTag}-check-everyone`;
    const done = collector.start(tag, N);
    version = (await update(spec.everyone.id, version, tag)).version;
    await waitRound(done);
    checks.push({ name: `P7 a test event reaches all ${N} subscribers`, ok: collector.times.size === N, detail: `${collector.times.size} of ${N} received it` });
  }
  {
    const allowed = new Set<number>();
    for (let i = 0; i < N; i++) if (spec.agents[agentOf(i)].teamIds.includes(spec.team.teamId)) allowed.add(i);
    const tag = `${runTag}-check-team`;
    const done = collector.start(tag, allowed.size);
    await update(spec.team.id, spec.team.version, tag);
    await waitRound(done);
    await sleep(1000); // strays (subscribers it must not reach) would arrive by now
    const got = [...collector.times.keys()];
    const wrong = got.filter((i) => !allowed.has(i)).length;
    const missing = [...allowed].filter((i) => !collector.times.has(i)).length;
    checks.push({
      name: `P7 an event of application ${spec.team.id} (team ${spec.team.teamId} only) reaches only that team's agents`,
      ok: wrong === 0 && missing === 0 && allowed.size > 0,
      detail: `${got.length} received it, ${allowed.size} allowed (${wrong} not allowed, ${missing} allowed but missed)`,
    });
  }

  const singleRun = await rounds(collector, 'one', (tag) => update(spec.everyone.id, version, tag).then((r) => ((version = r.version), r)));
  const single: Phase = {
    latency: summarize(singleRun.lat, singleRun.missed, 0),
    fromResponse: summarize(singleRun.fromResp, 0, 0),
    trigger: summarize(singleRun.trig, 0, 0),
    expected: N * spec.rounds,
    missed: singleRun.missed,
    rounds: spec.rounds,
  };

  // ---- two instances: the odd sockets move to B (the agents stay spread evenly), the mutation stays on A
  const odd = Array.from({ length: N }, (_, i) => i).filter((i) => i % 2 === 1);
  await closeAll(subs, odd);
  t1 = now();
  await openAll(odd, 50, (i) => openGraphqlSub(spec.urlB, agentTokens[agentOf(i)], i, 'B', collector, errors), subs);
  const secondConnectMs = now() - t1;
  await sleep(500);
  {
    const tag = `${runTag}-check-two`;
    const done = collector.start(tag, N);
    version = (await update(spec.everyone.id, version, tag)).version;
    await waitRound(done);
    checks.push({ name: `P7 with two instances a test event reaches all ${N} subscribers`, ok: collector.times.size === N, detail: `${collector.times.size} of ${N} received it` });
  }
  const side = (i: number): 'A' | 'B' => subs[i].server as 'A' | 'B';
  const twoRun = await rounds(collector, 'two', (tag) => update(spec.everyone.id, version, tag).then((r) => ((version = r.version), r)), side);
  const twoInstances = {
    latency: summarize(twoRun.lat, twoRun.missed, 0),
    fromResponse: summarize(twoRun.fromResp, 0, 0),
    trigger: summarize(twoRun.trig, 0, 0),
    expected: N * spec.rounds,
    missed: twoRun.missed,
    rounds: spec.rounds,
    a: summarize(twoRun.bySide.A, 0, 0),
    b: summarize(twoRun.bySide.B, 0, 0),
  };
  await closeAll(subs);

  // Leave the application as it was (one more event, after the measurement).
  await update(spec.everyone.id, version, spec.everyone.referenceNo ?? '').catch((err: Error) => errors.push(`restoring referenceNo: ${err.message}`));

  const strays = [...collector.strays.entries()].filter(([tag]) => tag.startsWith(runTag));
  if (strays.length) errors.push(`late or repeated deliveries: ${strays.map(([t, s]) => `${t}: ${s.size}`).join(', ')}`);
  const result: P7ClientResult = {
    fdLimit: limit,
    signInMs,
    connectMs: { baseline: baselineConnectMs, single: singleConnectMs, second: secondConnectMs },
    baseline,
    single,
    twoInstances,
    checks,
    errors,
    clientPeakRssMB: rssOf(process.pid)?.peakMB ?? null,
    seconds: (now() - started) / 1000,
  };
  writeResult(result);
}

// ---------------------------------------------------------------- the bench process side

/** The baseline: a raw `ws` server; a message on the control socket is broadcast, serialised once, to every other client. */
async function startBaseline(): Promise<{ url: string; close: () => Promise<void> }> {
  const port = await freePort();
  const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });
  const clients = new Set<WebSocket>();
  wss.on('connection', (ws, req) => {
    if (req.url?.includes('control=1')) {
      ws.on('message', (data: Buffer) => {
        // The same shape and size as the API's message.
        const payload = JSON.stringify({ id: '1', type: 'next', payload: { data: { applicationChanged: { kind: 'changed', application: { id: '1000000', number: '2026-000000', referenceNo: data.toString() } } } } });
        for (const c of clients) c.send(payload);
      });
      return;
    }
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

/** Runs the client child with a raised open-files limit (bash's ulimit, up to the hard limit). */
function runClient(specFile: string, timeoutMs: number): Promise<P7ClientResult> {
  const resultFile = path.join(os.tmpdir(), `cc-bench-p7-${process.pid}-${Date.now()}.json`);
  return new Promise<P7ClientResult>((resolve, reject) => {
    const child = spawn('bash', ['-c', 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"', process.execPath, '-r', REGISTER, __filename, '--client', specFile], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', BENCH_RESULT_FILE: resultFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stdout.on('data', () => undefined);
    child.stderr.on('data', (d) => (err = (err + d).slice(-8000)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the P7 client timed out after ${timeoutMs} ms\n${err.slice(-2000)}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      try {
        if (code !== 0) throw new Error(`the P7 client exited with ${code}\n${err.slice(-4000)}`);
        resolve(JSON.parse(fs.readFileSync(resultFile, 'utf8')) as P7ClientResult);
      } catch (e) {
        reject(e);
      } finally {
        fs.rmSync(resultFile, { force: true });
      }
    });
  });
}

export interface P7Row {
  id: 'P7';
  workload: string;
  status: 'pass' | 'fail' | 'not measured';
  measured?: string;
  baseline?: string;
  ratio?: string;
  target: string;
  notes: string[];
  data?: unknown;
}

export const P7_TARGET = 'p99 <= 250 ms; 2nd instance <= +10 ms p50';
const WORKLOAD = 'one event (updateApplication as administrator) to 2,000 agents subscribed to applicationChanged over graphql-ws';

/**
 * P7 against a running server (A): starts instance B and the baseline, runs the client child.
 * `db` is a connected client on the benchmark database.
 */
export async function runP7(opts: { urlA: string; databaseUrl: string; db: pg.Client; password: string; quick: boolean; log: (msg: string) => void; pidA?: number }): Promise<{ row: P7Row; checks: P7ClientResult['checks']; raw: unknown }> {
  const { db, log } = opts;
  const q = async <R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]) => (await db.query<R>(sql, params)).rows;
  const agents = await q<{ email: string; team_ids: number[] }>(
    `select u.email, coalesce(array_agg(tm.team_id) filter (where tm.team_id is not null), '{}') as team_ids
       from users u left join team_members tm on tm.user_id = u.id
      where u.email like 'temsilci%@bench.local' and u.active and u.archived_at is null
      group by u.id, u.email order by u.email`,
  );
  if (!agents.length) throw new Error('no agents temsilci…@bench.local in the data set');
  const [everyone] = await q<{ id: number; version: number; reference_no: string | null }>(
    'select id, version, reference_no from applications where assignee_everyone and archived_at is null order by id desc limit 1',
  );
  const [team] = await q<{ id: number; version: number; assignee_team_id: number }>(
    `select a.id, a.version, a.assignee_team_id from applications a
      where a.assignee_team_id is not null and a.assignee_user_id is null and not a.assignee_everyone and a.archived_at is null
      order by a.id desc limit 1`,
  );
  if (!everyone || !team) throw new Error('no application assigned to everyone, or none assigned to one team only');

  const t0 = Date.now();
  log('P7: starting a second server instance (B) and the raw ws baseline');
  const serverB = await startServer(opts.databaseUrl);
  const baseline = await startBaseline();
  const spec: P7Spec = {
    urlA: opts.urlA,
    urlB: serverB.url,
    baselineUrl: baseline.url,
    password: opts.password,
    admin: 'admin@bench.local',
    agents: agents.map((a) => ({ email: a.email, teamIds: a.team_ids.map(Number) })),
    subscribers: 2000,
    warmup: 3,
    rounds: opts.quick ? 10 : 30,
    everyone: { id: Number(everyone.id), version: Number(everyone.version), referenceNo: everyone.reference_no },
    team: { id: Number(team.id), version: Number(team.version), teamId: Number(team.assignee_team_id) },
    timeoutMs: 5000,
  };
  const specFile = path.join(os.tmpdir(), `cc-bench-p7-spec-${process.pid}.json`);
  fs.writeFileSync(specFile, JSON.stringify(spec));
  const serverFds = { A: opts.pidA ? fdLimit(opts.pidA) : null, B: serverB.child.pid ? fdLimit(serverB.child.pid) : null };
  let r: P7ClientResult;
  let rssB: ReturnType<typeof rssOf> = null;
  try {
    log(`P7: ${spec.subscribers} subscribers, ${spec.rounds} events (+${spec.warmup} warm-up) each on: raw ws baseline, one instance, two instances`);
    r = await runClient(specFile, 240_000);
    rssB = rssOf(serverB.child.pid!);
    const gone = serverB.died();
    if (gone) throw new Error(`instance B: ${gone}\n${serverB.output().slice(-2000)}`);
  } finally {
    fs.rmSync(specFile, { force: true });
    await baseline.close();
    await serverB.stop();
  }

  const s = r.single.latency;
  const b = r.baseline.latency;
  const diff = r.twoInstances.b.p50 - r.twoInstances.a.p50;
  const checksOk = r.checks.every((c) => c.ok);
  const ok = s.p99 <= 250 && diff <= 10 && r.single.missed === 0 && r.twoInstances.missed === 0 && checksOk;
  const pctMs = (x: Summary) => `p50 ${fmtMs(x.p50)} / p95 ${fmtMs(x.p95)} / p99 ${fmtMs(x.p99)} ms`;
  const row: P7Row = {
    id: 'P7',
    workload: WORKLOAD,
    status: ok ? 'pass' : 'fail',
    measured: `${pctMs(s)}, max ${fmtMs(s.max)} (n=${s.n}, missed ${r.single.missed}); 2nd instance ${diff < 0 ? '-' : '+'}${fmtMs(Math.abs(diff))} ms p50 (B - A)`,
    baseline: `raw ws broadcast ${pctMs(b)}`,
    ratio: `${(s.p99 / b.p99).toFixed(1)}x p99`,
    target: P7_TARGET,
    notes: [
      `latency = subscriber's receive time - the mutation's send time (one process, one clock); it includes the mutation: its own round trip p50 ${fmtMs(r.single.trigger.p50)} / p99 ${fmtMs(r.single.trigger.p99)} ms; from its response: p50 ${fmtMs(r.single.fromResponse!.p50)} / p99 ${fmtMs(r.single.fromResponse!.p99)} ms`,
      `two instances (1,000 sockets each, mutation on A): A ${pctMs(r.twoInstances.a)}; B ${pctMs(r.twoInstances.b)}; B - A = ${diff < 0 ? '-' : '+'}${fmtMs(Math.abs(diff))} ms p50; missed ${r.twoInstances.missed}`,
      `baseline: the same client process, ${r.baseline.rounds} broadcasts of a message of the same shape, serialised once; missed ${r.baseline.missed}`,
      ...r.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name.replace(/^P7 /, '')}: ${c.detail}`),
      `sign-in of ${agents.length} agents ${(r.signInMs / 1000).toFixed(1)} s; 2,000 subscriptions opened in ${(r.connectMs.single / 1000).toFixed(1)} s (baseline sockets ${(r.connectMs.baseline / 1000).toFixed(1)} s); open-files limit: client ${r.fdLimit}, A ${serverFds.A ?? '?'}, B ${serverFds.B ?? '?'}; P7 took ${((Date.now() - t0) / 1000).toFixed(0)} s`,
      ...r.errors.map((e) => `error: ${e}`),
    ],
    data: { ...r, serverFdLimits: serverFds, instanceBPeakRssMB: rssB?.peakMB ?? null, applications: { everyone: spec.everyone.id, team: spec.team.id, teamId: spec.team.teamId } },
  };
  return { row, checks: r.checks, raw: r };
}

// ---------------------------------------------------------------- standalone

async function standalone(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const url = process.env.BENCH_DATABASE_URL || BENCH_DEFAULT_URL;
  const password = process.env.BENCH_PASSWORD || BENCH_DEFAULT_PASSWORD;
  const t0 = Date.now();
  const log = (msg: string) => process.stderr.write(`[p7 ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);
  const db = new pg.Client({ connectionString: url, application_name: 'bench-p7' });
  await db.connect();
  log('starting the server (production mode)');
  const server = await startServer(url);
  try {
    const { row } = await runP7({ urlA: server.url, databaseUrl: url, db, password, quick, log, pidA: server.child.pid });
    process.stdout.write(`\n${row.id} ${row.status.toUpperCase()}  ${row.workload}\n  measured: ${row.measured}\n  baseline: ${row.baseline}\n  ratio:    ${row.ratio}\n  target:   ${row.target}\n${row.notes.map((n) => `  · ${n}`).join('\n')}\n`);
    const out = path.join(ROOT, 'bench', 'results', 'p7.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(row, null, 2)}\n`);
    process.stdout.write(`\nWritten to ${path.relative(process.cwd(), out)}\n`);
  } finally {
    await server.stop();
    await db.end();
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const run = argv[0] === '--client' ? clientMain(argv[1]) : standalone(argv);
  run
    .then(() => process.exit(0))
    .catch((err) => {
      process.stderr.write(`p7 failed: ${err instanceof Error ? err.stack || err.message : String(err)}\n`);
      process.exit(1);
    });
}
