import { getNullableType, isInputObjectType, isListType, isScalarType, type GraphQLInputType } from 'graphql';
import { BadInputError } from './errors';

/**
 * The dates and instants the API accepts, everywhere: years 1900 to 2199. Nothing a call center
 * records lies outside, and a year 0000 or 9999 is a typing slip that would otherwise reach
 * PostgreSQL (out of range) or build thousands of dashboard periods.
 */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2199;

/** The scalars holding a day (`LocalDate`, a YYYY-MM-DD string) or an instant (`DateTimeISO`, a Date). */
const DATE_SCALARS = new Set(['LocalDate', 'DateTimeISO', 'DateTime', 'Date']);

function yearOf(v: unknown): number | null {
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.getUTCFullYear() : null;
  if (typeof v === 'string') {
    const m = /^([+-]?\d{4,6})-\d{2}-\d{2}/.exec(v);
    if (!m) return null;
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
    return Number.isFinite(d.getTime()) ? d.getUTCFullYear() : Number(m[1]);
  }
  return null;
}

/** Throws BAD_USER_INPUT on `path` when a date or instant lies outside years MIN_YEAR..MAX_YEAR. */
export function checkDateValue(v: unknown, path: string): void {
  const year = yearOf(v);
  if (year === null) throw new BadInputError(path, `${path}: not a valid date.`);
  if (year < MIN_YEAR || year > MAX_YEAR) throw new BadInputError(path, `${path}: the year must be between ${MIN_YEAR} and ${MAX_YEAR}.`);
}

/**
 * Walks an argument's coerced value along its GraphQL input type and checks every date and
 * instant in it, naming the first bad one by its path (`input.from`, `filter.closedAt.to`).
 */
export function checkDates(type: GraphQLInputType, value: unknown, path: string): void {
  if (value === null || value === undefined) return;
  const t = getNullableType(type);
  if (isListType(t)) {
    if (Array.isArray(value)) value.forEach((v, i) => checkDates(t.ofType, v, `${path}.${i}`));
    else checkDates(t.ofType, value, path);
    return;
  }
  if (isScalarType(t)) {
    if (DATE_SCALARS.has(t.name)) checkDateValue(value, path);
    return;
  }
  if (isInputObjectType(t) && typeof value === 'object') {
    const fields = t.getFields();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const f = fields[k];
      if (f) checkDates(f.type, v, `${path}.${k}`);
    }
  }
}
