/**
 * 学时证明 in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core) against the real
 * server on loopback (createXueshi over a temp SQLite file, PUBLIC_BASE_URL set to where it listens):
 * (b) an officer exports a school from the console, the browser downloads the ZIP, and yauzl finds one PDF per
 * teacher of that school and the 培训档案 workbook; (a) the QR code of one of those PDFs, decoded from the
 * rendered page, opens the verify page: valid, masked name, the printed school (still after the teacher moves),
 * the totals; the officer revokes it in the console and a reload says 已作废 with the date and reason; another
 * certificate's page says the figures changed once a record dated before its issue is added.
 * Screenshots for a person: /tmp/xueshi-certificates.png and /tmp/xueshi-verify.png.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tables } from '../../db/handle.js';
import { listen } from '../../src/http/server.js';
import { maskName } from '../../src/http/verify.js';
import { findTeacherByEmployeeNo } from '../../src/ledger/store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { pdfPageCount, pdfQr, pdfText } from '../helpers/pdf.js';
import { addRecord } from '../helpers/seed.js';
import { unzip } from '../helpers/zip.js';
import { seedDistrict } from '../helpers/console-seed.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';
const SCHOOL = '中心幼儿园';

/** A port free right now, so PUBLIC_BASE_URL (what the QR codes hold) can name the server before it listens. */
async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

describe.skipIf(!existsSync(CHROMIUM))('学时证明 in Chromium: console export and the verify page', { timeout: 60_000 }, () => {
  let app: TestApp;
  let server: Server;
  let base: string;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  let pdfs: Map<string, Buffer>;
  /** The QR code sits with the serial and signature on the last page. */
  const qrOf = async (pdf: Buffer) => pdfQr(pdf, await pdfPageCount(pdf));

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await createTestApp({ ADMIN_TOKEN, PUBLIC_BASE_URL: base, OFFICE_NAME: '兴宾区教师发展中心' });
    await seedDistrict(app.db);
    server = app.createServer();
    await listen(server, port, '127.0.0.1');
    profile = mkdtempSync(join(tmpdir(), 'xueshi-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1440, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      acceptDownloads: true,
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base}/admin/login`);
    await page.fill('input[name=token]', ADMIN_TOKEN);
    await page.click('button:has-text("登录")');
    await page.waitForURL(`${base}/admin`);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(null)));
    await app?.cleanup();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('(b) exports a school from the console: the downloaded ZIP holds one PDF per teacher and the 培训档案 workbook', async () => {
    await page.click('nav >> text=学时证明');
    await page.waitForURL(`${base}/admin/certificates`);
    await page.selectOption('select[name=school]', SCHOOL);
    await page.click('button:has-text("开始生成")');
    await page.waitForURL(/\/admin\/certificates\/exports\/[\w-]+$/);
    // The job page follows the export (生成中 with a meter while it runs) and reloads itself when it is done.
    await page.waitForSelector('text=份学时证明（ZIP', { timeout: 45_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("证明 ZIP")')]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^学时证明-${SCHOOL}-2026-11-25-[\\w-]+\\.zip$`));
    const entries = await unzip((await download.path())!);

    const { teachers } = tables(app.db);
    const roster = await app.db.select({ name: teachers.name, no: teachers.employeeNo }).from(teachers).where(eq(teachers.school, SCHOOL)).orderBy(teachers.id);
    expect(roster.length).toBe(18);
    pdfs = new Map([...entries].filter(([name]) => name.endsWith('.pdf')));
    expect([...pdfs.keys()].sort()).toEqual(roster.map((t) => `${t.name}_${t.no}.pdf`).sort());
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(entries.get('培训档案.xlsx')! as never);
    expect(book.worksheets.map((w) => w.name)).toEqual([SCHOOL]);
    const numbers = book.worksheets[0].getColumn(1).values.slice(3).map(String).sort();
    expect(numbers).toEqual(roster.map((t) => t.no).sort());

    await page.goto(`${base}/admin/certificates`);
    expect(await page.textContent('body')).toContain('共 18 份');
    await page.screenshot({ path: join(profile, 'certificates.png'), fullPage: true });
    copyFileSync(join(profile, 'certificates.png'), '/tmp/xueshi-certificates.png');
  });

  it('(a) the QR opens the verify page as printed; revoked in the console, it says 已作废; a changed record shows', async () => {
    const [first, second] = [...pdfs.keys()].sort();
    const url = await qrOf(pdfs.get(first)!);
    expect(url).toMatch(new RegExp(`^${base}/verify/[A-Z2-7]{16}$`));
    const serial = url!.slice(-16);
    const { certificates, teachers } = tables(app.db);
    const [row] = await app.db.select({ no: certificates.employeeNo, earned: certificates.earned, required: certificates.required }).from(certificates).where(eq(certificates.serial, serial));
    const teacher = (await findTeacherByEmployeeNo(app.db, row.no))!;
    const printed = await pdfText(pdfs.get(first)!);
    expect(printed).toContain(`已修 ${row.earned} 学时`);

    await page.goto(url!);
    let body = (await page.textContent('body'))!;
    expect(body).toContain('本证明有效');
    expect(body).toContain(maskName(teacher.name));
    expect(body).not.toContain(teacher.name); // seeded names have two or three characters
    expect(body).toContain(SCHOOL);
    expect(body).toContain(`应修 ${row.required} 学时`);
    expect(body).toContain(`已修 ${row.earned} 学时`);
    expect(body).toContain('数字与证明一致');

    // The teacher moves school after the paper was printed: the page still shows the school on the paper.
    await app.db.update(teachers).set({ school: '第一中学' }).where(eq(teachers.id, teacher.id));
    await page.reload();
    body = (await page.textContent('body'))!;
    expect(body).toContain(SCHOOL);
    expect(body).not.toContain('第一中学');
    await page.screenshot({ path: join(profile, 'verify.png'), fullPage: true });
    copyFileSync(join(profile, 'verify.png'), '/tmp/xueshi-verify.png');

    // Revoked by the officer in the console, found by the serial as printed (grouped).
    await page.goto(`${base}/admin/certificates`);
    await page.fill('input[name=q]', serial.match(/.{4}/g)!.join('-'));
    await page.click('button:has-text("查询")');
    expect(await page.textContent('body')).toContain('共 1 份');
    await page.fill(`tr[data-serial="${serial}"] input[name=reason]`, '学校信息有误，已重新开具');
    await page.click(`tr[data-serial="${serial}"] button:has-text("作废")`);
    await page.waitForSelector('text=已作废学时证明');
    await page.goto(url!);
    body = (await page.textContent('body'))!;
    expect(body).toContain('本证明已作废');
    expect(body).toContain('作废日期：2026年11月25日；原因：学校信息有误，已重新开具');
    expect(body).not.toContain('本证明有效');

    // Another teacher's certificate: a record dated before its issue is added afterwards.
    const other = (await qrOf(pdfs.get(second)!))!;
    await page.goto(other);
    expect(await page.textContent('body')).toContain('数字与证明一致');
    const [{ no: otherNo }] = await app.db.select({ no: certificates.employeeNo }).from(certificates).where(eq(certificates.serial, other.slice(-16)));
    await addRecord(app.db, (await findTeacherByEmployeeNo(app.db, otherNo))!.id, { key: 'e2e-late', date: '2026-10-20', hours: 6, category: '网络研修', project: '补录' });
    await page.reload();
    body = (await page.textContent('body'))!;
    expect(body).toContain('本证明有效');
    expect(body).toContain('数字与证明不一致');
  });
});
