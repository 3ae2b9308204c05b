import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { createContext, requireUser, type AppServices, type Context } from '../../../api/context';
import { AppError, BadInputError, NotFoundError } from '../../../api/errors';
import { parseId } from '../../../api/ids';
import { logger } from '../../../api/logger';
import { User } from '../../identity/entities/user.entity';
import { identityOf } from '../../identity/services/auth.service';
import { ExportJob, JobStatus, type ExportFormat } from '../entities/export-job.entity';
import { exportsDir, signedPath } from './link-token';

export const RUN_JOB = 'exports.run';
export const CLEANUP_JOB = 'exports.cleanup';
const SUBJECT = 'ExportJob';

/** What a job's worker reports back as it goes. */
export interface JobProgress {
  /** Rows in all (for the percentage). */
  setTotal(total: number): Promise<void>;
  /** Rows done so far; false when the owner cancelled (stop between batches). */
  report(rows: number): Promise<boolean>;
  /** A new file under the exports folder; renamed into place when the job succeeds. */
  file(ext: string): { path: string; key: string };
}

export interface JobOutput {
  rowCount: number;
  fileName?: string;
  storageKey?: string;
  result?: Record<string, unknown>;
}

/** Workers by job kind (exports and imports register theirs). */
const runners = new Map<string, (ctx: Context, job: ExportJob, progress: JobProgress) => Promise<JobOutput>>();

export function registerRunner(kind: string, run: (ctx: Context, job: ExportJob, progress: JobProgress) => Promise<JobOutput>): void {
  runners.set(kind, run);
}

async function publish(services: AppServices, em: SqlEntityManager, id: number, type: string): Promise<void> {
  await services.events.publish(em, { type: `ExportJob.${type}`, subject: SUBJECT, id });
}

/**
 * Creates a queued job owned by the signed-in user and hands it to the job queue (pg-boss);
 * when this process runs no jobs (JOBS_ENABLED=false) it runs here, after the response.
 */
export async function queueJob(ctx: Context, kind: string, format: ExportFormat | null, params: Record<string, unknown>): Promise<ExportJob> {
  const user = requireUser(ctx);
  const job = ctx.em.create(ExportJob, { owner: ctx.em.getReference(User, user.id), kind, format, params });
  await ctx.em.flush();
  const services = ctx.services;
  if (services.jobs) await services.jobs.send(RUN_JOB, { id: job.id });
  else setImmediate(() => runJob(services, job.id).catch((err) => logger.error({ err, jobId: job.id }, 'export job failed to start')));
  return job;
}

/**
 * Runs one job as its owner (their permissions and field rules), publishing progress.
 * A job runs once: it is claimed by moving it from QUEUED to RUNNING.
 */
export async function runJob(services: AppServices, id: number): Promise<void> {
  const em = services.orm.em.fork() as SqlEntityManager;
  const claimed = await em.execute<{ id: number }[]>(`update export_jobs set status = 'RUNNING', updated_at = now() where id = ? and status = 'QUEUED' returning id`, [id]);
  if (!claimed.length) return;
  await publish(services, em, id, 'started');
  const job = await em.findOneOrFail(ExportJob, id);
  const dir = exportsDir(services.config);
  fs.mkdirSync(dir, { recursive: true });
  const files: { tmp: string; final: string }[] = [];
  let cancelled = false;
  let lastEvent = 0;
  let lastWrite = 0;
  let total = 0;
  const progress: JobProgress = {
    async setTotal(t) {
      total = t;
      await em.execute('update export_jobs set total_rows = ? where id = ?', [t, id]);
    },
    async report(rows) {
      // At most four statements a second: progress and the cancel check are that fresh.
      if ((total === 0 || rows < total) && Date.now() - lastWrite < 250) return true;
      lastWrite = Date.now();
      const pct = total > 0 ? Math.min(99.9, Math.round((rows / total) * 1000) / 10) : 0;
      // One statement: records progress and tells whether the job was cancelled meanwhile.
      const still = await em.execute<{ id: number }[]>(`update export_jobs set progress = ?, row_count = ?, updated_at = now() where id = ? and status = 'RUNNING' returning id`, [pct, rows, id]);
      if (!still.length) {
        cancelled = true;
        return false;
      }
      if (Date.now() - lastEvent >= 250) {
        lastEvent = Date.now();
        await publish(services, em, id, 'progress');
      }
      return true;
    },
    file(ext) {
      const key = `${randomUUID()}.${ext}`;
      const f = { tmp: path.join(dir, `${key}.part`), final: path.join(dir, key) };
      files.push(f);
      return { path: f.tmp, key };
    },
  };
  const discard = () => files.forEach((f) => fs.rmSync(f.tmp, { force: true }));
  try {
    const run = runners.get(job.kind);
    if (!run) throw new Error(`unknown job kind ${job.kind}`);
    const ctx = createContext(services, await identityOf(em, job.owner.id), { ip: '127.0.0.1', requestId: `job-${id}` });
    const out = await run(ctx, job, progress);
    if (cancelled) {
      discard();
      return;
    }
    for (const f of files) if (fs.existsSync(f.tmp)) fs.renameSync(f.tmp, f.final);
    const size = out.storageKey ? fs.statSync(path.join(dir, out.storageKey)).size : null;
    const expiresAt = new Date(Date.now() + services.config.EXPORT_TTL_HOURS * 3_600_000);
    const done = await em.execute<{ id: number }[]>(
      `update export_jobs set status = 'DONE', progress = 100, row_count = ?, file_name = ?, storage_key = ?, size = ?, result = ?, finished_at = now(), expires_at = ?, updated_at = now()
        where id = ? and status = 'RUNNING' returning id`,
      [out.rowCount, out.fileName ?? null, out.storageKey ?? null, size, out.result ? JSON.stringify(out.result) : null, expiresAt, id],
    );
    if (!done.length && out.storageKey) fs.rmSync(path.join(dir, out.storageKey), { force: true }); // cancelled at the last moment
    await publish(services, em, id, done.length ? 'done' : 'cancelled');
  } catch (err) {
    discard();
    const message = err instanceof AppError ? err.message : 'The job failed; see the server log.';
    if (!(err instanceof AppError)) logger.error({ err, jobId: id }, 'export job failed');
    await em.execute(`update export_jobs set status = 'FAILED', error = ?, finished_at = now(), updated_at = now() where id = ? and status = 'RUNNING'`, [message, id]).catch(() => undefined);
    await publish(services, em, id, 'failed').catch(() => undefined);
  }
}

