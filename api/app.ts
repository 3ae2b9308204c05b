import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { bootstrap } from './bootstrap';
import type { Config } from './config';
import type { AppServices } from './context';
import { resolveDatabase, type DatabaseHandle } from './database';
import { EventBus } from './events';
import { JobRunner } from './jobs';
import { logger } from './logger';
import type { ModuleWorker } from './module';
import { initOrm, migrate } from './orm';
import { createServer, type RunningServer } from './server';
import { modules } from '../modules/registry';

export interface App {
  services: AppServices;
  server: RunningServer;
  port: number;
  database: DatabaseHandle;
  jobs: JobRunner | null;
  /** Set when this start created the first administrator with a generated password. */
  firstAdmin: { email: string; password?: string } | null;
  stop(): Promise<void>;
}

/**
 * The whole server: database (embedded when DATABASE_URL is unset), migrations, first-run
 * data, event listener, jobs, HTTP + WebSocket. Used by `npm start` and by the tests.
 */
export async function startApp(config: Config, opts: { database?: DatabaseHandle } = {}): Promise<App> {
  const database = opts.database ?? (await resolveDatabase(config));
  let orm: MikroORM | null = null;
  const events = new EventBus(database.url);
  let jobs: JobRunner | null = null;
  const workers: ModuleWorker[] = [];
  try {
    orm = await initOrm(database.url, config.DB_POOL_MAX);
    await migrate(orm);
    const firstAdmin = await bootstrap(orm.em.fork() as SqlEntityManager, config, modules);
    await events.start();
    const services: AppServices = { orm, config, events };
    if (config.JOBS_ENABLED) {
      jobs = new JobRunner(services, database.url);
      await jobs.start(modules);
      services.jobs = jobs;
      for (const m of modules) if (m.workers) workers.push(m.workers(services));
      for (const w of workers) await w.start();
    }
    const server = await createServer(services);
    const port = await server.listen(config.PORT);
    let stopping: Promise<void> | null = null;
    const stop = () =>
      (stopping ??= (async () => {
        await server.close();
        logger.info('HTTP server closed: in-flight requests drained');
        for (const w of workers) await w.stop();
        await jobs?.stop();
        await events.stop();
        await orm!.close(true);
        if (!opts.database) await database.stop();
      })());
    return { services, server, port, database, jobs, firstAdmin, stop };
  } catch (err) {
    for (const w of workers) await w.stop().catch(() => undefined);
    await jobs?.stop().catch(() => undefined);
    await events.stop();
    await orm?.close(true).catch(() => undefined);
    if (!opts.database) await database.stop().catch(() => undefined);
    logger.error({ err }, 'start failed');
    throw err;
  }
}
