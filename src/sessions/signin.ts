import type { Db } from '../../db/client.js';
import { audit } from '../ledger/audit.js';
import type { TeacherRow } from '../ledger/store.js';
import { addDays } from '../policy/dates.js';
import { isInAudience } from './members.js';
import { matchRotating, normaliseCode, type CodeFreshness } from './code.js';
import { audienceOf, hasCheckout, windowOf, windowState, type Action, type Phase, type Proof, type SessionRow } from './model.js';
import { attendanceOf, failedAttemptTimes, getSession, insertCheckin, insertCredit, logAttempt, markCheckedOut, sessionsDated } from './store.js';
import { dateOf } from '../time/zone.js';

/* ---------------------------------------------------------------- signing in */

export type SignInOutcome =
  | { kind: 'signed_in'; session: SessionRow; at: Date; credited: boolean }
  | { kind: 'signed_out'; session: SessionRow; at: Date }
  | { kind: 'already_signed_in'; session: SessionRow; at: Date }
  | { kind: 'already_signed_out'; session: SessionRow; at: Date }
  | { kind: 'not_signed_in'; session: SessionRow }
  | { kind: 'no_checkout'; session: SessionRow }
  | { kind: 'too_early'; session: SessionRow; phase: Phase; opensAt: Date }
  | { kind: 'too_late'; session: SessionRow; phase: Phase; closedAt: Date }
  | { kind: 'cancelled'; session: SessionRow }
  | { kind: 'closed'; session: SessionRow }
  | { kind: 'not_in_audience'; session: SessionRow }
  | { kind: 'other_session'; session: SessionRow; mine: SessionRow }
  | { kind: 'expired_code'; session: SessionRow }
  | { kind: 'wrong_code' }
  | { kind: 'code_required'; session: SessionRow }
  | { kind: 'unknown_session' }
  | { kind: 'need_code'; session: SessionRow | null }
  | { kind: 'locked'; until: Date; justLocked: boolean };

function freshness(session: SessionRow, proof: Proof, now: Date): CodeFreshness | null | 'button' {
  if ('button' in proof) return session.mode === 'button' ? 'button' : null;
  if (session.mode === 'static') return session.staticCode !== null && session.staticCode === proof.code ? 'current' : null;
  if (session.mode === 'rotating') {
    return matchRotating(session.secret, proof.code, now.getTime(), session.checkinStart.getTime() - 15 * 60_000);
  }
  return null;
}

/**
 * Signs a teacher in to one session, or says exactly why not. The checks run in the order a person would
 * want to hear them: the session itself, then who they are, then the code, then whether it is already
 * done, then the time. A completed sign-in (no sign-out window) writes the credit record at once.
 */
export async function signIn(db: Db, now: Date, session: SessionRow, teacher: TeacherRow, proof: Proof, via: string): Promise<SignInOutcome> {
  if (session.status === 'cancelled') return { kind: 'cancelled', session };
  if (session.status === 'closed') return { kind: 'closed', session };
  if (!(await isInAudience(db, audienceOf(session), teacher))) return { kind: 'not_in_audience', session };
  const fresh = freshness(session, proof, now);
  const existing = await attendanceOf(db, session.id, teacher.id);
  if (existing) return { kind: 'already_signed_in', session, at: existing.checkedInAt };
  if (fresh === null) return 'button' in proof ? { kind: 'code_required', session } : { kind: 'wrong_code' };
  if (fresh === 'expired') return { kind: 'expired_code', session };
  const state = windowState(session, 'checkin', now)!;
  if (state === 'before') return { kind: 'too_early', session, phase: 'checkin', opensAt: session.checkinStart };
  if (state === 'after') return { kind: 'too_late', session, phase: 'checkin', closedAt: session.checkinEnd };
  if (!(await insertCheckin(db, session.id, teacher.id, now, via))) {
    return { kind: 'already_signed_in', session, at: (await attendanceOf(db, session.id, teacher.id))!.checkedInAt };
  }
  const credited = !hasCheckout(session);
  if (credited) await insertCredit(db, session, teacher, now);
  return { kind: 'signed_in', session, at: now, credited };
}

