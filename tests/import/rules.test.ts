import { describe, expect, it } from 'vitest';
import { MAX_HEADER_COLUMNS, RECORD_COLUMNS, TEACHER_COLUMNS, validateHeader } from '../../src/import/header.js';
import {
  formatRowError,
  hoursValue,
  parseRow,
  REASONS,
  recordRowSchema,
  teacherRowSchema,
  teacherValues,
} from '../../src/import/rules.js';
import type { SourceRow } from '../../src/import/types.js';

describe('header validation', () => {
  it('accepts the exact header and any column order', () => {
    expect(validateHeader([...TEACHER_COLUMNS], TEACHER_COLUMNS)).toEqual([]);
    expect(validateHeader(['编号', '项目', '类别', '学时', '日期', '工号'], RECORD_COLUMNS)).toEqual([]);
    expect(validateHeader(['\uFEFF工号', ' 日期 ', '学时', '类别', '项目', '编号'], RECORD_COLUMNS)).toEqual([]);
  });

  it('names every missing column', () => {
    const errors = validateHeader(['工号', '日期', '学时', '项目'], RECORD_COLUMNS);
    expect(errors).toEqual([
      { row: 1, column: '类别', reason: '缺少列「类别」' },
      { row: 1, column: '编号', reason: '缺少列「编号」' },
    ]);
  });

  it('rejects unknown extra columns and duplicates', () => {
    const errors = validateHeader([...RECORD_COLUMNS, '备注', '学时'], RECORD_COLUMNS);
    expect(errors.map((e) => e.reason)).toEqual([
      '列「学时」出现了 2 次',
      '多余的列「备注」（只允许这些列：工号,日期,学时,类别,项目,编号）',
    ]);
  });

  it('reports blank header cells and an empty file', () => {
    expect(validateHeader(['工号', '', '日期', '学时', '类别', '项目', '编号'], RECORD_COLUMNS)[0].reason).toMatch(/第 2 列表头为空/);
    expect(validateHeader(null, RECORD_COLUMNS)[0].reason).toMatch(/^文件是空的/);
  });

  it('says clearly when the header is garbled (wrong encoding) instead of listing missing columns', () => {
    const gbkAsUtf8 = Buffer.from('b9a4bac52cd0d5c3fb', 'hex').toString('utf8'); // 工号,姓名 in GBK, read as UTF-8
    const errors = validateHeader(gbkAsUtf8.split(','), TEACHER_COLUMNS);
    expect(errors).toHaveLength(1);
    expect(errors[0].reason).toMatch(/编码可能不对/);
    expect(errors[0].reason).not.toMatch(/不支持 GBK/);
    expect(errors[0].reason).toMatch(/UTF-8 或 GBK/);
  });

  it('refuses a header wider than the cap at once, naming the cap (a million columns in well under a second)', () => {
    const wide = new Array<string>(1_000_000).fill('列\uFFFD');
    const started = performance.now();
    const errors = validateHeader(wide, RECORD_COLUMNS);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(errors).toEqual([{ row: 1, column: null, reason: `表头有 1000000 列，超过上限 ${MAX_HEADER_COLUMNS} 列：请只保留这些列：「工号,日期,学时,类别,项目,编号」` }]);
  });

  it('checks a header just under the cap in linear time, one message per unknown column', () => {
    const wide = [...RECORD_COLUMNS, ...Array.from({ length: MAX_HEADER_COLUMNS - RECORD_COLUMNS.length }, (_, i) => `多余${i}`)];
    const errors = validateHeader(wide, RECORD_COLUMNS);
    expect(errors).toHaveLength(MAX_HEADER_COLUMNS - RECORD_COLUMNS.length);
    expect(errors[0].reason).toBe('多余的列「多余0」（只允许这些列：工号,日期,学时,类别,项目,编号）');
  });

  it('hints at the delimiter when the header is one semicolon/tab separated cell', () => {
    expect(validateHeader(['工号;日期;学时;类别;项目;编号'], RECORD_COLUMNS)[0].reason).toMatch(/英文逗号/);
  });
});

const row = (values: Record<string, string>, rowNumber = 2, extraCells = 0): SourceRow => ({ rowNumber, values, extraCells });
const recordSchema = recordRowSchema({ today: '2026-11-25' });
const goodRecord = { 工号: 'T001', 日期: '2026-03-01', 学时: '8', 类别: '集中培训', 项目: '', 编号: 'R1' };
const recordReasons = (patch: Partial<typeof goodRecord>) => {
  const r = parseRow(recordSchema, row({ ...goodRecord, ...patch }));
  return r.ok ? [] : r.errors.map((e) => [e.column, e.reason]);
};

