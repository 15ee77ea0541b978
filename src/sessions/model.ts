import type { trainingSessions } from '../../db/schema.js';
import { parseAudienceJson, type Audience } from './audience.js';

export type SessionRow = typeof trainingSessions.$inferSelect;
export type SessionMode = SessionRow['mode'];
export type Phase = 'checkin' | 'checkout';
export type Action = 'in' | 'out';

/** The proof a teacher offers: a typed code, or nothing (a button click or a bare 签到 in button mode). */
export type Proof = { code: string } | { button: true };

/**
 * Window rule: both ends are whole minutes and both are included. "08:30–09:15" accepts 08:30:00 through
 * 09:15:59 (what the teacher's phone shows is 09:15, so they are on time) and refuses 08:29:59 and 09:16:00.
 */
export const END_MINUTE_MS = 60_000;

export function windowOf(session: SessionRow, phase: Phase): { start: Date; end: Date } | null {
  if (phase === 'checkin') return { start: session.checkinStart, end: session.checkinEnd };
  if (!session.checkoutStart || !session.checkoutEnd) return null;
  return { start: session.checkoutStart, end: session.checkoutEnd };
}

export type WindowState = 'before' | 'open' | 'after';

export function windowState(session: SessionRow, phase: Phase, now: Date): WindowState | null {
  const w = windowOf(session, phase);
  if (!w) return null;
  const t = now.getTime();
  if (t < w.start.getTime()) return 'before';
  if (t < w.end.getTime() + END_MINUTE_MS) return 'open';
  return 'after';
}

/** True once the last window (sign-out if any, else sign-in) is over. */
export function isOver(session: SessionRow, now: Date): boolean {
  return windowState(session, session.checkoutStart ? 'checkout' : 'checkin', now) === 'after';
}

export function hasCheckout(session: SessionRow): boolean {
  return session.checkoutStart !== null && session.checkoutEnd !== null;
}

export function audienceOf(session: SessionRow): Audience {
  return parseAudienceJson(session.audience);
}

export function recordKeyOf(sessionId: number, employeeNo: string): string {
  return `session:${sessionId}:${employeeNo}`;
}
