/**
 * Fills a small, realistic Turkish demo data set into the database `npm start` uses
 * (embedded or DATABASE_URL), whether or not the server is running. Running it twice
 * duplicates nothing. DEMO_PASSWORD sets the demo users' password.
 */
import { bootstrap } from '../api/bootstrap';
import { loadConfig } from '../api/config';
import { systemContext } from '../api/context';
import { resolveDatabase } from '../api/database';
import { EventBus } from '../api/events';
import type { DemoSeed } from '../api/module';
import { initOrm, migrate } from '../api/orm';
import { modules } from '../modules/registry';
import type { SqlEntityManager } from '@mikro-orm/postgresql';

async function main() {
  const config = loadConfig();
  const password = process.env.DEMO_PASSWORD || 'demo-parola-2026';
  if (password.length < 10) throw new Error('DEMO_PASSWORD must be at least 10 characters.');
  const db = await resolveDatabase(config);
  const orm = await initOrm(db.url, 3);
  const events = new EventBus(db.url);
  try {
    await migrate(orm);
    const admin = await bootstrap(orm.em.fork() as SqlEntityManager, config, modules);
    const demo: DemoSeed = { password, refs: new Map(), notes: [] };
    for (const m of modules) {
      if (!m.seedDemo) continue;
      const ctx = systemContext({ orm, config, events });
      await m.seedDemo(ctx, demo);
    }
    console.log(`Demo data is in place (${db.embedded ? 'embedded database' : 'DATABASE_URL'}).`);
    if (admin?.password) console.log(`Administrator: ${admin.email} / ${admin.password} (shown once)`);
    console.log(`Demo users (password: ${password}):`);
    for (const line of demo.notes) console.log(line);
  } finally {
    await orm.close(true);
    await db.stop();
  }
}

main().catch((err) => {
  console.error(process.env.DEBUG_SEED ? err : err instanceof Error ? err.message : err);
  process.exit(1);
});
