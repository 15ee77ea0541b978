/**
 * The records import's bulk paths: secondary indexes dropped and rebuilt inside the transaction for big
 * files (present again on every path: commit, rejected file, dry run, a failure mid-file), and the plain-code
 * fast check, which must never accept a row the zod schema would refuse.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { statement } from '../../db/statements.js';
import { importRecords, REBUILD_MIN_ROWS, shouldRebuildIndexes, type RecordImportOptions } from '../../src/import/records.js';
import { parseRow, recordRowFastCheck, recordRowSchema } from '../../src/import/rules.js';
import { rowsSource } from '../../src/import/table-source.js';
import type { RowSource, SourceRow } from '../../src/import/types.js';
import { clock, count, presets, RECORD_HEADER, seedRoster } from '../fixtures/import/helpers.js';
import { closeTestDb, onPostgres, openTestDb, testDb, transactionOpen } from '../helpers/db.js';

let db: Db;
beforeEach(async () => {
  db = await openTestDb();
  await seedRoster(db);
});
afterEach(() => closeTestDb(db));

const indexes = () =>
  statement(db, {
    sqlite: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' ORDER BY name",
    postgres: "SELECT indexname AS name, indexdef AS sql FROM pg_indexes WHERE tablename = 'records' ORDER BY indexname",
  }).all();

const run = (rows: string[][], options: RecordImportOptions = {}, source?: RowSource) =>
  importRecords(db, presets, source ?? rowsSource('records.csv', [RECORD_HEADER, ...rows]), { timeZone: 'Asia/Shanghai', indexes: 'rebuild', ...options }, clock());

const good = [
  ['T001', '2026-03-01', '8', '集中培训', 'A', 'R1'],
  ['T002', '2026-03-02', '4', '网络研修', '', 'R2'],
];

describe('records import: secondary indexes rebuilt in the transaction', () => {
  it('after a committed import the indexes are back, exactly as the migrations made them, and used', async () => {
    const before = await indexes();
    expect(before.map((i) => (i as { name: string }).name)).toContain('records_teacher_date');
    const r = await run(good);
    expect(r).toMatchObject({ added: 2, committed: true });
    expect(await indexes()).toEqual(before);
    // SQLite's planner and integrity check; PostgreSQL plans a two-row table with a sequential scan whatever its indexes.
    if (!onPostgres()) {
      const plan = (await statement(db, 'EXPLAIN QUERY PLAN SELECT date FROM records WHERE teacher_id = 1').all()) as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/records_teacher_date/);
      expect(await statement(db, 'PRAGMA integrity_check').pluck().get()).toBe('ok');
    }
  });

  it('a rejected file, a dry run and a failure half-way all leave the indexes in place', async () => {
    const before = await indexes();
    const rejected = await run([...good, ['T404', '2026-03-01', '8', '集中培训', '', 'R3']]);
    expect(rejected).toMatchObject({ rejected: true, committed: false });
    expect(await indexes()).toEqual(before);

    const dry = await run(good, { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, committed: false });
    expect(await indexes()).toEqual(before);

    const inner = rowsSource('broken.csv', [RECORD_HEADER, ...good]);
    const broken: RowSource = {
      name: inner.name,
      header: () => inner.header(),
      progress: () => inner.progress(),
      close: () => inner.close(),
      async *[Symbol.asyncIterator]() {
        for await (const row of inner) {
          yield row;
          throw new Error('disk went away');
        }
      },
    };
    await expect(run([], {}, broken)).rejects.toThrow('disk went away');
    expect(await indexes()).toEqual(before);
    expect(await count(db, 'records')).toBe(0);
    expect(transactionOpen(db)).toBe(false);
  });

  it('re-importing with the rebuild path is still idempotent and still reports a changed 编号', async () => {
    await run(good);
    const again = await run(good);
    expect(again).toMatchObject({ added: 0, unchanged: 2, committed: true });
    const changed = await run([['T001', '2026-03-01', '9', '集中培训', 'A', 'R1']]);
    expect(changed).toMatchObject({ rejected: true, invalid: 1 });
    expect(changed.errors[0].column).toBe('编号');
    expect(await count(db, 'records')).toBe(2);
  });

  it("'auto' rebuilds only for a big file next to the table", () => {
    const bytes = (rows: number) => rows * 48;
    expect(shouldRebuildIndexes('auto', bytes(1000), 0)).toBe(false);
    expect(shouldRebuildIndexes('auto', bytes(REBUILD_MIN_ROWS), 0)).toBe(true);
    expect(shouldRebuildIndexes('auto', bytes(4_000_000), 4_000_000)).toBe(true);
    expect(shouldRebuildIndexes('auto', bytes(200_000), 4_000_000)).toBe(false);
    expect(shouldRebuildIndexes(undefined, null, 0)).toBe(false);
    expect(shouldRebuildIndexes('keep', bytes(4_000_000), 0)).toBe(false);
    expect(shouldRebuildIndexes('rebuild', 10, 1e9)).toBe(true);
  });
});

describe('records import: rows inserted 64 at a time decide exactly like one at a time', () => {
  /** The same rows through a plain async iterable (no batches(): the one-row-at-a-time path). */
  const oneByOne = (rows: string[][]): RowSource => {
    const inner = rowsSource('records.csv', [RECORD_HEADER, ...rows]);
    return {
      name: inner.name,
      header: () => inner.header(),
      progress: () => inner.progress(),
      close: () => inner.close(),
      [Symbol.asyncIterator]: () => inner[Symbol.asyncIterator](),
    };
  };
  // PostgreSQL's sequence is used up by a conflicting row too, so there ids depend on how rows were batched: compare the rest.
  const table = (d: Db) =>
    statement(d, {
      sqlite: 'SELECT id, record_key, teacher_id, date, hours, category, project FROM records ORDER BY id',
      postgres: 'SELECT record_key, teacher_id, date, hours, category, project FROM records ORDER BY record_key',
    }).all();

  it('fresh keys, a key twice in a chunk, across chunks, stored keys (same and changed) and bad rows in between', async () => {
    const stored = [
      ['T001', '2026-01-05', '2', '集中培训', 'old', 'S1'],
      ['T002', '2026-01-06', '3', '网络研修', 'old', 'S2'],
    ];
    const file: string[][] = [];
    for (let i = 0; i < 300; i++) {
      const no = ['T001', 'T002', 'T003'][i % 3];
      file.push([no, '2026-02-01', String(1 + (i % 5)), '集中培训', `p${i}`, `K${i}`]);
      if (i === 10) file.push([no, '2026-02-01', String(1 + (i % 5)), '集中培训', `p${i}`, `K${i}`]); // same row again: skipped (a repeat)
      if (i === 20) file.push([no, '2026-02-01', '9', '集中培训', 'other', 'K5']); // changed duplicate, same chunk
      if (i === 150) file.push(['T001', '2026-02-01', '9', '集中培训', 'other', 'K3']); // changed duplicate, earlier chunk
      if (i === 40) file.push(['T001', '2026-01-05', '2', '集中培训', 'old', 'S1']); // stored, unchanged
      if (i === 41) file.push(['T001', '2026-01-05', '7', '集中培训', 'old', 'S2']); // stored, changed
      if (i === 70) file.push(['T404', '2026-02-01', '1', '集中培训', '', 'K-bad']); // not in the roster
      if (i === 71) file.push(['T001', '2026-02-30', 'x', '集中培训', '', 'K-bad2']); // two bad cells
      if (i === 250) file.push(['T002', '2026-02-01', '1', '集中培训', '', 'K249']); // changed duplicate, previous row
    }
    const other = await testDb();
    await seedRoster(other);
    for (const d of [db, other]) {
      const seeded = await importRecords(d, presets, rowsSource('seed.csv', [RECORD_HEADER, ...stored]), { indexes: 'keep' }, clock());
      expect(seeded.committed).toBe(true);
    }
    const chunked = await run(file, { skipInvalid: true, indexes: 'auto' });
    const single = await importRecords(other, presets, oneByOne(file), { skipInvalid: true }, clock());
    expect(chunked).toMatchObject({ rows: file.length, added: 300, unchanged: 1, skipped: 1, invalid: 6 });
    expect({ ...chunked, elapsedMs: 0 }).toEqual({ ...single, elapsedMs: 0 });
    expect(chunked.errors.map((e) => `${e.row}:${e.column}`)).toEqual(['24:编号', '47:编号', '77:工号', '79:日期', '79:学时', '159:编号', '260:编号']);
    expect(await table(db)).toEqual(await table(other));
  });
});

