import { Cursor, QueryOrder, ReferenceKind, Utils, type EntityClass, type EntityManager, type EntityMetadata, type EntityProperty, type FilterQuery } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { Field, InputType, Int, ObjectType, registerEnumType, type ClassType } from 'type-graphql';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { GraphQLResolveInfo } from 'graphql';
import { BadInputError } from './errors';

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, { name: 'SortDirection' });

/** The sort input of a list: `{ field: <one of the enum>, direction }` (GraphQL name `name`). */
export function SortOf<E extends Record<string, string>>(fieldEnum: E, name: string) {
  @InputType(name)
  class Sort {
    @Field(() => fieldEnum)
    field!: E[keyof E];

    @Field(() => SortDirection, { defaultValue: SortDirection.ASC })
    direction!: SortDirection;
  }
  return Sort;
}

/**
 * Every list takes a page: `{ limit, offset }` for numbered pages (the back office) or
 * `{ first, after }` for cursors (integrators; stays fast at any depth).
 */
@InputType({ description: 'Either { limit, offset } or { first, after }.' })
export class PageInput {
  @Field(() => Int, { nullable: true, description: 'Rows per page (1-500, default 50).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  offset?: number;

  @Field(() => Int, { nullable: true, description: 'Rows after the cursor (1-500).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  first?: number;

  @Field({ nullable: true, description: 'The endCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  after?: string;
}

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface PageResult<T> {
  items: T[];
  total: number;
  totalExact: boolean;
  pageInfo: PageInfo;
}

/** The page type of a list: `items`, `total`, `totalExact`, `pageInfo`. */
export function PageOf<T extends object>(Item: ClassType<T>, name: string) {
  @ObjectType(`${name}Page`)
  class Page implements PageResult<T> {
    @Field(() => [Item])
    items!: T[];

    @Field(() => Int, { description: 'Rows matching the filter; capped (see totalExact) on very large results.' })
    total!: number;

    @Field({ description: 'False when total is a lower bound (the count stopped at the cap).' })
    totalExact!: boolean;

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return Page;
}

export function emptyPage<T>(): PageResult<T> {
  return { items: [], total: 0, totalExact: true, pageInfo: { hasNextPage: false, endCursor: null } };
}

/** True when the GraphQL selection asks for one of `fields` on the list result. */
export function selects(info: GraphQLResolveInfo | undefined, ...fields: string[]): boolean {
  if (!info) return true;
  for (const node of info.fieldNodes) {
    for (const sel of node.selectionSet?.selections ?? []) {
      if (sel.kind !== 'Field') return true; // fragments: assume yes
      if (fields.includes(sel.name.value)) return true;
    }
  }
  return false;
}

export type OrderBy = Record<string, QueryOrder | Record<string, QueryOrder>>;

export function direction(d: SortDirection | undefined): QueryOrder {
  return d === SortDirection.DESC ? QueryOrder.DESC : QueryOrder.ASC;
}

/**
 * Counts at most `cap` + 1 rows: exact below the cap, a marked lower bound above it, so a
 * total never costs a full scan of a million rows.
 */
export async function cappedCount<T extends object>(em: EntityManager, entity: EntityClass<T>, where: FilterQuery<T>, cap: number): Promise<{ total: number; exact: boolean }> {
  const sem = em as SqlEntityManager;
  const inner = sem.createQueryBuilder(entity, 'e').select('e.id').where(where).limit(cap + 1);
  const knex = sem.getKnex();
  const row = await knex.count<{ c: string }[]>('* as c').from(inner.getKnexQuery().as('s')).first();
  const n = Number((row as { c: string } | undefined)?.c ?? 0);
  return n > cap ? { total: cap, exact: false } : { total: n, exact: true };
}

const NUMERIC = /^-?\d{1,18}(\.\d+)?$/;

/** True when `v` can stand for a value of `prop` in a keyset comparison. */
function fitsProperty(prop: EntityProperty, v: unknown, order: unknown): boolean {
  if (v === null) return prop.nullable === true;
  if (Utils.isPlainObject(order)) {
    // Ordered by a field of a related record: `{ relation: { field: value } }`.
    const target = prop.targetMeta;
    if (!target || !Utils.isPlainObject(v)) return false;
    const o = order as Record<string, unknown>;
    const entries = Object.entries(v as Record<string, unknown>);
    return entries.length > 0 && entries.every(([k, x]) => k in o && !!target.properties[k] && fitsProperty(target.properties[k], x, o[k]));
  }
  if (prop.kind !== ReferenceKind.SCALAR && prop.kind !== ReferenceKind.EMBEDDED) {
    return (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^\d{1,18}$/.test(v));
  }
  switch (prop.runtimeType) {
    case 'number':
    case 'bigint':
      return (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && NUMERIC.test(v));
    case 'Date': {
      const d = v instanceof Date ? v : typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? new Date(v) : null;
      return !!d && Number.isFinite(d.getTime()) && d.getUTCFullYear() >= 1 && d.getUTCFullYear() <= 9999;
    }
    case 'boolean':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string' && v.length <= 10_000 && !v.includes('\u0000');
    default:
      return v !== undefined && (typeof v !== 'object' || v instanceof Date);
  }
}

/**
 * A cursor as the client sent it, checked where it is decoded: it must be one of ours for
 * this list's order (one value per sort column, each of that column's type). A forged or
 * damaged cursor is bad input on `field`, never a failed SQL statement.
 */
export function checkCursor(meta: EntityMetadata, orderBy: OrderBy[], cursor: string, field: string): void {
  const invalid = () => new BadInputError(field, 'The cursor is not valid: use the endCursor of a previous page of the same list and sort.');
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(cursor)) throw invalid();
  let values: unknown;
  try {
    values = Cursor.decode(cursor);
  } catch {
    throw invalid();
  }
  const definition = Cursor.getDefinition(meta, orderBy as never) as [string, unknown][];
  if (!Array.isArray(values) || values.length !== definition.length) throw invalid();
  for (let i = 0; i < definition.length; i++) {
    const [key, order] = definition[i];
    const prop = meta.properties[key as never] as EntityProperty | undefined;
    if (!prop || !fitsProperty(prop, values[i], order)) throw invalid();
  }
}

export interface PaginateOptions {
  page?: PageInput | null;
  orderBy: OrderBy[];
  countCap: number;
  wantTotal: boolean;
  /** False when the request selects neither items nor pageInfo (a totals-only query). */
  wantItems?: boolean;
  populate?: string[];
}

/**
 * One list query (plus a count): rows of the page (keyset when `after`/`first` is given, else offset) and,
 * when asked, a capped total. The order always ends with `id` so pages are stable.
 */
export async function paginate<T extends { id: number }>(em: EntityManager, entity: EntityClass<T>, whereOf: () => FilterQuery<T> | null, opts: PaginateOptions): Promise<PageResult<T>> {
  // A factory, not a value: MikroORM's raw() fragments in a filter can be used by one query only.
  const where = whereOf();
  if (where === null) return emptyPage<T>();
  const page = opts.page ?? {};
  if ((page.first !== undefined || page.after !== undefined) && (page.limit !== undefined || page.offset !== undefined)) {
    throw new BadInputError('page', 'Use either { limit, offset } or { first, after }, not both.');
  }
  const orderBy: OrderBy[] = [...opts.orderBy];
  if (!orderBy.some((o) => 'id' in o)) orderBy.push({ id: QueryOrder.ASC });
  const totalP = opts.wantTotal ? cappedCount(em, entity, whereOf()!, opts.countCap) : Promise.resolve({ total: 0, exact: false });
  totalP.catch(() => undefined); // awaited below; never an unhandled rejection when the rows query fails first
  if (opts.wantItems === false) {
    const { total, exact } = await totalP;
    return { items: [], total, totalExact: exact, pageInfo: { hasNextPage: false, endCursor: null } };
  }

  if (page.first !== undefined || page.after !== undefined) {
    const first = page.first ?? 50;
    if (page.after) checkCursor(em.getMetadata().get(entity.name), orderBy, page.after, 'page.after');
    let cursor;
    try {
      cursor = await em.findByCursor(entity, where, {
        first,
        after: page.after,
        orderBy: orderBy as any,
        includeCount: false,
        populate: opts.populate as any,
      });
    } catch (e) {
      if (page.after && /cursor/i.test(String((e as Error).message))) throw new BadInputError('page.after', 'The cursor does not fit this sort order.');
      throw e;
    }
    const { total, exact } = await totalP;
    return { items: cursor.items as T[], total, totalExact: exact, pageInfo: { hasNextPage: cursor.hasNextPage, endCursor: cursor.endCursor } };
  }

  const limit = page.limit ?? 50;
  const offset = page.offset ?? 0;
  const rows = await em.find(entity, where, { orderBy: orderBy as any, limit: limit + 1, offset, populate: opts.populate as any });
  const hasNextPage = rows.length > limit;
  const items = rows.slice(0, limit);
  const meta = em.getMetadata().get(entity.name);
  const last = items[items.length - 1];
  const endCursor = last ? Cursor.for(meta, last as any, orderBy as any) : null;
  const { total, exact } = await totalP;
  return { items, total, totalExact: exact, pageInfo: { hasNextPage, endCursor } };
}
