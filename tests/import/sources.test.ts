import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRecords } from '../../src/import/records.js';
import { cellText, openSource, xlsxSource } from '../../src/import/sources.js';
import { csvSource } from '../../src/import/csv-source.js';
import { rowsSource } from '../../src/import/table-source.js';
import { importTeachers } from '../../src/import/teachers.js';
import { ImportFileError, type RowSource } from '../../src/import/types.js';
import { clock, count, presets, seedRoster, tempDir } from '../fixtures/import/helpers.js';
import { statement } from '../../db/statements.js';
import { testDb } from '../helpers/db.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url));
const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function collect(source: RowSource) {
  const header = await source.header();
  const rows = [];
  for await (const r of source) rows.push(r);
  return { header, rows };
}

describe('CSV source', () => {
  it('strips a BOM, accepts CRLF, keeps Excel row numbers across blank lines and multi-line cells', async () => {
    const path = tmp.write('a.csv', '\uFEFF工号,项目\r\nT1,"第一行\r\n第二行"\r\n\r\nT2, 有空格 \r\n');
    const { header, rows } = await collect(csvSource(path));
    expect(header).toEqual(['工号', '项目']);
    expect(rows).toEqual([
      { rowNumber: 2, values: { 工号: 'T1', 项目: '第一行\r\n第二行' }, extraCells: 0 },
      { rowNumber: 4, values: { 工号: 'T2', 项目: '有空格' }, extraCells: 0 },
    ]);
  });

  it('fills short rows with empty cells and counts extra cells', async () => {
    const path = tmp.write('b.csv', 'a,b,c\n1\n1,2,3,4,,\n');
    const { rows } = await collect(csvSource(path));
    expect(rows).toEqual([
      { rowNumber: 2, values: { a: '1', b: '', c: '' }, extraCells: 0 },
      { rowNumber: 3, values: { a: '1', b: '2', c: '3' }, extraCells: 1 },
    ]);
  });

  it('the worker-thread reader gives the same rows and reports progress', async () => {
    const lines = ['工号,日期,学时,类别,项目,编号'];
    for (let i = 0; i < 20_000; i++) lines.push(`T${i},2026-03-01,1,集中培训,"项目,${i}",R${i}`);
    const path = tmp.write('big.csv', `${lines.join('\n')}\n`);
    const worker = csvSource(path, 'big.csv', { worker: true });
    const local = csvSource(path, 'big.csv', { worker: false });
    const [a, b] = [await collect(worker), await collect(local)];
    expect(a.rows.length).toBe(20_000);
    expect(a).toEqual(b);
    expect(a.rows[19_999]).toEqual({
      rowNumber: 20_001,
      values: { 工号: 'T19999', 日期: '2026-03-01', 学时: '1', 类别: '集中培训', 项目: '项目,19999', 编号: 'R19999' },
      extraCells: 0,
    });
    expect(worker.progress().bytesRead).toBeGreaterThan(0);
  });

  it.each([true, false])('broken quoting is a clear ImportFileError (worker: %s)', async (worker) => {
    const path = tmp.write(`broken-${worker}.csv`, '工号,项目\nT1,"abc\nT2,x\n');
    await expect(collect(csvSource(path, 'broken.csv', { worker }))).rejects.toThrow(ImportFileError);
    await expect(collect(csvSource(path, 'broken.csv', { worker }))).rejects.toThrow(/CSV 格式错误/);
  });

  it('a GBK file saved by Excel on Chinese Windows is read as GBK and imported', async () => {
    const db = await testDb();
    const r = await importTeachers(db, presets, openSource(fixture('teachers-gbk.csv')), { defaultPolicy: 'laibin' }, clock());
    expect(r).toMatchObject({ rows: 1, added: 1, invalid: 0, committed: true });
    expect(await statement(db, 'SELECT employee_no, name, school, position FROM teachers').get()).toEqual({
      employee_no: 'T001',
      name: '张三',
      school: '一中',
      position: '教师',
    });
  });

  it('a CSV with a million header columns (9.9 MB) is refused within a second or two, writing nothing', async () => {
    const header = Array.from({ length: 1_000_000 }, (_, i) => `c${i}`).join(',');
    const path = tmp.write('wide.csv', `${header}\nT001,2026-03-01\n`);
    expect(Buffer.byteLength(header)).toBeGreaterThan(6_000_000);
    const db = await testDb();
    await seedRoster(db);
    const started = performance.now();
    await expect(importRecords(db, presets, openSource(path), {}, clock())).rejects.toThrow(/^第 1 行太长，超过单行上限 64 KB/);
    expect(performance.now() - started).toBeLessThan(4000); // was minutes (or unbounded memory)
    expect(await count(db, 'records')).toBe(0);
  });

  it('a header over the column cap is refused by name, whatever the reader', async () => {
    const db = await testDb();
    const wide = Array.from({ length: 300_000 }, (_, i) => `c${i}`);
    const started = performance.now();
    const r = await importTeachers(db, presets, rowsSource('wide.csv', [wide, ['T001']]), { defaultPolicy: 'laibin' }, clock());
    expect(performance.now() - started).toBeLessThan(4000); // was minutes (or unbounded memory)
    expect(r.rejected).toBe(true);
    expect(r.errors.map((e) => e.reason)).toEqual([expect.stringMatching(/^表头有 300000 列，超过上限 200 列/)]);
  });

  it('imports the BOM/CRLF roster fixture', async () => {
    const db = await testDb();
    const r = await importTeachers(db, presets, openSource(fixture('teachers.csv')), { defaultPolicy: 'laibin' }, clock());
    expect(r).toMatchObject({ added: 3, invalid: 0, committed: true });
  });

  it('refuses missing files and old .xls clearly', async () => {
    expect(() => openSource(tmp.dir + '/nope.csv')).toThrow(/找不到文件/);
    const xls = tmp.write('old.xls', Buffer.from('d0cf11e0a1b11ae1', 'hex'));
    expect(() => openSource(xls)).toThrow(/不支持旧版 Excel/);
  });
});

