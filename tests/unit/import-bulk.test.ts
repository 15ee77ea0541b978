/**
 * The records import's bulk paths: secondary indexes dropped and rebuilt inside the transaction for big
 * files (present again on every path: commit, rejected file, dry run, a failure mid-file), and the plain-code
 * fast check, which must never accept a row the zod schema would refuse.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { importRecords, REBUILD_MIN_ROWS, shouldRebuildIndexes, type RecordImportOptions } from '../../src/import/records.js';
import { parseRow, recordRowFastCheck, recordRowSchema } from '../../src/import/rules.js';
import { rowsSource } from '../../src/import/sources.js';
import type { RowSource, SourceRow } from '../../src/import/types.js';
import { clock, count, memoryDb, presets, RECORD_HEADER, seedRoster } from '../fixtures/import/helpers.js';

let db: Db;
beforeEach(async () => {
  db = memoryDb();
  await seedRoster(db);
});
afterEach(() => db.$client.close());

const indexes = () =>
  db.$client.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' ORDER BY name").all();

const run = (rows: string[][], options: RecordImportOptions = {}, source?: RowSource) =>
  importRecords(db, presets, source ?? rowsSource('records.csv', [RECORD_HEADER, ...rows]), { timeZone: 'Asia/Shanghai', indexes: 'rebuild', ...options }, clock());

const good = [
  ['T001', '2026-03-01', '8', '集中培训', 'A', 'R1'],
  ['T002', '2026-03-02', '4', '网络研修', '', 'R2'],
];

describe('records import: secondary indexes rebuilt in the transaction', () => {
  it('after a committed import the indexes are back, exactly as the migrations made them, and used', async () => {
    const before = indexes();
    expect(before.map((i) => (i as { name: string }).name)).toContain('records_teacher_date');
    const r = await run(good);
    expect(r).toMatchObject({ added: 2, committed: true });
    expect(indexes()).toEqual(before);
    const plan = db.$client.prepare('EXPLAIN QUERY PLAN SELECT date FROM records WHERE teacher_id = 1').all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/records_teacher_date/);
    expect(db.$client.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('a rejected file, a dry run and a failure half-way all leave the indexes in place', async () => {
    const before = indexes();
    const rejected = await run([...good, ['T404', '2026-03-01', '8', '集中培训', '', 'R3']]);
    expect(rejected).toMatchObject({ rejected: true, committed: false });
    expect(indexes()).toEqual(before);

    const dry = await run(good, { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, committed: false });
    expect(indexes()).toEqual(before);

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
    expect(indexes()).toEqual(before);
    expect(count(db, 'records')).toBe(0);
    expect(db.$client.inTransaction).toBe(false);
  });

  it('re-importing with the rebuild path is still idempotent and still reports a changed 编号', async () => {
    await run(good);
    const again = await run(good);
    expect(again).toMatchObject({ added: 0, unchanged: 2, committed: true });
    const changed = await run([['T001', '2026-03-01', '9', '集中培训', 'A', 'R1']]);
    expect(changed).toMatchObject({ rejected: true, invalid: 1 });
    expect(changed.errors[0].column).toBe('编号');
    expect(count(db, 'records')).toBe(2);
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
