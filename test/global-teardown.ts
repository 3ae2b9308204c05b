import fs from 'node:fs';
import pg from 'pg';

export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env.CC_TEST_ADMIN_URL;
  const runId = process.env.CC_TEST_RUN;
  if (adminUrl && runId) {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [`cc_test_%${runId}%`]);
    for (const r of rows) await client.query(`drop database if exists "${r.datname}" with (force)`).catch(() => undefined);
    await client.end();
  }
  const embedded = (globalThis as Record<string, any>).__embeddedPg;
  if (embedded) {
    await embedded.handle.stop();
    fs.rmSync(embedded.dir, { recursive: true, force: true });
  }
}
