/**
 * The imports' SQL: the one transaction around a whole file, the roster read up front, and the row writes,
 * prepared once per import. Built for millions of rows: statements are handed out as small objects with plain
 * functions, so the per-row path does one driver call and no query building.
 */
import type { Db } from '../../db/client.js';
import { preparedOnce } from '../../db/statements.js';
import type { TeacherSqlRow } from '../ledger/store.js';

/* ------------------------------------------------------------------ the import's transaction */

export interface ImportTransaction {
  commit(): void;
  /** Rolls back if still open (safe to call after a failed commit or a rollback). */
  rollback(): void;
  /** Restores the connection after commit or rollback (foreign keys back on). */
  end(): void;
}

/**
 * Opens the IMMEDIATE transaction an import runs in. The importers take teacher ids from the roster they just
 * read, so the per-row foreign-key look-up is redundant; it is switched off for this connection while the import
 * runs (it can only be changed outside a transaction) and restored by `end()`.
 */
export function beginImport(db: Db): ImportTransaction {
  const sqlite = db.$client;
  const foreignKeys = sqlite.pragma('foreign_keys', { simple: true }) as number;
  if (foreignKeys) sqlite.pragma('foreign_keys = OFF');
  try {
    sqlite.exec('BEGIN IMMEDIATE');
  } catch (error) {
    if (foreignKeys) sqlite.pragma('foreign_keys = ON');
    throw error;
  }
  return {
    commit: () => sqlite.exec('COMMIT'),
    rollback: () => {
      if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    },
    end: () => {
      if (foreignKeys) sqlite.pragma('foreign_keys = ON');
    },
  };
}

/* ------------------------------------------------------------------ roster import */

/** A roster row as stored (snake_case: compared field by field with the file's row). */
export type StoredTeacher = Omit<TeacherSqlRow, 'created_at' | 'updated_at'>;

export function allTeachersForImport(db: Db): IterableIterator<StoredTeacher> {
  return preparedOnce<[], StoredTeacher>(
    db,
    'SELECT id, employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id FROM teachers',
  ).iterate();
}

/** A roster row's values in column order: 工号, name, school, hire date, normal graduate, homeroom, position, policy. */
export type TeacherValuesRow = [string, string, string, string | null, number | null, number, string, string];

export interface RosterWriter {
  /** Returns the new teacher's id. */
  insert(values: TeacherValuesRow): number;
  update(id: number, values: TeacherValuesRow, at: Date): void;
  /** Grants `leader` under `grantor`; 1 if it was new. */
  grantLeader(teacherId: number): number;
  /** Takes back a `leader` granted under `grantor`; 1 if there was one. */
  revokeLeader(teacherId: number): number;
}

/** The roster import's writes; roles it grants or takes back are marked as granted by `grantor`. */
export function rosterWriter(db: Db, grantor: string): RosterWriter {
  const insert = preparedOnce(
    db,
    `INSERT INTO teachers (employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const update = preparedOnce(
    db,
    `UPDATE teachers SET employee_no = ?, name = ?, school = ?, hire_date = ?, normal_graduate = ?, homeroom = ?,
     position = ?, policy_id = ?, updated_at = ? WHERE id = ?`,
  );
  const grant = preparedOnce(db, `INSERT INTO roles (teacher_id, role, granted_by) VALUES (?, 'leader', ?) ON CONFLICT DO NOTHING`);
  const revoke = preparedOnce(db, `DELETE FROM roles WHERE teacher_id = ? AND role = 'leader' AND granted_by = ?`);
  return {
    insert: (values) => Number(insert.run(...values).lastInsertRowid),
    update: (id, values, at) => void update.run(...values, at.getTime(), id),
    grantLeader: (teacherId) => grant.run(teacherId, grantor).changes,
    revokeLeader: (teacherId) => revoke.run(teacherId, grantor).changes,
  };
}

/* ------------------------------------------------------------------ records import */

/** [id, 工号, policy id] of every teacher, as arrays (millions of records are matched against these). */
export function rosterKeys(db: Db): IterableIterator<[number, string, string]> {
  return preparedOnce<[], [number, string, string]>(db, 'SELECT id, employee_no, policy_id FROM teachers').raw().iterate();
}

/** The highest record id so far (0 for none): ids above it are inserted by this import. */
export function maxRecordId(db: Db): number {
  return Number(preparedOnce<[], number>(db, 'SELECT coalesce(max(id), 0) FROM records').pluck().get());
}

/** A stored record, as compared with a file row of the same 编号. */
export interface StoredRecord {
  id: number;
  teacher_id: number;
  date: string;
  hours: number;
  category: string;
  project: string;
}

/** The six values of a record row, in order: 编号, teacher id, date, hours, category, project. */
export interface RecordWriter {
  /** Inserts one row unless its 编号 exists; returns the new id, or null when it existed. */
  insertOne(key: string, teacherId: number, date: string, hours: number, category: string, project: string): number | null;
  /** Inserts `chunk` rows (6 values each, flat) skipping existing 编号; how many went in and the last new id. */
  insertChunk(values: unknown[]): { changes: number; lastId: number };
  byKey(key: string): StoredRecord | undefined;
  employeeNoOf(teacherId: number): string | undefined;
}

/**
 * The records import's writes: INSERT … ON CONFLICT DO NOTHING, one row or `chunk` rows a statement, with
 * `created_at` bound once (real time, like the column default) instead of evaluated per row.
 */
export function recordWriter(db: Db, chunk: number, createdAt: number): RecordWriter {
  const insertSql = (n: number) =>
    `INSERT INTO records (record_key, teacher_id, date, hours, category, project, source, created_at) VALUES ` +
    Array.from({ length: n }, () => `(?, ?, ?, ?, ?, ?, 'import', ${createdAt})`).join(', ') +
    ` ON CONFLICT(record_key) DO NOTHING`;
  const one = preparedOnce(db, insertSql(1));
  const many = preparedOnce(db, insertSql(chunk));
  const lookup = preparedOnce<[string], StoredRecord>(db, 'SELECT id, teacher_id, date, hours, category, project FROM records WHERE record_key = ?');
  const employeeNo = preparedOnce<[number], string>(db, 'SELECT employee_no FROM teachers WHERE id = ?').pluck();
  return {
    insertOne: (...values) => {
      const info = one.run(...values);
      return info.changes === 1 ? Number(info.lastInsertRowid) : null;
    },
    insertChunk: (values) => {
      const info = many.run(values);
      return { changes: info.changes, lastId: Number(info.lastInsertRowid) };
    },
    byKey: (key) => lookup.get(key),
    employeeNoOf: (teacherId) => employeeNo.get(teacherId),
  };
}

/**
 * Drops the non-unique indexes of `records` (the unique 编号 index stays: ON CONFLICT needs it) inside the open
 * transaction, and returns a function that rebuilds them, exactly as the migrations wrote them. A rollback
 * brings them back as they were.
 */
export function dropRecordIndexes(db: Db): () => void {
  const sqlite = db.$client;
  const list = preparedOnce<[], { name: string; unique: number; origin: string }>(db, 'SELECT name, "unique", origin FROM pragma_index_list(\'records\')').all();
  const sqlOf = preparedOnce<[string], string | null>(db, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").pluck();
  const statements: string[] = [];
  for (const index of list) {
    if (index.unique || index.origin !== 'c') continue;
    const sql = sqlOf.get(index.name);
    if (!sql) continue;
    sqlite.exec(`DROP INDEX "${index.name.replace(/"/g, '""')}"`);
    statements.push(sql);
  }
  return () => statements.forEach((sql) => sqlite.exec(sql));
}
