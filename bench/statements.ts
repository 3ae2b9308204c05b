/**
 * SQL statements per request, counted from inside: the server runs in this process
 * (startApp, production mode) with `pg`'s Client#query wrapped, and requests are sent to it
 * over HTTP one at a time, so every statement between a request's start and its response
 * (plus a short grace period) belongs to it.
 *   node -r ./api/register.js bench/statements.ts spec.json   → JSON on stdout
 */
import fs from 'node:fs';
import pg from 'pg';
import { writeResult } from './lib';

export interface StatementSpec {
  databaseUrl: string;
  password: string;
  users: Record<string, string>;
  operations: { name: string; as: string; query: string; variables?: Record<string, unknown>; repeat?: number }[];
}

export interface StatementResult {
  operations: { name: string; as: string; statements: number; runs: number[]; texts: string[]; error?: string }[];
}

let counter = 0;
let log: string[] | null = null;
const original = pg.Client.prototype.query as (...args: any[]) => any;
(pg.Client.prototype as any).query = function (this: pg.Client, ...args: any[]) {
  counter++;
  if (log) {
    const q = args[0];
    const text = typeof q === 'string' ? q : (q?.text ?? '');
    log.push(String(text).replace(/\s+/g, ' ').slice(0, 160));
  }
  return original.apply(this, args);
};

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as StatementSpec;
  process.env.LOG_LEVEL = 'warn';
  // Loaded after the wrapper is in place.
  const { startApp } = require('../api/app') as typeof import('../api/app');
  const { parseConfig } = require('../api/config') as typeof import('../api/config');
  const app = await startApp(
    parseConfig({ NODE_ENV: 'production', DATABASE_URL: spec.databaseUrl, PORT: '0', HOST: '127.0.0.1', JOBS_ENABLED: 'false', LOG_LEVEL: 'warn', SERVE_BACKOFFICE: 'false' }),
  );
  const url = `http://127.0.0.1:${app.port}/graphql`;
  const post = async (query: string, variables?: Record<string, unknown>, token?: string) => {
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query, variables }) });
    return (await r.json()) as { data?: any; errors?: { message: string }[] };
  };
  const tokens: Record<string, string> = {};
  for (const [role, email] of Object.entries(spec.users)) {
    const r = await post('mutation($i: SignInInput!) { signIn(input: $i) { token } }', { i: { email, password: spec.password } });
    if (!r.data?.signIn?.token) throw new Error(`sign-in as ${email}: ${JSON.stringify(r.errors)}`);
    tokens[role] = r.data.signIn.token;
  }
  const result: StatementResult = { operations: [] };
  for (const op of spec.operations) {
    const runs: number[] = [];
    let texts: string[] = [];
    let error: string | undefined;
    // The first run warms per-process caches (categories, plans); the count is the steady state.
    for (let i = 0; i < (op.repeat ?? 3); i++) {
      await new Promise((r) => setTimeout(r, 30));
      log = [];
      const before = counter;
      const r = await post(op.query, op.variables, tokens[op.as]);
      await new Promise((r) => setTimeout(r, 30));
      runs.push(counter - before);
      texts = log;
      log = null;
      if (r.errors?.length) error = JSON.stringify(r.errors).slice(0, 500);
    }
    result.operations.push({ name: op.name, as: op.as, statements: runs[runs.length - 1], runs, texts, error });
  }
  await app.stop();
  writeResult(result);
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`statements failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
