import type { Context } from '../../../api/context';
import { BadInputError } from '../../../api/errors';
import { intArray } from '../../../api/ids';

export interface RecordRef {
  type: string;
  id: number;
}

/**
 * Links between records of different modules. Modules keep their own tables; this is the
 * one place that knows which records are linked. Reading a linked record still goes
 * through its own module (and its permission rules).
 */
export const linkService = {
  /** Links two records (idempotent). Call inside the writing transaction. */
  async link(ctx: Context, from: RecordRef, to: RecordRef): Promise<boolean> {
    const rows = await ctx.em.execute<{ id: number }[]>(
      `insert into record_links (from_type, from_id, to_type, to_id, created_by_id) values (?, ?, ?, ?, ?)
       on conflict (from_type, from_id, to_type, to_id) do nothing returning id`,
      [from.type, from.id, to.type, to.id, ctx.user?.id ?? null],
    );
    return rows.length > 0;
  },

  async unlink(ctx: Context, a: RecordRef, b: RecordRef): Promise<boolean> {
    const rows = await ctx.em.execute<{ id: number }[]>(
      `delete from record_links where (from_type = ? and from_id = ? and to_type = ? and to_id = ?) or (from_type = ? and from_id = ? and to_type = ? and to_id = ?) returning id`,
      [a.type, a.id, b.type, b.id, b.type, b.id, a.type, a.id],
    );
    return rows.length > 0;
  },

  /**
   * Ids of `otherType` records linked to each of the given records, in both directions,
   * oldest link first. One query for a whole page (a request-scoped loader).
   */
  /** Every record linked to one, of any type, in link order: one statement. */
  async linksOf(ctx: Context, type: string, id: number): Promise<{ type: string; id: number }[]> {
    const rows = await ctx.em.execute<{ type: string; id: number }[]>(
      `select to_type as type, to_id as id, id as link from record_links where from_type = ? and from_id = ?
       union all
       select from_type, from_id, id from record_links where to_type = ? and to_id = ?
       order by link`,
      [type, id, type, id],
    );
    return rows.map((r) => ({ type: r.type, id: Number(r.id) }));
  },

  linkedIds(ctx: Context, type: string, otherType: string) {
    return ctx.loaders.get<number, number[]>(`links:${type}->${otherType}`, async (ids) => {
      const rows = await ctx.em.execute<{ owner: number; other: number }[]>(
        `select from_id as owner, to_id as other, id from record_links where from_type = ? and to_type = ? and from_id = any(?::int[])
         union all
         select to_id as owner, from_id as other, id from record_links where to_type = ? and from_type = ? and to_id = any(?::int[])
         order by id`,
        [type, otherType, intArray(ids), type, otherType, intArray(ids)],
      );
      const map = new Map<number, number[]>();
      for (const r of rows) {
        const list = map.get(Number(r.owner)) ?? [];
        list.push(Number(r.other));
        map.set(Number(r.owner), list);
      }
      return ids.map((id) => map.get(id) ?? []);
    });
  },
};

/**
 * Runs a write once per (user, key): a repeat with the same key returns the first result's
 * id instead of writing again. Call inside the transaction that does the write; a
 * concurrent repeat waits on the key's row and then sees the result.
 */
export async function idempotent(ctx: Context, key: string | null | undefined, operation: string, run: () => Promise<number>): Promise<{ id: number; replayed: boolean }> {
  if (!key) return { id: await run(), replayed: false };
  if (!/^[\w.:-]{8,200}$/.test(key)) throw new BadInputError('idempotencyKey', 'Use 8-200 letters, digits, and . : _ - (a UUID is ideal).');
  if (!ctx.user) throw new BadInputError('idempotencyKey', 'Idempotency keys belong to a signed-in user.');
  const inserted = await ctx.em.execute<{ id: number }[]>(
    `insert into idempotency_keys (user_id, key, operation) values (?, ?, ?) on conflict (user_id, key) do nothing returning id`,
    [ctx.user.id, key, operation],
  );
  if (!inserted.length) {
    const [prior] = await ctx.em.execute<{ operation: string; result_id: number | null }[]>(`select operation, result_id from idempotency_keys where user_id = ? and key = ?`, [ctx.user.id, key]);
    if (prior.operation !== operation) throw new BadInputError('idempotencyKey', `This key was already used for ${prior.operation}.`);
    if (prior.result_id === null) throw new BadInputError('idempotencyKey', 'The first request with this key did not complete; use a new key.');
    return { id: Number(prior.result_id), replayed: true };
  }
  const id = await run();
  await ctx.em.execute(`update idempotency_keys set result_id = ? where id = ?`, [id, inserted[0].id]);
  return { id, replayed: false };
}
