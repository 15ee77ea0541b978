import { and, asc, desc, eq, gte, isNull, like, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { attendance, records, signinAttempts, trainingSessions } from '../../db/schema.js';
import type { Reply } from '../bot/types.js';
import { audit } from '../ledger/audit.js';
import type { TeacherRow } from '../ledger/teachers.js';
import { enqueue } from '../outbox/outbox.js';
import { accountsOf } from '../outbox/address.js';
import { addDays, isValidDate } from '../policy/dates.js';
import { normaliseCategory, type PolicyPreset } from '../policy/schema.js';
import { audienceMembers, audienceSize, isInAudience, membersById, parseAudienceJson, type Audience, type AudienceMember } from './audience.js';
import { matchRotating, newSessionSecret, normaliseCode, randomStaticCode, type CodeFreshness } from './code.js';
import { dateOf, instantAt } from './time.js';

export type SessionRow = typeof trainingSessions.$inferSelect;
export type SessionMode = SessionRow['mode'];
export type Phase = 'checkin' | 'checkout';

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

/* ---------------------------------------------------------------- creating */

export interface TimeRange {
  start: string; // HH:MM
  end: string;
}

export interface SessionDraft {
  title: string;
  category: string;
  hours: number;
  date: string;
  checkin: TimeRange;
  checkout?: TimeRange | null;
  audience: Audience;
  mode: SessionMode;
  /** Static mode: the code; omitted → a random 6-digit code is chosen. */
  staticCode?: string | null;
}

export type DraftProblem =
  | { kind: 'title_missing' }
  | { kind: 'title_too_long' }
  | { kind: 'category_missing'; choices: string[] }
  | { kind: 'category_unknown'; raw: string; choices: string[] }
  | { kind: 'category_not_in_preset'; category: string; presetName: string }
  | { kind: 'hours_missing' }
  | { kind: 'hours_invalid'; raw: string }
  | { kind: 'date_missing' }
  | { kind: 'date_invalid'; raw: string; reason?: string }
  | { kind: 'window_missing' }
  | { kind: 'time_invalid'; raw: string }
  | { kind: 'window_order'; phase: Phase }
  | { kind: 'checkout_before_checkin' }
  | { kind: 'already_over' }
  | { kind: 'static_code_invalid'; raw: string }
  | { kind: 'audience_invalid'; raw: string }
  | { kind: 'audience_empty' }
  | { kind: 'mode_invalid'; raw: string };

export const TIME_RE = /^([01]?\d|2[0-3]):([0-5]\d)$/;
export const STATIC_CODE_RE = /^\d{4,8}$/;
export const MAX_HOURS = 24;

export interface CreateOptions {
  now: Date;
  timeZone: string;
  createdBy: string;
  presets: ReadonlyMap<string, PolicyPreset>;
  defaultPolicy: string;
}

export type CreateOutcome =
  | { ok: true; session: SessionRow; expected: AudienceMember[] }
  | { ok: false; problem: DraftProblem };

function categoryChoices(preset: PolicyPreset | undefined): string[] {
  return preset ? preset.categories.map((c) => c.key) : [];
}

/** Checks a draft against the calendar, the clock and the policy presets of the teachers it is for. */
export function validateDraft(db: Db, draft: SessionDraft, options: CreateOptions): { ok: true; category: string; expected: AudienceMember[] } | { ok: false; problem: DraftProblem } {
  const fail = (problem: DraftProblem) => ({ ok: false as const, problem });
  const title = draft.title.trim();
  if (!title) return fail({ kind: 'title_missing' });
  if (title.length > 100) return fail({ kind: 'title_too_long' });
  const defaultPreset = options.presets.get(options.defaultPolicy);
  if (!draft.category) return fail({ kind: 'category_missing', choices: categoryChoices(defaultPreset) });
  const category = defaultPreset ? normaliseCategory(defaultPreset, draft.category) : null;
  if (!category) return fail({ kind: 'category_unknown', raw: draft.category, choices: categoryChoices(defaultPreset) });
  if (!Number.isFinite(draft.hours) || draft.hours <= 0 || draft.hours > MAX_HOURS) return fail({ kind: 'hours_invalid', raw: String(draft.hours) });
  if (!isValidDate(draft.date)) return fail({ kind: 'date_invalid', raw: draft.date });
  for (const [phase, range] of [['checkin', draft.checkin], ['checkout', draft.checkout]] as const) {
    if (!range) continue;
    for (const t of [range.start, range.end]) if (!TIME_RE.test(t)) return fail({ kind: 'time_invalid', raw: t });
    if (range.end < range.start) return fail({ kind: 'window_order', phase });
  }
  if (draft.checkout && draft.checkout.start < draft.checkin.start) return fail({ kind: 'checkout_before_checkin' });
  const lastEnd = instantAt(draft.date, (draft.checkout ?? draft.checkin).end, options.timeZone).getTime() + END_MINUTE_MS;
  if (lastEnd <= options.now.getTime()) return fail({ kind: 'already_over' });
  if (draft.mode === 'static' && draft.staticCode && !STATIC_CODE_RE.test(draft.staticCode)) {
    return fail({ kind: 'static_code_invalid', raw: draft.staticCode });
  }
  const expected = audienceMembers(db, draft.audience);
  if (expected.length === 0) return fail({ kind: 'audience_empty' });
  // The credit must count for every teacher it goes to: the category has to exist in each one's preset.
  for (const policyId of new Set(expected.map((m) => m.policyId))) {
    const preset = options.presets.get(policyId);
    if (preset && !normaliseCategory(preset, category)) return fail({ kind: 'category_not_in_preset', category, presetName: preset.name });
  }
  return { ok: true, category, expected };
}

export function createSession(db: Db, draft: SessionDraft, options: CreateOptions): CreateOutcome {
  const checked = validateDraft(db, draft, options);
  if (!checked.ok) return checked;
  const tz = options.timeZone;
  const session = db
    .insert(trainingSessions)
    .values({
      title: draft.title.trim(),
      category: checked.category,
      hours: Math.round(draft.hours * 100) / 100,
      date: draft.date,
      checkinStart: instantAt(draft.date, draft.checkin.start, tz),
      checkinEnd: instantAt(draft.date, draft.checkin.end, tz),
      checkoutStart: draft.checkout ? instantAt(draft.date, draft.checkout.start, tz) : null,
      checkoutEnd: draft.checkout ? instantAt(draft.date, draft.checkout.end, tz) : null,
      audience: JSON.stringify(draft.audience),
      mode: draft.mode,
      staticCode: draft.mode === 'static' ? (draft.staticCode || randomStaticCode()) : null,
      secret: newSessionSecret(),
      createdBy: options.createdBy,
      createdAt: options.now,
    })
    .returning()
    .get();
  audit(db, options.createdBy, 'session_create', { sessionId: session.id, title: session.title, date: session.date, mode: session.mode });
  return { ok: true, session, expected: checked.expected };
}

/* ---------------------------------------------------------------- finding */

export function getSession(db: Db, id: number): SessionRow | null {
  return db.select().from(trainingSessions).where(eq(trainingSessions.id, id)).get() ?? null;
}

/**
 * "5", "#5", "第5场", or nothing (the latest session dated today, else the latest created).
 * Returns null when there is no such session.
 */
export function findSessionByRef(db: Db, ref: string | undefined, today: string): SessionRow | null {
  const text = (ref ?? '').trim();
  if (text) {
    const m = /^(?:#|＃|第)?(\d+)场?$/.exec(normaliseCode(text));
    return m ? getSession(db, Number(m[1])) : null;
  }
  return (
    db.select().from(trainingSessions).where(eq(trainingSessions.date, today)).orderBy(desc(trainingSessions.id)).limit(1).get() ??
    db.select().from(trainingSessions).orderBy(desc(trainingSessions.id)).limit(1).get() ??
    null
  );
}

export function listSessions(db: Db, options: { from?: string; to?: string; limit?: number } = {}): SessionRow[] {
  const where = and(
    options.from ? gte(trainingSessions.date, options.from) : undefined,
    options.to ? lte(trainingSessions.date, options.to) : undefined,
  );
  return db
    .select()
    .from(trainingSessions)
    .where(where)
    .orderBy(desc(trainingSessions.date), desc(trainingSessions.checkinStart), desc(trainingSessions.id))
    .limit(options.limit ?? 50)
    .all();
}

export function setSessionStatus(db: Db, session: SessionRow, status: 'closed' | 'cancelled', actor: string, reason?: string): boolean {
  if (session.status === status) return false;
  db.update(trainingSessions).set({ status }).where(eq(trainingSessions.id, session.id)).run();
  audit(db, actor, status === 'closed' ? 'session_close' : 'session_cancel', { sessionId: session.id, reason: reason ?? null });
  return true;
}

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

export type Action = 'in' | 'out';

/** The proof a teacher offers: a typed code, or nothing (a button click or a bare 签到 in button mode). */
export type Proof = { code: string } | { button: true };

function freshness(session: SessionRow, proof: Proof, now: Date): CodeFreshness | null | 'button' {
  if ('button' in proof) return session.mode === 'button' ? 'button' : null;
  if (session.mode === 'static') return session.staticCode !== null && session.staticCode === proof.code ? 'current' : null;
  if (session.mode === 'rotating') {
    return matchRotating(session.secret, proof.code, now.getTime(), session.checkinStart.getTime() - 15 * 60_000);
  }
  return null;
}

function attendanceOf(db: Db, sessionId: number, teacherId: number) {
  return db.select().from(attendance).where(and(eq(attendance.sessionId, sessionId), eq(attendance.teacherId, teacherId))).get() ?? null;
}

/** Writes the one credit record of (session, teacher). The unique record key makes a second write a no-op. */
function credit(db: Db, session: SessionRow, teacher: TeacherRow, now: Date): boolean {
  return (
    db
      .insert(records)
      .values({
        recordKey: recordKeyOf(session.id, teacher.employeeNo),
        teacherId: teacher.id,
        date: session.date,
        hours: session.hours,
        category: session.category,
        project: session.title,
        source: 'session',
        createdAt: now,
      })
      .onConflictDoNothing()
      .run().changes === 1
  );
}

/**
 * Signs a teacher in to one session, or says exactly why not. The checks run in the order a person would
 * want to hear them: the session itself, then who they are, then the code, then whether it is already
 * done, then the time. A completed sign-in (no sign-out window) writes the credit record at once.
 */
export function signIn(db: Db, now: Date, session: SessionRow, teacher: TeacherRow, proof: Proof, via: string): SignInOutcome {
  if (session.status === 'cancelled') return { kind: 'cancelled', session };
  if (session.status === 'closed') return { kind: 'closed', session };
  if (!isInAudience(db, audienceOf(session), teacher)) return { kind: 'not_in_audience', session };
  const fresh = freshness(session, proof, now);
  const existing = attendanceOf(db, session.id, teacher.id);
  if (existing) return { kind: 'already_signed_in', session, at: existing.checkedInAt };
  if (fresh === null) return 'button' in proof ? { kind: 'code_required', session } : { kind: 'wrong_code' };
  if (fresh === 'expired') return { kind: 'expired_code', session };
  const state = windowState(session, 'checkin', now)!;
  if (state === 'before') return { kind: 'too_early', session, phase: 'checkin', opensAt: session.checkinStart };
  if (state === 'after') return { kind: 'too_late', session, phase: 'checkin', closedAt: session.checkinEnd };
  const inserted = db
    .insert(attendance)
    .values({ sessionId: session.id, teacherId: teacher.id, checkedInAt: now, via })
    .onConflictDoNothing()
    .run().changes;
  if (inserted === 0) return { kind: 'already_signed_in', session, at: attendanceOf(db, session.id, teacher.id)!.checkedInAt };
  const credited = !hasCheckout(session);
  if (credited) credit(db, session, teacher, now);
  return { kind: 'signed_in', session, at: now, credited };
}

/** Signs a teacher out; the credit record is written here for sessions with a sign-out window. */
export function signOut(db: Db, now: Date, session: SessionRow, teacher: TeacherRow, proof: Proof): SignInOutcome {
  if (session.status === 'cancelled') return { kind: 'cancelled', session };
  if (session.status === 'closed') return { kind: 'closed', session };
  if (!hasCheckout(session)) return { kind: 'no_checkout', session };
  const existing = attendanceOf(db, session.id, teacher.id);
  if (!existing && !isInAudience(db, audienceOf(session), teacher)) return { kind: 'not_in_audience', session };
  if (existing?.checkedOutAt) return { kind: 'already_signed_out', session, at: existing.checkedOutAt };
  const fresh = freshness(session, proof, now);
  if (fresh === null) return 'button' in proof ? { kind: 'code_required', session } : { kind: 'wrong_code' };
  if (fresh === 'expired') return { kind: 'expired_code', session };
  if (!existing) return { kind: 'not_signed_in', session };
  const state = windowState(session, 'checkout', now)!;
  if (state === 'before') return { kind: 'too_early', session, phase: 'checkout', opensAt: session.checkoutStart! };
  if (state === 'after') return { kind: 'too_late', session, phase: 'checkout', closedAt: session.checkoutEnd! };
  const updated = db
    .update(attendance)
    .set({ checkedOutAt: now })
    .where(and(eq(attendance.sessionId, session.id), eq(attendance.teacherId, teacher.id), isNull(attendance.checkedOutAt)))
    .run().changes;
  if (updated === 0) return { kind: 'already_signed_out', session, at: attendanceOf(db, session.id, teacher.id)!.checkedOutAt! };
  credit(db, session, teacher, now);
  return { kind: 'signed_out', session, at: now };
}

/* ------------------------------------------------- which session a code belongs to */

/** Sessions a typed code may belong to: dated yesterday to a week ahead (static codes may be typed early). */
function candidateSessions(db: Db, today: string): SessionRow[] {
  return db
    .select()
    .from(trainingSessions)
    .where(and(gte(trainingSessions.date, addDays(today, -1)), lte(trainingSessions.date, addDays(today, 7))))
    .orderBy(asc(trainingSessions.checkinStart))
    .all();
}

function phaseOpen(session: SessionRow, action: Action, now: Date): boolean {
  return windowState(session, action === 'in' ? 'checkin' : 'checkout', now) === 'open';
}

/** The best of several sessions a code fits: one the teacher is in, that is open, whose window is open, nearest in time. */
function best(db: Db, sessions: SessionRow[], teacher: TeacherRow, action: Action, now: Date): { session: SessionRow; inAudience: boolean } | null {
  let top: { session: SessionRow; inAudience: boolean; score: number[] } | null = null;
  for (const session of sessions) {
    const inAudience = isInAudience(db, audienceOf(session), teacher);
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
function myOpenSession(db: Db, sessions: SessionRow[], teacher: TeacherRow, action: Action, now: Date): SessionRow | null {
  return sessions.find((s) => s.status === 'open' && phaseOpen(s, action, now) && isInAudience(db, audienceOf(s), teacher)) ?? null;
}

/* ------------------------------------------------------------ wrong-code bursts */

export const BURST_LIMIT = 5;
export const BURST_WINDOW_MS = 10 * 60_000;
export const BURST_LOCK_MS = 10 * 60_000;

/** When an account that made BURST_LIMIT wrong attempts within BURST_WINDOW_MS may try again, or null if it may now. */
export function lockedUntil(db: Db, platform: string, accountId: string, now: Date): Date | null {
  const since = new Date(now.getTime() - BURST_WINDOW_MS - BURST_LOCK_MS);
  const failures = db
    .select({ at: signinAttempts.at })
    .from(signinAttempts)
    .where(and(eq(signinAttempts.platform, platform), eq(signinAttempts.accountId, accountId), eq(signinAttempts.ok, false), gte(signinAttempts.at, since)))
    .orderBy(asc(signinAttempts.at))
    .all()
    .map((r) => r.at.getTime());
  for (let i = failures.length - 1; i >= BURST_LIMIT - 1; i--) {
    if (failures[i] - failures[i - BURST_LIMIT + 1] < BURST_WINDOW_MS) {
      const until = failures[i] + BURST_LOCK_MS;
      return until > now.getTime() ? new Date(until) : null;
    }
  }
  return null;
}

function logAttempt(db: Db, platform: string, accountId: string, now: Date, ok: boolean): void {
  db.insert(signinAttempts).values({ platform, accountId, at: now, ok }).run();
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
export function signInFromChat(db: Db, req: SignInRequest): SignInOutcome {
  const { platform, accountId, teacher, action, now } = req;
  const today = dateOf(now, req.timeZone);
  const via = `${platform}:${action === 'in' ? 'signin' : 'signout'}`;
  const run = (session: SessionRow, proof: Proof) =>
    action === 'in' ? signIn(db, now, session, teacher, proof, via) : signOut(db, now, session, teacher, proof);

  const arg = normaliseCode(req.arg);
  const button = /^[#＃](\d+)$/.exec(arg);
  if (button) {
    // A card click (or someone typing it): only button-mode sessions take no code, and signIn checks the audience.
    const session = getSession(db, Number(button[1]));
    if (!session) return { kind: 'unknown_session' };
    return run(session, { button: true });
  }

  const sessions = candidateSessions(db, today);
  if (!arg) {
    // A bare 签到/签退: fine for button-mode sessions (the platform vouches for who is typing); else ask for the code.
    const phase: Phase = action === 'in' ? 'checkin' : 'checkout';
    const mine = sessions.filter((s) => s.date === today && windowOf(s, phase) && isInAudience(db, audienceOf(s), teacher));
    const buttonOpen = mine.find((s) => s.mode === 'button' && s.status === 'open' && phaseOpen(s, action, now));
    if (buttonOpen) return run(buttonOpen, { button: true });
    const attended = mine.filter((s) => attendanceOf(db, s.id, teacher.id)).pop();
    if (attended && (action === 'in' || phaseOpen(attended, action, now))) return run(attended, { button: true });
    return { kind: 'need_code', session: mine.find((s) => s.status === 'open' && phaseOpen(s, action, now)) ?? null };
  }

  const until = lockedUntil(db, platform, accountId, now);
  if (until) return { kind: 'locked', until, justLocked: false };

  const forAction = action === 'out' ? sessions.filter(hasCheckout) : sessions;
  const proof = { code: arg };
  const valid = forAction.filter((s) => {
    const f = freshness(s, proof, now);
    return f === 'current' || f === 'previous';
  });
  const expired = valid.length > 0 ? [] : forAction.filter((s) => freshness(s, proof, now) === 'expired');
  const target = best(db, valid.length > 0 ? valid : expired, teacher, action, now);

  let outcome: SignInOutcome;
  if (!target) outcome = { kind: 'wrong_code' };
  else if (!target.inAudience) {
    const mine = myOpenSession(db, sessions, teacher, action, now);
    outcome = mine ? { kind: 'other_session', session: target.session, mine } : { kind: 'not_in_audience', session: target.session };
  } else outcome = run(target.session, proof);

  const failed = outcome.kind === 'wrong_code' || outcome.kind === 'expired_code';
  const succeeded = ['signed_in', 'signed_out', 'already_signed_in', 'already_signed_out'].includes(outcome.kind);
  if (failed || succeeded) logAttempt(db, platform, accountId, now, !failed);
  if (failed) {
    const lock = lockedUntil(db, platform, accountId, now);
    if (lock) {
      audit(db, `${platform}:${accountId}`, 'signin_locked', { teacherId: teacher.id, until: lock.getTime() });
      return { kind: 'locked', until: lock, justLocked: true };
    }
  }
  return outcome;
}

/* ---------------------------------------------------------------- reporting */

export interface AttendanceLine {
  member: AudienceMember;
  inAudience: boolean;
  checkedInAt: Date | null;
  checkedOutAt: Date | null;
  /** Credit record state: none yet, counted, or cancelled (with reason). */
  credit: { state: 'none' } | { state: 'credited' } | { state: 'cancelled'; reason: string | null; at: Date };
}

export interface SchoolCount {
  school: string;
  expected: number;
  signedIn: number;
  signedOut: number;
  absent: AudienceMember[];
}

export interface AttendanceReport {
  session: SessionRow;
  lines: AttendanceLine[];
  expected: number;
  signedIn: number;
  signedOut: number;
  absent: number;
  /** Signed in but no longer in the audience (roster changed since). */
  outside: number;
  bySchool: SchoolCount[];
}

export function attendanceReport(db: Db, session: SessionRow): AttendanceReport {
  const members = audienceMembers(db, audienceOf(session));
  const rows = db.select().from(attendance).where(eq(attendance.sessionId, session.id)).all();
  const byTeacher = new Map(rows.map((r) => [r.teacherId, r]));
  const credits = new Map(
    db
      .select({ teacherId: records.teacherId, cancelledAt: records.cancelledAt, cancelReason: records.cancelReason })
      .from(records)
      .where(like(records.recordKey, `session:${session.id}:%`))
      .all()
      .map((r) => [r.teacherId, r]),
  );
  const memberIds = new Set(members.map((m) => m.id));
  const outsiders = membersById(db, rows.filter((r) => !memberIds.has(r.teacherId)).map((r) => r.teacherId));
  const line = (member: AudienceMember, inAudience: boolean): AttendanceLine => {
    const a = byTeacher.get(member.id);
    const c = credits.get(member.id);
    return {
      member,
      inAudience,
      checkedInAt: a?.checkedInAt ?? null,
      checkedOutAt: a?.checkedOutAt ?? null,
      credit: !c ? { state: 'none' } : c.cancelledAt ? { state: 'cancelled', reason: c.cancelReason, at: c.cancelledAt } : { state: 'credited' },
    };
  };
  const lines = [...members.map((m) => line(m, true)), ...[...outsiders.values()].map((m) => line(m, false))];

  const schools = new Map<string, SchoolCount>();
  for (const l of lines) {
    const s = schools.get(l.member.school) ?? { school: l.member.school, expected: 0, signedIn: 0, signedOut: 0, absent: [] };
    schools.set(l.member.school, s);
    if (l.inAudience) s.expected++;
    if (l.checkedInAt) s.signedIn++;
    if (l.checkedOutAt) s.signedOut++;
    if (l.inAudience && !l.checkedInAt) s.absent.push(l.member);
  }
  const bySchool = [...schools.values()].sort((a, b) => b.absent.length - a.absent.length || a.school.localeCompare(b.school, 'zh-CN'));
  return {
    session,
    lines,
    expected: members.length,
    signedIn: rows.length,
    signedOut: rows.filter((r) => r.checkedOutAt).length,
    absent: lines.filter((l) => l.inAudience && !l.checkedInAt).length,
    outside: outsiders.size,
    bySchool,
  };
}

/** Signed-in count and audience size, cheaply, for the projector page. */
export function liveCounts(db: Db, session: SessionRow): { signedIn: number; signedOut: number; expected: number } {
  const row = db
    .select({ n: sql<number>`count(*)`, out: sql<number>`count(${attendance.checkedOutAt})` })
    .from(attendance)
    .where(eq(attendance.sessionId, session.id))
    .get();
  return { signedIn: row?.n ?? 0, signedOut: row?.out ?? 0, expected: audienceSize(db, audienceOf(session)) };
}

/* ------------------------------------------------------------ messaging the audience */

/** Reminder rounds: the same absent teacher is messaged at most once per round. */
export const REMIND_ROUND_MS = 10 * 60_000;

export interface FanOutResult {
  /** Messages newly added to the outbox. */
  queued: number;
  /** Bound teachers already messaged in this round (not messaged again). */
  alreadyQueued: number;
  /** Teachers with no bound chat account: nobody to message. */
  unbound: AudienceMember[];
  /** Everyone it was meant for. */
  total: number;
}

function fanOut(db: Db, members: AudienceMember[], keyOf: (m: AudienceMember) => string, render: (m: AudienceMember) => Reply, now: Date, origin: string): FanOutResult {
  const accounts = accountsOf(db, members.map((m) => m.id));
  const unbound: AudienceMember[] = [];
  let queued = 0;
  let alreadyQueued = 0;
  for (const m of members) {
    const account = accounts.get(m.id);
    if (!account) {
      unbound.push(m);
      continue;
    }
    const added = enqueue(
      db,
      [{ platform: account.platform, target: { type: 'user', accountId: account.accountId }, reply: render(m), idempotencyKey: keyOf(m), origin }],
      now,
    );
    if (added) queued++;
    else alreadyQueued++;
  }
  return { queued, alreadyQueued, unbound, total: members.length };
}

/** Messages the absent audience members (bound ones); idempotent per (session, teacher, round). */
export function remindAbsent(db: Db, session: SessionRow, now: Date, render: (m: AudienceMember) => Reply): FanOutResult & { round: number } {
  const report = attendanceReport(db, session);
  const absent = report.lines.filter((l) => l.inAudience && !l.checkedInAt).map((l) => l.member);
  const round = Math.floor(now.getTime() / REMIND_ROUND_MS);
  const result = fanOut(db, absent, (m) => `session:${session.id}:remind:${round}:${m.id}`, render, now, `session:${session.id}:remind`);
  return { ...result, round };
}

/** Button mode: the sign-in card to every bound audience member, once per teacher. */
export function sendSignInCards(db: Db, session: SessionRow, now: Date, render: (m: AudienceMember) => Reply): FanOutResult {
  const members = audienceMembers(db, audienceOf(session));
  return fanOut(db, members, (m) => `session:${session.id}:card:${m.id}`, render, now, `session:${session.id}:card`);
}

/**
 * What a cancelled session leaves behind: credit still standing (not revoked by 取消学时), and teachers who
 * signed in but, the session needing sign-out, never signed out and so got none.
 */
export function creditsOf(db: Db, session: SessionRow): { credited: number; awaitingCheckout: number } {
  const credited = db.$client
    .prepare(`select count(*) from records where record_key >= ? and record_key < ? and cancelled_at is null`)
    .pluck()
    .get(`session:${session.id}:`, `session:${session.id};`) as number;
  const awaitingCheckout = session.checkoutEnd
    ? (db.$client
        .prepare(`select count(*) from attendance where session_id = ? and checked_out_at is null`)
        .pluck()
        .get(session.id) as number)
    : 0;
  return { credited, awaitingCheckout };
}

/** Sign-in cards and reminders for a session, queued but not yet sent: withdrawn when it is called off. */
export function withdrawQueued(db: Db, session: SessionRow): number {
  return db.$client
    .prepare(`delete from outbox where status = 'pending' and origin in (?, ?)`)
    .run(`session:${session.id}:card`, `session:${session.id}:remind`).changes;
}

/**
 * Tells every bound audience member that a session is off; once per (session, teacher), so cancelling again
 * (or a retried command) messages nobody twice.
 */
export function notifyCancelled(db: Db, session: SessionRow, now: Date, render: (m: AudienceMember) => Reply): FanOutResult {
  const members = audienceMembers(db, audienceOf(session));
  return fanOut(db, members, (m) => `session:${session.id}:cancelled:${m.id}`, render, now, `session:${session.id}:cancelled`);
}

/* ------------------------------------------------------------ cancelling credit */

export type CancelCreditOutcome =
  | { kind: 'cancelled'; hours: number }
  | { kind: 'no_record' }
  | { kind: 'already_cancelled'; at: Date; reason: string | null };

/** Cancels (never deletes) one teacher's credit from one session, with a reason, in the audit log. */
export function cancelCredit(db: Db, session: SessionRow, teacher: TeacherRow, reason: string, actor: string, now: Date): CancelCreditOutcome {
  const key = recordKeyOf(session.id, teacher.employeeNo);
  const record = db.select().from(records).where(eq(records.recordKey, key)).get();
  if (!record) return { kind: 'no_record' };
  if (record.cancelledAt) return { kind: 'already_cancelled', at: record.cancelledAt, reason: record.cancelReason };
  db.update(records).set({ cancelledAt: now, cancelReason: reason }).where(and(eq(records.id, record.id), isNull(records.cancelledAt))).run();
  audit(db, actor, 'cancel_credit', {
    sessionId: session.id,
    teacherId: teacher.id,
    employeeNo: teacher.employeeNo,
    recordKey: key,
    hours: record.hours,
    reason,
  });
  return { kind: 'cancelled', hours: record.hours };
}
