import path from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from '../modules/registry';
import { logger } from './logger';

export const MIGRATIONS_DIR = path.join(__dirname, '..', 'migrations');

export function ormOptions(url: string, poolMax = 10): Options<PostgreSqlDriver> {
  return {
    driver: PostgreSqlDriver,
    clientUrl: url,
    entities,
    extensions: [Migrator],
    forceUtcTimezone: true,
    // Batches references and collections loaded one by one into one query per kind.
    dataloader: true,
    pool: { min: 0, max: poolMax, idleTimeoutMillis: 30_000 },
    driverOptions: {
      connection: { connectionTimeoutMillis: 5000, application_name: 'callcenter' },
      // knex's own messages (lost connections during a database restart) go to our JSON logs, not stdout.
      log: {
        warn: (m: unknown) => logger.warn({ knex: String(m) }, 'database driver'),
        error: (m: unknown) => logger.warn({ knex: String(m) }, 'database driver'),
        deprecate: (m: unknown) => logger.debug({ knex: String(m) }, 'database driver'),
        debug: (m: unknown) => logger.debug({ knex: String(m) }, 'database driver'),
      },
    },
    allowGlobalContext: false,
    debug: process.env.ORM_DEBUG === '1',
    logger: (msg) => logger.debug({ orm: msg }),
    discovery: { warnWhenNoEntities: true },
    migrations: {
      path: MIGRATIONS_DIR,
      pathTs: MIGRATIONS_DIR,
      glob: '!(*.d).{js,ts}',
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
      snapshot: false,
      fileName: (timestamp, name) => `Migration${timestamp}${name ? `_${name}` : ''}`,
    },
  };
}

export async function initOrm(url: string, poolMax?: number): Promise<MikroORM<PostgreSqlDriver>> {
  return MikroORM.init(ormOptions(url, poolMax));
}

/** Applies pending migrations; the only way the schema changes. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  const names = applied.map((m) => m.name);
  if (names.length) logger.info({ migrations: names }, 'migrations applied');
  return names;
}

export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  return (await orm.getMigrator().getPendingMigrations()).map((m) => m.name);
}