describe('record row rules', () => {
  it('accepts a good row', () => {
    expect(recordReasons({})).toEqual([]);
  });

  it('dates: format, real day, not in the future, required', () => {
    expect(recordReasons({ 日期: '2026-02-30' })).toEqual([['日期', '「2026-02-30」不是有效的日期（没有这一天）']]);
    // Every absolute form an office's files hold; relative forms (明天, 3月1日) have no place in a file.
    for (const ok of ['2026/3/1', '2026.3.1', '2026年3月1日', '２０２６年３月１日', '20260301', '2026-3-1']) expect(recordReasons({ 日期: ok })).toEqual([]);
    expect(recordReasons({ 日期: '2026/2/30' })).toEqual([['日期', '「2026/2/30」不是有效的日期（没有这一天）']]);
    for (const bad of ['abc', '3月1日', '明天', '1/3/2026']) expect(recordReasons({ 日期: bad })).toEqual([['日期', REASONS.dateFormat]]);
    expect(recordReasons({ 日期: '2026年11月26日' })).toEqual([['日期', '晚于今天（2026-11-25），不能登记未来的学时']]);
    expect(recordReasons({ 日期: '2026-11-26' })).toEqual([['日期', '晚于今天（2026-11-25），不能登记未来的学时']]);
    expect(recordReasons({ 日期: '2026-11-25' })).toEqual([]);
    expect(recordReasons({ 日期: '' })).toEqual([['日期', '不能为空']]);
    expect(recordReasons({ 日期: '2024-02-29' })).toEqual([]);
  });

  it('hours: positive, at most 1000, at most two decimals, numeric', () => {
    expect(recordReasons({ 学时: '-2' })).toEqual([['学时', '必须大于 0']]);
    expect(recordReasons({ 学时: '0' })).toEqual([['学时', '必须大于 0']]);
    expect(recordReasons({ 学时: 'abc' })).toEqual([['学时', '「abc」不是数字']]);
    expect(recordReasons({ 学时: '1e3' })).toEqual([['学时', '「1e3」不是数字']]);
    expect(recordReasons({ 学时: '1001' })).toEqual([['学时', '不能超过 1000']]);
    expect(recordReasons({ 学时: '1.234' })).toEqual([['学时', '最多保留两位小数']]);
    expect(recordReasons({ 学时: '' })).toEqual([['学时', '不能为空']]);
    for (const ok of ['1.5', '1000', '0.25', '2.50', '3.000', '.5']) expect(recordReasons({ 学时: ok })).toEqual([]);
    expect(hoursValue('1.5')).toBe(1.5);
    expect(hoursValue('2.50')).toBe(2.5);
  });

  it('编号 and 工号 and 类别 are required; every bad cell of a row is reported', () => {
    expect(recordReasons({ 工号: '', 类别: '', 编号: '' })).toEqual([
      ['工号', '不能为空'],
      ['类别', '不能为空'],
      ['编号', '不能为空'],
    ]);
  });

  it('reports cells beyond the header', () => {
    const r = parseRow(recordSchema, row(goodRecord, 7, 2));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([{ row: 7, column: null, reason: '该行有 2 个单元格超出表头范围（是否多了逗号或错列？）' }]);
  });

  it('formats a row error the way officers read it', () => {
    expect(formatRowError({ row: 3, column: '学时', reason: '必须大于 0' })).toBe('第 3 行【学时】：必须大于 0');
    expect(formatRowError({ row: 4, column: null, reason: 'x' })).toBe('第 4 行：x');
  });
});

const teacherSchema = teacherRowSchema({ policyIds: new Set(['laibin', 'otog']) });
const goodTeacher = { 工号: 'T1', 姓名: '张三', 学校: '一中', 入职日期: '2015-09-01', 师范毕业: '是', 班主任: '否', 职务: '教师', 政策: 'laibin' };
const teacherReasons = (patch: Partial<typeof goodTeacher>) => {
  const r = parseRow(teacherSchema, row({ ...goodTeacher, ...patch }));
  return r.ok ? [] : r.errors.map((e) => [e.column, e.reason]);
};

describe('roster row rules', () => {
  it('booleans: 是/否; 师范毕业 may be empty (unknown), 班主任 may not', () => {
    expect(teacherReasons({ 师范毕业: '' })).toEqual([]);
    expect(teacherReasons({ 师范毕业: 'Y' })).toEqual([['师范毕业', '应填写“是”或“否”（不清楚可留空）']]);
    expect(teacherReasons({ 班主任: '' })).toEqual([['班主任', '不能为空']]);
    expect(teacherReasons({ 班主任: '对' })).toEqual([['班主任', '应填写“是”或“否”']]);
  });

  it('dates, policy and required text', () => {
    expect(teacherReasons({ 入职日期: '2026-02-30' })).toEqual([['入职日期', '「2026-02-30」不是有效的日期（没有这一天）']]);
    expect(teacherReasons({ 政策: 'beijing' })).toEqual([['政策', '没有政策「beijing」，可选：laibin、otog']]);
    expect(teacherReasons({ 姓名: '', 学校: '' })).toEqual([
      ['姓名', '不能为空'],
      ['学校', '不能为空'],
    ]);
  });

  it('converts: empty 职务 → 教师, empty 政策 → default, 是/否 → booleans', () => {
    const r = parseRow(teacherSchema, row({ ...goodTeacher, 师范毕业: '', 职务: '', 政策: '', 班主任: '是' }));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(teacherValues(r.value, 'otog')).toEqual({
        employeeNo: 'T1',
        name: '张三',
        school: '一中',
        hireDate: '2015-09-01',
        normalGraduate: null,
        homeroom: true,
        position: '教师',
        policyId: 'otog',
      });
    }
  });
});
