/**
 * The imports' SQL on SQLite and PostgreSQL: the roster read up front and the writes of a batch of rows. Built for
 * millions of rows. SQLite (one process, one writer) runs a batch through synchronous statements (db/bulk.ts),
 * 64 rows a statement, and awaits once per batch; PostgreSQL sends a batch as arrays in one statement
 * (`unnest`, so the bind-parameter limit never applies) and reads ids and counts from RETURNING. The import's
 * transaction is the caller's (`transaction(db, …, { foreignKeys: false })`, src/import/run.ts).
 */
import type { Db } from '../../db/client.js';
import { sqliteBulk, sqliteExec } from '../../db/bulk.js';
import { dialectOf } from '../../db/handle.js';
import { statement } from '../../db/statements.js';
import type { TeacherSqlRow } from '../ledger/store.js';

/* ------------------------------------------------------------------ roster import */

/** A roster row as stored (snake_case: compared field by field with the file's row); flags as booleans on both dialects. */
export type StoredTeacher = Omit<TeacherSqlRow, 'created_at' | 'updated_at' | 'normal_graduate' | 'homeroom'> & {
  normal_graduate: boolean | null;
  homeroom: boolean;
};

const TEACHERS_SQL = 'SELECT id, employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id FROM teachers';

const storedTeacher = (row: TeacherSqlRow): StoredTeacher => ({
  id: row.id,
  employee_no: row.employee_no,
  name: row.name,
  school: row.school,
  hire_date: row.hire_date,
  normal_graduate: row.normal_graduate === null ? null : Boolean(row.normal_graduate),
  homeroom: Boolean(row.homeroom),
  position: row.position,
  policy_id: row.policy_id,
});

/** Every teacher, read once before the file (SQLite streams them; PostgreSQL reads them whole: 100 k rows fit). */
export async function allTeachersForImport(db: Db): Promise<Iterable<StoredTeacher>> {
  if (dialectOf(db) === 'postgres') return (await statement<[], TeacherSqlRow>(db, TEACHERS_SQL).all()).map(storedTeacher);
  const rows = sqliteBulk<[], TeacherSqlRow>(db, TEACHERS_SQL).iterate();
  return (function* () {
    for (const row of rows) yield storedTeacher(row);
  })();
}

/** A roster row's values in column order: 工号, name, school, hire date, normal graduate, homeroom, position, policy. */
export type TeacherValuesRow = [string, string, string, string | null, boolean | null, boolean, string, string];

/** One batch of roster changes, applied in this order: updates, inserts, grants, revocations. */
export interface RosterChanges {
  updates: { id: number; values: TeacherValuesRow }[];
  /** New teachers; a school leader is granted `leader` once inserted. */
  inserts: { values: TeacherValuesRow; leader: boolean }[];
  /** Stored teachers to grant `leader` (kept if granted already). */
  grants: number[];
  /** Stored teachers whose roster-granted `leader` is taken back. */
  revokes: number[];
}

export interface RosterWriter {
  /** Applies a batch; `at` is the updated rows' updated_at. How many `leader` grants were new, how many were taken back. */
  write(changes: RosterChanges, at: Date): Promise<{ granted: number; revoked: number }>;
}

/** The roster import's writes; roles it grants or takes back are marked as granted by `grantor`. */
export function rosterWriter(db: Db, grantor: string): RosterWriter {
  return dialectOf(db) === 'postgres' ? postgresRosterWriter(db, grantor) : sqliteRosterWriter(db, grantor);
}

const flag = (b: boolean | null) => (b === null ? null : b ? 1 : 0);

