import type { Db } from '../../db/client.js';
import type { Messages } from '../bot/i18n/index.js';
import type { Reply } from '../core/messages.js';
import type { TeacherRow } from '../ledger/store.js';
import { addDays } from '../policy/dates.js';
import { dateOf, whenIn } from '../time/zone.js';
import { isInAudience } from './members.js';
import { audienceOf, hasCheckout, recordKeyOf, windowState, type SessionRow } from './model.js';
import { rangeText } from './replies.js';
import { attendanceOf, recordByKey, sessionsDated, type AttendanceRow } from './store.js';

/** One session a teacher asked 「我签到了吗」 about: their attendance and whether its credit was taken back. */
export interface MySession {
  session: SessionRow;
  attendance: AttendanceRow | null;
  /** The credit record was cancelled by an officer (取消学时): why. */
  creditCancelled: { reason: string | null } | null;
}

/**
 * The sessions a teacher may be asking about: dated today, or with a window open right now (one running past
 * midnight), that they are in the audience of or signed in to. Reads only: nothing here signs anyone in.
 */
export async function mySessions(db: Db, teacher: TeacherRow, now: Date, timeZone: string): Promise<MySession[]> {
  const today = dateOf(now, timeZone);
  const mine: MySession[] = [];
  for (const session of await sessionsDated(db, addDays(today, -1), addDays(today, 1))) {
    const openNow = windowState(session, 'checkin', now) === 'open' || windowState(session, 'checkout', now) === 'open';
    if (session.date !== today && !(openNow && session.status === 'open')) continue;
    const attendance = await attendanceOf(db, session.id, teacher.id);
    if (!attendance && !(await isInAudience(db, audienceOf(session), teacher))) continue;
    const record = attendance ? await recordByKey(db, recordKeyOf(session.id, teacher.employeeNo)) : undefined;
    mine.push({ session, attendance, creditCancelled: record?.cancelledAt ? { reason: record.cancelReason } : null });
  }
  return mine;
}

/** 「我签到了吗」: one short paragraph per session, times in Beijing time; how to sign in where it is still possible. */
export function mySessionsReply(t: Messages, mine: readonly MySession[], now: Date, timeZone: string): Reply {
  const m = t.sessions.mine;
  if (mine.length === 0) return { text: m.none, tone: 'info' };
  const today = dateOf(now, timeZone);
  const at = (d: Date) => whenIn(d, timeZone, today);
  const paragraphs = mine.map(({ session: s, attendance, creditCancelled }) => {
    const header = m.header(s.title, s.date === today ? null : s.date, rangeText(s, 'checkin', timeZone)!, rangeText(s, 'checkout', timeZone));
    return [header, stateLine(t, s, attendance, creditCancelled, now, at)].join('\n');
  });
  return { text: [m.title, ...paragraphs].join('\n\n'), tone: 'info' };
}

function stateLine(
  t: Messages,
  s: SessionRow,
  attendance: AttendanceRow | null,
  creditCancelled: MySession['creditCancelled'],
  now: Date,
  at: (d: Date) => string,
): string {
  const m = t.sessions.mine;
  const button = s.mode === 'button';
  if (!attendance) {
    if (s.status === 'cancelled') return m.cancelled;
    if (s.status === 'closed') return m.notSignedInClosed;
    const state = windowState(s, 'checkin', now);
    if (state === 'before') return m.notYetOpen(at(s.checkinStart), button);
    if (state === 'open') return m.signInNow(at(s.checkinEnd), button);
    return m.missed(at(s.checkinEnd));
  }
  const signedIn = m.signedIn(at(attendance.checkedInAt));
  if (creditCancelled) return `${signedIn}${m.creditCancelled(creditCancelled.reason)}`;
  if (!hasCheckout(s)) return `${signedIn}${m.credited(s.category, s.hours)}`;
  if (attendance.checkedOutAt) return `${signedIn}${m.signedOut(at(attendance.checkedOutAt), s.category, s.hours)}`;
  if (s.status !== 'open') return `${signedIn}${m.checkoutMissedClosed(s.status === 'cancelled')}`;
  const state = windowState(s, 'checkout', now);
  if (state === 'before') return `${signedIn}${m.checkoutLater(at(s.checkoutStart!), s.hours, button)}`;
  if (state === 'open') return `${signedIn}${m.checkoutNow(at(s.checkoutEnd!), s.hours, button)}`;
  return `${signedIn}${m.checkoutMissed(at(s.checkoutEnd!))}`;
}
