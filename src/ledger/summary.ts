import type { Statement } from 'better-sqlite3';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { records } from '../../db/schema.js';
import { summarize, type CreditRecord, type HoursSummary } from '../policy/engine.js';
import type { PolicyPreset } from '../policy/schema.js';
import { toProfile, type TeacherRow } from './teachers.js';

export class UnknownPresetError extends Error {
  constructor(readonly presetId: string) {
    super(`unknown policy preset: ${presetId}`);
  }
}

/**
 * The active-records statement, prepared once per connection. Building it through drizzle on every call
 * (SQL generation, a fresh better-sqlite3 prepare, per-row mapping) cost more than the look-up itself: this
 * is the one query behind every hours answer (bot, CLI, pace reminders), so it is plain SQL.
 */
const activeRecordsStatements = new WeakMap<Db['$client'], Statement<[number, string], CreditRecord>>();

/**
 * Active (not cancelled) records of one teacher dated on or before asOf: the ledger's only input to the policy
 * engine. A later record does not exist yet on asOf (the engine ignores one too); the bound is a range on the
 * records_teacher_date index.
 */
export function activeRecords(db: Db, teacherId: number, asOf: string): CreditRecord[] {
  const sqlite = db.$client;
  let statement = activeRecordsStatements.get(sqlite);
  if (!statement) {
    statement = sqlite.prepare<[number, string], CreditRecord>(
      'SELECT date, hours, category FROM records WHERE teacher_id = ? AND date <= ? AND cancelled_at IS NULL',
    );
    activeRecordsStatements.set(sqlite, statement);
  }
  return statement.all(teacherId, asOf);
}

export function hoursSummary(
  db: Db,
  presets: ReadonlyMap<string, PolicyPreset>,
  teacher: TeacherRow,
  asOf: string,
): HoursSummary {
  const preset = presets.get(teacher.policyId);
  if (!preset) throw new UnknownPresetError(teacher.policyId);
  return summarize(toProfile(teacher), activeRecords(db, teacher.id, asOf), preset, asOf);
}

export function recentRecords(db: Db, teacherId: number, limit = 10) {
  return db
    .select({
      recordKey: records.recordKey,
      date: records.date,
      hours: records.hours,
      category: records.category,
      project: records.project,
    })
    .from(records)
    .where(and(eq(records.teacherId, teacherId), isNull(records.cancelledAt)))
    .orderBy(desc(records.date), desc(records.id))
    .limit(limit)
    .all();
}

/** The CLI's and API's JSON shape, exactly as operators script against it. */
export function summaryJson(s: HoursSummary) {
  return {
    cycleStart: s.cycleStart,
    cycleEnd: s.cycleEnd,
    required: s.required,
    earned: s.earned,
    remaining: s.remaining,
    owedThisYear: s.owedThisYear,
    // The one definition of 进度 (every current requirement at an even pace), as the chat and the console say it.
    onPace: s.onPace,
  };
}
