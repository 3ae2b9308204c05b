import { Cursor, QueryOrder, type EntityClass, type EntityManager, type FilterQuery } from '@mikro-orm/core';
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
    if (page.after) {
      let values: unknown;
      try {
        values = Cursor.decode(page.after);
      } catch {
        throw new BadInputError('page.after', 'The cursor is not valid.');
      }
      // A cursor carries plain values only: an object inside would be read as a filter operator.
      const scalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
      if (!Array.isArray(values) || !values.every((v) => scalar(v) || (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).every((k) => !k.startsWith('$')) && Object.values(v).every(scalar)))) {
        throw new BadInputError('page.after', 'The cursor is not valid.');
      }
    }
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
