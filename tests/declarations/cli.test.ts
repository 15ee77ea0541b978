/**
 * `npm run cli -- declarations …` against a real SQLite file: list (filters, JSON), show, approve and reject as a
 * roster person (--as), refusals in Chinese with exit 1 and nothing changed, and the export in Chinese columns
 * read back from the XLSX and the CSV.
 */
import ExcelJS from 'exceljs';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { getDeclaration, submitDeclaration } from '../../src/declarations/service.js';
import { actor, auditsOf, input, openDeclDb, outboxLike, recordsOf, staff, type DeclDb } from '../helpers/declarations.js';

const now = new Date('2026-11-25T02:00:00Z');
let x: DeclDb;
let teacher: number;

let officer: number;
let small: number;
let big: number;
let third: number;

beforeEach(async () => {
  x = await openDeclDb();
  teacher = await staff(x.db, 'T0001', '张三', '第一中学');
  await staff(x.db, 'L0001', '李校长', '第一中学', ['leader']);
  officer = await staff(x.db, 'O0001', '钱主任', '教师发展中心', ['officer']);
  const other = await staff(x.db, 'T0002', '王五', '第二中学');
  await staff(x.db, 'L0002', '赵校长', '第二中学', ['leader']);
  const sub = async (who: number, over = {}) => {
    const out = await submitDeclaration(x.db, x.presets, input(who, over), actor(who), now);
    if (!out.ok) throw new Error(out.detail);
    return out.declaration.id;
  };
  small = await sub(teacher, { certificateNo: 'GP-1' });
  big = await sub(teacher, { project: '自治区集中培训', hours: 40, category: '集中培训' });
  third = await sub(other, { project: '=HYPERLINK("http://x")', certificateNo: 'GP-1' });
});
afterEach(() => x.close());

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(String(c)), cb()) });
  const code = await runCli(['declarations', ...args], {
    env: { ...x.env, LOG_LEVEL: 'silent', XUESHI_NOW: '2026-11-25T10:00:00+08:00' },
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
  });
  return { code, stdout, stderr };
}

describe('declarations list / show', () => {
  it('lists newest first with state, step and the duplicate mark; filters by state (key or label) and school', async () => {
    const all = await cli('list');
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    // Only the later of two with one certificate number is flagged (the earlier is the item shown with it).
    expect(lines[0]).toBe(`#${third}  审核中（学校审核）  T0002 王五  第二中学  2026-10-12 至 2026-10-14  网络研修 16 学时  「=HYPERLINK("http://x")」  ⚠1`);
    expect(lines[2]).toBe(`#${small}  审核中（学校审核）  T0001 张三  第一中学  2026-10-12 至 2026-10-14  网络研修 16 学时  「2026年国培计划·初中数学骨干教师研修」`);
    expect(lines[3]).toBe('共 3 份申报。');
    expect((await cli('list', '--school', '第二中学')).stdout).toContain('王五');
    expect((await cli('list', '--school', '第二中学')).stdout).not.toContain('张三');
    expect((await cli('list', '--state', '已认定')).stdout).toBe('没有符合条件的申报。\n');
    const json = JSON.parse((await cli('list', '--state', 'pending', '--school', '第一中学', '--json')).stdout);
    expect(json.map((d: { id: number }) => d.id)).toEqual([big, small]);
    expect(json[1]).toMatchObject({ employeeNo: 'T0001', state: 'pending', currentStep: 'school', hours: 16, category: '网络研修', certificateNo: 'GP-1', flags: 0 });
    const bad = await cli('list', '--state', '好了');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('不认识的状态「好了」。可选：草稿(draft)、审核中(pending)');
  });

  it('shows one with assignees, flags and history; --json has the same', async () => {
    const shown = await cli('show', `#${small}`);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('申报人：张三（T0001，第一中学）');
    expect(shown.stdout).toContain('当前审核人：李校长（L0001）');
    expect((await cli('show', String(third))).stdout).toContain(`重复参训提示：\n  ⚠ 证书编号相同：申报 #${small}「2026年国培计划·初中数学骨干教师研修」`);
    expect(shown.stdout).toMatch(/2026-11-25 10:00 提交 feishu:t\d+/);
    const json = JSON.parse((await cli('show', String(small), '--json')).stdout);
    expect(json).toMatchObject({ id: small, assignees: [{ employeeNo: 'L0001' }], steps: [{ action: 'submit', step: 'school' }], flags: [] });
    expect(JSON.parse((await cli('show', String(third), '--json')).stdout).flags).toMatchObject([{ kind: 'certificate_no', otherDeclarationId: small }]);
    const missing = await cli('show', '999');
    expect([missing.code, missing.stderr]).toEqual([1, '没有编号为 #999 的申报。\n']);
    expect((await cli('show', 'abc')).stderr).toContain('申报编号「abc」有误');
  });
});