/** Deletes the files of expired, failed and cancelled jobs, and fails jobs whose process died or that were never run (a scheduled job). */
export async function cleanupJobs(ctx: Context): Promise<number> {
  // A running job writes its progress every batch; one silent for 30 minutes died with its process.
  await ctx.em.execute(
    `update export_jobs set status = 'FAILED', error = 'The server stopped while the job was running; start it again.', finished_at = now(), updated_at = now()
      where (status = 'RUNNING' and updated_at < now() - interval '30 minutes')
         or (status = 'QUEUED' and updated_at < now() - interval '24 hours')`,
  );
  const rows = await ctx.em.execute<{ id: number; storage_key: string | null }[]>(
    `with old as (
       select id, storage_key from export_jobs
        where storage_key is not null and (expires_at < now() or status in ('FAILED', 'CANCELLED')) for update skip locked)
     update export_jobs j set status = case when j.status = 'DONE' then 'EXPIRED' else j.status end, storage_key = null, updated_at = now()
       from old where j.id = old.id returning j.id, old.storage_key`,
  );
  const dir = exportsDir(ctx.config);
  for (const r of rows) if (r.storage_key) fs.rmSync(path.join(dir, path.basename(r.storage_key)), { force: true });
  // Leftovers of interrupted runs, and uploaded workbooks nobody imported.
  const ttl = ctx.config.EXPORT_TTL_HOURS * 3_600_000;
  const old = (p: string, ms: number) => Date.now() - fs.statSync(p).mtimeMs > ms;
  if (fs.existsSync(dir)) {
    for (const f of fs.readdirSync(dir)) {
      const p = path.join(dir, f);
      if (f.endsWith('.part') && old(p, 24 * 3_600_000)) fs.rmSync(p, { force: true });
    }
  }
  const imports = path.join(dir, 'imports');
  if (fs.existsSync(imports)) for (const f of fs.readdirSync(imports)) if (old(path.join(imports, f), ttl)) fs.rmSync(path.join(imports, f), { force: true });
  return rows.length;
}

/** One of the user's own jobs (NOT_FOUND for anyone else's, administrators included). */
export async function ownJob(ctx: Context, id: string, field = 'id'): Promise<ExportJob> {
  const user = requireUser(ctx);
  const job = await ctx.em.findOne(ExportJob, { id: parseId(id, field), owner: user.id });
  if (!job) throw new NotFoundError(SUBJECT, id, field);
  return job;
}

export const jobService = {
  get: ownJob,

  async mine(ctx: Context, limit = 50): Promise<ExportJob[]> {
    const user = requireUser(ctx);
    return ctx.em.find(ExportJob, { owner: user.id }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: Math.min(Math.max(limit, 1), 200) });
  },

  /** Stops a queued or running job (the worker stops between batches and keeps no file). */
  async cancel(ctx: Context, id: string): Promise<ExportJob> {
    const job = await ownJob(ctx, id);
    if (job.status !== JobStatus.QUEUED && job.status !== JobStatus.RUNNING) {
      throw new BadInputError('id', `The job is already ${job.status.toLowerCase()}.`);
    }
    await ctx.em.transactional(async (em) => {
      await em.execute(`update export_jobs set status = 'CANCELLED', finished_at = now(), updated_at = now() where id = ? and status in ('QUEUED', 'RUNNING')`, [job.id]);
      await publish(ctx.services, em as SqlEntityManager, job.id, 'cancelled');
    });
    await ctx.em.refresh(job);
    return job;
  },

  /** A signed link to the file, for its owner, while it has not expired. */
  downloadUrl(ctx: Context, job: ExportJob): string | null {
    if (!ctx.user || job.owner.id !== ctx.user.id) return null;
    if (job.status !== JobStatus.DONE || !job.storageKey || !job.expiresAt || job.expiresAt.getTime() <= Date.now()) return null;
    return signedPath(ctx.config, job.id, job.expiresAt);
  },
};
