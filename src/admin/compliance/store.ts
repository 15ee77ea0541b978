import type Database from 'better-sqlite3';
import type { TeacherRow } from '../../ledger/teachers.js';

/*
 * The compliance cache's SQL. It reads through better-sqlite3 directly (raw rows, iterated in pieces on a
 * read-only connection of its own), which is what keeps a pass over 100,000 teachers within seconds.
 */

export interface Marks {
  maxRecordId: number;
  maxTeacherId: number;
  maxChangeSeq: number;
}

export type TeacherRaw = [number, string, string, string, string | null, number | null, number, string, string];
export type RecordRaw = [number, number, string, number, string];

export function teacherFromRaw(r: TeacherRaw): TeacherRow {
  return {
    id: r[0],
    employeeNo: r[1],
    name: r[2],
    school: r[3],
    hireDate: r[4],
    normalGraduate: r[5] === null ? null : r[5] === 1,
    homeroom: r[6] === 1,
    position: r[7],
    policyId: r[8],
    createdAt: new Date(0),
    updatedAt: null,
  };
}

const TEACHER_COLUMNS = 'id, employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id';

export function marksOf(sqlite: Database.Database): Marks {
  return {
    maxRecordId: Number(sqlite.prepare('SELECT coalesce(max(id), 0) FROM records').pluck().get()),
    maxTeacherId: Number(sqlite.prepare('SELECT coalesce(max(id), 0) FROM teachers').pluck().get()),
    maxChangeSeq: Number(sqlite.prepare('SELECT coalesce(max(seq), 0) FROM admin_compliance_changes').pluck().get()),
  };
}

/**
 * Grows with every write to records or the roster (AUTOINCREMENT counters never go back, unlike max(seq) of the
 * change log, which pruning empties).
 */
export function writeVersion(sqlite: Database.Database): string {
  const seq = sqlite.prepare("SELECT name, seq FROM sqlite_sequence WHERE name IN ('records', 'teachers', 'admin_compliance_changes') ORDER BY name").raw().all();
  return JSON.stringify(seq);
}

/** Teachers whose standing may have changed between two marks: at most `limit` ids (more means "rebuild"). */
export function touchedTeachers(sqlite: Database.Database, last: Marks, now: Marks, limit: number): Set<number> {
  const touched = new Set<number>();
  if (now.maxRecordId > last.maxRecordId) {
    const ids = sqlite
      .prepare('SELECT DISTINCT teacher_id FROM records WHERE id > ? AND id <= ? LIMIT ?')
      .pluck()
      .all(last.maxRecordId, now.maxRecordId, limit) as number[];
    ids.forEach((id) => touched.add(id));
  }
  if (now.maxTeacherId > last.maxTeacherId) {
    const ids = sqlite.prepare('SELECT id FROM teachers WHERE id > ? AND id <= ? LIMIT ?').pluck().all(last.maxTeacherId, now.maxTeacherId, limit) as number[];
    ids.forEach((id) => touched.add(id));
  }
  if (now.maxChangeSeq > last.maxChangeSeq) {
    const ids = sqlite
      .prepare('SELECT DISTINCT teacher_id FROM admin_compliance_changes WHERE seq > ? AND seq <= ? LIMIT ?')
      .pluck()
      .all(last.maxChangeSeq, now.maxChangeSeq, limit) as number[];
    ids.forEach((id) => touched.add(id));
  }
  return touched;
}

/** One teacher by id, or a function answering for many (one prepared statement). */
export function teacherReader(sqlite: Database.Database): (id: number) => TeacherRow | null {
  const one = sqlite.prepare(`SELECT ${TEACHER_COLUMNS} FROM teachers WHERE id = ?`).raw();
  return (id) => {
    const raw = one.get(id) as TeacherRaw | undefined;
    return raw ? teacherFromRaw(raw) : null;
  };
}

export function pruneChanges(sqlite: Database.Database, upTo: number): void {
  if (upTo > 0) sqlite.prepare('DELETE FROM admin_compliance_changes WHERE seq <= ?').run(upTo);
}

/** The roster up to a mark, as raw rows (read lazily). */
export function rosterUpTo(reader: Database.Database, maxTeacherId: number): IterableIterator<TeacherRaw> {
  return reader.prepare(`SELECT ${TEACHER_COLUMNS} FROM teachers WHERE id <= ?`).raw().iterate(maxTeacherId) as IterableIterator<TeacherRaw>;
}

export function countRecords(reader: Database.Database): number {
  return Number(reader.prepare('SELECT count(*) FROM records').pluck().get());
}

/**
 * Active records up to a mark and dated on or before asOf, read lazily (a separate read-only connection only:
 * the main connection cannot pause inside an open statement). Four columns, no id: every value read is a value
 * allocated, and this loop reads millions.
 */
export function activeRecordsUpTo(reader: Database.Database, maxRecordId: number, asOf: string): IterableIterator<RecordRaw> {
  const all = reader.prepare('SELECT 0, teacher_id, date, hours, category FROM records WHERE id <= ? AND date <= ? AND cancelled_at IS NULL').raw();
  return all.iterate(maxRecordId, asOf) as IterableIterator<RecordRaw>;
}

/** Records in id ranges (the main connection's way), cancelled ones included as the last column. */
export function recordChunks(reader: Database.Database): (after: number, maxRecordId: number, limit: number) => (RecordRaw & { 5: number | null })[] {
  const chunk = reader.prepare('SELECT id, teacher_id, date, hours, category, cancelled_at FROM records WHERE id > ? AND id <= ? ORDER BY id LIMIT ?').raw();
  return (after, maxRecordId, limit) => chunk.all(after, maxRecordId, limit) as (RecordRaw & { 5: number | null })[];
}
