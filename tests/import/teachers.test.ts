import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import { importTeachers } from '../../src/import/teachers.js';
import { rowsSource } from '../../src/import/table-source.js';
import { clock, count, presets, TEACHER_HEADER, teachers } from '../fixtures/import/helpers.js';
import { statement } from '../../db/statements.js';
import { closeTestDb, openTestDb, testDb } from '../helpers/db.js';

let db: Db;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDb(db));

const teacher = async (no: string) => {
  const { teachers } = tables(db);
  return (await db.select().from(teachers).where(eq(teachers.employeeNo, no)))[0];
};
const rolesOf = async (no: string) => {
  const { roles, teachers } = tables(db);
  return db
    .select({ role: roles.role, granted_by: roles.grantedBy })
    .from(roles)
    .innerJoin(teachers, eq(teachers.id, roles.teacherId))
    .where(eq(teachers.employeeNo, no))
    .orderBy(asc(roles.role));
};

const roster = [
  ['T001', '张三', '第一中学', '2015-09-01', '是', '否', '教师', 'laibin'],
  ['T002', '李四', '第一中学', '2020-09-01', '', '是', '', ''],
  ['T003', '王五', '第二小学', '2008-09-01', '是', '否', '副校长', 'otog'],
  ['T004', '赵六', '第二幼儿园', '2010-09-01', '否', '否', '园长', 'liuzhou'],
  ['T005', '钱七', '第二小学', '2011-09-01', '是', '否', '党支部书记', 'otog'],
];

describe('importTeachers', () => {
  it('adds teachers with defaults (职务 教师, 政策 DEFAULT_POLICY, 师范毕业 unknown)', async () => {
    const r = await teachers(db, roster);
    expect(r).toMatchObject({ rows: 5, added: 5, updated: 0, unchanged: 0, invalid: 0, committed: true });
    expect(await teacher('T002')).toMatchObject({ position: '教师', policyId: 'laibin', normalGraduate: null, homeroom: true, hireDate: '2020-09-01' });
    expect(await teacher('T001')).toMatchObject({ normalGraduate: true, homeroom: false });
  });

  it('reads a hire date written 2015/9/1 or 2015年9月1日 and stores 2015-09-01', async () => {
    const r = await teachers(db, [
      ['T101', '甲', '第一中学', '2015/9/1', '是', '否', '教师', 'laibin'],
      ['T102', '乙', '第一中学', '2015年9月1日', '是', '否', '教师', 'laibin'],
    ]);
    expect(r).toMatchObject({ added: 2, invalid: 0 });
    expect(await teacher('T101')).toMatchObject({ hireDate: '2015-09-01' });
    expect(await teacher('T102')).toMatchObject({ hireDate: '2015-09-01' });
  });

  it('gives school leaders (校长/园长/书记) the leader role', async () => {
    const r = await teachers(db, roster);
    expect(r.extra.leadersGranted).toBe(3);
    expect(await rolesOf('T003')).toEqual([{ role: 'leader', granted_by: 'roster' }]);
    expect(await rolesOf('T004')).toEqual([{ role: 'leader', granted_by: 'roster' }]);
    expect(await rolesOf('T005')).toEqual([{ role: 'leader', granted_by: 'roster' }]);
    expect(await rolesOf('T001')).toEqual([]);
  });

  it('upserts by 工号: re-import reports unchanged, a changed row updates, a demoted leader loses the roster role', async () => {
    await teachers(db, roster);
    const same = await teachers(db, roster);
    expect(same).toMatchObject({ added: 0, updated: 0, unchanged: 5 });

    const changed = roster.map((r) => [...r]);
    changed[0][2] = '第三中学';
    changed[2][6] = '教师';
    const r = await teachers(db, changed);
    expect(r).toMatchObject({ added: 0, updated: 2, unchanged: 3 });
    expect(r.extra.leadersRevoked).toBe(1);
    expect(await teacher('T001')).toMatchObject({ school: '第三中学' });
    expect((await teacher('T001'))!.updatedAt).toEqual(new Date('2026-11-25T10:00:00+08:00'));
    expect(await rolesOf('T003')).toEqual([]);
    expect(await count(db, 'teachers')).toBe(5);
  });

  it('keeps a leader role granted by hand when the roster says 教师', async () => {
    await teachers(db, [roster[0]]);
    const { id } = (await teacher('T001'))!;
    await statement(db, "INSERT INTO roles (teacher_id, role, granted_by) VALUES (?, 'leader', 'cli')").run(id);
    await teachers(db, [roster[0]]);
    expect(await rolesOf('T001')).toEqual([{ role: 'leader', granted_by: 'cli' }]);
  });

  it('the same 工号 twice with different content is an error; a bad file writes nothing', async () => {
    const r = await teachers(db, [roster[0], ['T001', '张三', '第二中学', '2015-09-01', '是', '否', '教师', 'laibin'], roster[1]]);
    expect(r).toMatchObject({ rejected: true, committed: false, invalid: 1 });
    expect(r.errors).toEqual([{ row: 3, column: '工号', reason: '工号「T001」与第 2 行重复，但内容不同' }]);
    expect(await count(db, 'teachers')).toBe(0);
    expect(await count(db, 'roles')).toBe(0);
    expect(await count(db, 'meta')).toBe(0);
  });

  it('reports every bad cell and imports only good rows with skipInvalid', async () => {
    const r = await teachers(
      db,
      [roster[0], ['T009', '', '一中', '2026-02-30', '嗯', '', '教师', 'mars'], roster[1]],
      { skipInvalid: true },
    );
    expect(r).toMatchObject({ added: 2, invalid: 1, committed: true });
    expect(r.errors.map((e) => `${e.row}${e.column}:${e.reason}`)).toEqual([
      '3姓名:不能为空',
      '3入职日期:「2026-02-30」不是有效的日期（没有这一天）',
      '3师范毕业:应填写“是”或“否”（不清楚可留空）',
      '3班主任:不能为空',
      '3政策:没有政策「mars」，可选：侯马市、来宾市、柳州市、全国（国培计划）、鄂托克旗，或 houma、laibin、liuzhou、national、otog',
    ]);
    expect(await teacher('T009')).toBeUndefined();
  });
});