/** Signs a teacher out; the credit record is written here for sessions with a sign-out window. */
export async function signOut(db: Db, now: Date, session: SessionRow, teacher: TeacherRow, proof: Proof): Promise<SignInOutcome> {
  if (session.status === 'cancelled') return { kind: 'cancelled', session };
  if (session.status === 'closed') return { kind: 'closed', session };
  if (!hasCheckout(session)) return { kind: 'no_checkout', session };
  const existing = await attendanceOf(db, session.id, teacher.id);
  if (!existing && !(await isInAudience(db, audienceOf(session), teacher))) return { kind: 'not_in_audience', session };
  if (existing?.checkedOutAt) return { kind: 'already_signed_out', session, at: existing.checkedOutAt };
  const fresh = freshness(session, proof, now);
  if (fresh === null) return 'button' in proof ? { kind: 'code_required', session } : { kind: 'wrong_code' };
  if (fresh === 'expired') return { kind: 'expired_code', session };
  if (!existing) return { kind: 'not_signed_in', session };
  const state = windowState(session, 'checkout', now)!;
  if (state === 'before') return { kind: 'too_early', session, phase: 'checkout', opensAt: session.checkoutStart! };
  if (state === 'after') return { kind: 'too_late', session, phase: 'checkout', closedAt: session.checkoutEnd! };
  if (!(await markCheckedOut(db, session.id, teacher.id, now))) {
    return { kind: 'already_signed_out', session, at: (await attendanceOf(db, session.id, teacher.id))!.checkedOutAt! };
  }
  await insertCredit(db, session, teacher, now);
  return { kind: 'signed_out', session, at: now };
}

/* ------------------------------------------------- which session a code belongs to */

/** Sessions a typed code may belong to: dated yesterday to a week ahead (static codes may be typed early). */
function candidateSessions(db: Db, today: string): Promise<SessionRow[]> {
  return sessionsDated(db, addDays(today, -1), addDays(today, 7));
}

function phaseOpen(session: SessionRow, action: Action, now: Date): boolean {
  return windowState(session, action === 'in' ? 'checkin' : 'checkout', now) === 'open';
}

