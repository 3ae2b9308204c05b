import type { FilterQuery } from '@mikro-orm/core';
import { crudService, givenFields } from '../../../api/crud';
import type { Context } from '../../../api/context';
import { BadInputError } from '../../../api/errors';
import { parseId, parseIds } from '../../../api/ids';
import {
  CategoryFilter,
  ClassificationSort,
  CreateCategoryInput,
  CreateProcessStageInput,
  ProcessStageFilter,
  UpdateCategoryInput,
  UpdateProcessStageInput,
} from '../dto/application.input';
import { Category, ProcessStage } from '../entities/classification.entities';


async function stagesByIds(ctx: Context, ids: string[] | undefined, exceptId?: number): Promise<ProcessStage[] | undefined> {
  if (ids === undefined) return undefined;
  const parsed = parseIds(ids, 'input.allowedNextStageIds');
  if (exceptId && parsed.includes(exceptId)) throw new BadInputError('input.allowedNextStageIds', 'A stage cannot list itself as its next stage.');
  const rows = parsed.length ? await ctx.em.find(ProcessStage, { id: { $in: parsed }, archivedAt: null }) : [];
  const missing = parsed.findIndex((id) => !rows.some((r) => r.id === id));
  if (missing >= 0) throw new BadInputError(`input.allowedNextStageIds.${missing}`, `No such stage: ${parsed[missing]}.`, 'NOT_FOUND_REFERENCE');
  return rows;
}

/** Only one initial stage: setting one clears the others. */
async function oneInitial(ctx: Context, stage: ProcessStage) {
  if (stage.isInitial) await ctx.em.nativeUpdate(ProcessStage, { id: { $ne: stage.id }, isInitial: true }, { isInitial: false });
}

export const processStageService = crudService<ProcessStage, CreateProcessStageInput, UpdateProcessStageInput, ProcessStageFilter>({
  entity: ProcessStage,
  subject: 'ProcessStage',
  name: 'ProcessStage',
  plural: 'processStages',
  CreateInput: CreateProcessStageInput,
  UpdateInput: UpdateProcessStageInput,
  Filter: ProcessStageFilter,
  Sort: ClassificationSort,
  defaultSort: [{ field: 'sortOrder' }, { field: 'name' }],
  searchColumns: ['name'],
  uniqueColumn: { column: 'name', property: 'name', field: 'input.name' },
  fieldOf: (k) => (k === 'allowedNextStageIds' ? 'allowedNext' : k),
  async fromCreate(ctx, input) {
    return { ...givenFields(input, ['allowedNextStageIds']), allowedNext: (await stagesByIds(ctx, input.allowedNextStageIds)) ?? [] };
  },
  async fromUpdate(ctx, input, existing) {
    const data = givenFields(input, ['allowedNextStageIds']);
    const next = await stagesByIds(ctx, input.allowedNextStageIds, existing.id);
    if (next) {
      await existing.allowedNext.init();
      existing.allowedNext.set(next);
    }
    return data;
  },
  afterWrite: (ctx, r) => oneInitial(ctx, r),
  filterWhere: async (_ctx, f) => () => (f.closed !== undefined && f.closed !== null ? [{ closed: f.closed }] : []),
});

/** Every category, once per request (the tree has hundreds of nodes, not millions). */
export function allCategories(ctx: Context): Promise<Category[]> {
  return ctx.loaders.get<string, Category[]>('categories:all', async (keys) => {
    const rows = await ctx.em.find(Category, {}, { orderBy: { level: 'asc', sortOrder: 'asc', name: 'asc' } });
    return keys.map(() => rows);
  }).load('all');
}

/** The node and everything below it. */
export function subtreeIds(all: Category[], rootId: number): number[] {
  const children = new Map<number, number[]>();
  for (const c of all) {
    if (!c.parent) continue;
    const list = children.get(c.parent.id) ?? [];
    list.push(c.id);
    children.set(c.parent.id, list);
  }
  const out: number[] = [];
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    out.push(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}

/** Ancestors from the root down to the node itself. */
export function pathOf(all: Category[], id: number): Category[] {
  const byId = new Map(all.map((c) => [c.id, c]));
  const path: Category[] = [];
  for (let c = byId.get(id); c; c = c.parent ? byId.get(c.parent.id) : undefined) {
    path.unshift(c);
    if (path.length > 100) break;
  }
  return path;
}

export const categoryService = crudService<Category, CreateCategoryInput, UpdateCategoryInput, CategoryFilter>({
  entity: Category,
  subject: 'Category',
  name: 'Category',
  plural: 'categories',
  CreateInput: CreateCategoryInput,
  UpdateInput: UpdateCategoryInput,
  Filter: CategoryFilter,
  Sort: ClassificationSort,
  defaultSort: [{ field: 'level' }, { field: 'sortOrder' }, { field: 'name' }],
  searchColumns: ['name'],
  fieldOf: (k) => (k === 'parentId' ? 'parent' : k),
  async fromCreate(ctx, input) {
    const parent = input.parentId ? await ctx.em.findOne(Category, { id: parseId(input.parentId, 'input.parentId'), archivedAt: null }) : null;
    if (input.parentId && !parent) throw new BadInputError('input.parentId', `No such category: ${input.parentId}.`, 'NOT_FOUND_REFERENCE');
    await assertSiblingNameFree(ctx, input.name, parent?.id ?? null);
    return { ...givenFields(input, ['parentId']), parent, level: parent ? parent.level + 1 : 1 };
  },
  async fromUpdate(ctx, input, existing) {
    const data = givenFields(input, ['parentId']);
    let parentId = existing.parent?.id ?? null;
    if (input.parentId !== undefined) {
      const target = input.parentId ? await ctx.em.findOne(Category, { id: parseId(input.parentId, 'input.parentId'), archivedAt: null }) : null;
      if (input.parentId && !target) throw new BadInputError('input.parentId', `No such category: ${input.parentId}.`, 'NOT_FOUND_REFERENCE');
      const oldParentLevel = existing.level - 1;
      const newParentLevel = target ? target.level : 0;
      if (newParentLevel !== oldParentLevel) {
        throw new BadInputError('input.parentId', `A level ${existing.level} node moves under a level ${oldParentLevel || 'root'} node, so that applications keep their classification.`);
      }
      if (target && subtreeIds(await allCategories(ctx), existing.id).includes(target.id)) throw new BadInputError('input.parentId', 'A category cannot move under itself.');
      data.parent = target;
      parentId = target?.id ?? null;
    }
    if (input.name !== undefined || input.parentId !== undefined) await assertSiblingNameFree(ctx, input.name ?? existing.name, parentId, existing.id);
    return data;
  },
  async filterWhere(_ctx, f) {
    const parentId = f.parentId ? parseId(f.parentId, 'filter.parentId') : undefined;
    return () => {
      const w: FilterQuery<Category>[] = [];
      if (parentId) w.push({ parent: parentId });
      if (f.level) w.push({ level: f.level });
      return w;
    };
  },
});

async function assertSiblingNameFree(ctx: Context, name: string, parentId: number | null, exceptId?: number) {
  const clash = await ctx.em.findOne(Category, { name: name.trim(), parent: parentId, archivedAt: null, ...(exceptId ? { id: { $ne: exceptId } } : {}) });
  if (clash) throw new BadInputError('input.name', 'A category with this name already exists at this place in the tree.', 'NOT_UNIQUE');
}
