/**
 * Times in exports are written as staff read them on screen: wall-clock time in the user's
 * zone, dd.MM.yyyy HH:mm. Users have no zone of their own yet (the User entity has none), so
 * every export uses the call center's zone; pass another zone where one is known.
 */
export const EXPORT_TIME_ZONE = 'Europe/Istanbul';

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${zone}|${withTime}`;
  let f = formatters.get(key);
  if (!f) {
    // Built once per zone: a formatter costs ~50 µs to make, and a list export formats two dates per row.
    f = new Intl.DateTimeFormat('tr-TR', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

/** A timestamp from the database (a Date, or the text a raw query returns), or null. */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const d = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** dd.MM.yyyy HH:mm (or dd.MM.yyyy) in `zone`; '' for no date. */
export function formatDateTime(d: Date | string | null | undefined, withTime = true, zone = EXPORT_TIME_ZONE): string {
  const date = toDate(d);
  return date ? formatter(zone, withTime).format(date).replace(',', '') : '';
}

const offsetParts = new Map<string, Intl.DateTimeFormat>();
/** Offsets per zone and hour: they change only at transitions, and a list has many rows per hour. */
const offsets = new Map<string, number>();

/** Milliseconds `zone` is ahead of UTC at instant `t`. */
export function zoneOffset(t: number, zone = EXPORT_TIME_ZONE): number {
  const key = `${zone}|${Math.floor(t / 3_600_000)}`;
  let off = offsets.get(key);
  if (off === undefined) {
    let f = offsetParts.get(zone);
    if (!f) {
      f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
      offsetParts.set(zone, f);
    }
    const p: Record<string, number> = {};
    for (const x of f.formatToParts(new Date(t))) if (x.type !== 'literal') p[x.type] = Number(x.value);
    const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    off = wall - Math.floor(t / 1000) * 1000;
    if (offsets.size > 200_000) offsets.clear();
    offsets.set(key, off);
  }
  return off;
}

/**
 * The instant as a Date whose UTC fields are the wall-clock time in `zone`: spreadsheet date
 * cells have no zone, and exceljs writes a Date's UTC time.
 */
export function wallClock(d: Date, zone = EXPORT_TIME_ZONE): Date {
  return new Date(d.getTime() + zoneOffset(d.getTime(), zone));
}
