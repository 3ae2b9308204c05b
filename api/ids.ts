import { BadInputError } from './errors';

/** GraphQL IDs arrive as strings; records use positive integer ids. */
export function parseId(value: string | number, field: string): number {
  const s = String(value).trim();
  if (!/^[1-9][0-9]{0,15}$/.test(s) || Number(s) > 2_147_483_647) throw new BadInputError(field, `${field} is not a valid id.`);
  return Number(s);
}

/** Parses a list of ids, keeping order and repeats so that errors can name `field.<index>`. */
export function parseIds(values: (string | number)[] | undefined | null, field: string): number[] {
  return (values ?? []).map((v, i) => parseId(v, `${field}.${i}`));
}

/** A LIKE pattern for "contains", with LIKE's wildcards escaped. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The search fold, the same as SQL's `tr_fold()` (first migration): Turkish lower-casing
 * (İ→i, I→ı) and then the Turkish letters to their ASCII base, so "istanbul", "ISTANBUL" and
 * "İstanbul" match each other, and so do "sikayet" and "şikayet".
 */
export function searchFold(s: string): string {
  return s
    .replace(/İ/g, 'i')
    .replace(/I/g, 'ı')
    .toLocaleLowerCase('tr-TR')
    .replace(/[çğıöşüâîû]/g, (c) => FOLD[c] ?? c);
}
const FOLD: Record<string, string> = { ç: 'c', ğ: 'g', ı: 'i', ö: 'o', ş: 's', ü: 'u', â: 'a', î: 'i', û: 'u' };

/**
 * A PostgreSQL array literal for `= any(?::int[])`: knex would expand a JS array binding into
 * a list, so integer arrays travel as one text parameter.
 */
export function intArray(ids: readonly number[]): string {
  return `{${ids.map((i) => Math.trunc(Number(i))).join(',')}}`;
}

/** A PostgreSQL text array literal (for `?::text[]`), every element quoted and escaped. */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}
