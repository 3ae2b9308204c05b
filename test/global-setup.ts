import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { canConnect, startEmbeddedPostgres } from '../api/database';
import { execFileSync } from 'node:child_process';

/**
 * One PostgreSQL for the run: the machine's (127.0.0.1:5432, or TEST_DATABASE_URL) when it
 * answers, else an embedded one in a temporary folder. A template database is built once
 * from the migrations; each test file then gets its own copy (test/harness.ts).
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  let adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (!(await canConnect(adminUrl))) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-test-pg-'));
    const port = 55000 + Math.floor(Math.random() * 5000);
    const handle = await startEmbeddedPostgres({ dir: path.join(dir, 'data'), port, database: 'postgres' });
    adminUrl = handle.url;
    (globalThis as Record<string, unknown>).__embeddedPg = { handle, dir };
    process.stdout.write(`\n[tests] no PostgreSQL at 127.0.0.1:5432; using embedded PostgreSQL on port ${port}\n`);
  }
  const template = `cc_test_tpl_${runId}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`create database "${template}"`);
  await client.end();
  const tplUrl = withDatabase(adminUrl, template);
  // In a child process: MikroORM's metadata lives in process-wide storage that must not be
  // shared between jest's global-setup realm and the test realms.
  execFileSync(process.execPath, ['-r', path.join(__dirname, '..', 'api', 'register.js'), path.join(__dirname, '..', 'scripts', 'migrate.ts')], {
    env: { ...process.env, DATABASE_URL: tplUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  process.env.CC_TEST_ADMIN_URL = adminUrl;
  process.env.CC_TEST_TEMPLATE = template;
  process.env.CC_TEST_RUN = runId;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