describe('XLSX source', () => {
  let path: string;
  beforeAll(async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('学时');
    ws.addRow(['工号', '日期', '学时', '类别', '项目', '编号']);
    ws.addRow(['T001', new Date(Date.UTC(2026, 2, 1)), 8, '集中培训', { richText: [{ text: '新课标' }, { text: '解读' }] }, 'X1']);
    ws.getCell('B2').numFmt = 'yyyy-mm-dd';
    ws.addRow([]); // blank row 3
    const r4 = ws.addRow(['T001', '2026-04-10', 1.5, '师德', '', 'X2']);
    r4.getCell(3).numFmt = '0.0';
    // A date as a plain serial number with a date format (what Excel itself writes), and a formula.
    const r5 = ws.addRow(['T002', 46082, { formula: '2+1.5', result: 3.5 }, '网络研修', '', 1001]);
    r5.getCell(2).numFmt = 'yyyy"年"m"月"d"日"';
    ws.addRow(['T001', '2026-02-30', 'abc', '集中培训', '', 'X3']);
    wb.addWorksheet('别的表').addRow(['忽略']);
    path = tmp.dir + '/records.xlsx';
    await wb.xlsx.writeFile(path);
  });

  it('reads the first sheet with Excel row numbers, date cells as YYYY-MM-DD', async () => {
    const { header, rows } = await collect(xlsxSource(path));
    expect(header).toEqual(['工号', '日期', '学时', '类别', '项目', '编号']);
    expect(rows.map((r) => [r.rowNumber, r.values])).toEqual([
      [2, { 工号: 'T001', 日期: '2026-03-01', 学时: '8', 类别: '集中培训', 项目: '新课标解读', 编号: 'X1' }],
      [4, { 工号: 'T001', 日期: '2026-04-10', 学时: '1.5', 类别: '师德', 项目: '', 编号: 'X2' }],
      [5, { 工号: 'T002', 日期: '2026-03-01', 学时: '3.5', 类别: '网络研修', 项目: '', 编号: '1001' }],
      [6, { 工号: 'T001', 日期: '2026-02-30', 学时: 'abc', 类别: '集中培训', 项目: '', 编号: 'X3' }],
    ]);
  });

  it('imports through the same validators (row numbers in errors match the sheet)', async () => {
    const db = await testDb();
    await seedRoster(db);
    const r = await importRecords(db, presets, openSource(path), { skipInvalid: true }, clock());
    expect(r).toMatchObject({ rows: 4, added: 3, invalid: 1 });
    expect(r.errors.map((e) => `${e.row}${e.column}`)).toEqual(['6日期', '6学时']);
  });

  it('a non-XLSX file with an .xlsx name is a clear error', async () => {
    const fake = tmp.write('fake.xlsx', 'PK\u0003\u0004 not really a zip');
    await expect(collect(openSource(fake))).rejects.toThrow(/无法读取 XLSX 文件/);
  });

  it('date cells in Chinese Excel built-in formats (ids 27–36, 50–58, no format code in the file) read as dates', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('学时');
    ws.addRow(['工号', '日期', '学时', '类别', '项目', '编号']);
    ws.addRow(['T001', 46082, 1, '集中培训', '', 'Z1']).getCell(2).numFmt = 'yyyy"年"m"月"d"日"';
    ws.addRow(['T001', 46082.75, 1, '集中培训', '', 'Z2']).getCell(2).numFmt = 'yyyy"年"m"月"d"日"'; // 18:00 that day
    const original = await JSZip.loadAsync(await wb.xlsx.writeBuffer());
    // What Chinese Excel writes: the built-in id 31 (yyyy"年"m"月"d"日") and no <numFmt> for it. The
    // entries keep their order (the streaming reader needs the workbook parts before the sheets).
    const zip = new JSZip();
    for (const entry of Object.values(original.files)) {
      let body = await entry.async('string');
      if (entry.name === 'xl/styles.xml') {
        body = body.replace(/<numFmts[^>]*>.*?<\/numFmts>/s, '').replace(/numFmtId="164"/g, 'numFmtId="31"');
        expect(body).toContain('numFmtId="31"');
      }
      zip.file(entry.name, body);
    }
    const file = tmp.write('builtin-date.xlsx', await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
    const { rows } = await collect(xlsxSource(file));
    expect(rows.map((r) => r.values['日期'])).toEqual(['2026-03-01', '2026-03-01']);
  });

  it('date values: time part dropped, rounded to the second, the 1900 leap-year quirk', () => {
    expect(cellText(new Date(Date.UTC(2026, 2, 1, 23, 59, 45)))).toBe('2026-03-01'); // a real time late in the day
    expect(cellText(46082.999, 'yyyy/m/d')).toBe('2026-03-01');
    // Excel counts a 1900-02-29 that never was: serials 1–59 are a day later than a plain count says.
    expect(cellText(1, 'yyyy-mm-dd')).toBe('1900-01-01');
    expect(cellText(59, 'yyyy-mm-dd')).toBe('1900-02-28');
    expect(cellText(60, 'yyyy-mm-dd')).toBe('1900-02-29'); // Excel's fictitious day: the date rule refuses it
    expect(cellText(61, 'yyyy-mm-dd')).toBe('1900-03-01');
    expect(cellText(new Date(Date.UTC(1900, 0, 31)))).toBe('1900-02-01'); // exceljs's Date for serial 32
  });

  it('cellText renders every exceljs value kind', () => {
    expect(cellText(null)).toBe('');
    expect(cellText(true)).toBe('是');
    expect(cellText(false)).toBe('否');
    expect(cellText(0.1 + 0.2)).toBe('0.3');
    expect(cellText(46082, 'yyyy-mm-dd')).toBe('2026-03-01');
    expect(cellText(46082, '0.00')).toBe('46082');
    expect(cellText({ text: 'link', hyperlink: 'http://x' })).toBe('link');
    expect(cellText({ error: '#N/A' })).toBe('#N/A');
    expect(cellText(new Date(Date.UTC(2026, 0, 5, 23, 59, 59, 999)))).toBe('2026-01-06');
  });
});
