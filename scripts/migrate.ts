/** Applies pending migrations to the database `npm start` uses (embedded when DATABASE_URL is unset). */
import { loadConfig } from '../api/config';
import { resolveDatabase } from '../api/database';
import { initOrm, migrate } from '../api/orm';

async function main() {
  const config = loadConfig();
  const db = await resolveDatabase(config);
  const orm = await initOrm(db.url);
  try {
    const applied = await migrate(orm);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
  } finally {
    await orm.close(true);
    await db.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
