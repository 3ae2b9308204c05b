import PgBoss from 'pg-boss';
import { systemContext, type AppServices } from './context';
import { logger } from './logger';
import type { JobDefinition, ModuleDefinition } from './module';

/**
 * Background jobs on pg-boss (PostgreSQL-backed, in its own `pgboss` schema): modules
 * declare jobs; handlers run with a system context, as services expect.
 */
export class JobRunner {
  private boss: PgBoss | null = null;
  private readonly jobs = new Map<string, JobDefinition>();

  constructor(private readonly services: AppServices, private readonly url: string) {}

  async start(modules: ModuleDefinition[]): Promise<void> {
    const boss = new PgBoss({ connectionString: this.url, schema: 'pgboss', max: 3, application_name: 'callcenter-jobs' });
    boss.on('error', (err) => logger.warn({ err: err.message }, 'job queue error'));
    await boss.start();
    this.boss = boss;
    for (const job of modules.flatMap((m) => m.jobs ?? [])) {
      this.jobs.set(job.name, job);
      await boss.createQueue(job.name);
      await boss.work(job.name, async (batch) => {
        for (const item of batch) {
          const ctx = systemContext(this.services);
          ctx.log.info({ job: job.name, jobId: item.id }, 'job started');
          await job.handler(ctx, item.data);
        }
      });
      if (job.schedule) await boss.schedule(job.name, job.schedule);
    }
  }

  /** Queues a job; returns its id. */
  async send(name: string, data: object = {}): Promise<string | null> {
    if (!this.boss) throw new Error('jobs are not running');
    if (!this.jobs.has(name)) throw new Error(`unknown job ${name}`);
    return this.boss.send(name, data);
  }

  async stop(): Promise<void> {
    await this.boss?.stop({ graceful: true, wait: true, timeout: 10_000 });
    this.boss = null;
  }
}