describe('政策 by region name', () => {
  it('takes the preset id (any case) or the region name as officers write it, from the presets data', async () => {
    const db = await testDb();
    const rows = [
      ['R1', '甲', '一中', '2015-09-01', '是', '否', '教师', '柳州'],
      ['R2', '乙', '一中', '2015-09-01', '是', '否', '教师', '柳州市'],
      ['R3', '丙', '一中', '2015-09-01', '是', '否', '教师', '来宾'],
      ['R4', '丁', '一中', '2015-09-01', '是', '否', '教师', ' 来宾市 '],
      ['R5', '戊', '一中', '2015-09-01', '是', '否', '教师', 'LiuZhou'],
      ['R6', '己', '一中', '2015-09-01', '是', '否', '教师', '鄂托克旗'],
      ['R7', '庚', '一中', '2015-09-01', '是', '否', '教师', '北京'],
    ];
    const r = await importTeachers(db, presets, rowsSource('t.csv', [TEACHER_HEADER, ...rows]), { defaultPolicy: 'laibin', skipInvalid: true }, clock());
    expect(r).toMatchObject({ added: 6, invalid: 1 });
    expect(r.errors.map((e) => e.reason)).toEqual([expect.stringMatching(/^没有政策「北京」，可选：.*柳州市/)]);
    expect(await statement(db, 'SELECT employee_no, policy_id FROM teachers ORDER BY employee_no').raw().all()).toEqual([
      ['R1', 'liuzhou'],
      ['R2', 'liuzhou'],
      ['R3', 'laibin'],
      ['R4', 'laibin'],
      ['R5', 'liuzhou'],
      ['R6', 'otog'],
    ]);
  });

  it('every preset names its region (name plus regionNames), so the rule is data', () => {
    for (const p of presets.values()) expect(p.regionNames.length).toBeGreaterThan(0);
    expect(presets.get('liuzhou')!.regionNames).toContain('柳州');
  });
});
