/**
 * Wall-clock arithmetic for scheduled messages: "09:00 in Beijing on 2026-05-24" as an instant, quiet hours,
 * and a deterministic jitter per message key so sends are spread off the round minute and a re-run of the
 * same tick computes the same send time.
 */
import { localParts, zonedInstant } from '../time/zone.js';

/** Scheduled reminders are due at this local time on their day (then spread by jitter). */
export const REMINDER_TIME = '09:00';

/** No scheduled message is sent between these local times; a message due inside waits for `end` (+ jitter). */
export const QUIET_HOURS = { start: '22:00', end: '07:00' } as const;
export type QuietHours = { start: string; end: string };

/** Reminders of one slot spread over this long after their due time. */
export const SEND_SPREAD_MS = 30 * 60_000;
/** Messages held back by quiet hours spread over this long after the end of quiet hours. */
export const QUIET_SPREAD_MS = 20 * 60_000;

/** FNV-1a, 32 bit: a fast, stable hash for jitter (not for security). */
export function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A delay in [1 min, spreadMs) fixed by the key, with a sub-minute part, so nothing lands on hh:mm:00. */
export function jitterMs(key: string, spreadMs: number): number {
  const span = Math.max(1, spreadMs - 60_000);
  return 60_000 + (hashOf(key) % span);
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

export function inQuietHours(instant: Date, timeZone: string, quiet: QuietHours = QUIET_HOURS): boolean {
  const p = localParts(instant, timeZone);
  const minute = p.hour * 60 + p.minute;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  return start <= end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** The first instant after `instant` when quiet hours end (the same or the next local day). */
export function quietHoursEnd(instant: Date, timeZone: string, quiet: QuietHours = QUIET_HOURS): Date {
  const p = localParts(instant, timeZone);
  const sameDay = zonedInstant(p.date, quiet.end, timeZone);
  if (sameDay.getTime() > instant.getTime()) return sameDay;
  const next = new Date(Date.UTC(+p.date.slice(0, 4), +p.date.slice(5, 7) - 1, +p.date.slice(8, 10) + 1));
  return zonedInstant(next.toISOString().slice(0, 10), quiet.end, timeZone);
}

/**
 * When a scheduled message with this key should go out: its due time (or now, if that has passed) plus a
 * jitter fixed by the key; moved to the end of quiet hours (plus another fixed jitter) if it falls inside them.
 */
export function sendTimeFor(
  key: string,
  due: Date,
  now: Date,
  timeZone: string,
  options: { spreadMs?: number; quiet?: QuietHours } = {},
): Date {
  const quiet = options.quiet ?? QUIET_HOURS;
  const start = Math.max(due.getTime(), now.getTime());
  let at = new Date(start + jitterMs(key, options.spreadMs ?? SEND_SPREAD_MS));
  if (inQuietHours(at, timeZone, quiet)) {
    at = new Date(quietHoursEnd(at, timeZone, quiet).getTime() + jitterMs(`${key}#quiet`, QUIET_SPREAD_MS));
  }
  return at;
}

/**
 * For a scheduled message that has come due: null if it may go at `now`, else when quiet hours end (plus the
 * key's fixed jitter, so a night's worth of held messages does not leave in one second).
 */
export function quietDeferral(key: string, now: Date, timeZone: string, quiet: QuietHours = QUIET_HOURS): Date | null {
  if (!inQuietHours(now, timeZone, quiet)) return null;
  return new Date(quietHoursEnd(now, timeZone, quiet).getTime() + jitterMs(`${key}#quiet`, QUIET_SPREAD_MS));
}

/**
 * The outbox worker runs on the transport clock (real time), the scheduler on the business clock (which
 * XUESHI_NOW may shift). A send time is kept as a delay from "now" so both agree on when it is due.
 */
export function onTransportClock(at: Date, now: Date, transportNow: Date): Date {
  return new Date(transportNow.getTime() + (at.getTime() - now.getTime()));
}
