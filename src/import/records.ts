/**
 * Credit-record import. 编号 is the record's own id: a re-import of the same file changes nothing,
 * while the same 编号 with different content (already in the database, or earlier in the same file)
 * is an error and is never overwritten. Built for millions of rows: one roster map loaded up front,
 * prepared statements, INSERT … ON CONFLICT DO NOTHING and a look-up only on conflict.
 */
import type { Db } from '../../db/client.js';
import { dateIn, systemClock, type Clock } from '../clock.js';
import { normaliseCategory, type PolicyPreset } from '../policy/schema.js';
import { RECORD_COLUMNS } from './header.js';
import { hoursValue, parseRow, recordRowFastCheck, recordRowSchema, REASONS, type RecordRowCells } from './rules.js';
import { runImport } from './run.js';
import type { ImportOptions, ImportResult, RowError, RowSource, SourceRow } from './types.js';

export interface RecordImportOptions extends ImportOptions {
  /** Time zone of "today" for the not-in-the-future rule. Default Asia/Shanghai. */
  timeZone?: string;
  /**
   * The non-unique indexes of `records` (teacher_id, date …): 'auto' (default) drops them inside the
   * import's transaction and rebuilds them before COMMIT when the file is large next to the table, where
   * one sorted build is far cheaper than millions of scattered inserts; 'rebuild' always does, 'keep'
   * never. Either way they exist again after the import: a rollback (rejected file, dry run, crash)
   * undoes the drop.
   */
  indexes?: 'auto' | 'rebuild' | 'keep';
}

/** 'auto' rebuilds from this many (estimated) rows in the file… */
export const REBUILD_MIN_ROWS = 100_000;
/** …when the file adds at least a quarter of the rows the table already has. */
const REBUILD_SHARE = 0.25;
/** A lower bound of a records CSV row's size (`T0000001,2024-01-01,1.5,师德师风,,R0000001` is 55 bytes). */
const BYTES_PER_ROW = 48;

/** Should this import drop and rebuild the secondary indexes? From the file size and the table's max id. */
export function shouldRebuildIndexes(
  mode: RecordImportOptions['indexes'],
  fileBytes: number | null,
  tableRows: number,
): boolean {
  if (mode === 'rebuild') return true;
  if (mode === 'keep' || fileBytes === null) return false;
  const rows = fileBytes / BYTES_PER_ROW;
  return rows >= REBUILD_MIN_ROWS && rows >= REBUILD_SHARE * tableRows;
}

interface RosterEntry {
  id: number;
  policyId: string;
  /** raw 类别 text → category key (null = not recognised), per preset, filled lazily. */
  categories: Map<string, string | null> | null;
}

interface StoredRecord {
  id: number;
  teacher_id: number;
  date: string;
  hours: number;
  category: string;
  project: string;
}

/** Grows as needed: the source row number of each record id inserted by this import. */
class RowIndex {
  private data = new Int32Array(1 << 16);
  constructor(private readonly base: number) {}
  set(id: number, row: number) {
    const i = id - this.base;
    if (i < 0) return;
    if (i >= this.data.length) {
      let size = this.data.length;
      while (size <= i) size *= 2;
      const next = new Int32Array(size);
      next.set(this.data);
      this.data = next;
    }
    this.data[i] = row;
  }
  get(id: number): number {
    const i = id - this.base;
    return i >= 0 && i < this.data.length ? this.data[i] : 0;
  }
}

const fmt = (h: number) => `${Math.round(h * 100) / 100}`;

