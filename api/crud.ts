import { raw, type EntityClass, type FilterQuery } from '@mikro-orm/core';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, ID, Info, Int, Mutation, Query, Resolver, type ClassType } from 'type-graphql';
import { assertCanWriteInput, canOn } from './ability';
import { assertVersion, authorize, findReadable, scoped, type Context, withEm } from './context';
import { BadInputError } from './errors';
import { likePattern, parseId, searchFold } from './ids';
import { direction, PageInput, PageOf, paginate, selects, type SortDirection } from './pagination';

/** The input's given (not undefined) fields, strings trimmed, except `skip`: entity data for a write. */
export function givenFields(input: object, skip: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (v !== undefined && !skip.includes(k)) out[k] = typeof v === 'string' ? v.trim() : v;
  return out;
}

/**
 * The common shape of a record administrators keep: create, update with version, archive,
 * and a list with a Turkish-aware search. Modules describe what differs (how input becomes
 * entity data, extra filters) and get a service and a resolver.
 */
export interface CrudSpec<T extends { id: number; version: number; archivedAt?: Date | null; updatedAt: Date }, C extends object, U extends object, F extends object> {
  entity: EntityClass<T>;
  subject: string;
  /** GraphQL names: `Priority` → priorities / priority / createPriority / updatePriority / archivePriority. */
  name: string;
  plural: string;
  CreateInput: ClassType<C>;
  UpdateInput: ClassType<U>;
  Filter: ClassType<F>;
  Sort: ClassType<{ field: string; direction?: SortDirection }>;
  defaultSort: { field: string; direction?: SortDirection }[];
  /** Columns the `search` filter looks in (tr_fold, contains). */
  searchColumns?: string[];
  /** A column whose value must be unique among non-archived records (Turkish-aware). */
  uniqueColumn?: { column: string; property: string; field: string };
  /** Entity data from create input (resolve and check related ids here). */
  fromCreate(ctx: Context, input: C): Promise<Record<string, unknown>>;
  /** Entity data from update input (only what was given). */
  fromUpdate(ctx: Context, input: U, existing: T): Promise<Record<string, unknown>>;
  /**
   * Conditions from the module's own filter fields (beyond search, active, includeArchived).
   * Checks the filter (ids, keys) first, then returns a factory: raw() conditions can be used
   * by one query only, and the list runs two (page and count).
   */
  filterWhere?(ctx: Context, filter: F): Promise<() => FilterQuery<T>[]>;
  /** Field names a write touches, for field rules (input key → entity field). */
  fieldOf?(inputKey: string): string;
  /** Runs inside the transaction after the write (history, counters). */
  afterWrite?(ctx: Context, record: T, kind: 'created' | 'changed' | 'archived'): Promise<void>;
}

