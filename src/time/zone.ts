/**
 * The one home of time zones: wall-clock times in the configured zone (Beijing by default) ↔ instants, and
 * instants formatted as people read them. Zone arithmetic is done once per quarter hour per zone (Intl is slow)
 * and cached; everything else here is plain arithmetic over it. Reading what people type is `parse.ts`;
 * calendar arithmetic on YYYY-MM-DD strings is `policy/dates.ts`.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
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

export interface LocalParts {
  date: string; // YYYY-MM-DD
  hour: number;
  minute: number;
  second: number;
}

function intlParts(instant: Date, timeZone: string): LocalParts {
  const parts = formatter(timeZone).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    second: Number(get('second')),
  };
}

/** Local time minus UTC at the instant, in ms (+8 h for Asia/Shanghai). */
export function tzOffsetMs(instant: Date, timeZone: string): number {
  // Offsets change (DST) on quarter hours at most: cache per zone and quarter hour. Intl is slow, and a
  // scheduler tick asks this hundreds of thousands of times.
  const bucket = Math.floor(instant.getTime() / 900_000);
  const key = `${timeZone}|${bucket}`;
  const cached = offsetByQuarter.get(key);
  if (cached !== undefined) return cached;
  const at = new Date(bucket * 900_000);
  const p = intlParts(at, timeZone);
  const [y, m, d] = p.date.split('-').map(Number);
  const offset = Date.UTC(y, m - 1, d, p.hour, p.minute, p.second) - at.getTime();
  if (offsetByQuarter.size > 100_000) offsetByQuarter.clear();
  offsetByQuarter.set(key, offset);
  return offset;
}

const offsetByQuarter = new Map<string, number>();
const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

export function localParts(instant: Date, timeZone: string): LocalParts {
  const local = new Date(instant.getTime() + tzOffsetMs(instant, timeZone));
  return {
    date: `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`,
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}

const offsetCache = new Map<string, number>();

/** The instant at which the wall clock in `timeZone` shows `date` `time` (HH:MM). */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  const cacheKey = `${timeZone}|${date}|${time}`;
  const cached = offsetCache.get(cacheKey);
  if (cached !== undefined) return new Date(guess - cached);
  // Two passes settle the offset across a DST change (Asia/Shanghai has none, but TIMEZONE is configurable).
  let offset = tzOffsetMs(new Date(guess), timeZone);
  offset = tzOffsetMs(new Date(guess - offset), timeZone);
  if (offsetCache.size > 50_000) offsetCache.clear();
  offsetCache.set(cacheKey, offset);
  return new Date(guess - offset);
}

/* ---------------------------------------------------------------- formatting */

/** Calendar date (YYYY-MM-DD) of an instant in the given time zone (Beijing by default). */
export function dateIn(instant: Date, timeZone = 'Asia/Shanghai'): string {
  return localParts(instant, timeZone).date;
}

/** "2026-11-25 14:05" in the given time zone, for messages. */
export function dateTimeIn(instant: Date, timeZone = 'Asia/Shanghai'): string {
  const p = localParts(instant, timeZone);
  return `${p.date} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** The instant at which the clock on the wall in `timeZone` shows `date` `hh:mm` (date YYYY-MM-DD, time HH:MM). */
export function instantAt(date: string, hhmm: string, timeZone: string): Date {
  return zonedInstant(date, hhmm, timeZone);
}

const partsOf = (instant: Date | number, timeZone: string) => localParts(new Date(instant), timeZone);

/** "08:30" */
export function hhmmIn(instant: Date | number, timeZone: string): string {
  const p = partsOf(instant, timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** "08:30:05" */
export function hhmmssIn(instant: Date | number, timeZone: string): string {
  const p = partsOf(instant, timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** "2026-12-01 08:30:05", for exports. */
export function dateTimeSecondsIn(instant: Date | number, timeZone: string): string {
  return `${partsOf(instant, timeZone).date} ${hhmmssIn(instant, timeZone)}`;
}

/** "2026-12-01 08:30" when not today, "08:30" when it is (for short chat replies). */
export function whenIn(instant: Date | number, timeZone: string, today: string): string {
  const date = partsOf(instant, timeZone).date;
  const time = hhmmIn(instant, timeZone);
  return date === today ? time : `${date} ${time}`;
}

/** Calendar date (YYYY-MM-DD) of an instant in the time zone. */
export function dateOf(instant: Date | number, timeZone: string): string {
  return partsOf(instant, timeZone).date;
}
