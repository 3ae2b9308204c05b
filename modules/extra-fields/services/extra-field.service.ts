import { raw, type FilterQuery } from '@mikro-orm/core';
import { crudService } from '../../../api/crud';
import type { Context } from '../../../api/context';
import { BadInputError } from '../../../api/errors';
import { parseIds } from '../../../api/ids';
import { CreateExtraFieldInput, ExtraFieldFilter, ExtraFieldSort, UpdateExtraFieldInput, type ExtraValueFilter } from '../dto/extra-field.input';
import { ExtraFieldDefinition, ExtraFieldTarget, ExtraFieldType } from '../entities/extra-field-definition.entity';

const CHOICE = [ExtraFieldType.SINGLE_CHOICE, ExtraFieldType.MULTIPLE_CHOICE];

function cleanOptions(options: string[] | undefined, type: ExtraFieldType): string[] | undefined {
  if (options === undefined) return undefined;
  const list = [...new Set(options.map((o) => o.trim()).filter(Boolean))];
  if (CHOICE.includes(type) && !list.length) throw new BadInputError('input.options', 'A choice field needs at least one option.');
  return list;
}

export const extraFieldService = crudService<ExtraFieldDefinition, CreateExtraFieldInput, UpdateExtraFieldInput, ExtraFieldFilter>({
  entity: ExtraFieldDefinition,
  subject: 'ExtraFieldDefinition',
  name: 'ExtraField',
  plural: 'extraFields',
  CreateInput: CreateExtraFieldInput,
  UpdateInput: UpdateExtraFieldInput,
  Filter: ExtraFieldFilter,
  Sort: ExtraFieldSort,
  defaultSort: [{ field: 'target' }, { field: 'sortOrder' }, { field: 'label' }],
  searchColumns: ['label', 'key'],
  filterWhere: async (_ctx, f) => () => (f.target ? [{ target: f.target }] : []),
  async fromCreate(ctx, input) {
    if (await ctx.em.findOne(ExtraFieldDefinition, { target: input.target, key: input.key })) {
      throw new BadInputError('input.key', `A ${input.target.toLowerCase()} field with the key "${input.key}" already exists.`, 'NOT_UNIQUE');
    }
    const options = cleanOptions(input.options ?? [], input.type) ?? [];
    if (input.categoryIds?.length && input.target !== ExtraFieldTarget.APPLICATION) throw new BadInputError('input.categoryIds', 'Only application fields can be limited to categories.');
    return {
      target: input.target,
      key: input.key,
      label: input.label.trim(),
      description: input.description ?? null,
      type: input.type,
      required: input.required ?? false,
      options: CHOICE.includes(input.type) ? options : [],
      categoryIds: [...new Set(parseIds(input.categoryIds, 'input.categoryIds'))],
      sortOrder: input.sortOrder ?? 0,
      active: input.active ?? true,
    };
  },
  async fromUpdate(_ctx, input, existing) {
    const out: Record<string, unknown> = {};
    if (input.label !== undefined) out.label = input.label.trim();
    if (input.description !== undefined) out.description = input.description;
    if (input.required !== undefined) out.required = input.required;
    if (input.options !== undefined) {
      if (!CHOICE.includes(existing.type)) throw new BadInputError('input.options', 'Only choice fields have options.');
      out.options = cleanOptions(input.options, existing.type);
    }
    if (input.categoryIds !== undefined) {
      if (existing.target !== ExtraFieldTarget.APPLICATION && input.categoryIds.length) throw new BadInputError('input.categoryIds', 'Only application fields can be limited to categories.');
      out.categoryIds = [...new Set(parseIds(input.categoryIds, 'input.categoryIds'))];
    }
    if (input.sortOrder !== undefined) out.sortOrder = input.sortOrder;
    if (input.active !== undefined) out.active = input.active;
    return out;
  },
});

/** Active definitions of a target, once per request. */
export function definitionsFor(ctx: Context, target: ExtraFieldTarget): Promise<ExtraFieldDefinition[]> {
  return ctx.loaders
    .get<ExtraFieldTarget, ExtraFieldDefinition[]>('extra-field-definitions', async (targets) => {
      const rows = await ctx.em.find(ExtraFieldDefinition, { target: { $in: [...targets] }, active: true, archivedAt: null }, { orderBy: { sortOrder: 'asc', id: 'asc' } });
      return targets.map((t) => rows.filter((r) => r.target === t));
    })
    .load(target);
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

function checkValue(def: ExtraFieldDefinition, value: unknown, path: string): unknown {
  const bad = (what: string) => new BadInputError(path, `${def.label}: ${what}.`);
  switch (def.type) {
    case ExtraFieldType.TEXT:
      if (typeof value !== 'string') throw bad('must be text');
      if (value.length > 1000) throw bad('must be at most 1000 characters');
      return value.trim();
    case ExtraFieldType.LONG_TEXT:
      if (typeof value !== 'string') throw bad('must be text');
      if (value.length > 50_000) throw bad('must be at most 50000 characters');
      return value;
    case ExtraFieldType.NUMBER: {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw bad('must be a number');
      if (Math.abs(n) > 1e15) throw bad('is out of range');
      return n;
    }
    case ExtraFieldType.DATE:
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
        throw bad('must be a date (YYYY-MM-DD)');
      }
      return value;
    case ExtraFieldType.BOOLEAN:
      if (typeof value !== 'boolean') throw bad('must be true or false');
      return value;
    case ExtraFieldType.SINGLE_CHOICE:
      if (typeof value !== 'string' || !def.options.includes(value)) throw bad(`must be one of: ${def.options.join(', ')}`);
      return value;
    case ExtraFieldType.MULTIPLE_CHOICE: {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw bad('must be a list of choices');
      const badChoice = value.find((v) => !def.options.includes(v));
      if (badChoice !== undefined) throw bad(`"${badChoice}" is not one of: ${def.options.join(', ')}`);
      return [...new Set(value)];
    }
  }
}

