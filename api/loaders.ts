import DataLoader from 'dataloader';
import type { EntityClass, EntityManager } from '@mikro-orm/core';

/**
 * Per-request loaders. `byId` batches lookups of one entity by id into one query; `get`
 * memoises a module's own batch function under a key. Created with the request context and
 * dropped with it, so nothing leaks between users.
 */
export class Loaders {
  private readonly loaders = new Map<unknown, DataLoader<any, any>>();

  constructor(private readonly em: EntityManager) {}

  get<K, V>(key: unknown, batch: (keys: readonly K[]) => Promise<readonly (V | Error)[]>): DataLoader<K, V> {
    let loader = this.loaders.get(key);
    if (!loader) {
      loader = new DataLoader<K, V>(batch, { maxBatchSize: 1000 });
      this.loaders.set(key, loader);
    }
    return loader as DataLoader<K, V>;
  }

  byId<T extends { id: number }>(entity: EntityClass<T>): DataLoader<number, T | null> {
    return this.get<number, T | null>(entity, async (ids) => {
      const rows = await this.em.find(entity, { id: { $in: [...ids] } } as any);
      const map = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => map.get(Number(id)) ?? null);
    });
  }
}
