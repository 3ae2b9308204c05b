/**
 * P11: a shift (../shared/QUALITY.md). 50 live subscriptions and a mixed load; the live heap
 * after a full GC must stay flat, no connection may sit idle in a transaction, and /healthz must
 * answer promptly throughout.
 *
 *   node --expose-gc -r ./api/register.js bench/p11.ts [--minutes M] [--rate R] [--out FILE]
 *
 * In one process (so the heap can be read after a forced GC): the server (startApp, production
 * mode, its own database P11_DATABASE_URL, default .../callcenter_soak, dropped and recreated
 * with the demo data), 8 demo users signed in, 50 WebSocket subscriptions (applicationChanged
 * with nested fields and dashboardChanged, 10 of them replaced every minute), and R operations
 * per second (default 40): application pages, one application with its follow-ups, new
 * applications, follow-ups and edits. The clients' own memory is steady, so the heap's slope is
 * the server's.
 */
process.env.LOG_LEVEL ??= 'warn';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import fs from 'node:fs';
import v8 from 'node:v8';
import path from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { startApp } from '../api/app';
import { parseConfig } from '../api/config';
import { systemContext } from '../api/context';
import type { DemoSeed } from '../api/module';
import { modules } from '../modules/registry';
import { graphql, ROOT, signIn, summarize, withDatabase } from './lib';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const MINUTES = opt('--minutes', 5);
const RATE = opt('--rate', 40);
const SNAPSHOTS = args.includes('--snapshots') ? args[args.indexOf('--snapshots') + 1] : null;
const OUT = args.includes('--out') ? args[args.indexOf('--out') + 1] : path.join(ROOT, 'bench', 'results', 'p11.json');
const DB_URL = process.env.P11_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/callcenter_soak';
const PASSWORD = 'demo-parola-2026';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  process.stderr.write('run with node --expose-gc\n');
  process.exit(2);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function recreate(url: string) {
  const name = new URL(url).pathname.slice(1);
  if (!name.includes('soak')) throw new Error(`refusing to drop ${name}: its name must contain "soak"`);
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.query(`create database "${name}"`);
  await admin.end();
}

const APP_SUB = 'subscription { applicationChanged { kind application { id number subject stage { name } applicant { name } assignee { user { name } team { name } } followUpCount } } }';
const DASH_SUB = 'subscription { dashboardChanged { at changes } }';
const PAGE = 'query { applications(page: { first: 50 }, sort: [{ field: applicationDate, direction: DESC }]) { total items { id number subject applicant { name } category { name } stage { name } followUpCount } } }';
const ONE = 'query($id: ID!) { application(id: $id) { id subject detail followUps { id text author { name } } timeEntries { id minutes } } }';
const CREATE = 'mutation($i: CreateApplicationInput!) { createApplication(input: $i) { id } }';
const FOLLOW = 'mutation($a: ID!, $i: FollowUpInput!) { addFollowUp(applicationId: $a, input: $i) { id } }';