describe('recordRowFastCheck never accepts what the schema refuses', () => {
  const today = '2026-11-25';
  const schema = recordRowSchema({ today });
  const fast = recordRowFastCheck({ today });
  const base = { 工号: 'T001', 日期: '2026-03-01', 学时: '8', 类别: '集中培训', 项目: '', 编号: 'R1' };
  const variants: Record<keyof typeof base, string[]> = {
    工号: ['', 'T', 'x'.repeat(32), 'x'.repeat(33), '😀'.repeat(16), '😀'.repeat(17), '工号'],
    日期: ['', '2026-02-29', '2024-02-29', '2026-11-25', '2026-11-26', '2026-13-01', '2026-00-10', '2026-1-01', '20260301', ' 2026-03-01', '9999-12-31', '0000-01-01'],
    学时: ['', '0', '0.0', '-1', '+1', '1.', '.5', '1.25', '1.250', '1.251', '1000', '1000.00', '1000.01', '1e2', 'abc', '١', '0x10', ' 1'],
    类别: ['', 'x'.repeat(50), 'x'.repeat(51), '😀'.repeat(26)],
    项目: ['x'.repeat(200), 'x'.repeat(201), '😀'.repeat(100), '😀'.repeat(101)],
    编号: ['', 'x'.repeat(64), 'x'.repeat(65), '😀'.repeat(33)],
  };
  const cases: SourceRow[] = [{ rowNumber: 2, values: { ...base }, extraCells: 0 }, { rowNumber: 2, values: { ...base }, extraCells: 1 }];
  for (const [column, values] of Object.entries(variants)) {
    for (const v of values) cases.push({ rowNumber: 2, values: { ...base, [column]: v }, extraCells: 0 });
  }

  it.each(cases.map((c) => [JSON.stringify(c.values) + (c.extraCells ? ' +1 cell' : ''), c]))('%s', (_label, row) => {
    const accepted = parseRow(schema, row as SourceRow).ok;
    if (fast(row as SourceRow)) expect(accepted).toBe(true);
    // The common shapes must take the fast path (or it saves nothing).
    if (row === cases[0]) expect(fast(row as SourceRow)).toBe(true);
  });
});
