import type { Db } from '../../db/client.js';
import { MAX_RECORD_HOURS } from '../policy/limits.js';
import { parseDateText } from '../time/parse.js';
import { normaliseCategory, type PolicyPreset } from '../policy/schema.js';
import { audit } from './audit.js';
import { cancelRecord, recordWithTeacher, updateRecordValues, type RecordRow, type TeacherRow } from './store.js';

/**
 * Officers put a wrong record right, whatever it came from (an import, a sign-in): revoke it (kept, marked, left
 * out of every sum — never deleted) or correct its hours, category or date. A reason is required and the audit
 * log keeps the values before and after. Figures change at once: the summary reads records live, and the
 * console's cache hears of the update through the records trigger.
 */
export const MIN_REASON_CHARS = 2;

/**
 * What the layers above the ledger do when a record is corrected or revoked (a declaration follows the record it
 * put in the ledger: src/declarations/revocation.ts). The caller passes them in, so the ledger names no feature.
 * Each runs in the correction's transaction.
 */
export interface RecordHooks {
  /** A live declaration that correcting this record to `after` would make a repeat of (asked first, so the refusal is in words). */
  repeatMadeByCorrection(db: Db, record: RecordRow, after: Pick<RecordRow, 'hours'>): Promise<{ declaration: { id: number }; other: { id: number } } | null>;
  onRevoked(db: Db, record: RecordRow, reason: string, actor: string, now: Date): Promise<void>;
  onCorrected(db: Db, record: RecordRow, after: Pick<RecordRow, 'hours' | 'category'>, reason: string, actor: string, now: Date): Promise<void>;
}

type RepeatFound = { declaration: { id: number }; other: { id: number } } | null;

/** A record by its 编号 (the import's key, or a sign-in's `session:<id>:<工号>`), or `#<id>` for its row id. */
export async function findRecordByRef(db: Db, ref: string): Promise<{ record: RecordRow; teacher: TeacherRow } | null> {
  const key = ref.trim();
  const byKey = await recordWithTeacher(db, { key });
  if (byKey) return byKey;
  const id = /^#(\d+)$/.exec(key);
  return id ? await recordWithTeacher(db, { id: Number(id[1]) }) : null;
}

export type RevokeOutcome = { kind: 'revoked' } | { kind: 'already_revoked'; at: Date; reason: string | null } | { kind: 'no_reason' };

export async function revokeRecord(
  db: Db,
  found: { record: RecordRow; teacher: TeacherRow },
  reason: string,
  actor: string,
  now: Date,
  hooks: RecordHooks,
): Promise<RevokeOutcome> {
  const { record, teacher } = found;
  if (reason.trim().length < MIN_REASON_CHARS) return { kind: 'no_reason' };
  if (record.cancelledAt) return { kind: 'already_revoked', at: record.cancelledAt, reason: record.cancelReason };
  if (!(await cancelRecord(db, record.id, reason.trim(), now))) return { kind: 'already_revoked', at: now, reason: null };
  await audit(db, actor, 'record_revoke', {
    recordId: record.id,
    recordKey: record.recordKey,
    teacherId: teacher.id,
    employeeNo: teacher.employeeNo,
    date: record.date,
    hours: record.hours,
    category: record.category,
    source: record.source,
    reason: reason.trim(),
  });
  await hooks.onRevoked(db, record, reason.trim(), actor, now);
  return { kind: 'revoked' };
}

/** What an officer typed, before checking: any of the three, as text. */
export interface CorrectionInput {
  hours?: string;
  category?: string;
  date?: string;
}

export type CorrectionProblem =
  | { kind: 'nothing' }
  | { kind: 'bad_hours'; value: string }
  | { kind: 'bad_category'; value: string; allowed: string[] }
  | { kind: 'bad_date'; value: string }
  | { kind: 'future_date'; value: string }
  | { kind: 'no_reason' }
  | { kind: 'revoked' }
  | { kind: 'unchanged' }
  /** The record is a declaration's, and the new hours would make it an exact repeat of another declaration. */
  | { kind: 'declaration_repeat'; declarationId: number; other: number; hours: number };

