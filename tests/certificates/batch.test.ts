/**
 * `certificates <学校|all> --out DIR` through the real CLI over a real database (tests/helpers/db.ts): the ZIP holds one PDF per
 * teacher of the school, named 姓名_工号.pdf, whose text (read back with pdf.js) names that teacher and carries a
 * serial recorded in the certificates table; the 培训档案 workbook has one sheet per school, one row per teacher
 * and one column per year and category with that teacher's totals; `all` covers every school; an unknown school
 * is refused in Chinese listing the known ones, exit 1, nothing issued.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tables } from '../../db/handle.js';
import { statement } from '../../db/statements.js';
import { runCli } from '../../src/cli/main.js';
import { closeConnection, testDatabase, type TestDatabase } from '../helpers/db.js';
import { addRecord, addTeacher } from '../helpers/seed.js';
import { pdfText } from '../helpers/pdf.js';
import { unzip } from '../helpers/zip.js';

const dir = mkdtempSync(join(tmpdir(), 'xueshi-cert-batch-'));
let database: TestDatabase;
const env = () => ({ ...database.env, XUESHI_NOW: '2026-11-25T10:00:00+08:00', LOG_LEVEL: 'silent', OFFICE_NAME: '合山市教师发展中心', PUBLIC_BASE_URL: 'https://xs.example.cn' });
const A = '合山市第三中学';
const B = '合山市实验小学';

async function cli(args: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const code = await runCli(args, { env: env(), stdout: out, stderr: err });
  return { code, stdout, stderr };
}

const certificateCount = () => database.use(async (db) => Number(await statement(db, 'select count(*) from certificates').pluck().get()));
const serials = () => database.use((db) => statement(db, 'select serial from certificates').pluck<string>().all());

beforeAll(async () => {
  database = await testDatabase();
  const db = await database.open();
  const li = await addTeacher(db, { employeeNo: 'T3001', name: '李晓红', school: A });
  await addRecord(db, li, { key: 'a1', date: '2026-03-01', hours: 18, category: '集中培训', project: '班主任能力提升' });
  await addRecord(db, li, { key: 'a2', date: '2026-04-01', hours: 10, category: '网络研修', project: '信息技术应用' });
  await addRecord(db, li, { key: 'a3', date: '2026-05-01', hours: 2.5, category: '网络研修', project: '师德专题' });
  const wang = await addTeacher(db, { employeeNo: 'T3002', name: '王志强', school: A });
  await addRecord(db, wang, { key: 'b1', date: '2026-06-01', hours: 6, category: '校本研修', project: '校本教研' });
  await addTeacher(db, { employeeNo: 'T3003', name: '赵敏', school: A });
  const chen = await addTeacher(db, { employeeNo: 'T4001', name: '陈静', school: B });
  await addRecord(db, chen, { key: 'c1', date: '2026-02-01', hours: 12, category: '集中培训', project: '小学语文' });
  await closeConnection(db);
});
afterAll(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('certificates <school> --out DIR', { timeout: 60_000 }, () => {
  const out = join(dir, 'out-a');
  it('writes a ZIP with one PDF per teacher of the school, each naming its teacher, issued and recorded', async () => {
    const r = await cli(['certificates', A, '--out', out]);
    expect(r.code).toBe(0);
    // Off a terminal the progress bar is a plain line (every few seconds, and at the end).
    expect(r.stderr).toBe(`开具学时证明（${A}）：3/3\n`);
    expect(r.stdout).toContain('已开具 3 份学时证明');
    expect(readdirSync(out).sort()).toEqual([`学时证明-${A}-2026-11-25-培训档案.xlsx`, `学时证明-${A}-2026-11-25.zip`]);
    const files = await unzip(join(out, `学时证明-${A}-2026-11-25.zip`));
    expect([...files.keys()].sort()).toEqual(['李晓红_T3001.pdf', '王志强_T3002.pdf', '赵敏_T3003.pdf'].sort());
    const recorded = await serials();
    expect(recorded).toHaveLength(3);
    const audited = await database.use((db) => {
      const { auditLog } = tables(db);
      return db.select({ detail: auditLog.detail }).from(auditLog).where(eq(auditLog.action, 'certificate.issue'));
    });
    expect(audited.map((a) => (JSON.parse(a.detail) as { serial: string }).serial).sort()).toEqual([...recorded].sort());
    for (const [name, pdf] of files) {
      const text = await pdfText(pdf);
      const [teacher, no] = name.replace('.pdf', '').split('_');
      expect(text).toContain(teacher);
      expect(text).toContain(no);
      expect(text).toContain(A);
      expect(recorded.some((s) => text.replace(/[-\n]/g, '').includes(s))).toBe(true);
    }
    expect(await pdfText(files.get('李晓红_T3001.pdf')!)).toMatch(/已修 30.5 学时/);
  });

  it('writes the 培训档案 workbook: a sheet for the school, a row per teacher, a column per year and category', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(out, `学时证明-${A}-2026-11-25-培训档案.xlsx`));
    expect(wb.worksheets.map((s) => s.name)).toEqual([A]);
    const sheet = wb.worksheets[0];
    const row = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(row(1).slice(0, 7)).toEqual(['工号', '姓名', '周期', '应修', '已修', '尚差', '证明编号']);
    expect(row(1).slice(7)).toEqual(['2026年', '2026年', '2026年']);
    expect(row(2).slice(7)).toEqual(['集中培训', '网络研修', '校本研修']);
    expect(sheet.model.merges).toContain('H1:J1');
    expect(sheet.rowCount).toBe(5);
    const li = row(3);
    expect(li.slice(0, 6)).toEqual(['T3001', '李晓红', '2026-01-01 至 2030-12-31', 360, 30.5, 329.5]);
    expect(await serials()).toContain(li[6]);
    expect(li.slice(7)).toEqual([18, 12.5]);
    expect(row(4).slice(0, 2)).toEqual(['T3002', '王志强']);
    expect(row(4).slice(7)).toEqual([undefined, undefined, 6]);
    expect(row(5).slice(0, 5)).toEqual(['T3003', '赵敏', '2026-01-01 至 2030-12-31', 360, 0]);
  });

  it('all covers every school, each in its own folder and sheet; a re-run issues new serials', async () => {
    const before = await certificateCount();
    const all = join(dir, 'out-all');
    const r = await cli(['certificates', 'all', '--out', all]);
    expect(r.code).toBe(0);
    expect(await certificateCount()).toBe(before + 4);
    const files = await unzip(join(all, '学时证明-全部学校-2026-11-25.zip'));
    expect([...files.keys()].sort()).toEqual([`${A}/李晓红_T3001.pdf`, `${A}/王志强_T3002.pdf`, `${A}/赵敏_T3003.pdf`, `${B}/陈静_T4001.pdf`].sort());
    expect(await pdfText(files.get(`${B}/陈静_T4001.pdf`)!)).toContain('陈静');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(all, '学时证明-全部学校-2026-11-25-培训档案.xlsx'));
    expect(wb.worksheets.map((s) => s.name).sort()).toEqual([A, B].sort());
    expect(wb.getWorksheet(B)!.rowCount).toBe(3);
    expect(new Set(await serials()).size).toBe(before + 4);
  });

  it('refuses an unknown school in Chinese, listing the known ones, exit 1, nothing issued or written', async () => {
    const before = await certificateCount();
    const r = await cli(['certificates', '合山市第九中学', '--out', join(dir, 'out-x')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('名册中没有学校「合山市第九中学」');
    expect(r.stderr).toContain(`${B}、${A}`);
    expect(await certificateCount()).toBe(before);
    expect(readdirSync(dir)).not.toContain('out-x');
  });
});