describe('declarations approve / reject', () => {
  it('approve as the school leader: final for a small one (record, teacher told), on to the office for a big one', async () => {
    const a = await cli('approve', String(small), '--as', 'l0001');
    expect([a.code, a.stdout]).toEqual([0, `已通过申报 #${small}（最终认定）：张三 网络研修 16 学时已计入学时档案（记录 declaration:${small}）。\n`]);
    expect(await recordsOf(x.db, teacher)).toHaveLength(1);
    expect(await outboxLike(x.db, `decl:${small}:2:${teacher}`)).toHaveLength(1);
    expect(JSON.parse((await auditsOf(x.db, 'declaration_approve'))[0]!.detail)).toMatchObject({ declarationId: small, final: true });
    expect((await auditsOf(x.db, 'declaration_approve'))[0]!.actor).toBe('cli:L0001');
    const again = await cli('approve', String(small), '--as', 'L0001');
    expect([again.code, again.stderr]).toEqual([1, `申报 #${small} 你已处理过，无需重复操作。\n`]);
    expect(await recordsOf(x.db, teacher)).toHaveLength(1);

    const b = await cli('approve', String(big), '--as', 'L0001');
    expect(b.stdout).toBe(`已通过申报 #${big} 的学校审核，已报教育局审核（钱主任）。\n`);
    expect(await outboxLike(x.db, `decl:${big}:2:${officer}`)).toHaveLength(1);
    expect((await cli('approve', String(big), '--as', 'O0001')).stdout).toContain('最终认定');
    expect(await recordsOf(x.db, teacher)).toHaveLength(2);
  });

  it('reject = 退回 with a reason; someone outside the chain or unknown is refused, nothing changes', async () => {
    expect((await cli('reject', String(small), '--as', 'L0001')).stderr).toContain('退回须写明原因');
    expect((await cli('approve', String(small))).stderr).toContain('请用 --as <工号>');
    expect((await cli('approve', String(small), '--as', 'X999')).stderr).toBe('名册上没有工号「X999」。\n');
    const outsider = await cli('approve', String(small), '--as', 'L0002');
    expect([outsider.code, outsider.stderr]).toEqual([1, `申报 #${small} 当前不由你审核。\n`]);
    expect((await getDeclaration(x.db, small))!.declaration.state).toBe('pending');
    const r = await cli('reject', String(small), '--as', 'L0001', '--reason', '证书照片看不清');
    expect([r.code, r.stdout]).toEqual([0, `已退回申报 #${small}，原因：证书照片看不清。已通知张三。\n`]);
    expect((await getDeclaration(x.db, small))!.declaration).toMatchObject({ state: 'returned', returnReason: '证书照片看不清' });
    expect(JSON.parse((await outboxLike(x.db, `decl:${small}:2:${teacher}`))[0]!.reply).text).toContain('被退回，原因：证书照片看不清');
    expect((await cli('list', '--state', '已退回')).stdout).toContain(`#${small}  已退回`);
  });
});

describe('declarations export', () => {
  it('writes an XLSX with Chinese headers, one row per declaration, oldest first', async () => {
    const file = join(x.dir, '申报.xlsx');
    const r = await cli('export', '--out', file);
    expect([r.code, r.stdout]).toEqual([0, `已导出 3 份申报到 ${file}\n`]);
    expect(existsSync(`${file}.part`)).toBe(false);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const sheet = wb.getWorksheet('学时申报')!;
    const row = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(row(1)).toEqual(['编号', '工号', '姓名', '学校', '项目', '主办单位', '开始日期', '结束日期', '学时', '类别', '证书编号', '状态', '当前环节', '退回原因', '重复提示', '提交时间', '办结时间', '学时记录']);
    expect(row(2).slice(0, 13)).toEqual([String(small), 'T0001', '张三', '第一中学', '2026年国培计划·初中数学骨干教师研修', '广西师范大学', '2026-10-12', '2026-10-14', '16', '网络研修', 'GP-1', '审核中', '学校审核']);
    expect(sheet.rowCount).toBe(4);
  });

  it('writes a CSV (BOM, formulas defused); refuses another extension', async () => {
    const file = join(x.dir, 'out.csv');
    expect((await cli('export', '--out', file)).code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('\uFEFF编号,工号,姓名,学校,项目')).toBe(true);
    expect(text).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(text.trim().split('\r\n')).toHaveLength(4);
    const bad = await cli('export', '--out', join(x.dir, 'out.txt'));
    expect([bad.code, bad.stderr.split('\n')[0]]).toEqual([1, '导出文件须以 .xlsx 或 .csv 结尾：--out 申报.xlsx']);
  });
});
