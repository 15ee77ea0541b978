import type { Db } from '../../../db/client.js';
import { dialectOf } from '../../../db/handle.js';
import { openReadSnapshot } from '../../../db/read-snapshot.js';
import { statement } from '../../../db/statements.js';
import type { TeacherRow } from '../../ledger/store.js';

/*
 * The compliance cache's SQL, on SQLite and PostgreSQL. It reads raw rows (arrays, not objects); a full build
 * reads them in pieces inside one read snapshot of its own (db/read-snapshot.ts), which is what keeps a pass
 * over 100,000 teachers within seconds.
 *
 * What changed since a look ("marks"):
 * - SQLite commits writers one at a time, so new records and teachers are found by id (`id > last seen`) and
 *   updates and deletes by the change log's seq (triggers of migration 0002_admin).
 * - PostgreSQL takes ids and seqs at insert but commits in any order: a look that saw 101 could miss 100
 *   committed a moment later. So every write to records and teachers (inserts too, migration
 *   compliance_inserts) queues its teacher in admin_compliance_changes with the writing transaction's id
 *   (`xid`), and a mark is the database snapshot the look was taken in: what changed since is every change
 *   row whose transaction that snapshot did not see (still running then, or begun later), whatever its seq.
 */

export interface Marks {
  maxRecordId: number;
  maxTeacherId: number;
  maxChangeSeq: number;
  /** PostgreSQL: the snapshot the marks were read in (pg_snapshot text); null on SQLite. */
  snapshot: string | null;
}

export type TeacherRaw = [number, string, string, string, string | null, number | boolean | null, number | boolean, string, string];
export type RecordRaw = [number, number, string, number, string];

export function teacherFromRaw(r: TeacherRaw): TeacherRow {
  return {
    id: r[0],
    employeeNo: r[1],
    name: r[2],
    school: r[3],
    hireDate: r[4],
    // 0/1 on SQLite, booleans on PostgreSQL.
    normalGraduate: r[5] === null ? null : Boolean(r[5]),
    homeroom: Boolean(r[6]),
    position: r[7],
    policyId: r[8],
    createdAt: new Date(0),
    updatedAt: null,
  };
}

const TEACHER_COLUMNS = 'id, employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id';

const MARKS = {
  sqlite:
    'SELECT (SELECT coalesce(max(id), 0) FROM records), (SELECT coalesce(max(id), 0) FROM teachers), (SELECT coalesce(max(seq), 0) FROM admin_compliance_changes), NULL',
  postgres:
    'SELECT (SELECT coalesce(max(id), 0) FROM records), (SELECT coalesce(max(id), 0) FROM teachers), (SELECT coalesce(max(seq), 0) FROM admin_compliance_changes), pg_current_snapshot()::text',
};

export async function marksOf(db: Db): Promise<Marks> {
  const [maxRecordId, maxTeacherId, maxChangeSeq, snapshot] = (await statement(db, MARKS).raw<[number, number, number, string | null]>().get())!;
  return { maxRecordId: Number(maxRecordId), maxTeacherId: Number(maxTeacherId), maxChangeSeq: Number(maxChangeSeq), snapshot };
}

/** Nothing was written between two marks (no need to look further). */
export function sameMarks(a: Marks, b: Marks): boolean {
  return a.maxRecordId === b.maxRecordId && a.maxTeacherId === b.maxTeacherId && a.maxChangeSeq === b.maxChangeSeq && a.snapshot === b.snapshot;
}

/** Change rows whose transaction the snapshot `?` did not see (the xid index finds them from its xmin on). */
const UNSEEN_CHANGES = 'FROM admin_compliance_changes WHERE xid >= pg_snapshot_xmin(CAST(? AS pg_snapshot)) AND NOT pg_visible_in_snapshot(xid, CAST(? AS pg_snapshot))';

/**
 * Grows with every write to records or the roster. SQLite: the AUTOINCREMENT counters (they never go back,
 * unlike max(seq) of the change log, which pruning empties). PostgreSQL: the current snapshot (see writtenSince).
 */
export async function writeVersion(db: Db): Promise<string> {
  if (dialectOf(db) === 'postgres') return (await statement(db, 'SELECT pg_current_snapshot()::text').pluck<string>().get())!;
  const seq = await statement(db, "SELECT name, seq FROM sqlite_sequence WHERE name IN ('records', 'teachers', 'admin_compliance_changes') ORDER BY name").raw().all();
  return JSON.stringify(seq);
}

/** Whether records or the roster were written since `version` (a writeVersion), committed in any order. */
export async function writtenSince(db: Db, version: string): Promise<boolean> {
  if (dialectOf(db) === 'sqlite') return (await writeVersion(db)) !== version;
  return Boolean(await statement<[string, string], unknown>(db, `SELECT EXISTS (SELECT 1 ${UNSEEN_CHANGES})`).pluck().get(version, version));
}

