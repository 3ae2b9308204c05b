import pg from 'pg';
import request from 'supertest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { startApp, type App } from '../api/app';
import { parseConfig } from '../api/config';
import { systemContext, type Context } from '../api/context';
import { Role } from '../modules/identity/entities/role.entity';
import { teamService } from '../modules/identity/services/team.service';
import { userService } from '../modules/identity/services/user.service';

export const ADMIN_EMAIL = 'admin@test.local';
export const PASSWORD = 'test-password-1';

export type RoleName = 'admin' | 'leaderA' | 'agentA1' | 'agentA2' | 'leaderB' | 'agentB1';

export interface World {
  users: Record<RoleName, { id: number; email: string; token: string }>;
  teams: { A: number; B: number };
}

export interface GqlResult<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
  body: any;
}

let dbCounter = 0;

/** A fresh database for one test file, copied from the migrated template. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.CC_TEST_ADMIN_URL!;
  const name = `cc_test_${process.env.CC_TEST_RUN}_${process.env.JEST_WORKER_ID ?? 0}_${process.pid}_${++dbCounter}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}" template "${process.env.CC_TEST_TEMPLATE}"`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`).catch(() => undefined);
      await c.end();
    },
  };
}

export interface TestApp {
  app: App;
  url: string;
  dbUrl: string;
  world: World;
  /** A GraphQL call over HTTP, as a named user, a raw token, or anonymous. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, opts?: { as?: RoleName; token?: string; headers?: Record<string, string> }): Promise<GqlResult<T>>;
  signIn(email: string, password?: string, headers?: Record<string, string>): Promise<GqlResult>;
  /** A graphql-ws client; `token: null` connects without one. */
  ws(token: string | null, opts?: { retryAttempts?: number }): Client;
  /** Runs plain SQL against the test database (ground truth, time travel). */
  sql<T extends pg.QueryResultRow = any>(text: string, params?: unknown[]): Promise<T[]>;
  system(): Context;
  stop(): Promise<void>;
}

export async function startTestApp(env: Record<string, string> = {}, opts: { world?: boolean } = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = parseConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    JOBS_ENABLED: 'false',
    ADMIN_EMAIL,
    ADMIN_PASSWORD: PASSWORD,
    SERVE_BACKOFFICE: 'false',
    WS_SESSION_CHECK_SECONDS: '1',
    DB_POOL_MAX: '5',
    ...env,
  });
  const app = await startApp(config, { database: { url: db.url, embedded: false, stop: async () => undefined } });
  const url = `http://127.0.0.1:${app.port}`;
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  // An idle connection ended by the server (a restart, a dropped database) is discarded and
  // replaced on the next query; without a listener it would crash the test process.
  pool.on('error', () => undefined);
  const clients: Client[] = [];

  const t: TestApp = {
    app,
    url,
    dbUrl: db.url,
    world: undefined as unknown as World,
    async gql(query, variables, o = {}) {
      const token = o.token ?? (o.as ? t.world.users[o.as].token : undefined);
      let req = request(url).post('/graphql').set('content-type', 'application/json');
      if (token) req = req.set('authorization', `Bearer ${token}`);
      for (const [k, v] of Object.entries(o.headers ?? {})) req = req.set(k, v);
      const res = await req.send({ query, variables });
      return { status: res.status, data: res.body?.data, errors: res.body?.errors, body: res.body };
    },
    signIn(email, password = PASSWORD, headers) {
      return t.gql('mutation($i: SignInInput!) { signIn(input: $i) { token expiresAt user { id email } } }', { i: { email, password } }, { headers });
    },
    ws(token, o = {}) {
      const client = createClient({
        url: url.replace('http', 'ws') + '/graphql',
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: o.retryAttempts ?? 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    },
    async sql(text, params) {
      return (await pool.query(text, params as never[])).rows;
    },
    system() {
      return systemContext(app.services);
    },
    async stop() {
      for (const c of clients) await c.dispose();
      await app.stop();
      await pool.end();
      await db.drop();
    },
  };
  if (opts.world !== false) t.world = await buildWorld(t);
  return t;
}

/**
 * Two teams. A: leaderA, agentA1, agentA2. B: leaderB, agentB1. Plus the administrator.
 * Each signs in once; their tokens are kept.
 */
async function buildWorld(t: TestApp): Promise<World> {
  const ctx = t.system();
  const em = ctx.em as SqlEntityManager;
  const roles = Object.fromEntries((await em.find(Role, {})).map((r) => [r.key, String(r.id)]));
  const mk = async (name: string, email: string, role: string) =>
    (await userService.create(ctx, { name, email, password: PASSWORD, roleIds: [roles[role]] })).id;
  const ids = {
    leaderA: await mk('Ayşe Lider', 'leader.a@test.local', 'team_leader'),
    agentA1: await mk('Ali Temsilci', 'agent.a1@test.local', 'agent'),
    agentA2: await mk('İpek Işıl', 'agent.a2@test.local', 'agent'),
    leaderB: await mk('Barış Lider', 'leader.b@test.local', 'team_leader'),
    agentB1: await mk('Büşra Temsilci', 'agent.b1@test.local', 'agent'),
  };
  const A = (await teamService.create(ctx, { name: 'Takım A', leaderId: String(ids.leaderA), memberIds: [String(ids.agentA1), String(ids.agentA2)] })).id;
  const B = (await teamService.create(ctx, { name: 'Takım B', leaderId: String(ids.leaderB), memberIds: [String(ids.agentB1)] })).id;
  const emails: Record<RoleName, string> = {
    admin: ADMIN_EMAIL,
    leaderA: 'leader.a@test.local',
    agentA1: 'agent.a1@test.local',
    agentA2: 'agent.a2@test.local',
    leaderB: 'leader.b@test.local',
    agentB1: 'agent.b1@test.local',
  };
  const users = {} as World['users'];
  for (const [k, email] of Object.entries(emails) as [RoleName, string][]) {
    const res = await t.signIn(email);
    if (!res.data?.signIn) throw new Error(`sign-in failed for ${email}: ${JSON.stringify(res.body)}`);
    users[k] = { id: Number(res.data.signIn.user.id), email, token: res.data.signIn.token };
  }
  return { users, teams: { A, B } };
}

/** Resolves with the next value of a subscription, or rejects after `ms`. */
export function nextEvent<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}, ms = 5000): { promise: Promise<T>; dispose(): void } {
  let dispose = () => {};
  const promise = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no event within timeout')), ms);
    dispose = client.subscribe<T>(
      { query, variables },
      {
        next: (v) => {
          clearTimeout(timer);
          if (v.errors) reject(new Error(JSON.stringify(v.errors)));
          else resolve(v.data as T);
        },
        error: (e) => {
          clearTimeout(timer);
          reject(e);
        },
        complete: () => undefined,
      },
    );
  });
  return { promise, dispose: () => dispose() };
}

export const codeOf = (r: GqlResult) => r.errors?.[0]?.extensions?.code;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
