/**
 * 培训评估与需求调研 in a real headless Chromium (Debian's /usr/bin/chromium via playwright-core) against the real
 * server over a temp SQLite file: an officer signs in with a one-time link, finds the results from the
 * navigation, opens a closed session's evaluation with six answers and sees its bars (widths in proportion to the
 * counts), means and comments; a session with three answers shows its count and nothing else; then sends a needs
 * survey from the form (preview, confirm) and lands on its delivery progress. Screenshots go to
 * /tmp/xueshi-surveys*.png for a person to look at.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLoginLink } from '../../src/admin/auth.js';
import { listen, closeServer } from '../../src/http/server.js';
import { findTeacherById } from '../../src/ledger/store.js';
import { grantRole } from '../../src/ledger/roles.js';
import { getRound, type RoundRow } from '../../src/surveys/store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addTeacher } from '../helpers/seed.js';
import { seedTeachers } from '../helpers/surveys.js';
import { evaluated } from '../helpers/survey-console.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe.skipIf(!existsSync(CHROMIUM))('survey results in the officer console', { timeout: 40_000 }, () => {
  let app: TestApp;
  let server: Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  let big: RoundRow;
  let small: RoundRow;

  beforeAll(async () => {
    app = await createTestApp();
    server = app.createServer();
    base = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
    const teachers = await seedTeachers(app.db, 'console', 12, (i) => `acc-${i}`);
    const officer = await addTeacher(app.db, { employeeNo: 'O0001', name: '钱主任', school: '教师发展中心' });
    await grantRole(app.db, officer, 'officer', 'test');
    const now = app.fixedClock.now();
    // Overall 5,5,5,4,4,2: bars of 1 (很不满意 none), 2 → 1, 4 → 2, 5 → 3.
    big = await evaluated(app.db, now, { title: '信息技术应用能力提升', trainer: '李明', project: '国培2026' }, teachers.slice(0, 8), [5, 5, 5, 4, 4, 2], [
      '案例很实用',
      undefined,
      '希望多安排实操时间',
      '<script>alert(1)</script>',
      undefined,
      '讲得太快了',
    ]);
    small = await evaluated(app.db, now, { title: '心理健康专题讲座', trainer: '张华' }, teachers.slice(0, 5), [5, 3, 4], ['三人组的意见']);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    const { token } = await issueLoginLink(app.db, (await findTeacherById(app.db, officer))!, now);
    await page.goto(`${base}/admin/login?token=${token}`);
    await page.click('text=进入后台');
    await page.waitForURL(`${base}/admin`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await closeServer(server);
    await app?.cleanup();
  });

  it('shows a round of six answers as bars, means and comments', async () => {
    await page.click('nav.nav >> text=评估调研');
    await page.waitForURL(`${base}/admin/surveys`);
    expect(await page.textContent('h1')).toBe('培训评估与需求调研');
    await page.click('text=信息技术应用能力提升');
    await page.waitForURL(`${base}/admin/surveys/${big.id}`);
    expect(await page.textContent('h1')).toBe('培训评价：信息技术应用能力提升');
    expect(await page.textContent('#round-stats')).toContain('75%');

    const overall = page.locator('.survey-question[data-key=overall]');
    expect(await overall.textContent()).toContain('均分 4.17');
    // The bars the browser drew: one per answered option, widths in proportion to the counts (3 : 2 : 1).
    const bars = await overall.locator('svg.survey-bars rect.bar').evaluateAll((rects) =>
      rects.map((r) => ({ count: Number(r.getAttribute('data-count')), width: (r as SVGRectElement).getBBox().width })),
    );
    expect(bars.map((b) => b.count)).toEqual([1, 2, 3]);
    expect(bars[2].width).toBeGreaterThan(100);
    expect(bars[1].width / bars[2].width).toBeCloseTo(2 / 3, 2);
    expect(bars[0].width / bars[2].width).toBeCloseTo(1 / 3, 2);
    expect(await page.locator('svg.survey-bars').count()).toBe(4);

    const comments = await page.locator('.survey-question[data-key=comment] li').allTextContents();
    expect([...comments].sort()).toEqual(['<script>alert(1)</script>', '希望多安排实操时间', '案例很实用', '讲得太快了'].sort());
    // A comment is text on the page, never markup.
    expect(await page.locator('.survey-question[data-key=comment] script').count()).toBe(0);
    await page.screenshot({ path: '/tmp/xueshi-surveys.png', fullPage: true });
  });

  it('shows a round of three answers as its count only', async () => {
    await page.goto(`${base}/admin/surveys`);
    await page.click('text=心理健康专题讲座');
    await page.waitForURL(`${base}/admin/surveys/${small.id}`);
    expect(await page.textContent('.survey-suppressed')).toContain('目前收回 3 份，不足 5 份');
    expect(await page.locator('svg.survey-bars').count()).toBe(0);
    expect(await page.locator('.survey-question').count()).toBe(0);
    expect(await page.content()).not.toContain('三人组的意见');
  });

  it('groups by trainer: 李明 shown, 张华 held to the count', async () => {
    await page.goto(`${base}/admin/surveys`);
    await page.click('text=按授课教师');
    await page.waitForURL(`${base}/admin/surveys/by/trainer`);
    const groups = page.locator('.survey-group');
    expect(await groups.count()).toBe(2);
    const li = groups.filter({ hasText: '李明' });
    expect(await li.locator('rect.bar').count()).toBeGreaterThan(0);
    const zhang = groups.filter({ hasText: '张华' });
    expect(await zhang.textContent()).toContain('不足 5 份');
    expect(await zhang.locator('rect.bar').count()).toBe(0);
  });

  it('sends a needs survey from the form: preview the count, confirm, see the delivery', async () => {
    await page.goto(`${base}/admin/surveys`);
    await page.click('text=新建需求调研');
    await page.waitForURL(`${base}/admin/surveys/new`);
    await page.fill('input[name=title]', '2027年度培训需求调研');
    await page.check('input[name=audience][value=schools]');
    await page.fill('input[name=schools]', '第一中学、第二小学');
    await page.fill('input[name=closes]', '2026-12-10');
    await page.fill('input[name=q1_prompt]', '最希望参加的培训主题');
    await page.fill('textarea[name=q1_options]', '课堂教学\n班级管理\n信息技术');
    await page.fill('input[name=q2_prompt]', '其他需求');
    await page.check('input[name=q2_kind][value=text]');
    await page.click('button[name=step][value=preview]');
    expect(await page.textContent('#headcount')).toContain('共 8 人：8 人将收到消息');
    await page.click('button[name=step][value=send]');
    await page.waitForURL(/\/admin\/surveys\/\d+$/);
    const id = Number(/(\d+)$/.exec(page.url())![1]);
    expect(await getRound(app.db, id)).toMatchObject({ kind: 'survey', title: '2027年度培训需求调研' });
    expect(await page.textContent('.flash.ok')).toContain('邀请 8 人');
    expect(await page.textContent('h1')).toBe('需求调研：2027年度培训需求调研');
    expect(await page.textContent('#delivery')).toContain('待发送');
    await page.screenshot({ path: '/tmp/xueshi-surveys-sent.png', fullPage: true });
  });
});
