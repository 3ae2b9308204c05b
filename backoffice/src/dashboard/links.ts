/**
 * Links from a figure to the application list that it counts. The dashboard counts by days in
 * the call center's zone (Europe/Istanbul, as the API does), so the list gets exact instants:
 * from the first day's midnight there to the midnight after the last day (`to` is exclusive).
 */
export const ZONE = 'Europe/Istanbul';

const parts = new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });

/** Milliseconds the zone is ahead of UTC at instant `t`. */
function offset(t: number): number {
  const p: Record<string, number> = {};
  for (const x of parts.formatToParts(new Date(t))) if (x.type !== 'literal') p[x.type] = Number(x.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(t / 1000) * 1000;
}

/** The instant a day (YYYY-MM-DD) starts in the zone, as ISO text. */
export function dayStart(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d);
  let t = wall - offset(wall);
  t = wall - offset(t);
  return new Date(t).toISOString();
}

export const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** Today in the zone (YYYY-MM-DD). */
export const zoneToday = () => new Intl.DateTimeFormat('sv-SE', { timeZone: ZONE }).format(new Date());

/** Days `from`..`to` (both included) as an ApplicationFilter DateRange. */
export const dayRange = (from: string, to: string) => ({ from: dayStart(from), to: dayStart(nextDay(to)) });

/** The filter inputs of the list to show open for these filter keys. */
const SOURCES: Record<string, string[]> = {
  applicationDate: ['applicationDate.from', 'applicationDate.to'],
  closedAt: ['closedAt.from', 'closedAt.to'],
};

/** The application list with `filter` applied (react-admin's `filter` and `displayedFilters` query). */
export function listPath(filter: Record<string, unknown>): string {
  const displayed: Record<string, boolean> = {};
  for (const key of Object.keys(filter)) for (const source of SOURCES[key] ?? [key]) displayed[source] = true;
  return `/applications?filter=${encodeURIComponent(JSON.stringify(filter))}&displayedFilters=${encodeURIComponent(JSON.stringify(displayed))}`;
}
