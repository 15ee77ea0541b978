/**
 * Untrusted workbooks (issue 11 §7): a small XLSX that inflates to gigabytes must be refused from its zip
 * directory before anything is inflated, and one that lies about its sizes must kill only the reader
 * thread (heap limit), never the process; either way the import fails with a clear Chinese message and
 * writes nothing. Bombs here are a few MB inflated, proven against lower limits than the defaults.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits } from '../../src/import/limits.js';
import { importRecords } from '../../src/import/records.js';
import { openSource } from '../../src/import/sources.js';
import { declaredSharedStrings } from '../../src/import/xlsx-check.js';
import { clock, count, presets, RECORD_HEADER, seedRoster, tempDir } from '../fixtures/import/helpers.js';
import { testDb } from '../helpers/db.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A records workbook whose 项目 cells are `strings` distinct shared strings of `length` characters each. */
async function workbook(file: string, strings: number, length: number): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('学时');
  ws.addRow(RECORD_HEADER);
  for (let i = 0; i < strings; i++) ws.addRow(['T001', '2026-03-01', 1, '集中培训', `${i}`.padEnd(length, '啊'), `B${i}`]);
  const path = `${tmp.dir}/${file}`;
  await wb.xlsx.writeFile(path);
  return path;
}

const limits = (patch: Partial<ImportLimits>): ImportLimits => ({ ...DEFAULT_IMPORT_LIMITS, ...patch });
const noPrecheck = limits({ maxEntryBytes: 2 ** 40, maxTotalBytes: 2 ** 40, maxRatio: 1e9, maxSharedStrings: 1e9, maxSharedStringsBytes: 2 ** 40 });

async function importXlsx(path: string, l?: ImportLimits) {
  const db = await testDb();
  await seedRoster(db);
  try {
    const result = await importRecords(db, presets, openSource(path, 'upload.xlsx', { limits: l }), {}, clock());
    return { result, records: await count(db, 'records') };
  } catch (e) {
    return { error: (e as Error).message, records: await count(db, 'records') };
  } finally {
  }
}

let bomb: string;
let normal: string;
beforeAll(async () => {
  bomb = await workbook('bomb.xlsx', 40, 100_000); // ~12 MB of shared strings in well under 100 KB
  normal = await workbook('normal.xlsx', 20, 4);
});

describe('XLSX decompression bombs', () => {
  it('a bomb is refused from the zip directory (ratio), with the default limits, before inflating', async () => {
    const started = performance.now();
    const r = await importXlsx(bomb);
    expect(r.error).toMatch(/^文件 upload\.xlsx 中的 xl\/sharedStrings\.xml 压缩了 \d+ 倍（正常表格不超过 150 倍），已拒绝导入/);
    expect(r.records).toBe(0);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('entry size, total size, shared-string size and count each have a cap naming it', async () => {
    expect((await importXlsx(bomb, limits({ maxRatio: 1e9, maxEntryBytes: 4 * 1024 * 1024 }))).error).toMatch(
      /中的 xl\/sharedStrings\.xml 解压后有 \d+ MB（上限 4 MB）/,
    );
    expect((await importXlsx(bomb, limits({ maxRatio: 1e9, maxTotalBytes: 4 * 1024 * 1024 }))).error).toMatch(/解压后超过 4 MB/);
    expect((await importXlsx(bomb, limits({ maxRatio: 1e9, maxSharedStringsBytes: 4 * 1024 * 1024 }))).error).toMatch(
      /的文字内容解压后有 \d+ MB（上限 4 MB）/,
    );
    expect((await importXlsx(normal, limits({ maxSharedStrings: 10 }))).error).toMatch(/声明了 \d+ 个不同的文字（上限 10 个）/);
  });

  it('a bomb that passes the directory checks kills only the reader thread (heap limit): clear error, process lives', async () => {
    const r = await importXlsx(bomb, { ...noPrecheck, readerMemoryMb: 16 });
    expect(r.error).toMatch(/^读取文件时超出内存上限（16 MB），已停止，未导入任何数据/);
    expect(r.records).toBe(0);
    // The same process goes on importing.
    const after = await importXlsx(normal);
    expect(after.result).toMatchObject({ rows: 20, added: 20, committed: true });
  });

  it('rows longer than the record cap are refused with their row number (no giant cells cross threads)', async () => {
    const r = await importXlsx(bomb, noPrecheck);
    expect(r.error).toMatch(/^第 2 行太长，超过单行上限 64 KB/);
  });

  it('reads the declared shared-string count from the sst start tag', () => {
    expect(declaredSharedStrings('<?xml version="1.0"?><sst xmlns="x" count="9" uniqueCount="7"><si>')).toBe(7);
    expect(declaredSharedStrings('<x:sst count="12">')).toBe(12);
    expect(declaredSharedStrings('<sst xmlns="x">')).toBeNull();
  });
});
