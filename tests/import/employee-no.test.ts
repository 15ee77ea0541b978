/**
 * 工号 typed any way (case, spaces, full-width, pasted invisible characters) finds the same teacher
 * everywhere: roster import, record import, 绑定 and the CLI's hours, through one normalising function.
 */
import { Writable } from 'node:stream';
import { describe, expect, it, onTestFinished } from 'vitest';
import { hoursCommand } from '../../src/cli/hours.js';
import { attemptBind } from '../../src/ledger/binding.js';
import { normaliseEmployeeNo } from '../../src/ledger/employee-no.js';
import { findTeacherByEmployeeNo } from '../../src/ledger/store.js';
import { count, records, teachers } from '../fixtures/import/helpers.js';
import { statement } from '../../db/statements.js';
import { closeConnection, testDatabase, testDb } from '../helpers/db.js';

describe('normaliseEmployeeNo', () => {
  it.each([
    ['T001', 'T001'],
    ['t001', 'T001'],
    [' T 001 ', 'T001'],
    ['Ｔ００１', 'T001'],
    ['ｔ００１\u3000', 'T001'],
    ['T\u200B001', 'T001'],
    ['2019-０３', '2019-03'],
  ])('%j → %j', (raw, want) => expect(normaliseEmployeeNo(raw)).toBe(want));
});

const row = (no: string, name = '张三') => [no, name, '一中', '2015-09-01', '是', '否', '教师', 'laibin'];

describe('imports and look-ups', () => {
  it('a roster stores 工号 normalised; the same teacher typed differently is one teacher', async () => {
    const db = await testDb();
    expect(await teachers(db, [row('ｔ００１')])).toMatchObject({ added: 1, committed: true });
    expect(await statement(db, 'SELECT employee_no FROM teachers').pluck().all()).toEqual(['T001']);
    // Re-imported as officers usually type it: unchanged, not a second teacher.
    expect(await teachers(db, [row('T001')])).toMatchObject({ added: 0, unchanged: 1 });
    // Twice in one file, written two ways: one teacher, the repeat is not a new row.
    const twice = await teachers(db, [row('t002', '李四'), row(' T002', '李四')]);
    expect(twice).toMatchObject({ added: 1, invalid: 0 });
    expect(await count(db, 'teachers')).toBe(2);
    // Records find the teacher whatever the case, spaces or width.
    const r = await records(db, [
      ['t001', '2026-03-01', '2', '集中培训', '', 'N1'],
      ['Ｔ００１', '2026-03-02', '2', '集中培训', '', 'N2'],
      [' T 002 ', '2026-03-03', '2', '集中培训', '', 'N3'],
    ]);
    expect(r).toMatchObject({ added: 3, invalid: 0 });
  });

  it('a row stored before normalising (`t009`) is found, and the next roster import normalises it', async () => {
    const db = await testDb();
    await statement(db, `INSERT INTO teachers (employee_no, name, school, hire_date, homeroom, position, policy_id) VALUES ('t009', '王五', '一中', '2015-09-01', ?, '教师', 'laibin')`).run(
      false,
    );
    expect((await findTeacherByEmployeeNo(db, 'T009'))?.name).toBe('王五');
    expect((await findTeacherByEmployeeNo(db, 'ｔ００９'))?.name).toBe('王五');
    expect(await records(db, [['T009', '2026-03-01', '2', '集中培训', '', 'L1']])).toMatchObject({ added: 1 });
    expect(await teachers(db, [row('T009', '王五')])).toMatchObject({ added: 0, updated: 1 });
    expect(await statement(db, 'SELECT employee_no FROM teachers').pluck().all()).toEqual(['T009']);
  });

  it('绑定 matches the 工号 however it is typed', async () => {
    const db = await testDb();
    await teachers(db, [row('T001')]);
    const outcome = await attemptBind(db, { platform: 'feishu', accountId: 'ou_1', chatId: 'oc_1', employeeNo: 'ｔ ００１', name: '张三', now: new Date('2026-11-25T02:00:00Z') });
    expect(outcome).toMatchObject({ kind: 'bound', teacher: { employeeNo: 'T001' } });
  });

  it('CLI hours finds the teacher from a lower-case, full-width 工号', async () => {
    const place = await testDatabase();
    onTestFinished(() => place.drop());
    const db = await place.open();
    await teachers(db, [row('T001')]);
    await closeConnection(db);
    let out = '';
    const sink = () => new Writable({ write: (c, _e, cb) => ((out += c), cb()) });
    const code = await hoursCommand(['ｔ００１', '--json'], {
      env: { ...place.env, XUESHI_NOW: '2026-11-25T10:00:00+08:00', LOG_LEVEL: 'silent', DEFAULT_POLICY: 'laibin' },
      stdout: sink(),
      stderr: sink(),
    });
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ required: 360 });
  });
});
