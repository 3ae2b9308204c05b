/**
 * Writes a new migration from the difference between the entities and the schema the
 * existing migrations build. Uses a scratch database (MIGRATION_DATABASE_URL, default
 * the local server's `callcenter_migration_scratch`), which it recreates.
 *   npm run migration:create -- name_of_change
 */
import pg from 'pg';
import { initOrm } from '../api/orm';
import { ensureDatabase } from '../api/database';

async function main() {
  const name = process.argv[2];
  const url = process.env.MIGRATION_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/callcenter_migration_scratch';
  const admin = new URL(url);
  const db = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`drop database if exists "${db}"`);
  await c.end();
  await ensureDatabase(url);
  const orm = await initOrm(url);
  try {
    const migrator = orm.getMigrator();
    await migrator.up();
    const result = await migrator.createMigration(undefined, false, false, name);
    if (!result.fileName) console.log('No changes: the entities match the migrations.');
    else console.log(`Created migrations/${result.fileName}\n${result.diff.up.join('\n')}`);
  } finally {
    await orm.close(true);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