function sqliteRosterWriter(db: Db, grantor: string): RosterWriter {
  const insert = sqliteBulk(
    db,
    `INSERT INTO teachers (employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const update = sqliteBulk(
    db,
    `UPDATE teachers SET employee_no = ?, name = ?, school = ?, hire_date = ?, normal_graduate = ?, homeroom = ?,
     position = ?, policy_id = ?, updated_at = ? WHERE id = ?`,
  );
  const grant = sqliteBulk(db, `INSERT INTO roles (teacher_id, role, granted_by) VALUES (?, 'leader', ?) ON CONFLICT DO NOTHING`);
  const revoke = sqliteBulk(db, `DELETE FROM roles WHERE teacher_id = ? AND role = 'leader' AND granted_by = ?`);
  const bind = (v: TeacherValuesRow) => [v[0], v[1], v[2], v[3], flag(v[4]), flag(v[5]), v[6], v[7]];
  return {
    write: async (changes, at) => {
      let granted = 0;
      let revoked = 0;
      for (const u of changes.updates) update.run(...bind(u.values), at.getTime(), u.id);
      for (const i of changes.inserts) {
        const id = insert.run(...bind(i.values)).lastId;
        if (i.leader) granted += grant.run(id, grantor).changes;
      }
      for (const id of changes.grants) granted += grant.run(id, grantor).changes;
      for (const id of changes.revokes) revoked += revoke.run(id, grantor).changes;
      return { granted, revoked };
    },
  };
}

/** The eight value columns as PostgreSQL arrays, in TeacherValuesRow order. */
const TEACHER_ARRAYS = '?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::boolean[], ?::text[], ?::text[]';

const columnsOf = (rows: TeacherValuesRow[]) => Array.from({ length: 8 }, (_, c) => rows.map((r) => r[c]));

function postgresRosterWriter(db: Db, grantor: string): RosterWriter {
  return {
    write: async (changes, at) => {
      if (changes.updates.length > 0) {
        await statement(
          db,
          `UPDATE teachers t SET employee_no = u.employee_no, name = u.name, school = u.school, hire_date = u.hire_date,
             normal_graduate = u.normal_graduate, homeroom = u.homeroom, position = u.position, policy_id = u.policy_id,
             updated_at = ?
           FROM unnest(?::int[], ${TEACHER_ARRAYS})
             AS u(id, employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id)
           WHERE t.id = u.id`,
        ).run(at, changes.updates.map((u) => u.id), ...columnsOf(changes.updates.map((u) => u.values)));
      }
      const leaders = [...changes.grants];
      if (changes.inserts.length > 0) {
        const inserted = await statement<unknown[], { id: number; employee_no: string }>(
          db,
          `INSERT INTO teachers (employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id)
           SELECT * FROM unnest(${TEACHER_ARRAYS}) RETURNING id, employee_no`,
        ).all(...columnsOf(changes.inserts.map((i) => i.values)));
        // Matched by 工号 (unique), not by the order RETURNING happens to give.
        const idOf = new Map(inserted.map((r) => [r.employee_no, r.id]));
        for (const i of changes.inserts) if (i.leader) leaders.push(idOf.get(i.values[0])!);
      }
      let granted = 0;
      let revoked = 0;
      if (leaders.length > 0) {
        const rows = await statement(
          db,
          `INSERT INTO roles (teacher_id, role, granted_by) SELECT unnest(?::int[]), 'leader', ? ON CONFLICT DO NOTHING RETURNING teacher_id`,
        ).all(leaders, grantor);
        granted = rows.length;
      }
      if (changes.revokes.length > 0) {
        const rows = await statement(
          db,
          `DELETE FROM roles WHERE teacher_id = ANY(?::int[]) AND role = 'leader' AND granted_by = ? RETURNING teacher_id`,
        ).all(changes.revokes, grantor);
        revoked = rows.length;
      }
      return { granted, revoked };
    },
  };
}

/* ------------------------------------------------------------------ records import */

const ROSTER_KEYS_SQL = 'SELECT id, employee_no, policy_id FROM teachers';

/** [id, 工号, policy id] of every teacher, as arrays (millions of records are matched against these). */
export async function rosterKeys(db: Db): Promise<Iterable<[number, string, string]>> {
  if (dialectOf(db) === 'postgres') return statement(db, ROSTER_KEYS_SQL).raw<[number, string, string]>().all();
  return sqliteBulk<[], [number, string, string]>(db, ROSTER_KEYS_SQL, 'raw').iterate();
}

/** The highest record id so far (0 for none): ids above it are inserted by this import. */
export async function maxRecordId(db: Db): Promise<number> {
  return Number(await statement(db, 'SELECT coalesce(max(id), 0) FROM records').pluck().get());
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

/** A checked file row on its way in. */
export interface RecordRow {
  key: string;
  teacherId: number;
  date: string;
  hours: number;
  category: string;
  project: string;
}

export interface RecordWriter {
  /**
   * Inserts the rows whose 编号 is new, in order (a 编号 twice in `rows`: the first goes in). For each row, its new
   * id, or the stored record its 编号 met (stored before, or by an earlier row of this import).
   */
  insert(rows: readonly RecordRow[]): Promise<(number | StoredRecord)[]>;
}

/** The records import's writes, `created_at` bound once (real time, like the column default) instead of evaluated per row. */
export function recordWriter(db: Db, createdAt: Date): RecordWriter {
  return dialectOf(db) === 'postgres' ? postgresRecordWriter(db, createdAt) : sqliteRecordWriter(db, createdAt);
}

/** SQLite: rows per multi-row INSERT (6 parameters each, well under SQLite's limit). */
const CHUNK = 64;

const STORED_RECORD_SQL = 'SELECT id, teacher_id, date, hours, category, project FROM records WHERE record_key = ?';

/**
 * INSERT … ON CONFLICT DO NOTHING, CHUNK rows a statement, one statement a row for the rest of a batch; a look-up by
 * 编号 only where something conflicted.
 */
function sqliteRecordWriter(db: Db, createdAt: Date): RecordWriter {
  const insertSql = (n: number) =>
    `INSERT INTO records (record_key, teacher_id, date, hours, category, project, source, created_at) VALUES ` +
    Array.from({ length: n }, () => `(?, ?, ?, ?, ?, ?, 'import', ${createdAt.getTime()})`).join(', ') +
    ` ON CONFLICT(record_key) DO NOTHING`;
  const one = sqliteBulk(db, insertSql(1));
  const many = sqliteBulk(db, insertSql(CHUNK));
  const byKey = sqliteBulk<[string], StoredRecord>(db, STORED_RECORD_SQL);
  const args: unknown[] = new Array(CHUNK * 6);
  /** The highest record id so far: ids above it are inserted by the next statement (not consecutive: a conflicting row uses one up). */
  let highest: number | null = null;

  const insertMany = (rows: readonly RecordRow[], from: number, out: (number | StoredRecord)[]) => {
    for (let i = 0, a = 0; i < CHUNK; i++) {
      const r = rows[from + i];
      args[a++] = r.key;
      args[a++] = r.teacherId;
      args[a++] = r.date;
      args[a++] = r.hours;
      args[a++] = r.category;
      args[a++] = r.project;
    }
    const before = highest!;
    const info = many.run(...args);
    if (info.changes > 0) highest = info.lastId;
    if (info.changes === CHUNK) {
      // All in, with consecutive ids (this transaction is the only writer) in row order.
      const first = info.lastId - CHUNK + 1;
      for (let i = 0; i < CHUNK; i++) out[from + i] = first + i;
      return;
    }
    // Rows go in in order and a conflicting one is skipped, so a row went in exactly when its 编号 now has an id
    // from this statement (above `before`) and no earlier row of the chunk claimed that 编号.
    const claimed = new Set<string>();
    for (let i = from; i < from + CHUNK; i++) {
      const key = rows[i].key;
      const stored = byKey.get(key)!;
      if (stored.id > before && !claimed.has(key)) {
        claimed.add(key);
        out[i] = stored.id;
      } else {
        out[i] = stored;
      }
    }
  };

  return {
    insert: async (rows) => {
      highest ??= await maxRecordId(db);
      const out: (number | StoredRecord)[] = new Array(rows.length);
      let i = 0;
      for (; i + CHUNK <= rows.length; i += CHUNK) insertMany(rows, i, out);
      for (; i < rows.length; i++) {
        const r = rows[i];
        const info = one.run(r.key, r.teacherId, r.date, r.hours, r.category, r.project);
        out[i] = info.changes === 1 ? (highest = info.lastId) : byKey.get(r.key)!;
      }
      return out;
    },
  };
}

/** PostgreSQL: rows per statement (arrays, not bind parameters: the size only bounds one round trip's memory). */
const PG_BATCH = 10_000;

/**
 * One INSERT … SELECT FROM unnest(arrays) … ON CONFLICT (record_key) DO NOTHING RETURNING per PG_BATCH rows, then
 * one look-up of every 编号 that did not go in. A 编号 repeated within the batch is sent once (its first row), so
 * which row went in never depends on the order PostgreSQL inserts in.
 */
function postgresRecordWriter(db: Db, createdAt: Date): RecordWriter {
  const insertSome = async (rows: readonly RecordRow[], out: (number | StoredRecord)[]) => {
    const first = new Map<string, number>();
    const cols: unknown[][] = [[], [], [], [], [], []];
    rows.forEach((r, i) => {
      if (first.has(r.key)) return;
      first.set(r.key, i);
      cols[0].push(r.key);
      cols[1].push(r.teacherId);
      cols[2].push(r.date);
      cols[3].push(r.hours);
      cols[4].push(r.category);
      cols[5].push(r.project);
    });
    const inserted = await statement<unknown[], [number, string]>(
      db,
      `INSERT INTO records (record_key, teacher_id, date, hours, category, project, source, created_at)
       SELECT k, t, d, h, c, p, 'import', ? FROM unnest(?::text[], ?::int[], ?::text[], ?::float8[], ?::text[], ?::text[]) AS u(k, t, d, h, c, p)
       ON CONFLICT (record_key) DO NOTHING RETURNING id, record_key`,
    )
      .raw<[number, string]>()
      .all(createdAt, ...cols);
    const missing: string[] = [];
    const newId = new Map<string, number>();
    for (const [id, key] of inserted) newId.set(key, id);
    rows.forEach((r, i) => {
      const id = first.get(r.key) === i ? newId.get(r.key) : undefined;
      if (id !== undefined) out[i] = id;
      else missing.push(r.key);
    });
    if (missing.length === 0) return;
    const stored = await statement<[string[]], StoredRecord & { record_key: string }>(
      db,
      'SELECT id, record_key, teacher_id, date, hours, category, project FROM records WHERE record_key = ANY(?::text[])',
    ).all([...new Set(missing)]);
    const byKey = new Map(stored.map(({ record_key, ...record }) => [record_key, record]));
    rows.forEach((r, i) => {
      if (out[i] === undefined) out[i] = byKey.get(r.key)!;
    });
  };

  return {
    insert: async (rows) => {
      const out: (number | StoredRecord)[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i += PG_BATCH) {
        const part: (number | StoredRecord)[] = new Array(Math.min(PG_BATCH, rows.length - i));
        await insertSome(rows.slice(i, i + PG_BATCH), part);
        for (let j = 0; j < part.length; j++) out[i + j] = part[j];
      }
      return out;
    },
  };
}

/**
 * Drops the non-unique indexes of `records` (the unique 编号 index stays: ON CONFLICT needs it) inside the open
 * transaction, and returns a function that rebuilds them, exactly as the migrations wrote them. A rollback
 * brings them back as they were. SQLite only: on PostgreSQL DROP INDEX would lock `records` (ACCESS EXCLUSIVE)
 * for the whole import, so every chat answer reading records would wait: the indexes stay (null).
 */
export async function dropRecordIndexes(db: Db): Promise<(() => Promise<void>) | null> {
  if (dialectOf(db) === 'postgres') return null;
  const list = sqliteBulk<[], { name: string; unique: number; origin: string }>(db, "SELECT name, \"unique\", origin FROM pragma_index_list('records')");
  const sqlOf = sqliteBulk<[string], string | null>(db, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", 'pluck');
  const statements: string[] = [];
  for (const index of [...list.iterate()]) {
    if (index.unique || index.origin !== 'c') continue;
    const sql = sqlOf.get(index.name);
    if (!sql) continue;
    sqliteExec(db, `DROP INDEX "${index.name.replace(/"/g, '""')}"`);
    statements.push(sql);
  }
  return async () => statements.forEach((sql) => sqliteExec(db, sql));
}
