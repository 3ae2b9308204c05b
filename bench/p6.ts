/**
 * P6: PDF export of 100,000 applications (the newest, as the administrator), the way the
 * server runs it (an export job in this process), with the event loop watched throughout.
 *   node -r ./api/register.js bench/p6.ts <databaseUrl> <admin e-mail> [rows]  → JSON
 */
import pg from 'pg';
import { ExportFormat } from '../modules/exports/entities/export-job.entity';
import { writeResult } from './lib';
import { runExport } from './p5';

const [url, email, n = '100000'] = process.argv.slice(2);
(async () => {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const { rows } = await db.query<{ d: Date }>('select application_date as d from applications where archived_at is null order by application_date desc offset $1 limit 1', [Number(n) - 1]);
  await db.end();
  const filter = rows[0] ? { applicationDate: { from: rows[0].d.toISOString() } } : {};
  writeResult({ format: 'PDF', ...(await runExport(url, email, ExportFormat.PDF, filter)) });
})().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
