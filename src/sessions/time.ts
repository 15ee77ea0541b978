/**
 * Wall-clock times in the configured time zone (Beijing by default) ↔ instants, for sessions. Sessions are
 * planned as "2026-12-01 08:30–09:15 北京时间" and stored as instants, so every comparison is one number compare.
 * The zone arithmetic itself is the scheduler's (one cached implementation); this file only formats.
 */
import { localParts, zonedInstant } from '../schedule/time.js';

/** The instant at which the clock on the wall in `timeZone` shows `date` `hh:mm` (date YYYY-MM-DD, time HH:MM). */
export function instantAt(date: string, hhmm: string, timeZone: string): Date {
  return zonedInstant(date, hhmm, timeZone);
}

const pad = (n: number) => String(n).padStart(2, '0');
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