export function crudService<T extends { id: number; version: number; archivedAt?: Date | null; updatedAt: Date }, C extends object, U extends object, F extends object>(spec: CrudSpec<T, C, U, F>) {
  const { entity, subject } = spec;

  async function assertUnique(ctx: Context, value: string | null | undefined, exceptId?: number) {
    if (!spec.uniqueColumn || value === undefined) return;
    if (value === null || typeof value !== 'string') throw new BadInputError(spec.uniqueColumn.field, `${spec.uniqueColumn.property} must not be empty.`, 'REQUIRED');
    const { column, field } = spec.uniqueColumn;
    const where = { [raw((a) => `tr_fold(${a}.${column})`)]: searchFold(value.trim()), archivedAt: null, ...(exceptId ? { id: { $ne: exceptId } } : {}) };
    if (await ctx.em.findOne(entity, where as FilterQuery<T>)) throw new BadInputError(field, `Another ${subject.toLowerCase()} already has this ${spec.uniqueColumn.property}.`, 'NOT_UNIQUE');
  }

  return {
    spec,
    async list(ctx: Context, filter: F | undefined, sort: { field: string; direction?: SortDirection }[] | undefined, page: PageInput | undefined, info?: GraphQLResolveInfo) {
      const f = (filter ?? {}) as F & { search?: string; includeArchived?: boolean; active?: boolean };
      const extra = spec.filterWhere ? await spec.filterWhere(ctx, f) : () => [];
      const whereOf = () => {
        const where: FilterQuery<T>[] = [];
        if (!f.includeArchived) where.push({ archivedAt: null } as FilterQuery<T>);
        if (f.active !== undefined && f.active !== null) where.push({ active: f.active } as unknown as FilterQuery<T>);
        const term = f.search?.trim();
        if (term && spec.searchColumns?.length) {
          const p = likePattern(searchFold(term));
          where.push({ $or: spec.searchColumns.map((c) => ({ [raw((a) => `tr_fold(${a}.${c})`)]: { $like: p } })) } as FilterQuery<T>);
        }
        where.push(...extra());
        return scoped<T>(ctx, 'read', subject, where.length ? ({ $and: where } as FilterQuery<T>) : ({} as FilterQuery<T>));
      };
      return paginate(ctx.em, entity, whereOf, {
        page,
        orderBy: (sort?.length ? sort : spec.defaultSort).map((s) => ({ [s.field]: direction(s.direction) })),
        countCap: ctx.config.LIST_COUNT_CAP,
        wantTotal: selects(info, 'total', 'totalExact'),
      wantItems: selects(info, 'items', 'pageInfo'),
      });
    },

    get(ctx: Context, id: string | number) {
      return findReadable(ctx, entity, subject, typeof id === 'number' ? id : parseId(id, 'id'));
    },

    /** Loads records by id for another module's write, checking they exist and are not archived. */
    async require(ctx: Context, id: string | number | null | undefined, field: string): Promise<T | null> {
      if (id === undefined || id === null || id === '') return null;
      const n = typeof id === 'number' ? id : parseId(id, field);
      const row = await ctx.em.findOne(entity, { id: n, archivedAt: null } as FilterQuery<T>);
      if (!row) throw new BadInputError(field, `No such ${subject.toLowerCase()}: ${n}.`, 'NOT_FOUND_REFERENCE');
      return row;
    },

    async create(ctx: Context, input: C): Promise<T> {
      authorize(ctx, 'create', subject);
      assertCanWriteInput(ctx.ability, 'create', subject, null, input, spec.fieldOf);
      return ctx.em.transactional(async (em) => {
        const tctx = withEm(ctx, em);
        const uc = spec.uniqueColumn;
        if (uc) await assertUnique(tctx, (input as Record<string, string>)[uc.property]);
        const data = await spec.fromCreate(tctx, input);
        const record = em.create(entity, data as never);
        await em.flush();
        await spec.afterWrite?.(tctx, record, 'created');
        await ctx.events.publish(em, { type: `${subject}.created`, subject, id: record.id, actorId: ctx.user?.id });
        return record;
      });
    },

    async update(ctx: Context, id: string, version: number, input: U): Promise<T> {
      const recordId = parseId(id, 'id');
      return ctx.em.transactional(async (em) => {
        const tctx = withEm(ctx, em);
        const record = await findReadable(tctx, entity, subject, recordId, { forUpdate: true });
        authorize(tctx, 'update', subject, record);
        assertCanWriteInput(ctx.ability, 'update', subject, record, input, spec.fieldOf);
        assertVersion(subject, record, version);
        const uc = spec.uniqueColumn;
        if (uc) await assertUnique(tctx, (input as Record<string, string>)[uc.property], recordId);
        const data = await spec.fromUpdate(tctx, input, record);
        em.assign(record, data as never);
        record.updatedAt = new Date();
        await em.flush();
        await spec.afterWrite?.(tctx, record, 'changed');
        await ctx.events.publish(em, { type: `${subject}.changed`, subject, id: record.id, actorId: ctx.user?.id });
        return record;
      });
    },

    async archive(ctx: Context, id: string): Promise<T> {
      const recordId = parseId(id, 'id');
      return ctx.em.transactional(async (em) => {
        const tctx = withEm(ctx, em);
        const record = await findReadable(tctx, entity, subject, recordId, { forUpdate: true });
        authorize(tctx, 'archive', subject, record);
        if (!record.archivedAt) {
          record.archivedAt = new Date();
          await em.flush();
          await spec.afterWrite?.(tctx, record, 'archived');
          await ctx.events.publish(em, { type: `${subject}.archived`, subject, id: record.id, actorId: ctx.user?.id });
        }
        return record;
      });
    },
  };
}

export type CrudService<T extends { id: number; version: number; archivedAt?: Date | null; updatedAt: Date }> = ReturnType<typeof crudService<T, any, any, any>>;

const lcFirst = (s: string) => s[0].toLowerCase() + s.slice(1);

/** The GraphQL side: `<plural>(filter, sort, page)`, `<name>(id)`, create/update/archive. */
export function crudResolver<T extends { id: number; version: number; archivedAt?: Date | null; updatedAt: Date }>(service: CrudService<T>) {
  const spec = service.spec;
  const Page = PageOf(spec.entity as ClassType<T>, spec.name);

  @Resolver(() => spec.entity)
  class CrudResolver {
    @Query(() => Page, { name: spec.plural })
    list(
      @Ctx() ctx: Context,
      @Info() info: GraphQLResolveInfo,
      @Arg('filter', () => spec.Filter, { nullable: true }) filter?: object,
      @Arg('sort', () => [spec.Sort], { nullable: true }) sort?: { field: string; direction?: SortDirection }[],
      @Arg('page', () => PageInput, { nullable: true }) page?: PageInput,
    ) {
      return service.list(ctx, filter, sort, page, info);
    }

    @Query(() => spec.entity, { name: lcFirst(spec.name) })
    one(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
      return service.get(ctx, id);
    }

    @Mutation(() => spec.entity, { name: `create${spec.name}` })
    create(@Arg('input', () => spec.CreateInput) input: object, @Ctx() ctx: Context) {
      return service.create(ctx, input);
    }

    @Mutation(() => spec.entity, { name: `update${spec.name}` })
    update(@Arg('id', () => ID) id: string, @Arg('version', () => Int) version: number, @Arg('input', () => spec.UpdateInput) input: object, @Ctx() ctx: Context) {
      return service.update(ctx, id, version, input);
    }

    @Mutation(() => spec.entity, { name: `archive${spec.name}` })
    archive(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
      return service.archive(ctx, id);
    }
  }
  Object.defineProperty(CrudResolver, 'name', { value: `${spec.name}CrudResolver` });
  return CrudResolver;
}

/**
 * Resolves a to-one relation for GraphQL: batched by the request's loaders, and null when
 * the viewer may not read the target (a relation never leaks what its rules hide).
 */
export async function relation<R extends { id: number }>(ctx: Context, entity: EntityClass<R>, subject: string, ref: { id: number } | null | undefined): Promise<R | null> {
  if (!ref) return null;
  const row = await ctx.loaders.byId(entity as never).load(ref.id);
  if (!row) return null;
  return canOn(ctx.ability, 'read', subject, row as object) ? (row as R) : null;
}

