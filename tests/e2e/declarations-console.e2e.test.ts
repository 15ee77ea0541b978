/**
 * The console's 学时申报 queue in a real headless Chromium (Debian's /usr/bin/chromium via playwright-core)
 * against the real server over a temp SQLite file: an officer signs in with a one-time link, finds the queue in
 * the navigation, filters it, previews a declaration's evidence, approves one, returns one with a reason (and
 * cannot without one), and approves two more at once from the queue. Each decision is checked in the database
 * and in what the teacher is sent. A screenshot goes to /tmp/xueshi-declarations.png for a person to look at.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qrPngSync } from '../../src/certificates/png-sync.js';
import { registerEvidence } from '../../src/declarations/evidence/register.js';
import { issueLoginLink } from '../../src/admin/auth.js';
import { notifySubmitted } from '../../src/declarations/notify.js';
import { approveDeclaration, getDeclaration, submitDeclaration, type DeclarationRow } from '../../src/declarations/service.js';
import { listen, closeServer } from '../../src/http/server.js';
import { findTeacherById } from '../../src/ledger/store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { actor, input, outboxLike, recordsOf, staff } from '../helpers/declarations.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe.skipIf(!existsSync(CHROMIUM))('学时申报 queue in the officer console', { timeout: 40_000 }, () => {
  let app: TestApp;
  let server: Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  let shots: string;
  const ids: Record<string, number> = {};
  const d: Record<string, DeclarationRow> = {};
  let pngWidth = 0;

  /**
   * Evidence the way a teacher's message brings it: the console's /attach (a local path) registered as pending,
   * then downloaded, checked and stored by the app's real evidence worker.
   */
  async function attach(teacher: number, files: { path: string; name: string; kind: 'image' | 'file' }[]): Promise<number[]> {
    const rows = await registerEvidence(
      app.db,
      {
        kind: 'message',
        platform: 'console',
        eventId: `ev-${files[0]!.name}`,
        messageId: `m-${files[0]!.name}`,
        accountId: `acc-${teacher}`,
        chatId: `acc-${teacher}`,
        chatType: 'direct',
        text: '',
        receivedAt: app.fixedClock.now().getTime(),
        replyVia: {},
        attachments: files.map((f) => ({ kind: f.kind, key: f.path, name: f.name })),
      },
      teacher,
      app.fixedClock.now(),
    );
    app.evidence.kick();
    await app.evidence.whenIdle();
    return rows.map((r) => r.id);
  }

  async function submit(teacher: number, over = {}): Promise<DeclarationRow> {
    const now = app.fixedClock.now();
    const out = await submitDeclaration(app.db, app.presets, input(teacher, over), actor(teacher), now);
    if (!out.ok) throw new Error(out.detail);
    await notifySubmitted(app.db, out, now);
    return out.declaration;
  }

  beforeAll(async () => {
    app = await createTestApp();
    server = app.createServer();
    base = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
    ids.zhang = await staff(app.db, 'T0001', '张三', '第一中学');
    ids.li = await staff(app.db, 'T0002', '李四', '第二中学');
    ids.leader = await staff(app.db, 'L0001', '李校长', '第一中学', ['leader']);
    ids.officer = await staff(app.db, 'O0001', '钱主任', '教师发展中心', ['officer']);
    // A real picture the browser must be able to draw (a QR code PNG, as certificates carry) and a PDF.
    shots = mkdtempSync(join(tmpdir(), 'xueshi-shots-'));
    const png = qrPngSync('https://xueshi.example.edu.cn/verify/ZS-2026-0001');
    pngWidth = png.readUInt32BE(16);
    writeFileSync(join(shots, 'cert.png'), png);
    writeFileSync(join(shots, 'cert.pdf'), '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
    const evidence = await attach(ids.zhang!, [
      { path: join(shots, 'cert.png'), name: '结业证书.png', kind: 'image' },
      { path: join(shots, 'cert.pdf'), name: '学时证明.pdf', kind: 'file' },
    ]);
    d.a = await submit(ids.zhang!, { evidenceIds: evidence });
    // Over 24 学时: the school approves it first, then it waits for the office.
    d.b = await submit(ids.zhang!, { project: '班主任工作坊', startDate: '2026-11-02', endDate: '2026-11-05', hours: 30, category: '班主任培训' });
    const passed = await approveDeclaration(app.db, app.presets, d.b.id, actor(ids.leader!, 'feishu:ou_L0001'), app.fixedClock.now());
    expect(passed.ok && passed.declaration.currentStep).toBe('office');
    d.c = await submit(ids.li!, { project: '乡村教师信息化培训', startDate: '2026-10-20', endDate: '2026-10-22', hours: 20, category: '集中培训', certificateNo: 'XC-2026-77' });
    d.dup = await submit(ids.li!, { project: '乡村教师信息化培训（补报）', startDate: '2026-10-21', endDate: '2026-10-21', hours: 8, category: '集中培训', certificateNo: 'XC-2026-77' });
    // 第二中学 has no leader on the roster: its declarations go straight to the office.
    d.e = await submit(ids.li!, { project: '心理健康教育专题', startDate: '2026-11-09', endDate: '2026-11-09', hours: 4 });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    const { token } = await issueLoginLink(app.db, (await findTeacherById(app.db, ids.officer!))!, app.fixedClock.now());
    await page.goto(`${base}/admin/login?token=${token}`);
    await page.click('text=进入后台');
    await page.waitForURL(`${base}/admin`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await closeServer(server);
    await app?.cleanup();
    if (shots) rmSync(shots, { recursive: true, force: true });
  });

  const rowIds = () => page.locator('#queue tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-id'))));

  it('lists the pending declarations from the navigation, and filters by school, category and duplicates', async () => {
    await page.click('nav.nav >> text=学时申报');
    await page.waitForURL(`${base}/admin/declarations`);
    expect(await page.textContent('h1')).toBe('学时申报审核');
    // Oldest first: the queue is worked through in the order it came.
    expect(await rowIds()).toEqual([d.a!.id, d.b!.id, d.c!.id, d.dup!.id, d.e!.id]);
    await page.selectOption('select[name=school]', '第二中学');
    await page.click('#filters button[type=submit]');
    expect(await rowIds()).toEqual([d.c!.id, d.dup!.id, d.e!.id]);
    await page.goto(`${base}/admin/declarations?category=${encodeURIComponent('班主任培训')}`);
    expect(await rowIds()).toEqual([d.b!.id]);
    await page.goto(`${base}/admin/declarations`);
    await page.check('input[name=flagged]');
    await page.click('#filters button[type=submit]');
    expect(await rowIds()).toContain(d.dup!.id);
    expect(await rowIds()).not.toContain(d.b!.id);
    await page.screenshot({ path: join(shots, 'declarations.png'), fullPage: true });
    copyFileSync(join(shots, 'declarations.png'), '/tmp/xueshi-declarations.png');
  });

  it('shows one declaration with its duplicate warning and evidence, and approves it', async () => {
    await page.goto(`${base}/admin/declarations`);
    await page.click(`a[href="/admin/declarations/${d.dup!.id}"]`);
    await page.waitForURL(`${base}/admin/declarations/${d.dup!.id}`);
    const body = await page.textContent('body');
    expect(body).toContain('李四（T0002，第二中学）');
    expect(body).toContain('证书编号：XC-2026-77');
    expect(body).toContain(`申报 #${d.c!.id}「乡村教师信息化培训」`);
    expect(body).toContain('申报人未上传证明材料');
    await page.click('#approve');
    await page.waitForURL(`${base}/admin/declarations/${d.dup!.id}`);
    expect(await page.textContent('.flash')).toContain(`已通过申报 #${d.dup!.id}`);
    expect((await getDeclaration(app.db, d.dup!.id))!.declaration.state).toBe('approved');
    expect(await recordsOf(app.db, ids.li!)).toHaveLength(1);
    expect((await outboxLike(app.db, `decl:${d.dup!.id}:`)).some((r) => r.idempotencyKey.endsWith(`:${ids.li}`))).toBe(true);
    expect(await page.locator('#decide').count()).toBe(0);
  });

  it('previews the evidence: the picture drawn inline, the PDF behind a link, both only through the console', async () => {
    await page.goto(`${base}/admin/declarations/${d.a!.id}`);
    expect(await page.textContent('body')).toContain('证明材料：2 份');
    const img = page.locator('.evidence img');
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(pngWidth);
    const pdfLink = page.locator('.evidence a.evidence-file');
    expect(await pdfLink.textContent()).toBe('打开 学时证明.pdf');
    const pdf = await page.request.get(`${base}${await pdfLink.getAttribute('href')}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    // Outside a console session the same address gives nothing.
    const anonymous = await fetch(`${base}${await pdfLink.getAttribute('href')}`, { redirect: 'manual' });
    expect(anonymous.status).not.toBe(200);
    // It is at the school's step: the office sees it, but decides only after the school (or once escalated).
    expect(await page.locator('#decide').count()).toBe(0);
    expect(await page.textContent('body')).toContain('学校审核中：学校审核通过');
    await page.screenshot({ path: join(shots, 'declaration.png'), fullPage: true });
    copyFileSync(join(shots, 'declaration.png'), '/tmp/xueshi-declaration.png');
  });

  it('returns one only with a reason, and the teacher is sent the reason', async () => {
    await page.goto(`${base}/admin/declarations/${d.b!.id}`);
    // The browser will not send an empty reason (required); the server refuses a blank one too.
    await page.fill('textarea[name=reason]', ' ');
    await page.evaluate(() => {
      const field = document.querySelector('textarea[name=reason]')!;
      field.removeAttribute('required');
      field.removeAttribute('minlength');
    });
    await page.click('#return');
    await page.waitForURL(`${base}/admin/declarations/${d.b!.id}`);
    expect(await page.textContent('.flash')).toContain('退回须写明原因');
    expect((await getDeclaration(app.db, d.b!.id))!.declaration.state).toBe('pending');

    await page.fill('textarea[name=reason]', '培训日期与证书不一致，请核对');
    await page.click('#return');
    await page.waitForURL(`${base}/admin/declarations/${d.b!.id}`);
    expect(await page.textContent('.flash')).toContain('已退回');
    expect((await getDeclaration(app.db, d.b!.id))!.declaration).toMatchObject({ state: 'returned', returnReason: '培训日期与证书不一致，请核对' });
    const notice = (await outboxLike(app.db, `decl:${d.b!.id}:`)).find((r) => r.idempotencyKey.endsWith(`:${ids.zhang}`))!;
    expect(JSON.parse(notice.reply).text).toContain('培训日期与证书不一致，请核对');
  });

  it('approves the ticked declarations at once from the queue; one still at the school step cannot be slipped in', async () => {
    await page.goto(`${base}/admin/declarations`);
    expect(await rowIds()).toEqual([d.a!.id, d.c!.id, d.e!.id]);
    expect(await page.locator(`input[name=ids][value="${d.a!.id}"]`).count()).toBe(0);
    await page.check(`input[name=ids][value="${d.c!.id}"]`);
    await page.check(`input[name=ids][value="${d.e!.id}"]`);
    // A hand-made form field naming the school-step one: the server refuses it, the others still go through.
    await page.evaluate((id) => {
      const extra = document.createElement('input');
      Object.assign(extra, { type: 'hidden', name: 'ids', value: String(id) });
      document.querySelector('#queue')!.appendChild(extra);
    }, d.a!.id);
    await page.click('#batch-approve');
    await page.waitForURL(`${base}/admin/declarations`);
    const note = await page.textContent('.flash');
    expect(note).toContain('已通过 2 份申报');
    expect(note).toContain('另有 1 份未处理');
    expect((await getDeclaration(app.db, d.c!.id))!.declaration.state).toBe('approved');
    expect((await getDeclaration(app.db, d.e!.id))!.declaration.state).toBe('approved');
    expect((await getDeclaration(app.db, d.a!.id))!.declaration.state).toBe('pending');
    expect(await recordsOf(app.db, ids.zhang!)).toHaveLength(0);
    expect(await recordsOf(app.db, ids.li!)).toHaveLength(3);
    expect(await rowIds()).toEqual([d.a!.id]);
  });
});
