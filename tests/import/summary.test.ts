/**
 * The import summary counts each row once — created / updated / unchanged / skipped (a repeat of an
 * earlier row) / refused — the counts add up to the rows read, and the words never contradict what
 * happened (a rejected file "would add", it did not add).
 */
import { describe, expect, it } from 'vitest';
import { countsLine } from '../../src/cli/import.js';
import type { ImportResult } from '../../src/import/types.js';
import { count, records, seedRoster, teachers } from '../fixtures/import/helpers.js';
import { testDb } from '../helpers/db.js';

const total = (r: ImportResult) => r.added + r.updated + r.unchanged + r.skipped + r.invalid;

/** One row of every kind, plus a blank line (not a row). */
const everyKind = [
  ['T001', '2026-03-01', '2', '集中培训', '', 'S-OLD'], // stored before, identical → unchanged
  ['T001', '2026-03-02', '2', '集中培训', '', 'S-NEW'], // new → created
  ['T002', '2026-03-03', '3', '集中培训', '', 'S-NEW2'], // new → created
  ['T001', '2026-03-02', '2', '集中培训', '', 'S-NEW'], // the same row again → skipped
  ['', '', '', '', '', ''], // blank: not a row
  ['T001', '2026-03-04', '9', '集中培训', '', 'S-OLD'], // stored 编号, other content → refused
  ['T001', '2026-02-30', '2', '集中培训', '', 'S-BAD'], // bad date → refused
  ['T404', '2026-03-05', '2', '集中培训', '', 'S-WHO'], // not in the roster → refused
];

describe('import summary', () => {
  it('records: each row counted once, totals add up, with --skip-invalid', async () => {
    const db = await testDb();
    await seedRoster(db);
    await records(db, [['T001', '2026-03-01', '2', '集中培训', '', 'S-OLD']]);
    const r = await records(db, everyKind, { skipInvalid: true });
    expect(r).toMatchObject({ rows: 7, added: 2, updated: 0, unchanged: 1, skipped: 1, invalid: 3, committed: true });
    expect(total(r)).toBe(r.rows);
    expect(await count(db, 'records')).toBe(3);
    expect(countsLine('records', r)).toBe('共 7 行，新增 2，未变 1，重复 1 行（与前面的行相同，只算一次），错误 3 行');
  });

  it('records: a rejected file says what it would add, never that it added', async () => {
    const db = await testDb();
    await seedRoster(db);
    await records(db, [['T001', '2026-03-01', '2', '集中培训', '', 'S-OLD']]);
    const r = await records(db, everyKind);
    expect(r).toMatchObject({ rows: 7, added: 2, unchanged: 1, skipped: 1, invalid: 3, committed: false, rejected: true });
    expect(total(r)).toBe(r.rows);
    expect(await count(db, 'records')).toBe(1);
    expect(countsLine('records', r)).toBe('共 7 行，可新增 2，未变 1，重复 1 行（与前面的行相同，只算一次），错误 3 行');
  });

  it('roster: created / updated / unchanged / skipped / refused add up', async () => {
    const db = await testDb();
    await seedRoster(db); // T001 laibin, T002 otog 班主任, T003 liuzhou
    const r = await teachers(
      db,
      [
        ['T001', '张三', '第一中学', '2015-09-01', '是', '否', '教师', 'laibin'], // unchanged
        ['T002', '李四', '第二中学', '2020-09-01', '否', '是', '教师', 'otog'], // moved school → updated
        ['T010', '新人', '第二中学', '2024-09-01', '是', '否', '教师', '来宾'], // created
        ['t010', '新人', '第二中学', '2024-09-01', '是', '否', '教师', 'laibin'], // the same teacher again → skipped
        ['T011', '', '第二中学', '2024-09-01', '是', '否', '教师', 'laibin'], // refused
      ],
      { skipInvalid: true },
    );
    expect(r).toMatchObject({ rows: 5, added: 1, updated: 1, unchanged: 1, skipped: 1, invalid: 1 });
    expect(total(r)).toBe(r.rows);
    expect(countsLine('teachers', r)).toBe('共 5 行，新增 1，更新 1，未变 1，重复 1 行（与前面的行相同，只算一次），错误 1 行');
  });
});