/** The best of several sessions a code fits: one the teacher is in, that is open, whose window is open, nearest in time. */
async function best(
  db: Db,
  sessions: SessionRow[],
  teacher: TeacherRow,
  action: Action,
  now: Date,
): Promise<{ session: SessionRow; inAudience: boolean } | null> {
  let top: { session: SessionRow; inAudience: boolean; score: number[] } | null = null;
  for (const session of sessions) {
    const inAudience = await isInAudience(db, audienceOf(session), teacher);
    const score = [
      inAudience ? 0 : 1,
      session.status === 'open' ? 0 : 1,
      phaseOpen(session, action, now) ? 0 : 1,
      Math.abs(session.checkinStart.getTime() - now.getTime()),
    ];
    if (!top || lexLess(score, top.score)) top = { session, inAudience, score };
  }
  return top && { session: top.session, inAudience: top.inAudience };
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/** An open session of this teacher's whose window for this action is open now: "your" session. */
async function myOpenSession(db: Db, sessions: SessionRow[], teacher: TeacherRow, action: Action, now: Date): Promise<SessionRow | null> {
  for (const s of sessions) if (s.status === 'open' && phaseOpen(s, action, now) && (await isInAudience(db, audienceOf(s), teacher))) return s;
  return null;
}

/* ------------------------------------------------------------ wrong-code bursts */

export const BURST_LIMIT = 5;
export const BURST_WINDOW_MS = 10 * 60_000;
export const BURST_LOCK_MS = 10 * 60_000;

/** When an account that made BURST_LIMIT wrong attempts within BURST_WINDOW_MS may try again, or null if it may now. */
export async function lockedUntil(db: Db, platform: string, accountId: string, now: Date): Promise<Date | null> {
  const since = new Date(now.getTime() - BURST_WINDOW_MS - BURST_LOCK_MS);
  const failures = await failedAttemptTimes(db, platform, accountId, since);
  for (let i = failures.length - 1; i >= BURST_LIMIT - 1; i--) {
    if (failures[i] - failures[i - BURST_LIMIT + 1] < BURST_WINDOW_MS) {
      const until = failures[i] + BURST_LOCK_MS;
      return until > now.getTime() ? new Date(until) : null;
    }
  }
  return null;
}

/* ------------------------------------------------------------ from chat text */

export interface SignInRequest {
  platform: string;
  accountId: string;
  teacher: TeacherRow;
  /** What followed 签到/签退: a code, "#<sessionId>" (a button click), or nothing. */
  arg: string;
  action: Action;
  now: Date;
  timeZone: string;
}

/**
 * The whole sign-in (or sign-out) of one chat message: slow down guessers, find the session the code
 * belongs to, sign in, and log the attempt. Runs inside the handler's transaction.
 */
export async function signInFromChat(db: Db, req: SignInRequest): Promise<SignInOutcome> {
  const { platform, accountId, teacher, action, now } = req;
  const today = dateOf(now, req.timeZone);
  const via = `${platform}:${action === 'in' ? 'signin' : 'signout'}`;
  const run = (session: SessionRow, proof: Proof) =>
    action === 'in' ? signIn(db, now, session, teacher, proof, via) : signOut(db, now, session, teacher, proof);

  const arg = normaliseCode(req.arg);
  const button = /^[#＃](\d+)$/.exec(arg);
  if (button) {
    // A card click (or someone typing it): only button-mode sessions take no code, and signIn checks the audience.
    const session = await getSession(db, Number(button[1]));
    if (!session) return { kind: 'unknown_session' };
    return run(session, { button: true });
  }

  const sessions = await candidateSessions(db, today);
  if (!arg) {
    // A bare 签到/签退: fine for button-mode sessions (the platform vouches for who is typing); else ask for the code.
    const phase: Phase = action === 'in' ? 'checkin' : 'checkout';
    const mine: SessionRow[] = [];
    for (const s of sessions) if (s.date === today && windowOf(s, phase) && (await isInAudience(db, audienceOf(s), teacher))) mine.push(s);
    const buttonOpen = mine.find((s) => s.mode === 'button' && s.status === 'open' && phaseOpen(s, action, now));
    if (buttonOpen) return run(buttonOpen, { button: true });
    let attended: SessionRow | undefined;
    for (const s of mine) if (await attendanceOf(db, s.id, teacher.id)) attended = s;
    if (attended && (action === 'in' || phaseOpen(attended, action, now))) return run(attended, { button: true });
    return { kind: 'need_code', session: mine.find((s) => s.status === 'open' && phaseOpen(s, action, now)) ?? null };
  }

  const until = await lockedUntil(db, platform, accountId, now);
  if (until) return { kind: 'locked', until, justLocked: false };

  const forAction = action === 'out' ? sessions.filter(hasCheckout) : sessions;
  const proof = { code: arg };
  const valid = forAction.filter((s) => {
    const f = freshness(s, proof, now);
    return f === 'current' || f === 'previous';
  });
  const expired = valid.length > 0 ? [] : forAction.filter((s) => freshness(s, proof, now) === 'expired');
  const target = await best(db, valid.length > 0 ? valid : expired, teacher, action, now);

  let outcome: SignInOutcome;
  if (!target) outcome = { kind: 'wrong_code' };
  else if (!target.inAudience) {
    const mine = await myOpenSession(db, sessions, teacher, action, now);
    outcome = mine ? { kind: 'other_session', session: target.session, mine } : { kind: 'not_in_audience', session: target.session };
  } else outcome = await run(target.session, proof);

  const failed = outcome.kind === 'wrong_code' || outcome.kind === 'expired_code';
  const succeeded = ['signed_in', 'signed_out', 'already_signed_in', 'already_signed_out'].includes(outcome.kind);
  if (failed || succeeded) await logAttempt(db, platform, accountId, now, !failed);
  if (failed) {
    const lock = await lockedUntil(db, platform, accountId, now);
    if (lock) {
      await audit(db, `${platform}:${accountId}`, 'signin_locked', { teacherId: teacher.id, until: lock.getTime() });
      return { kind: 'locked', until: lock, justLocked: true };
    }
  }
  return outcome;
}