async function main() {
  await recreate(DB_URL);
  const config = parseConfig({
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: DB_URL,
    JOBS_ENABLED: 'false',
    SERVE_BACKOFFICE: 'false',
    ADMIN_EMAIL: 'admin@demo.local',
    ADMIN_PASSWORD: PASSWORD,
    LOG_LEVEL: 'warn',
    LOGIN_MAX_FAILURES: '100',
  });
  const app = await startApp(config, { database: { url: DB_URL, embedded: false, stop: async () => undefined } });
  const demo: DemoSeed = { password: PASSWORD, refs: new Map(), notes: [] };
  for (const m of modules) if (m.seedDemo) await m.seedDemo(systemContext(app.services, app.services.orm.em.fork() as SqlEntityManager), demo);
  const url = `http://127.0.0.1:${app.port}`;
  const sql = new pg.Pool({ connectionString: DB_URL, max: 2 });

  const emails = ['admin@demo.local', ...demo.notes.map((l) => /([\w.]+@demo\.local)/.exec(l)?.[1]).filter((e): e is string => !!e)].slice(0, 8);
  const tokens: string[] = [];
  for (const e of emails) tokens.push(await signIn(url, e, PASSWORD));
  const refs = (await sql.query(`select (select min(id) from accounts) as account, (select min(id) from categories) as category`)).rows[0];
  const appIds = (await sql.query('select id from applications order by id')).rows.map((r) => Number(r.id));

  // ---- 50 subscriptions, 10 replaced every minute
  let delivered = 0;
  let subErrors = 0;
  type Sub = { client: Client; dispose: () => void };
  const open = (i: number): Sub => {
    const client = createClient({ url: url.replace('http', 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${tokens[i % tokens.length]}` }, retryAttempts: 0, lazy: true });
    const dispose = client.subscribe({ query: i % 2 ? DASH_SUB : APP_SUB }, { next: (v) => (v.errors ? subErrors++ : delivered++), error: () => subErrors++, complete: () => undefined });
    return { client, dispose };
  };
  const subs: Sub[] = Array.from({ length: 50 }, (_, i) => open(i));
  let replaced = 0;

  // ---- the load: RATE operations per second
  const latencies: number[] = [];
  let opErrors = 0;
  let firstError: string | undefined;
  let n = 0;
  const op = async () => {
    const k = n++;
    const token = tokens[k % tokens.length];
    const t0 = performance.now();
    let res: { errors?: { message: string }[] };
    const r = k % 10;
    if (r < 5) res = await graphql(url, PAGE, {}, token);
    else if (r < 7) res = await graphql(url, ONE, { id: String(appIds[k % appIds.length]) }, tokens[0]);
    else if (r < 9) res = await graphql(url, FOLLOW, { a: String(appIds[k % appIds.length]), i: { text: `Müşteri arandı, bilgi verildi (${k}). Işık, çiğdem, ğüşöİ.` } }, tokens[0]);
    else {
      res = await graphql<{ createApplication: { id: string } }>(url, CREATE, { i: { applicantId: String(refs.account), categoryId: String(refs.category), subject: `Fatura itirazı ${k}`, detail: 'Şubat faturası yüksek geldi.', assignee: { everyone: true } } }, tokens[0]);
      const id = (res as { data?: { createApplication?: { id: string } } }).data?.createApplication?.id;
      if (id) appIds.push(Number(id));
    }
    latencies.push(performance.now() - t0);
    if (res.errors?.length) {
      opErrors++;
      firstError ??= res.errors[0].message;
    }
  };

  // ---- what is measured
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  const health: number[] = [];
  let idleInTxMax = 0;
  const samples: { minute: number; heapMB: number; rssMB: number }[] = [];
  const heapNow = () => {
    gc!();
    gc!();
    const m = process.memoryUsage();
    return { heapMB: m.heapUsed / 1048576, rssMB: m.rss / 1048576 };
  };

  const started = performance.now();
  const end = started + MINUTES * 60_000;
  const inflight = new Set<Promise<void>>();
  let nextSample = started + 15_000;
  let nextReplace = started + 60_000;
  let nextHealth = started;
  let nextIdleCheck = started;
  const interval = 1000 / RATE;
  let nextOp = started;
  while (performance.now() < end) {
    const now = performance.now();
    if (now >= nextOp) {
      nextOp += interval;
      const p = op().catch((e) => {
        opErrors++;
        firstError ??= String(e);
      });
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    if (now >= nextHealth) {
      nextHealth = now + 200;
      const h0 = performance.now();
      void fetch(`${url}/healthz`).then(() => health.push(performance.now() - h0), () => health.push(10_000));
    }
    if (now >= nextIdleCheck) {
      nextIdleCheck = now + 2000;
      void sql
        .query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%' and now() - state_change > interval '1 second'`)
        .then((r) => (idleInTxMax = Math.max(idleInTxMax, r.rows[0].n)));
    }
    if (now >= nextReplace) {
      nextReplace = now + 60_000;
      for (let i = 0; i < 10; i++) {
        const j = (replaced * 10 + i) % subs.length;
        subs[j].dispose();
        void subs[j].client.dispose();
        subs[j] = open(j + replaced);
      }
      replaced++;
    }
    if (now >= nextSample) {
      nextSample = now + 15_000;
      samples.push({ minute: (now - started) / 60_000, ...heapNow() });
      // Heap snapshots after the warm-up and at the end, to compare (Chrome DevTools).
      if (SNAPSHOTS && (samples.length === 5 || now + 15_000 >= end)) v8.writeHeapSnapshot(path.join(SNAPSHOTS, `p11-${samples.length}.heapsnapshot`));
      const s = samples[samples.length - 1];
      process.stderr.write(`  ${s.minute.toFixed(1)} min: heap ${s.heapMB.toFixed(1)} MB, rss ${s.rssMB.toFixed(0)} MB, ops ${latencies.length}, events delivered ${delivered}\n`);
    }
    await sleep(Math.max(0, Math.min(nextOp, nextHealth) - performance.now()));
  }
  await Promise.all(inflight);
  eld.disable();

  // Slope of the heap after the first minute (warm-up), least squares, MB per 10 minutes.
  const pts = samples.filter((s) => s.minute >= 1);
  const mx = pts.reduce((a, p) => a + p.minute, 0) / pts.length;
  const my = pts.reduce((a, p) => a + p.heapMB, 0) / pts.length;
  const slope = pts.reduce((a, p) => a + (p.minute - mx) * (p.heapMB - my), 0) / (pts.reduce((a, p) => a + (p.minute - mx) ** 2, 0) || 1);
  const h = summarize(health, 0, 1);
  const result = {
    minutes: MINUTES,
    rate: RATE,
    operations: summarize(latencies, opErrors, MINUTES * 60_000, firstError),
    subscriptions: { open: subs.length, replacedPerMinute: 10, delivered, errors: subErrors },
    heap: { samples, slopeMBPer10Min: slope * 10, first: pts[0]?.heapMB, last: pts[pts.length - 1]?.heapMB },
    healthz: { p50: h.p50, p99: h.p99, max: h.max },
    eventLoopDelayMs: { p99: eld.percentile(99) / 1e6, max: eld.max / 1e6 },
    idleInTransactionMax: idleInTxMax,
  };
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify(result, null, 2));
  process.stdout.write(
    `P11 (${MINUTES} min, ${RATE} ops/s, 50 subscriptions): heap ${result.heap.first?.toFixed(1)} → ${result.heap.last?.toFixed(1)} MB, slope ${result.heap.slopeMBPer10Min.toFixed(1)} MB per 10 min (target < 3.3); ` +
      `healthz p99 ${h.p99.toFixed(1)} / max ${h.max.toFixed(1)} ms; event loop delay max ${result.eventLoopDelayMs.max.toFixed(0)} ms; idle in transaction > 1 s: ${idleInTxMax}; ` +
      `${result.operations.n} operations (${opErrors} errors${firstError ? `: ${firstError}` : ''}), ${delivered} events delivered\n`,
  );
  for (const s of subs) {
    s.dispose();
    await s.client.dispose();
  }
  await sql.end();
  await app.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
