/**
 * Credit-record import. 编号 is the record's own id: a re-import of the same file changes nothing,
 * while the same 编号 with different content (already in the database, or earlier in the same file)
 * is an error and is never overwritten. Built for millions of rows: one roster map loaded up front,
 * good rows checked by plain code (zod only for rows with a problem, for its reasons), a batch of rows written
 * at once by INSERT … ON CONFLICT DO NOTHING with a look-up only where something conflicted (store.ts), and on
 * SQLite, for a big file, the secondary indexes rebuilt once at the end of the transaction instead of updated
 * row by row.
 */
import type { Db } from '../../db/client.js';
import { dateIn } from '../time/zone.js';
import { systemClock, type Clock } from '../clock.js';
import { normaliseCategory, type PolicyPreset } from '../policy/schema.js';
import { normaliseEmployeeNo } from '../ledger/employee-no.js';
import { COLUMN, RECORD_COLUMNS } from './header.js';
import { hoursValue, parseRow, recordRowFastCheck, recordRowSchema, REASONS, type RecordRowCells } from './rules.js';
import { runImport } from './run.js';
import { dropRecordIndexes, maxRecordId, recordWriter, rosterKeys, type RecordRow, type StoredRecord } from './store.js';
import type { ImportOptions, ImportResult, RowError, RowSource, SourceRow } from './types.js';

export interface RecordImportOptions extends ImportOptions {
  /** Time zone of "today" for the not-in-the-future rule. Default Asia/Shanghai. */
  timeZone?: string;
  /**
   * The non-unique indexes of `records` (teacher_id, date …): 'auto' (default) drops them inside the
   * import's transaction and rebuilds them before COMMIT when the file is large next to the table, where
   * one sorted build is far cheaper than millions of scattered inserts; 'rebuild' always does, 'keep'
   * never. Either way they exist again after the import: a rollback (rejected file, dry run, crash)
   * undoes the drop. PostgreSQL always keeps them (dropping one locks the table for the whole import).
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
  /** The 工号 as stored (named in a conflict's message). */
  employeeNo: string;
  policyId: string;
  /** raw 类别 text → category key (null = not recognised), per preset, filled lazily. */
  categories: Map<string, string | null> | null;
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

