import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { seedDemo } from '../../src/cli/demo-data.js';
import { DataKindError, dataKind } from '../../src/meta/data-kind.js';
import { FixedClock } from '../../src/clock.js';
import { clock, count, records, seedRoster } from '../fixtures/import/helpers.js';
import { statement } from '../../db/statements.js';
import { closeTestDb, onPostgres, openTestDb, testDb } from '../helpers/db.js';

let db: Db;
beforeEach(async () => {
  db = await openTestDb();
  await seedRoster(db);
});
afterEach(() => closeTestDb(db));

const stored = (key: string) =>
  statement(db, 'SELECT r.date, r.hours, r.category, r.project, t.employee_no AS no FROM records r JOIN teachers t ON t.id = r.teacher_id WHERE record_key = ?').get(key);

describe('importRecords', () => {
  it('imports good rows, normalising category aliases through the teacher’s preset', async () => {
    const r = await records(db, [
      ['T001', '2026-03-01', '8', '集中培训', '新课标解读', 'R1'],
      ['T001', '2026-04-10', '1.5', '师德', '师德专题', 'R2'],
      ['T002', '2026-05-01', '12', '远程培训', '', 'R3'],
    ]);
    expect(r).toMatchObject({ rows: 3, added: 3, unchanged: 0, invalid: 0, committed: true, rejected: false });
    expect(await stored('R2')).toEqual({ date: '2026-04-10', hours: 1.5, category: '师德师风', project: '师德专题', no: 'T001' });
    expect(await stored('R3')).toMatchObject({ category: '网络研修', no: 'T002' });
  });

  it('reads the text dates offices write (2026/3/5, 2026年3月5日, 2026.3.5) and stores them as 2026-03-05; re-importing changes nothing', async () => {
    const rows = [
      ['T001', '2026/3/5', '8', '集中培训', '', 'D1'],
      ['T001', '2026年3月5日', '2', '集中培训', '', 'D2'],
      ['T002', '2026.3.5', '3', '远程培训', '', 'D3'],
      ['T002', '２０２６／３／５', '3', '远程培训', '', 'D4'],
    ];
    const r = await records(db, rows);
    expect(r).toMatchObject({ rows: 4, added: 4, invalid: 0, committed: true });
    for (const key of ['D1', 'D2', 'D3', 'D4']) expect(await stored(key)).toMatchObject({ date: '2026-03-05' });
    expect(await records(db, rows)).toMatchObject({ added: 0, unchanged: 4 });
  });

  it('re-importing the same rows changes nothing and reports them as unchanged', async () => {
    const rows = [
      ['T001', '2026-03-01', '8', '集中培训', '新课标解读', 'R1'],
      ['T001', '2026-04-10', '1.5', '师德', '', 'R2'],
    ];
    await records(db, rows);
    const before = await count(db, 'records');
    const again = await records(db, rows);
    expect(again).toMatchObject({ added: 0, unchanged: 2, invalid: 0, committed: true });
    expect(await count(db, 'records')).toBe(before);
  });

  it('the same 编号 twice in a file: same content is a skipped repeat, different content is an error naming the first row', async () => {
    const r = await records(
      db,
      [
        ['T001', '2026-03-01', '8', '集中培训', 'A', 'R1'],
        ['T001', '2026-03-01', '8', '集中', 'A', 'R1'], // alias of the same category: same content
        ['T001', '2026-03-01', '9', '集中培训', 'A', 'R1'],
      ],
      { skipInvalid: true },
    );
    expect(r).toMatchObject({ added: 1, unchanged: 0, skipped: 1, invalid: 1 });
    expect(r.errors).toEqual([{ row: 4, column: '编号', reason: '编号「R1」与第 2 行重复，但内容不同' }]);
    expect(await stored('R1')).toMatchObject({ hours: 8 });
  });

  it('the same 编号 as a stored record with different content is an error, never an overwrite', async () => {
    await records(db, [['T001', '2026-03-01', '8', '集中培训', 'A', 'R1']]);
    const r = await records(db, [['T002', '2026-03-01', '8', '集中培训', 'A', 'R1']]);
    expect(r).toMatchObject({ rejected: true, committed: false, invalid: 1 });
    expect(r.errors[0]).toEqual({
      row: 2,
      column: '编号',
      reason: '编号「R1」已导入过，但内容不同（已有：工号 T001，2026-03-01，8 学时，集中培训，A）。不会覆盖；如需更正请先撤销原记录或换用新编号',
    });
    expect(await stored('R1')).toMatchObject({ no: 'T001' });
  });

  it('reports unknown 工号 and unknown category with the exact reasons', async () => {
    const r = await records(db, [
      ['T404', '2026-03-01', '8', '集中培训', '', 'R1'],
      ['T001', '2026-03-01', '8', '神秘培训', '', 'R2'],
    ]);
    expect(r.errors).toEqual([
      { row: 2, column: '工号', reason: '名册中没有工号「T404」，请先导入名册' },
      {
        row: 3,
        column: '类别',
        reason: '「神秘培训」不是政策 laibin 认可的类别，可用：师德师风、校本研修、集中培训、网络研修、跟岗实践、班主任培训、校长培训、新教师培训',
      },
    ]);
  });

  it('a bad file writes nothing and every bad row is reported, in file order', async () => {
    const before = { records: await count(db, 'records'), audit: await count(db, 'audit_log') };
    const seen: string[] = [];
    const r = await records(
      db,
      [
        ['T001', '2026-03-01', '8', '集中培训', '', 'R1'],
        ['T404', '2026-02-30', 'abc', '集中培训', '', 'R2'],
        ['T001', '2026-04-01', '-2', '神秘', '', 'R3'],
        ['T001', '2026-04-02', '3', '网络研修', '', ''],
      ],
      { onError: (e) => seen.push(`${e.row}:${e.column}`) },
    );
    expect(r).toMatchObject({ rows: 4, added: 1, invalid: 3, rejected: true, committed: false });
    expect(seen).toEqual(['3:工号', '3:日期', '3:学时', '4:学时', '4:类别', '5:编号']);
    expect(r.errorCount).toBe(6);
    expect(await count(db, 'records')).toBe(before.records);
    expect(await count(db, 'audit_log')).toBe(before.audit);
  });

  it('--skip-invalid imports the good rows only and audits the import', async () => {
    const r = await records(
      db,
      [
        ['T001', '2026-03-01', '8', '集中培训', '', 'R1'],
        ['T001', '2026-02-30', '8', '集中培训', '', 'R2'],
        ['T002', '2026-03-02', '4', '网络研修', '', 'R3'],
      ],
      { skipInvalid: true },
    );
    expect(r).toMatchObject({ added: 2, invalid: 1, committed: true, rejected: false });
    expect(await stored('R2')).toBeUndefined();
    const audit = await statement(db, {
      sqlite: "SELECT actor, action, detail FROM audit_log WHERE action = 'import_records'",
      postgres: "SELECT actor, action, detail::text AS detail FROM audit_log WHERE action = 'import_records'",
    }).get() as {
      actor: string;
      detail: string;
    };
    expect(audit.actor).toBe('cli');
    expect(JSON.parse(audit.detail)).toMatchObject({ file: 'records.csv', rows: 3, added: 2, invalid: 1, skipInvalid: true });
  });

  it('--dry-run counts but writes nothing', async () => {
    const before = await count(db, 'records');
    const r = await records(db, [['T001', '2026-03-01', '8', '集中培训', '', 'R1']], { dryRun: true });
    expect(r).toMatchObject({ added: 1, committed: false, dryRun: true, rejected: false });
    expect(await count(db, 'records')).toBe(before);
  });

  it('dates after today (in the clock’s time zone) are refused', async () => {
    const r = await records(db, [['T001', '2026-11-26', '8', '集中培训', '', 'R1']]);
    expect(r.errors[0]).toEqual({ row: 2, column: '日期', reason: '晚于今天（2026-11-25），不能登记未来的学时' });
  });

  it('marks the database as real; the demo database refuses real imports', async () => {
    await records(db, [['T001', '2026-03-01', '8', '集中培训', '', 'R1']]);
    expect(await dataKind(db)).toBe('real');

    const demo = await testDb();
    await seedDemo(demo, new FixedClock('2026-11-25T10:00:00+08:00'));
    const before = await count(demo, 'records');
    await expect(records(demo, [['DEMO001', '2026-03-01', '8', '集中培训', '', 'R1']])).rejects.toThrow(DataKindError);
    await expect(records(demo, [['DEMO001', '2026-03-01', '8', '集中培训', '', 'R1']])).rejects.toThrow(/演示数据库/);
    expect(await count(demo, 'records')).toBe(before);
  });

  // SQLite's foreign keys are a per-connection switch the bulk path turns off and on; PostgreSQL's are always on.
  it.skipIf(onPostgres())('leaves foreign keys on for the connection afterwards', async () => {
    await records(db, [['T001', '2026-03-01', '8', '集中培训', '', 'R1']]);
    expect(await statement(db, 'PRAGMA foreign_keys').pluck().get()).toBe(1);
  });

  it('accepts any RowSource (plain async iterable, no batches())', async () => {
    const { importRecords } = await import('../../src/import/records.js');
    const { rowsSource } = await import('../../src/import/table-source.js');
    const { presets, RECORD_HEADER } = await import('../fixtures/import/helpers.js');
    const inner = rowsSource('plain.csv', [RECORD_HEADER, ['T001', '2026-03-01', '8', '集中培训', '', 'P1'], ['T001', 'x', '8', '集中培训', '', 'P2']]);
    const plain = {
      name: inner.name,
      header: () => inner.header(),
      progress: () => inner.progress(),
      close: () => inner.close(),
      [Symbol.asyncIterator]: () => inner[Symbol.asyncIterator](),
    };
    const r = await importRecords(db, presets, plain, { skipInvalid: true }, clock());
    expect(r).toMatchObject({ file: 'plain.csv', rows: 2, added: 1, invalid: 1 });
    expect(r.errors).toEqual([{ row: 3, column: '日期', reason: '应为日期，例如 2026-03-01、2026/3/1 或 2026年3月1日' }]);
  });

  it('uses the injected clock', async () => {
    const early = new FixedClock('2026-03-01T00:30:00+08:00');
    const { importRecords } = await import('../../src/import/records.js');
    const { rowsSource } = await import('../../src/import/table-source.js');
    const { presets, RECORD_HEADER } = await import('../fixtures/import/helpers.js');
    const r = await importRecords(
      db,
      presets,
      rowsSource('x.csv', [RECORD_HEADER, ['T001', '2026-03-02', '8', '集中培训', '', 'R9']]),
      { timeZone: 'Asia/Shanghai' },
      early,
    );
    expect(r.errors[0].reason).toBe('晚于今天（2026-03-01），不能登记未来的学时');
    expect(clock().now().toISOString()).toBe('2026-11-25T02:00:00.000Z');
  });
});
