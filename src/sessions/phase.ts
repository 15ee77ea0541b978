import type { trainingSessions } from '../../db/schema.js';

type SessionTimes = Pick<typeof trainingSessions.$inferSelect, 'status' | 'checkinStart' | 'checkinEnd' | 'checkoutStart' | 'checkoutEnd'>;

/**
 * Where a session stands now, for people: a session whose sign-in has not opened yet is 未开始, not 进行中;
 * one whose windows have all passed but was never closed has 已截止.
 */
export type SessionPhase = 'upcoming' | 'open' | 'ended' | 'closed' | 'cancelled';

export function sessionPhase(s: SessionTimes, now: Date): SessionPhase {
  if (s.status !== 'open') return s.status;
  const t = now.getTime();
  if (t < s.checkinStart.getTime()) return 'upcoming';
  const lastEnd = Math.max(s.checkinEnd.getTime(), s.checkoutEnd?.getTime() ?? 0);
  return t > lastEnd ? 'ended' : 'open';
}