/**
 * Checks extra field values against their definitions and merges them into the record's
 * current values: unknown keys, keys not defined for the record's categories, wrong types
 * and missing required values are refused, naming `input.extra.<key>`. `null` clears a value.
 */
export async function validateExtraValues(
  ctx: Context,
  target: ExtraFieldTarget,
  input: Record<string, unknown> | null | undefined,
  current: Record<string, unknown> | null | undefined,
  opts: { categoryIds?: number[]; path?: string } = {},
): Promise<Record<string, unknown>> {
  const path = opts.path ?? 'input.extra';
  const defs = await definitionsFor(ctx, target);
  const applies = (d: ExtraFieldDefinition) => !d.categoryIds.length || d.categoryIds.some((c) => opts.categoryIds?.includes(c));
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const merged: Record<string, unknown> = { ...(current ?? {}) };
  if (input !== undefined && input !== null) {
    if (typeof input !== 'object' || Array.isArray(input)) throw new BadInputError(path, 'Extra fields must be an object of key: value.');
    for (const [key, value] of Object.entries(input)) {
      const def = byKey.get(key);
      if (!def) throw new BadInputError(`${path}.${key}`, `There is no extra field "${key}".`);
      if (!applies(def)) throw new BadInputError(`${path}.${key}`, `${def.label} is not defined for this category.`);
      if (isEmpty(value)) delete merged[key];
      else merged[key] = checkValue(def, value, `${path}.${key}`);
    }
  }
  // Values of fields that no longer apply (the category changed) are dropped.
  for (const key of Object.keys(merged)) {
    const def = byKey.get(key);
    if (def && !applies(def)) delete merged[key];
  }
  for (const def of defs) {
    if (def.required && applies(def) && isEmpty(merged[def.key])) throw new BadInputError(`${path}.${def.key}`, `${def.label} is required.`, 'REQUIRED');
  }
  return merged;
}

/**
 * SQL conditions for extra-value filters on a record's `extra` JSONB column. Equality and
 * choice filters use containment (`@>`), served by the column's GIN index; bounds compare
 * the typed value.
 */
export async function extraValueWhere<T>(ctx: Context, target: ExtraFieldTarget, filters: ExtraValueFilter[] | undefined, path = 'filter.extra'): Promise<() => FilterQuery<T>[]> {
  if (!filters?.length) return () => [];
  const defs = new Map((await definitionsFor(ctx, target)).map((d) => [d.key, d]));
  const parts: { sql: (a: string) => string; params: unknown[] }[] = [];
  filters.forEach((f, i) => {
    const def = defs.get(f.key);
    if (!def) throw new BadInputError(`${path}.${i}.key`, `There is no extra field "${f.key}".`);
    const contain = (v: unknown) => JSON.stringify({ [f.key]: def.type === ExtraFieldType.MULTIPLE_CHOICE ? [v] : checkValue(def, v, `${path}.${i}`) });
    if (f.equals !== undefined && f.equals !== null) parts.push({ sql: (a) => `${a}.extra @> ?::jsonb`, params: [contain(f.equals)] });
    if (f.in?.length) {
      const values = f.in.map(contain);
      parts.push({ sql: (a) => `(${values.map(() => `${a}.extra @> ?::jsonb`).join(' or ')})`, params: values });
    }
    for (const [op, bound] of [['>=', f.gte], ['<=', f.lte]] as const) {
      if (bound === undefined || bound === null) continue;
      if (def.type === ExtraFieldType.NUMBER) {
        const n = Number(bound);
        if (!Number.isFinite(n)) throw new BadInputError(`${path}.${i}.${op === '>=' ? 'gte' : 'lte'}`, 'Must be a number.', 'NOT_NUMBER');
        parts.push({ sql: (a) => `(jsonb_typeof(${a}.extra -> ?) = 'number' and (${a}.extra ->> ?)::numeric ${op} ?)`, params: [f.key, f.key, n] });
      } else if (def.type === ExtraFieldType.DATE) {
        checkValue(def, bound, `${path}.${i}.${op === '>=' ? 'gte' : 'lte'}`);
        parts.push({ sql: (a) => `((${a}.extra ->> ?) ${op} ?)`, params: [f.key, bound] });
      } else {
        throw new BadInputError(`${path}.${i}.key`, `${def.label} has no order; use equals or in.`);
      }
    }
  });
  return () => parts.map((p) => ({ [raw((a: string) => p.sql(a), p.params as never[])]: true }) as unknown as FilterQuery<T>);
}
