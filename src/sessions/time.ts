/**
 * Wall-clock times in the configured time zone (Beijing by default) ↔ instants. Sessions are planned as
 * "2026-12-01 08:30–09:15 北京时间" and stored as instants, so every comparison is one number compare.
 */

/** Building an Intl.DateTimeFormat costs far more than using one: one per time zone, kept. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function partsIn(instant: number, timeZone: string): Record<string, number> {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const out: Record<string, number> = {};
  for (const p of parts) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** Offset of the zone from UTC at an instant, in ms (Beijing: +8 h). */
function offsetAt(instant: number, timeZone: string): number {
  const p = partsIn(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant at which the clock on the wall in `timeZone` shows `date` `hh:mm` (date YYYY-MM-DD, time HH:MM). */
export function instantAt(date: string, hhmm: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = hhmm.split(':').map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  let guess = wall - offsetAt(wall, timeZone);
  // Second pass settles a guess that landed on the other side of a DST change (not needed for Beijing).
  guess = wall - offsetAt(guess, timeZone);
  return new Date(guess);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "08:30" */
export function hhmmIn(instant: Date | number, timeZone: string): string {
  const p = partsIn(new Date(instant).getTime(), timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** "08:30:05" */
export function hhmmssIn(instant: Date | number, timeZone: string): string {
  const p = partsIn(new Date(instant).getTime(), timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** "2026-12-01 08:30:05", for exports. */
export function dateTimeSecondsIn(instant: Date | number, timeZone: string): string {
  const p = partsIn(new Date(instant).getTime(), timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** "12-01 08:30" when not today, "08:30" when it is (for short chat replies). */
export function whenIn(instant: Date | number, timeZone: string, today: string): string {
  const p = partsIn(new Date(instant).getTime(), timeZone);
  const date = `${p.year}-${pad(p.month)}-${pad(p.day)}`;
  const time = `${pad(p.hour)}:${pad(p.minute)}`;
  return date === today ? time : `${date} ${time}`;
}

/** Calendar date (YYYY-MM-DD) of an instant in the time zone; like clock.dateIn, with a cached formatter. */
export function dateOf(instant: Date | number, timeZone: string): string {
  const p = partsIn(new Date(instant).getTime(), timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}
