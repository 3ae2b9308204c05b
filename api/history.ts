import type { Context } from './context';

type Labelled = { name?: string; number?: string; title?: string; firstName?: string; lastName?: string };

/** A related record's label (name, number, title or a person's name), if it is loaded. */
function labelOf(v: Labelled): string | null {
  if (v.name) return v.name;
  if (v.number) return v.number;
  if (v.title) return v.title;
  if (v.firstName) return `${v.firstName} ${v.lastName ?? ''}`.trim();
  return null;
}

/** How a value reads in a history entry: labels for related records, ISO for dates. */
export function historyValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const id = (value as { id?: number }).id;
    return labelOf(value as Labelled) ?? (id !== undefined ? `#${id}` : JSON.stringify(value));
  }
  return String(value);
}

/** Whether a write changes a field: related records by id, dates by time, plain objects (extra fields) by content. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !('id' in a) && !(a instanceof Date)) return JSON.stringify(a) === JSON.stringify(b);
  const key = (v: unknown) => (v && typeof v === 'object' && 'id' in (v as object) ? (v as { id: number }).id : v instanceof Date ? v.getTime() : v);
  return (key(a) ?? null) === (key(b) ?? null);
}

/** A related record as history shows it: an unloaded reference is loaded for its label. */
export async function withLabel(ctx: Context, value: unknown): Promise<unknown> {
  if (!value || typeof value !== 'object' || value instanceof Date || !('id' in value) || labelOf(value as Labelled)) return value;
  const ref = value as { id: number; constructor: new () => object };
  return (await ctx.em.findOne(ref.constructor as never, { id: ref.id })) ?? value;
}
