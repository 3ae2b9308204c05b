/** Helpers shared by the benchmark's processes (bench/run.ts and its children). */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..');
export const REGISTER = path.join(ROOT, 'api', 'register.js');
export const BENCH_DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/callcenter_bench';
export const BENCH_DEFAULT_PASSWORD = 'bench-parola-2026';

export interface Summary {
  n: number;
  errors: number;
  firstError?: string;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
  /** requests per second over the measured window */
  throughput: number;
}

/** Nearest-rank percentile of sorted values (ms). */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function summarize(latencies: number[], errors: number, windowMs: number, firstError?: string): Summary {
  const s = [...latencies].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return {
    n: s.length,
    errors,
    firstError,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    mean,
    min: s[0] ?? NaN,
    max: s[s.length - 1] ?? NaN,
    throughput: windowMs > 0 ? (s.length * 1000) / windowMs : NaN,
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Where a child writes its result: the file named by BENCH_RESULT_FILE, else stdout. */
export function writeResult(result: unknown): void {
  const text = JSON.stringify(result);
  if (process.env.BENCH_RESULT_FILE) fs.writeFileSync(process.env.BENCH_RESULT_FILE, text);
  else process.stdout.write(text);
}

/** Runs a TypeScript child (node -r api/register.js file) that writes one JSON document (writeResult). */
export function runJsonChild<T>(file: string, args: string[], env: Record<string, string | undefined>, timeoutMs: number): Promise<T> {
  const resultFile = path.join(os.tmpdir(), `cc-bench-result-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  return new Promise<T>((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', REGISTER, file, ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env, BENCH_RESULT_FILE: resultFile }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(file)} timed out after ${timeoutMs} ms\n${err.slice(-2000)}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${path.basename(file)} exited with ${code}\n${err.slice(-4000)}`));
      try {
        resolve(JSON.parse(fs.readFileSync(resultFile, 'utf8')) as T);
      } catch {
        reject(new Error(`${path.basename(file)} wrote no result:\n${out.slice(-2000)}\n${err.slice(-2000)}`));
      } finally {
        fs.rmSync(resultFile, { force: true });
      }
    });
  });
}

/** Peak and current resident set size of a process, in MB (Linux). */
export function rssOf(pid: number): { peakMB: number; currentMB: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMB: kb('VmHWM') / 1024, currentMB: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

export function loadAverage(): number[] {
  return os.loadavg().map((x) => Math.round(x * 100) / 100);
}

export interface StartedServer {
  child: ChildProcess;
  url: string;
  port: number;
  output: () => string;
  /** Why the server is gone, or null while it runs. */
  died: () => string | null;
  stop(): Promise<number | null>;
}

/** The API as `npm start` runs it, in production mode, against the benchmark database. */
export async function startServer(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<StartedServer> {
  const port = await freePort();
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    JOBS_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    SERVE_BACKOFFICE: 'false',
    ...extraEnv,
  };
  const child = spawn(process.execPath, ['-r', REGISTER, 'api/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output = (output + d).slice(-20_000)));
  child.stderr!.on('data', (d) => (output = (output + d).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) break;
    } catch {}
    if (Date.now() - started > 120_000) {
      child.kill('SIGKILL');
      throw new Error(`the server was not ready within 120 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  let died: string | null = null;
  let stopping = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      if (!stopping) died = `the server exited unexpectedly (code ${code}, signal ${signal})`;
      resolve(code);
    }),
  );
  return {
    child,
    url,
    port,
    output: () => output,
    died: () => died,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      stopping = true;
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 25_000))]);
      if (code === 'timeout') {
        child.kill('SIGKILL');
        return null;
      }
      return code;
    },
  };
}

export async function graphql<T = any>(url: string, query: string, variables?: Record<string, unknown>, token?: string): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  const r = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await r.json()) as never;
}

export async function signIn(url: string, email: string, password: string): Promise<string> {
  const res = await graphql<{ signIn: { token: string } }>(url, 'mutation($i: SignInInput!) { signIn(input: $i) { token } }', { i: { email, password } });
  const token = res.data?.signIn?.token;
  if (!token) throw new Error(`sign-in as ${email} failed: ${JSON.stringify(res.errors ?? res)}`);
  return token;
}

/** The same principal as loadPrincipal() in the identity module, read with plain SQL. */
export const PRINCIPAL_SQL = `
  select coalesce(array_agg(t.id order by t.id), '{}') as team_ids,
         coalesce(array_agg(t.id order by t.id) filter (where t.leader_id = $1), '{}') as led_team_ids,
         array(select distinct x from (
           select $1::int as x
           union all select tm.user_id from team_members tm join teams t2 on t2.id = tm.team_id
             where t2.archived_at is null and (t2.leader_id = $1 or exists (select 1 from team_members m where m.team_id = t2.id and m.user_id = $1))
           union all select t3.leader_id from teams t3
             where t3.archived_at is null and t3.leader_id is not null and (t3.leader_id = $1 or exists (select 1 from team_members m where m.team_id = t3.id and m.user_id = $1))
         ) s order by x) as member_ids
    from teams t
   where t.archived_at is null and (t.leader_id = $1 or exists (select 1 from team_members m where m.team_id = t.id and m.user_id = $1))`;

export interface Principal {
  role: 'agent' | 'team_leader' | 'administrator';
  userId: number;
  email: string;
  teamIds: number[];
  ledTeamIds: number[];
  memberIds: number[];
}

/**
 * The applications a principal may read, as hand-written SQL over alias `a` (the rules of
 * modules/applications/permissions.ts with the default grants); `$n` placeholders start at `first`.
 */
export function scopeSql(p: Principal, first: number): { sql: string; params: unknown[] } {
  if (p.role === 'administrator') return { sql: 'true', params: [] };
  const ors = [`a.assignee_user_id = $${first}`, 'a.assignee_everyone'];
  const params: unknown[] = [p.userId];
  let n = first + 1;
  if (p.teamIds.length) {
    ors.push(`a.assignee_team_id = any($${n++}::int[])`);
    params.push(p.teamIds);
  }
  if (p.ledTeamIds.length) {
    ors.push(`a.assignee_user_id = any($${n++}::int[])`);
    params.push(p.memberIds);
    ors.push('(a.assignee_user_id is null and a.assignee_team_id is null and not a.assignee_everyone)');
  }
  return { sql: `(${ors.join(' or ')})`, params };
}

export function fmtMs(x: number | undefined | null): string {
  if (x === undefined || x === null || Number.isNaN(x)) return '-';
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}
