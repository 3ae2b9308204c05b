/**
 * P5: Excel export of every application (1,000,000 on the full data set) as the
 * administrator, the way the server runs it (an export job: server-side cursor, names in
 * batches, streamed .xlsx), against PostgreSQL's `COPY (...) TO STDOUT WITH CSV` of the same
 * rows and columns (names joined) through psql. Also used by P6 (bench/p6.ts) for PDF.
 *   node -r ./api/register.js bench/p5.ts <databaseUrl> <admin e-mail> [XLSX|PDF] [filter JSON]  → JSON
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { parseConfig } from '../api/config';
import { createContext, type AppServices } from '../api/context';
import { EventBus } from '../api/events';
import { initOrm, migrate } from '../api/orm';
import { ExportJob, ExportFormat } from '../modules/exports/entities/export-job.entity';
import '../modules/exports/services/export.service';
import { runJob } from '../modules/exports/services/job.service';
import { identityOf } from '../modules/identity/services/auth.service';
import { User } from '../modules/identity/entities/user.entity';
import { writeResult } from './lib';

/** The export's rows and columns as one SQL statement (the COPY baseline). */
export const COPY_SQL = (where: string) => `
  select a.number, a.application_date, a.subject, acc.name, rc.first_name || ' ' || rc.last_name, st.name, pr.name, c1.name, c2.name, c3.name, ch.name, b.name,
         case when a.assignee_everyone then 'Herkes' else concat_ws(' / ', t.name, au.name) end, ru.name, pj.name, cp.name, a.reference_no, a.acceptance_date,
         a.closed_at, a.follow_up_count, a.time_spent_minutes, a.detail, a.extra
    from applications a
    join accounts acc on acc.id = a.applicant_id
    left join contacts rc on rc.id = a.reporter_id
    join process_stages st on st.id = a.stage_id
    join priorities pr on pr.id = a.priority_id
    join categories c1 on c1.id = a.category_id
    left join categories c2 on c2.id = a.subcategory_id
    left join categories c3 on c3.id = a.tree_category_id
    join contact_channels ch on ch.id = a.channel_id
    left join branches b on b.id = a.branch_id
    left join teams t on t.id = a.assignee_team_id
    left join users au on au.id = a.assignee_user_id
    left join users ru on ru.id = a.responsible_id
    left join projects pj on pj.id = a.project_id
    left join campaigns cp on cp.id = a.campaign_id
   where a.archived_at is null ${where}
   order by a.application_date desc, a.id desc`;

/** Runs psql's COPY to /dev/null; resolves with the milliseconds it took. */
export function copyBaseline(databaseUrl: string, where: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('psql', [databaseUrl, '-X', '-q', '-c', `copy (${COPY_SQL(where).replace(/\s+/g, ' ')}) to stdout with csv`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`psql: ${err}`))));
  });
}

/** One export job run in this process as `email`; time, rows, bytes, event-loop blocking. */
export async function runExport(databaseUrl: string, email: string, format: ExportFormat, filter: Record<string, unknown>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-bench-export-'));
  const config = parseConfig({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'warn', JOBS_ENABLED: 'false' });
  const orm = await initOrm(databaseUrl, 4);
  try {
    await migrate(orm);
    const services: AppServices = { orm, config, events: new EventBus(databaseUrl) };
    const em = orm.em.fork() as SqlEntityManager;
    const user = await em.findOneOrFail(User, { email });
    const ctx = createContext(services, await identityOf(em, user.id), { ip: '127.0.0.1' });
    const job = ctx.em.create(ExportJob, { owner: user, kind: 'applications', format, params: { filter } });
    await ctx.em.flush();
    const rssBeforeMB = process.memoryUsage().rss / 2 ** 20;
    let rssPeakMB = rssBeforeMB;
    let heapPeakMB = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      rssPeakMB = Math.max(rssPeakMB, m.rss / 2 ** 20);
      heapPeakMB = Math.max(heapPeakMB, (m.heapUsed + m.external + m.arrayBuffers) / 2 ** 20);
    }, 50);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const t0 = performance.now();
    await runJob(services, job.id);
    const ms = performance.now() - t0;
    loop.disable();
    clearInterval(sampler);
    const done = await orm.em.fork().findOneOrFail(ExportJob, job.id);
    if (done.status !== 'DONE') throw new Error(`export ${done.status}: ${done.error}`);
    await orm.em.fork().nativeDelete(ExportJob, { id: job.id });
    return { rows: done.rowCount, ms, bytes: Number(done.size), eventLoopMaxMs: loop.max / 1e6, eventLoopP99Ms: loop.percentile(99) / 1e6, maxRssMB: process.resourceUsage().maxRSS / 1024, rssBeforeMB, rssPeakMB, heapPeakMB };
  } finally {
    await orm.close(true);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [url, email, format = 'XLSX', filterJson = '{}'] = process.argv.slice(2);
  (async () => {
    const filter = JSON.parse(filterJson) as { applicationDate?: { from?: string } };
    const where = filter.applicationDate?.from ? `and a.application_date >= '${new Date(filter.applicationDate.from).toISOString()}'` : '';
    const copyMs = format === 'XLSX' ? await copyBaseline(url, where) : null;
    const exp = await runExport(url, email, format as ExportFormat, filter);
    writeResult({ format, copyMs, ...exp });
  })().catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
}
