import type { Db } from '../../db/client.js';
import { audit } from '../ledger/audit.js';
import type { TeacherRow } from '../ledger/store.js';
import { isValidDate } from '../policy/dates.js';
import { normaliseCategory, type PolicyPreset } from '../policy/schema.js';
import type { Audience, AudienceMember } from './audience.js';
import { audienceMembers } from './members.js';
import { newSessionSecret, normaliseCode, randomStaticCode } from './code.js';
import { END_MINUTE_MS, recordKeyOf, type Phase, type SessionMode, type SessionRow } from './model.js';
import { cancelRecord, getSession, insertSession, latestSession, recordByKey, updateSessionStatus } from './store.js';
import { instantAt } from '../time/zone.js';

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
  /** Who teaches it and the training project it belongs to (optional): evaluation results group by them. */
  trainer?: string | null;
  project?: string | null;
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
export async function validateDraft(
  db: Db,
  draft: SessionDraft,
  options: CreateOptions,
): Promise<{ ok: true; category: string; expected: AudienceMember[] } | { ok: false; problem: DraftProblem }> {
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
  const expected = await audienceMembers(db, draft.audience);
  if (expected.length === 0) return fail({ kind: 'audience_empty' });
  // The credit must count for every teacher it goes to: the category has to exist in each one's preset.
  for (const policyId of new Set(expected.map((m) => m.policyId))) {
    const preset = options.presets.get(policyId);
    if (preset && !normaliseCategory(preset, category)) return fail({ kind: 'category_not_in_preset', category, presetName: preset.name });
  }
  return { ok: true, category, expected };
}

export async function createSession(db: Db, draft: SessionDraft, options: CreateOptions): Promise<CreateOutcome> {
  const checked = await validateDraft(db, draft, options);
  if (!checked.ok) return checked;
  const tz = options.timeZone;
  const session = await insertSession(db, {
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
    trainer: draft.trainer?.trim() || null,
    project: draft.project?.trim() || null,
  });
  await audit(db, options.createdBy, 'session_create', { sessionId: session.id, title: session.title, date: session.date, mode: session.mode });
  return { ok: true, session, expected: checked.expected };
}

/* ---------------------------------------------------------------- finding and closing */

/**
 * "5", "#5", "第5场", or nothing (the latest session dated today, else the latest created).
 * Returns null when there is no such session.
 */
export async function findSessionByRef(db: Db, ref: string | undefined, today: string): Promise<SessionRow | null> {
  const text = (ref ?? '').trim();
  if (text) {
    const m = /^(?:#|＃|第)?(\d+)场?$/.exec(normaliseCode(text));
    return m ? getSession(db, Number(m[1])) : null;
  }
  return latestSession(db, today);
}

export async function setSessionStatus(db: Db, session: SessionRow, status: 'closed' | 'cancelled', actor: string, reason?: string): Promise<boolean> {
  if (session.status === status) return false;
  await updateSessionStatus(db, session.id, status);
  await audit(db, actor, status === 'closed' ? 'session_close' : 'session_cancel', { sessionId: session.id, reason: reason ?? null });
  return true;
}

/* ------------------------------------------------------------ cancelling credit */

export type CancelCreditOutcome =
  | { kind: 'cancelled'; hours: number }
  | { kind: 'no_record' }
  | { kind: 'already_cancelled'; at: Date; reason: string | null };

/** Cancels (never deletes) one teacher's credit from one session, with a reason, in the audit log. */
export async function cancelCredit(
  db: Db,
  session: SessionRow,
  teacher: TeacherRow,
  reason: string,
  actor: string,
  now: Date,
): Promise<CancelCreditOutcome> {
  const key = recordKeyOf(session.id, teacher.employeeNo);
  const record = await recordByKey(db, key);
  if (!record) return { kind: 'no_record' };
  if (record.cancelledAt) return { kind: 'already_cancelled', at: record.cancelledAt, reason: record.cancelReason };
  await cancelRecord(db, record.id, now, reason);
  await audit(db, actor, 'cancel_credit', {
    sessionId: session.id,
    teacherId: teacher.id,
    employeeNo: teacher.employeeNo,
    recordKey: key,
    hours: record.hours,
    reason,
  });
  return { kind: 'cancelled', hours: record.hours };
}
