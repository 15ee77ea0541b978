/**
 * Issue 11 §7 on the running server: an officer's upload of a decompression bomb is refused with a clear
 * message and the server keeps serving; a bomb that gets past the zip checks kills only the reader thread.
 * Uploads already on disk (the console streams them there) are imported from their path.
 */
import ExcelJS from 'exceljs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImportJobs } from '../../../src/admin/imports.js';
import { DEFAULT_IMPORT_LIMITS } from '../../../src/import/limits.js';
import { silentLogger } from '../../../src/logger.js';
import type { TestApp } from '../../helpers/app.js';
import { count, get, pageUntil, post, signInWithToken, startAdmin, type Signed } from '../../helpers/admin.js';

let app: TestApp;
let s: Signed;
beforeEach(async () => {
  app = await startAdmin();
  s = await signInWithToken(app);
});
afterEach(async () => app.cleanup());

/** A roster workbook with `n` distinct 学校 strings of `length` characters (shared strings compress ~1000×). */
async function roster(n: number, length: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名册');
  ws.addRow(['工号', '姓名', '学校', '入职日期', '师范毕业', '班主任', '职务', '政策']);
  for (let i = 0; i < n; i++) ws.addRow([`B${i}`, '教师', `${i}`.padEnd(length, '校'), '2020-09-01', '是', '否', '教师', 'laibin']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

let bombBytes: Promise<Buffer> | null = null;
const bombWorkbook = () => (bombBytes ??= roster(40, 100_000));

const settled = (html: string) => html.includes('检查结果') || html.includes('无法读取文件');

describe('console imports of hostile workbooks', () => {
  it('an uploaded bomb is refused from its zip directory; the server goes on serving', async () => {
    const form = new FormData();
    form.set('_csrf', s.csrf);
    form.set('kind', 'teachers');
    form.set('file', new File([new Uint8Array(await bombWorkbook())], '名册.xlsx'));
    const res = await post(app, '/admin/imports', form, { cookie: s.cookie });
    expect(res.status).toBe(303);
    const html = await pageUntil(app, res.headers.get('location')!, s.cookie, settled);
    expect(html).toMatch(/中的 xl\/sharedStrings\.xml 压缩了 \d+ 倍/);
    expect(await count(app, 'teachers')).toBe(0);
    expect((await get(app, '/admin/imports', s.cookie)).status).toBe(200);
  });

  it('startFile imports from a path; a bomb past the zip checks kills only the reader thread', async () => {
    const jobs = new ImportJobs({
      db: app.db,
      databasePath: app.config.DATABASE_PATH,
      presets: app.presets,
      clock: app.fixedClock,
      timeZone: 'Asia/Shanghai',
      defaultPolicy: 'laibin',
      logger: silentLogger,
      limits: { ...DEFAULT_IMPORT_LIMITS, maxRatio: 1e9, maxEntryBytes: 2 ** 40, maxSharedStringsBytes: 2 ** 40, readerMemoryMb: 16 },
    });
    // The console's streamed upload: a temp file without the officer's extension.
    const bombPath = join(app.dir, 'upload-1');
    writeFileSync(bombPath, await bombWorkbook());
    const bomb = jobs.startFile('teachers', '名册.xlsx', bombPath, 'officer');
    await jobs.idle();
    expect(bomb.phase).toBe('failed');
    expect(bomb.error).toMatch(/^读取文件时超出内存上限（16 MB），已停止，未导入任何数据/);

    const goodPath = join(app.dir, 'upload-2');
    writeFileSync(goodPath, await roster(3, 4));
    const good = jobs.startFile('teachers', '名册.xlsx', goodPath, 'officer');
    await jobs.idle();
    expect(good.phase).toBe('validated');
    expect(good.check).toMatchObject({ rows: 3, added: 3, invalid: 0 });
    jobs.commit(good.id, false);
    await jobs.idle();
    expect(good.result).toMatchObject({ committed: true, added: 3 });
    expect(await count(app, 'teachers')).toBe(3);
    jobs.close();
  });
});