  return runImport(db, 'records', RECORD_COLUMNS, source, options, async (ctx) => {
    const roster = new Map<string, RosterEntry>();
    const byId = new Map<number, RosterEntry>();
    const byPreset = new Map<string, Map<string, string | null>>();
    for (const [id, employeeNo, policyId] of await rosterKeys(ctx.db)) {
      let cache = byPreset.get(policyId) ?? null;
      if (!cache && presets.has(policyId)) byPreset.set(policyId, (cache = new Map()));
      const entry = { id, employeeNo, policyId, categories: cache };
      roster.set(normaliseEmployeeNo(employeeNo), entry);
      byId.set(id, entry);
    }
    const maxId = await maxRecordId(ctx.db);
    // Inside the transaction: a rollback brings the dropped indexes back as they were.
    const rebuildIndexes = shouldRebuildIndexes(options.indexes, source.progress().totalBytes, maxId) ? await dropRecordIndexes(ctx.db) : null;
    // created_at bound once (real time, like the column default) instead of evaluated per row.
    const writer = recordWriter(ctx.db, new Date());
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
      const no = row.values[COLUMN.employeeNo];
      const rawCategory = row.values[COLUMN.category];
      const entry = no ? roster.get(normaliseEmployeeNo(no)) : undefined;
      let category: string | null = null;
      if (no && !entry) {
        errors.push({ row: row.rowNumber, column: COLUMN.employeeNo, reason: REASONS.notInRoster(no) });
      } else if (entry && !entry.categories) {
        errors.push({ row: row.rowNumber, column: COLUMN.employeeNo, reason: REASONS.policyMissing(no, entry.policyId) });
      } else if (entry && rawCategory) {
        category = categoryOf(entry, rawCategory);
        if (category === null) {
          const preset = presets.get(entry.policyId)!;
          errors.push({
            row: row.rowNumber,
            column: COLUMN.category,
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

    /** A row that passed every check, waiting for its INSERT; `at` is its place in the batch. */
    interface Good extends RecordRow {
      at: number;
      row: SourceRow;
    }

    const good = (at: number, row: SourceRow, r: RecordRowCells, entry: RosterEntry, category: string, hours: number): Good => ({
      at,
      row,
      key: r.编号,
      teacherId: entry.id,
      date: r.日期,
      hours,
      category,
      project: r.项目,
    });

    const checkRow = (row: SourceRow, at: number): RowError[] | Good => {
      // Fast path: cells, roster and category all fine (the common case at millions of rows).
      let entry: RosterEntry | undefined;
      let category: string | null;
      if (
        fastCheck(row) &&
        (entry = roster.get(normaliseEmployeeNo(row.values[COLUMN.employeeNo]))) !== undefined &&
        entry.categories !== null &&
        (category = categoryOf(entry, row.values[COLUMN.category])) !== null
      ) {
        return good(at, row, row.values, entry, category, hoursValue(row.values[COLUMN.hours]));
      }
      const checked = check(row);
      if (Array.isArray(checked)) return checked;
      return good(at, row, checked.r, checked.entry, checked.category, hoursValue(checked.r.学时));
    };

    /** Was this record inserted by this import (by an earlier row of the file)? Its row number, else 0. */
    const insertedAt = (id: number) => (id > maxId ? rowOf.get(id) : 0);

    /** The 编号 is already there (stored earlier, or by an earlier row of this file): unchanged, or an error. */
    const against = (g: Good, stored: StoredRecord): RowError[] | null => {
      const earlierRow = insertedAt(stored.id);
      if (
        stored.teacher_id === g.teacherId &&
        stored.date === g.date &&
        Math.abs(stored.hours - g.hours) < 1e-9 &&
        stored.category === g.category &&
        stored.project === g.project
      ) {
        // Stored by an earlier row of this file: a repeat, taken once. Stored before: unchanged.
        if (earlierRow > 0) ctx.result.skipped++;
        else ctx.result.unchanged++;
        return null;
      }
      if (earlierRow > 0) {
        return [{ row: g.row.rowNumber, column: COLUMN.ref, reason: REASONS.duplicateInFile(COLUMN.ref, g.key, earlierRow) }];
      }
      const who = byId.get(stored.teacher_id)?.employeeNo;
      const existing = REASONS.storedRecord(who ?? '?', stored.date, fmt(stored.hours), stored.category, stored.project);
      return [{ row: g.row.rowNumber, column: COLUMN.ref, reason: REASONS.conflictInDb(g.key, existing) }];
    };

    const rows = async (batch: SourceRow[]): Promise<(RowError[] | null)[]> => {
      const out: (RowError[] | null)[] = new Array(batch.length).fill(null);
      const goods: Good[] = [];
      for (let i = 0; i < batch.length; i++) {
        const checked = checkRow(batch[i], i);
        if (Array.isArray(checked)) out[i] = checked;
        else goods.push(checked);
      }
      const fates = await writer.insert(goods);
      for (let i = 0; i < goods.length; i++) {
        const g = goods[i];
        const fate = fates[i];
        if (typeof fate === 'number') {
          rowOf.set(fate, g.row.rowNumber);
          ctx.result.added++;
        } else {
          out[g.at] = against(g, fate);
        }
      }
      return out;
    };
    return { rows, beforeCommit: () => rebuildIndexes?.() };
  });
}

const ORDER: Record<string, number> = { 工号: 0, 日期: 1, 学时: 2, 类别: 3, 项目: 4, 编号: 5 };
const columnOrder = (c: string | null) => (c === null ? 99 : (ORDER[c] ?? 50));