export async function importRecords(
  db: Db,
  presets: ReadonlyMap<string, PolicyPreset>,
  source: RowSource,
  options: RecordImportOptions = {},
  clock: Clock = systemClock,
): Promise<ImportResult> {
  const today = dateIn(clock.now(), options.timeZone ?? 'Asia/Shanghai');
  const schema = recordRowSchema({ today });
  const fastCheck = recordRowFastCheck({ today });
  const sqlite = db.$client;

  return runImport(db, 'records', RECORD_COLUMNS, source, options, (ctx) => {
    const roster = new Map<string, RosterEntry>();
    const byPreset = new Map<string, Map<string, string | null>>();
    for (const t of sqlite.prepare('SELECT id, employee_no, policy_id FROM teachers').raw().iterate() as IterableIterator<
      [number, string, string]
    >) {
      const [id, employeeNo, policyId] = t;
      let cache = byPreset.get(policyId) ?? null;
      if (!cache && presets.has(policyId)) byPreset.set(policyId, (cache = new Map()));
      roster.set(employeeNo, { id, policyId, categories: cache });
    }
    const employeeNoOf = sqlite.prepare('SELECT employee_no FROM teachers WHERE id = ?').pluck();
    const maxId = Number(sqlite.prepare('SELECT coalesce(max(id), 0) FROM records').pluck().get());
    // Inside the transaction: a rollback brings the dropped indexes back as they were.
    const dropped = shouldRebuildIndexes(options.indexes, source.progress().totalBytes, maxId) ? dropSecondaryIndexes(sqlite) : [];
    // created_at bound once (real time, like the column default) instead of evaluated per row.
    const createdAt = Date.now();
    const insert = sqlite.prepare(
      `INSERT INTO records (record_key, teacher_id, date, hours, category, project, source, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'import', ${createdAt}) ON CONFLICT(record_key) DO NOTHING`,
    );
    const lookup = sqlite.prepare('SELECT id, teacher_id, date, hours, category, project FROM records WHERE record_key = ?');
    const rowOf = new RowIndex(maxId + 1);

    const categoryOf = (entry: RosterEntry, raw: string): string | null => {
      const cache = entry.categories!;
      let key = cache.get(raw);
      if (key === undefined) {
        key = normaliseCategory(presets.get(entry.policyId)!, raw);
        if (cache.size < 10_000) cache.set(raw, key); // a file of junk categories must not grow it unbounded
      }
      return key;
    };

    /** The full check of a row the fast path did not vouch for: every problem, or the checked row. */
    const check = (row: SourceRow): RowError[] | { r: RecordRowCells; entry: RosterEntry; category: string } => {
      const parsed = parseRow(schema, row);
      const errors: RowError[] = parsed.ok ? [] : parsed.errors;
      // Roster and category rules need the teacher; check them even when another cell is bad.
      const no = row.values['工号'];
      const rawCategory = row.values['类别'];
      const entry = no ? roster.get(no) : undefined;
      let category: string | null = null;
      if (no && !entry) {
        errors.push({ row: row.rowNumber, column: '工号', reason: REASONS.notInRoster(no) });
      } else if (entry && !entry.categories) {
        errors.push({ row: row.rowNumber, column: '工号', reason: REASONS.policyMissing(no, entry.policyId) });
      } else if (entry && rawCategory) {
        category = categoryOf(entry, rawCategory);
        if (category === null) {
          const preset = presets.get(entry.policyId)!;
          errors.push({
            row: row.rowNumber,
            column: '类别',
            reason: REASONS.unknownCategory(rawCategory, preset.id, preset.categories.map((c) => c.key)),
          });
        }
      }
      if (errors.length > 0 || !parsed.ok || !entry || category === null) {
        errors.sort((a, b) => columnOrder(a.column) - columnOrder(b.column));
        return errors;
      }
      return { r: parsed.value, entry, category };
    };

    const row = (row: SourceRow): RowError[] | null => {
      let r: RecordRowCells;
      let entry: RosterEntry | undefined;
      let category: string | null;
      // Fast path: cells, roster and category all fine (the common case at millions of rows).
      if (
        fastCheck(row) &&
        (entry = roster.get(row.values['工号'])) !== undefined &&
        entry.categories !== null &&
        (category = categoryOf(entry, row.values['类别'])) !== null
      ) {
        r = row.values;
      } else {
        const checked = check(row);
        if (Array.isArray(checked)) return checked;
        ({ r, entry, category } = checked);
      }

      const hours = hoursValue(r.学时);
      const info = insert.run(r.编号, entry.id, r.日期, hours, category, r.项目);
      if (info.changes === 1) {
        rowOf.set(Number(info.lastInsertRowid), row.rowNumber);
        ctx.result.added++;
        return null;
      }
      const stored = lookup.get(r.编号) as StoredRecord;
      if (
        stored.teacher_id === entry.id &&
        stored.date === r.日期 &&
        Math.abs(stored.hours - hours) < 1e-9 &&
        stored.category === category &&
        stored.project === r.项目
      ) {
        ctx.result.unchanged++;
        return null;
      }
      if (stored.id > maxId) {
        return [{ row: row.rowNumber, column: '编号', reason: REASONS.duplicateInFile('编号', r.编号, rowOf.get(stored.id)) }];
      }
      const who = employeeNoOf.get(stored.teacher_id) as string | undefined;
      const existing = `工号 ${who ?? '?'}，${stored.date}，${fmt(stored.hours)} 学时，${stored.category}${stored.project ? `，${stored.project}` : ''}`;
      return [{ row: row.rowNumber, column: '编号', reason: REASONS.conflictInDb(r.编号, existing) }];
    };
    return { row, beforeCommit: () => dropped.forEach((sql) => sqlite.exec(sql)) };
  });
}

/**
 * Drops the non-unique indexes of `records` (the unique 编号 index stays: ON CONFLICT needs it) and
 * returns their CREATE statements, exactly as the migrations wrote them, to rebuild them with.
 */
function dropSecondaryIndexes(sqlite: Db['$client']): string[] {
  const list = sqlite.prepare('SELECT name, "unique", origin FROM pragma_index_list(\'records\')').all() as {
    name: string;
    unique: number;
    origin: string;
  }[];
  const sqlOf = sqlite.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").pluck();
  const statements: string[] = [];
  for (const index of list) {
    if (index.unique || index.origin !== 'c') continue;
    const sql = sqlOf.get(index.name) as string | null;
    if (!sql) continue;
    sqlite.exec(`DROP INDEX "${index.name.replace(/"/g, '""')}"`);
    statements.push(sql);
  }
  return statements;
}

const ORDER: Record<string, number> = { 工号: 0, 日期: 1, 学时: 2, 类别: 3, 项目: 4, 编号: 5 };
const columnOrder = (c: string | null) => (c === null ? 99 : (ORDER[c] ?? 50));