/** Teachers whose standing may have changed between two marks: at most `limit` ids (more means "rebuild"). */
export async function touchedTeachers(db: Db, last: Marks, now: Marks, limit: number): Promise<Set<number>> {
  const touched = new Set<number>();
  const add = (ids: number[]) => ids.forEach((id) => touched.add(id));
  if (dialectOf(db) === 'postgres') {
    add(await statement<[string, string, number], number>(db, `SELECT DISTINCT teacher_id ${UNSEEN_CHANGES} LIMIT ?`).pluck<number>().all(last.snapshot!, last.snapshot!, limit));
    return touched;
  }
  if (now.maxRecordId > last.maxRecordId) {
    add(await statement<number[], number>(db, 'SELECT DISTINCT teacher_id FROM records WHERE id > ? AND id <= ? LIMIT ?').pluck<number>().all(last.maxRecordId, now.maxRecordId, limit));
  }
  if (now.maxTeacherId > last.maxTeacherId) {
    add(await statement<number[], number>(db, 'SELECT id FROM teachers WHERE id > ? AND id <= ? LIMIT ?').pluck<number>().all(last.maxTeacherId, now.maxTeacherId, limit));
  }
  if (now.maxChangeSeq > last.maxChangeSeq) {
    add(
      await statement<number[], number>(db, 'SELECT DISTINCT teacher_id FROM admin_compliance_changes WHERE seq > ? AND seq <= ? LIMIT ?')
        .pluck<number>()
        .all(last.maxChangeSeq, now.maxChangeSeq, limit),
    );
  }
  return touched;
}

/** One teacher by id, or a function answering for many (one prepared statement). */
export function teacherReader(db: Db): (id: number) => Promise<TeacherRow | null> {
  const byId = statement<[number], TeacherRaw>(db, `SELECT ${TEACHER_COLUMNS} FROM teachers WHERE id = ?`).raw<TeacherRaw>();
  return async (id) => {
    const raw = await byId.get(id);
    return raw ? teacherFromRaw(raw) : null;
  };
}

/** How long change rows are kept on PostgreSQL: longer than any cache's marks live (a snapshot is rebuilt daily). */
const CHANGES_KEPT = "interval '2 days'";

/**
 * Forgets change rows no cache needs any more. SQLite (one instance): those this process has read (`consumed`).
 * PostgreSQL (several instances, each with its own cache and marks): by age, the database's own clock against
 * the time it stamped the row with.
 */
export async function pruneChanges(db: Db, consumed: Marks): Promise<void> {
  if (dialectOf(db) === 'postgres') await statement(db, `DELETE FROM admin_compliance_changes WHERE at < now() - ${CHANGES_KEPT}`).run();
  else if (consumed.maxChangeSeq > 0) await statement(db, 'DELETE FROM admin_compliance_changes WHERE seq <= ?').run(consumed.maxChangeSeq);
}

/**
 * What a full build reads, in one consistent snapshot of its own (db/read-snapshot.ts): the marks, the roster
 * and the records are read in it, so whatever is written meanwhile is after the marks. A separate snapshot may
 * pause inside an open statement, so records are streamed; the main connection (SQLite in memory) must read
 * records in id ranges instead (`recordChunk`).
 */
export interface SnapshotReader {
  readonly separate: boolean;
  marks(): Promise<Marks>;
  /** The roster up to a mark, as raw rows. */
  eachTeacher(maxTeacherId: number, onRow: (raw: TeacherRaw) => void): Promise<void>;
  /** How many records to expect (for the progress shown while building; an estimate on PostgreSQL). */
  countRecords(): Promise<number>;
  /**
   * Active records up to a mark and dated on or before asOf (separate readers only), pausing after every
   * `every` rows. Four columns and a constant, no id: every value read is a value allocated, and this loop
   * reads millions.
   */
  eachActiveRecord(maxRecordId: number, asOf: string, every: number, onRow: (r: RecordRaw) => void, onPause: (rowsSoFar: number) => void): Promise<void>;
  /** Records in id ranges (the main connection's way), cancelled ones included as the last column. */
  recordChunk(after: number, maxRecordId: number, limit: number): Promise<(RecordRaw & { 5: number | Date | null })[]>;
  /** Ends the read transaction once everything needed is read. */
  finish(): Promise<void>;
  /** Ends the read transaction if still open and closes a separate connection. */
  close(): Promise<void>;
}

const ROSTER_UP_TO = `SELECT ${TEACHER_COLUMNS} FROM teachers WHERE id <= ?`;
const ACTIVE_RECORDS_UP_TO = 'SELECT 0, teacher_id, date, hours, category FROM records WHERE id <= ? AND date <= ? AND cancelled_at IS NULL';
const COUNT_RECORDS = {
  sqlite: 'SELECT count(*) FROM records',
  // The planner's estimate: a count(*) would read every row once more just for a progress bar.
  postgres: "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'records'::regclass",
};

export async function openSnapshotReader(db: Db): Promise<SnapshotReader> {
  const snapshot = await openReadSnapshot(db);
  const reader = snapshot.db;
  return {
    separate: snapshot.separate,
    marks: () => marksOf(reader),
    eachTeacher: async (maxTeacherId, onRow) => {
      await snapshot.eachRow(ROSTER_UP_TO, [maxTeacherId], 100_000, onRow);
    },
    countRecords: async () => Number(await statement(reader, COUNT_RECORDS).pluck().get()),
    eachActiveRecord: async (maxRecordId, asOf, every, onRow, onPause) => {
      await snapshot.eachRow(ACTIVE_RECORDS_UP_TO, [maxRecordId, asOf], every, onRow, onPause);
    },
    recordChunk: (after, maxRecordId, limit) =>
      statement<[number, number, number], RecordRaw & { 5: number | null }>(
        reader,
        'SELECT id, teacher_id, date, hours, category, cancelled_at FROM records WHERE id > ? AND id <= ? ORDER BY id LIMIT ?',
      )
        .raw<RecordRaw & { 5: number | null }>()
        .all(after, maxRecordId, limit),
    finish: () => snapshot.finish(),
    close: () => snapshot.close(),
  };
}