export type CorrectOutcome =
  | { kind: 'corrected'; before: Pick<RecordRow, 'hours' | 'category' | 'date'>; after: Pick<RecordRow, 'hours' | 'category' | 'date'> }
  | { kind: 'refused'; problem: CorrectionProblem };

const HOURS_SHAPE = /^\d+(\.\d{1,2})?$/;

export async function correctRecord(
  db: Db,
  found: { record: RecordRow; teacher: TeacherRow },
  input: CorrectionInput,
  reason: string,
  ctx: { presets: ReadonlyMap<string, PolicyPreset>; today: string; actor: string; now: Date; hooks: RecordHooks },
): Promise<CorrectOutcome> {
  const { record, teacher } = found;
  const refuse = (problem: CorrectionProblem): CorrectOutcome => ({ kind: 'refused', problem });
  if (input.hours === undefined && input.category === undefined && input.date === undefined) return refuse({ kind: 'nothing' });
  if (record.cancelledAt) return refuse({ kind: 'revoked' });

  const after = { hours: record.hours, category: record.category, date: record.date };
  if (input.hours !== undefined) {
    const v = input.hours.trim();
    const n = Number(v);
    if (!HOURS_SHAPE.test(v) || !(n > 0) || n > MAX_RECORD_HOURS) return refuse({ kind: 'bad_hours', value: v });
    after.hours = n;
  }
  if (input.category !== undefined) {
    const preset = ctx.presets.get(teacher.policyId);
    const key = preset ? normaliseCategory(preset, input.category) : null;
    if (!key) return refuse({ kind: 'bad_category', value: input.category, allowed: preset?.categories.map((c) => c.key) ?? [] });
    after.category = key;
  }
  if (input.date !== undefined) {
    // Any form the chat takes (2026/3/1, 2026年3月1日, 3月1日 = the latest one, 昨天 …).
    const raw = input.date.trim();
    const read = parseDateText(raw, ctx.today, { yearless: 'back' });
    if (!read.ok) return refuse({ kind: 'bad_date', value: raw });
    const v = read.date;
    if (v > ctx.today) return refuse({ kind: 'future_date', value: v });
    after.date = v;
  }
  if (reason.trim().length < MIN_REASON_CHARS) return refuse({ kind: 'no_reason' });
  const before = { hours: record.hours, category: record.category, date: record.date };
  if (before.hours === after.hours && before.category === after.category && before.date === after.date) return refuse({ kind: 'unchanged' });

  const repeat = await ctx.hooks.repeatMadeByCorrection(db, record, after);
  if (repeat) {
    // Refused, not failed: nothing is written but this line, so the office can see the attempt and why.
    const problem = { kind: 'declaration_repeat' as const, declarationId: repeat.declaration.id, other: repeat.other.id, hours: after.hours };
    await audit(db, ctx.actor, 'record_correct_refused', {
      recordId: record.id,
      recordKey: record.recordKey,
      teacherId: teacher.id,
      employeeNo: teacher.employeeNo,
      declarationId: problem.declarationId,
      repeats: problem.other,
      hours: problem.hours,
      reason: reason.trim(),
    });
    return refuse(problem);
  }

  await updateRecordValues(db, record.id, after);
  await audit(db, ctx.actor, 'record_correct', {
    recordId: record.id,
    recordKey: record.recordKey,
    teacherId: teacher.id,
    employeeNo: teacher.employeeNo,
    before,
    after,
    reason: reason.trim(),
  });
  // A record a declaration put in the ledger: the declaration follows, so its page and 我的申报 say the same.
  await ctx.hooks.onCorrected(db, record, after, reason.trim(), ctx.actor, ctx.now);
  return { kind: 'corrected', before, after };
}
