import type { ModuleDefinition } from '../../api/module';
import { IdempotencyKey, RecordLink } from './entities/link.entities';
import { LinkResolver } from './resolvers/link.resolver';

/** Links between records of different modules, and idempotency keys for retried writes. */
export const linksModule: ModuleDefinition = {
  name: 'links',
  entities: [RecordLink, IdempotencyKey],
  resolvers: [LinkResolver],
  jobs: [
    {
      name: 'links.purge-idempotency-keys',
      schedule: '41 3 * * *',
      async handler(ctx) {
        await ctx.em.execute(`delete from idempotency_keys where created_at < now() - interval '7 days'`);
      },
    },
  ],
};
