import { openReader, type Db } from '../../../db/client.js';
import { preparedOnce } from '../../../db/statements.js';
import type { TeacherRow } from '../../ledger/store.js';

/*
 * The compliance cache's SQL. It reads raw rows (arrays, not objects), iterated in pieces on a read-only
 * connection of its own, which is what keeps a pass over 100,000 teachers within seconds.
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

const one = (db: Db, sqlText: string, ...args: unknown[]) => preparedOnce<unknown[], unknown>(db, sqlText).pluck().get(...args);
const ids = (db: Db, sqlText: string, ...args: unknown[]) => preparedOnce<unknown[], number>(db, sqlText).pluck().all(...args);

export function marksOf(db: Db): Marks {
  return {
    maxRecordId: Number(one(db, 'SELECT coalesce(max(id), 0) FROM records')),
    maxTeacherId: Number(one(db, 'SELECT coalesce(max(id), 0) FROM teachers')),
    maxChangeSeq: Number(one(db, 'SELECT coalesce(max(seq), 0) FROM admin_compliance_changes')),
  };
}

/**
 * Grows with every write to records or the roster (AUTOINCREMENT counters never go back, unlike max(seq) of the
 * change log, which pruning empties).
 */
export function writeVersion(db: Db): string {
  const seq = preparedOnce(db, "SELECT name, seq FROM sqlite_sequence WHERE name IN ('records', 'teachers', 'admin_compliance_changes') ORDER BY name").raw().all();
  return JSON.stringify(seq);
}

/** Teachers whose standing may have changed between two marks: at most `limit` ids (more means "rebuild"). */
export function touchedTeachers(db: Db, last: Marks, now: Marks, limit: number): Set<number> {
  const touched = new Set<number>();
  if (now.maxRecordId > last.maxRecordId) {
    ids(db, 'SELECT DISTINCT teacher_id FROM records WHERE id > ? AND id <= ? LIMIT ?', last.maxRecordId, now.maxRecordId, limit).forEach((id) => touched.add(id));
  }
  if (now.maxTeacherId > last.maxTeacherId) {
    ids(db, 'SELECT id FROM teachers WHERE id > ? AND id <= ? LIMIT ?', last.maxTeacherId, now.maxTeacherId, limit).forEach((id) => touched.add(id));
  }
  if (now.maxChangeSeq > last.maxChangeSeq) {
    ids(db, 'SELECT DISTINCT teacher_id FROM admin_compliance_changes WHERE seq > ? AND seq <= ? LIMIT ?', last.maxChangeSeq, now.maxChangeSeq, limit).forEach((id) =>
      touched.add(id),
    );
  }
  return touched;
}

/** One teacher by id, or a function answering for many (one prepared statement). */
export function teacherReader(db: Db): (id: number) => TeacherRow | null {
  const byId = preparedOnce<[number], TeacherRaw>(db, `SELECT ${TEACHER_COLUMNS} FROM teachers WHERE id = ?`).raw();
  return (id) => {
    const raw = byId.get(id);
    return raw ? teacherFromRaw(raw) : null;
  };
}

export function pruneChanges(db: Db, upTo: number): void {
  if (upTo > 0) preparedOnce(db, 'DELETE FROM admin_compliance_changes WHERE seq <= ?').run(upTo);
}

/**
 * What a full build reads, in one consistent snapshot: on a read-only connection of its own inside one read
 * transaction when the database has a file (`separate`: it may pause inside an open statement, so records are
 * streamed), else on the main connection, which must read records in id ranges (`recordChunks`).
 */
export interface SnapshotReader {
  readonly separate: boolean;
  marks(): Marks;
  /** The roster up to a mark, as raw rows (read lazily). */
  rosterUpTo(maxTeacherId: number): IterableIterator<TeacherRaw>;
  countRecords(): number;
  /**
   * Active records up to a mark and dated on or before asOf, read lazily (separate readers only). Four columns,
   * no id: every value read is a value allocated, and this loop reads millions.
   */
  activeRecordsUpTo(maxRecordId: number, asOf: string): IterableIterator<RecordRaw>;
  /** Records in id ranges (the main connection's way), cancelled ones included as the last column. */
  recordChunk(after: number, maxRecordId: number, limit: number): (RecordRaw & { 5: number | null })[];
  /** Ends the read transaction once everything needed is read. */
  finish(): void;
  /** Ends the read transaction if still open and closes a separate connection. */
  close(): void;
}

export function openSnapshotReader(db: Db): SnapshotReader {
  const own = openReader(db);
  const reader = own ?? db;
  if (own) own.$client.exec('BEGIN');
  let chunk: ReturnType<typeof preparedOnce<[number, number, number], RecordRaw & { 5: number | null }>> | null = null;
  return {
    separate: own !== null,
    marks: () => marksOf(reader),
    rosterUpTo: (maxTeacherId) => preparedOnce<[number], TeacherRaw>(reader, `SELECT ${TEACHER_COLUMNS} FROM teachers WHERE id <= ?`).raw().iterate(maxTeacherId),
    countRecords: () => Number(one(reader, 'SELECT count(*) FROM records')),
    activeRecordsUpTo: (maxRecordId, asOf) =>
      preparedOnce<[number, string], RecordRaw>(reader, 'SELECT 0, teacher_id, date, hours, category FROM records WHERE id <= ? AND date <= ? AND cancelled_at IS NULL')
        .raw()
        .iterate(maxRecordId, asOf),
    recordChunk: (after, maxRecordId, limit) => {
      chunk ??= preparedOnce<[number, number, number], RecordRaw & { 5: number | null }>(
        reader,
        'SELECT id, teacher_id, date, hours, category, cancelled_at FROM records WHERE id > ? AND id <= ? ORDER BY id LIMIT ?',
      ).raw();
      return chunk.all(after, maxRecordId, limit);
    },
    finish: () => {
      if (own) own.$client.exec('COMMIT');
    },
    close: () => {
      if (!own) return;
      if (own.$client.inTransaction) own.$client.exec('ROLLBACK');
      own.$client.close();
    },
  };
}
