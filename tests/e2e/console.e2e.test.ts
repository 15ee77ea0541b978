/**
 * The officer console in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core; no
 * browser download), against the real server (createXueshi over a temp SQLite file, Feishu on, replies to the
 * fake Feishu OpenAPI): login by the `后台` link, refused logins, an import with a bad row then a good one, a
 * session whose projector code changes when the clock moves 30 s, a broadcast delivered to Feishu with its
 * delivery report, a filing deadline made with the form, and CSRF refusals. Screenshots of the dashboard, a
 * school, the sessions list, the audit log and the deadlines page go to a temp dir and, for a person to look at,
 * /tmp/xueshi-dashboard.png, /tmp/xueshi-school.png, /tmp/xueshi-sessions.png, /tmp/xueshi-audit.png and
 * /tmp/xueshi-deadlines.png.
 */
import { createServer, type Server } from 'node:http';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import { tables } from '../../db/handle.js';
import { dateTimeIn } from '../../src/time/zone.js';
import { bindAccount } from '../../src/ledger/accounts.js';
import { grantRole } from '../../src/ledger/roles.js';
import { findTeacherByEmployeeNo } from '../../src/ledger/store.js';
import { startFeishu, type FeishuHarness } from '../helpers/fakes/feishu-harness.js';
import { waitFor } from '../helpers/fakes/feishu-platform.js';
import { messageEvent } from '../helpers/fakes/feishu-sign.js';
import { seedDistrict, type District } from '../helpers/console-seed.js';
import { bindCode } from '../helpers/seed.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OFFICER = 'ou_officer0000000000000000000000001';
const DEPUTY = 'ou_deputy00000000000000000000000002';

describe.skipIf(!existsSync(CHROMIUM))('officer console in Chromium', { timeout: 30_000 }, () => {
  let h: FeishuHarness;
  let district: District;
  let profile: string;
  let shots: string;
  let browser: BrowserContext;
  let page: Page;
  const leaderIds: string[] = [];

  const count = (table: 'records' | 'deadlines' | 'broadcasts') => h.app.db.$count(tables(h.app.db)[table]);

  /** Sends `后台` from a Feishu account and returns the token of the link that comes back. */
  async function linkFor(openId: string): Promise<string> {
    const before = h.fake.delivered.length;
    const r = await h.send(messageEvent({ text: '后台', openId }));
    expect(r.status).toBe(200);
    await waitFor(() => h.fake.delivered.slice(before).some((d) => d.msgType === 'text' && /admin\/login\?token=/.test(d.content.text)), { what: 'login link' });
    const text = h.fake.delivered.slice(before).find((d) => /admin\/login\?token=/.test(d.content?.text ?? ''))!.content.text as string;
    return /token=([\w-]+)/.exec(text)![1];
  }

  beforeAll(async () => {
    h = await startFeishu();
    district = await seedDistrict(h.app.db);
    // The officer and a second officer bind their Feishu accounts the way people do: by chat.
    const deputy = (await findTeacherByEmployeeNo(h.app.db, 'T0002'))!;
    await grantRole(h.app.db, deputy.id, 'officer', 'test');
    await h.send(messageEvent({ text: `绑定 T9000 周主任 ${await bindCode(h.app.db, 'T9000')}`, openId: OFFICER }));
    await h.send(messageEvent({ text: `绑定 T0002 ${deputy.name} ${await bindCode(h.app.db, 'T0002')}`, openId: DEPUTY }));
    await waitFor(() => h.fake.delivered.length >= 2, { what: 'bind replies' });
    // School leaders are on Feishu too (the broadcast goes to them).
    for (const [i, id] of [...district.leaders.values()].entries()) {
      // (T0002, the deputy, leads 第一中学 and is bound already: the broadcast reaches that account.)
      const openId = `ou_leader${String(i).padStart(27, '0')}`;
      leaderIds.push((await bindAccount(h.app.db, 'feishu', openId, id)).ok ? openId : DEPUTY);
    }
    profile = mkdtempSync(join(tmpdir(), 'xueshi-chromium-'));
    shots = mkdtempSync(join(tmpdir(), 'xueshi-shots-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1440, height: 900 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('dialog', (d) => void d.accept());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (shots) rmSync(shots, { recursive: true, force: true }); // the copies in /tmp/xueshi-*.png stay
  });

  it('logs in with the one-time link from 后台, and refuses the same link again', async () => {
    const token = await linkFor(OFFICER);
    await page.goto(`${h.base}/admin`);
    expect(page.url()).toBe(`${h.base}/admin/login`);
    await page.goto(`${h.base}/admin/login?token=${token}`);
    expect(await page.textContent('h1')).toBe('确认登录');
    expect(await page.textContent('body')).toContain('周主任（T9000）');
    await page.click('text=进入后台');
    await page.waitForURL(`${h.base}/admin`);
    expect(await page.textContent('h1')).toBe('学时达标总览');
    expect(await page.textContent('.side-foot .who')).toBe('周主任（T9000）');
    const cookie = (await browser.cookies(`${h.base}/admin`)).find((c) => c.name === 'xueshi_admin')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');

    const other = await browser.newPage();
    const res = await other.goto(`${h.base}/admin/login?token=${token}`);
    expect(res!.status()).toBe(410);
    expect(await other.textContent('body')).toContain('登录链接已使用过');
    await other.close();
  });

  it('refuses a link whose officer has lost the role, and a link past its 10 minutes', async () => {
    const token = await linkFor(DEPUTY);
    const { roles, teachers } = tables(h.app.db);
    await h.app.db.delete(roles).where(and(eq(roles.role, 'officer'), inArray(roles.teacherId, h.app.db.select({ id: teachers.id }).from(teachers).where(eq(teachers.employeeNo, 'T0002')))));
    const other = await browser.newPage();
    const refused = await other.goto(`${h.base}/admin/login?token=${token}`);
    expect(refused!.status()).toBe(403);
    expect(await other.textContent('body')).toContain('没有培训管理员权限');

    const late = await linkFor(OFFICER);
    h.app.fixedClock.advance(10 * 60_000 + 1000);
    const expired = await other.goto(`${h.base}/admin/login?token=${late}`);
    expect(expired!.status()).toBe(410);
    expect(await other.textContent('body')).toContain('登录链接已过期');
    await other.close();
  });

  it('shows which schools are behind, in charts (screenshots)', async () => {
    await page.goto(`${h.base}/admin`);
    expect(await page.locator('.kpi').count()).toBe(5);
    expect(await page.locator('svg.chart').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('table.table tbody tr').count()).toBeGreaterThanOrEqual(8);
    // Fonts came from the system, styles from our one stylesheet: the layout really applied.
    const sideWidth = await page.locator('aside.side').evaluate((el) => el.getBoundingClientRect().width);
    expect(sideWidth).toBeGreaterThan(200);
    await page.screenshot({ path: join(shots, 'dashboard.png'), fullPage: true });
    copyFileSync(join(shots, 'dashboard.png'), '/tmp/xueshi-dashboard.png');

    await page.locator('svg.chart a text').first().click();
    await page.waitForURL(/\/admin\/schools\//);
    expect(await page.locator('table.table tbody tr').count()).toBeGreaterThan(10);
    await page.goto(`${h.base}/admin/schools/${encodeURIComponent('第一中学')}`);
    await page.screenshot({ path: join(shots, 'school.png'), fullPage: true });
    copyFileSync(join(shots, 'school.png'), '/tmp/xueshi-school.png');

    await page.click('table a:has-text("周主任")');
    await page.waitForURL(/\/admin\/teachers\/\d+/);
    expect(await page.textContent('body')).toContain('各项最低要求');
  });

  it('imports a file with a bad row (report, nothing written), then the corrected file', async () => {
    const records = await count('records');
    const upload = async (name: string, csv: string) => {
      await page.goto(`${h.base}/admin/imports`);
      await page.check('input[name=kind][value=records]');
      await page.setInputFiles('input[type=file]', { name, mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${csv}`, 'utf8') });
      await page.click('text=上传并检查');
      await page.locator('h1', { hasText: '检查结果' }).waitFor({ timeout: 15_000 });
    };
    await upload('学时记录.csv', ['工号,日期,学时,类别,项目,编号', 'T0003,2026-10-08,6,集中培训,新课标解读,E2E-1', 'T0004,2026-10-09,三,网络研修,,E2E-2'].join('\r\n'));
    const report = await page.textContent('main');
    expect(report).toContain('2 行中有 1 行有错误');
    expect(report).toContain('「三」不是数字');
    expect(await page.locator('button', { hasText: '确认导入' }).count()).toBe(0);
    expect(await count('records')).toBe(records);

    await upload('学时记录（已改正）.csv', ['工号,日期,学时,类别,项目,编号', 'T0003,2026-10-08,6,集中培训,新课标解读,E2E-1', 'T0004,2026-10-09,3,网络研修,,E2E-2'].join('\r\n'));
    expect(await page.textContent('main')).toContain('全部 2 行检查通过');
    await page.click('button:has-text("确认导入")');
    await page.locator('h1', { hasText: '导入完成' }).waitFor({ timeout: 15_000 });
    expect(await page.textContent('main')).toContain('已写入数据库');
    expect(await count('records')).toBe(records + 2);
  });

  it('creates a session; its projector code changes when the clock moves 30 s', async () => {
    await page.goto(`${h.base}/admin/sessions`);
    await page.fill('input[name=title]', '新课标专题讲座');
    await page.selectOption('select[name=category]', '集中培训');
    await page.fill('input[name=hours]', '3');
    await page.fill('input[name=date]', '2026-11-25');
    await page.fill('input[name=checkinStart]', '09:00');
    await page.fill('input[name=checkinEnd]', '12:00');
    await page.click('button:has-text("创建")');
    await page.waitForURL(/\/admin\/sessions\/\d+$/);
    expect(await page.textContent('.flash')).toContain('已创建培训');
    expect(await page.locator('[data-live-key=expected]').textContent()).toBe(String(district.teachers + 1));

    const href = await page.locator('a', { hasText: '打开投影页' }).getAttribute('href');
    expect(href).toMatch(/^\/sessions\/\d+\/checkin\?key=/);
    const projector = await browser.newPage();
    await projector.goto(`${h.base}${href}`);
    const first = (await projector.textContent('#code'))!.trim();
    expect(first).toMatch(/^\d{6}$/);
    expect(await projector.locator('#qr svg').count()).toBe(1);
    h.app.fixedClock.advance(30_000);
    await projector.reload();
    const second = (await projector.textContent('#code'))!.trim();
    expect(second).toMatch(/^\d{6}$/);
    expect(second).not.toBe(first);
    await projector.close();

    // A teacher signs in with the code on the projector: the console's live count follows.
    const teacher = (await findTeacherByEmployeeNo(h.app.db, 'T0003'))!;
    await bindAccount(h.app.db, 'feishu', 'ou_teacher000000000000000000000003', teacher.id);
    await h.send(messageEvent({ text: `签到 ${second}`, openId: 'ou_teacher000000000000000000000003' }));
    await page.locator('[data-live-key=signedIn]', { hasText: '1' }).waitFor({ timeout: 10_000 });
  });

  it('says 未开始 for a session ahead, names people in the audit log in Beijing time, labels platforms; columns fit (screenshots)', async () => {
    await page.goto(`${h.base}/admin/sessions`);
    await page.fill('input[name=title]', '下月师德讲座');
    await page.selectOption('select[name=category]', '师德师风');
    await page.fill('input[name=hours]', '2');
    await page.fill('input[name=date]', '2026-12-10');
    await page.fill('input[name=checkinStart]', '14:00');
    await page.fill('input[name=checkinEnd]', '14:30');
    await page.click('button:has-text("创建")');
    await page.waitForURL(/\/admin\/sessions\/\d+$/);
    expect((await page.locator('.panel-head .badge').textContent())!.trim()).toBe('未开始');
    await page.goto(`${h.base}/admin/sessions`);
    const row = page.locator('table.table tbody tr', { hasText: '下月师德讲座' });
    expect((await row.locator('.badge').textContent())!.trim()).toBe('未开始');
    await page.screenshot({ path: join(shots, 'sessions.png'), fullPage: true });
    copyFileSync(join(shots, 'sessions.png'), '/tmp/xueshi-sessions.png');

    await page.goto(`${h.base}/admin/audit`);
    const table = (await page.textContent('table.table tbody'))!;
    // The officer bound by chat and created sessions: a name and where, a Chinese action, local time.
    expect(table).toContain('周主任（飞书）');
    expect(table).toContain('绑定账号');
    expect(table).toContain('新建培训');
    expect(table).toContain('登录后台');
    expect(table).not.toMatch(/ou_|session_create|admin_login|teacherId|sessionId/);
    // The session row was written moments ago (audit rows carry real time): shown in Beijing time, not UTC.
    const createdAt = (await page.locator('table.table tbody tr', { hasText: '下月师德讲座' }).first().locator('td').first().textContent())!.trim();
    const beijing = [0, 60_000, 120_000].map((ago) => dateTimeIn(new Date(Date.now() - ago), 'Asia/Shanghai'));
    expect(beijing).toContain(createdAt);
    await page.screenshot({ path: join(shots, 'audit.png'), fullPage: true });
    copyFileSync(join(shots, 'audit.png'), '/tmp/xueshi-audit.png');

    // Columns fit Chinese text: no cell's text runs past its cell, no table wider than its panel.
    for (const path of ['/admin/audit', '/admin/sessions', `/admin/schools/${encodeURIComponent('第一中学')}`]) {
      await page.goto(`${h.base}${path}`);
      const overflow = await page.evaluate(() => {
        const bad: string[] = [];
        for (const cell of document.querySelectorAll<HTMLElement>('table.table th, table.table td')) {
          if (cell.scrollWidth > cell.clientWidth + 1) bad.push(cell.textContent!.trim().slice(0, 30));
        }
        for (const t of document.querySelectorAll<HTMLElement>('table.table')) {
          const box = t.parentElement!;
          if (t.getBoundingClientRect().width > box.getBoundingClientRect().width + 1 && getComputedStyle(box).overflowX === 'visible') bad.push('table wider than its panel');
        }
        return bad;
      });
      expect(overflow, path).toEqual([]);
    }

    const officer = (await findTeacherByEmployeeNo(h.app.db, 'T9000'))!;
    await page.goto(`${h.base}/admin/teachers/${officer.id}`);
    expect(await page.textContent('main')).toContain('已绑定飞书');
  });

  it('sends a broadcast to Feishu and shows the delivery report', async () => {
    await page.goto(`${h.base}/admin/broadcasts`);
    await page.check('input[name=audience][value=roles]');
    await page.check('input[name=roles][value=leader]');
    await page.fill('textarea[name=text]', '各校负责人：请于本周五前报送年度培训计划。');
    await page.click('button:has-text("预览")');
    await page.waitForURL(/\/admin\/broadcasts\/\d+$/);
    expect(await page.textContent('main')).toContain(`共 ${leaderIds.length} 人：${leaderIds.length} 人将收到消息`);
    expect(h.fake.delivered.filter((d) => leaderIds.includes(d.to))).toHaveLength(0);
    await page.click('button:has-text("确认发送")'); // the confirm() dialog is accepted
    await page.locator('text=送达报告').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-live-key=delivered]').textContent()).toBe(String(leaderIds.length));
    const delivered = h.fake.delivered.filter((d) => leaderIds.includes(d.to));
    expect(delivered).toHaveLength(leaderIds.length);
    expect(JSON.stringify(delivered[0].content)).toContain('请于本周五前报送年度培训计划');
  });

  it('creates a filing deadline from the form; a due time already past is refused next to its field', async () => {
    const before = await count('deadlines');
    await page.goto(`${h.base}/admin/deadlines`);
    // The school boxes show once "指定学校" is chosen (admin.js).
    expect(await page.locator('input[name=schools]').first().isVisible()).toBe(false);
    await page.fill('input[name=title]', '年度培训计划报送');
    await page.fill('input[name=date]', '2026-11-25');
    await page.fill('input[name=time]', '08:00');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/admin/deadlines') && r.request().method() === 'POST'),
      page.click('button:has-text("新建截止事项")'),
    ]);
    expect(refused.status()).toBe(400);
    expect(await page.locator('.field-err').textContent()).toBe('截止时间 2026-11-25 08:00 已经过去，不能新建。请检查日期。');
    expect(await page.inputValue('input[name=title]')).toBe('年度培训计划报送');
    expect(await count('deadlines')).toBe(before);

    await page.fill('input[name=date]', '2027-05-31');
    await page.fill('input[name=time]', '17:00');
    await page.check('input[name=audience][value=schools]');
    await page.check('input[name=schools][value=第一中学]');
    await page.check('input[name=schools][value=民族中学]');
    await page.click('button:has-text("新建截止事项")');
    await page.waitForURL(`${h.base}/admin/deadlines`);
    expect(await page.textContent('.flash')).toMatch(/^已新建截止事项 #\d+：年度培训计划报送（截止 2027-05-31 17:00，民族中学、第一中学）。$/); // in the roster's order
    expect(await page.locator('table a', { hasText: '年度培训计划报送' }).count()).toBe(1);
    expect(await count('deadlines')).toBe(before + 1);
    await page.screenshot({ path: join(shots, 'deadlines.png'), fullPage: true });
    copyFileSync(join(shots, 'deadlines.png'), '/tmp/xueshi-deadlines.png');
  });

  it('refuses a form with a forged CSRF token, and a form posted from another site', async () => {
    const before = await count('broadcasts');
    await page.goto(`${h.base}/admin/broadcasts`);
    await page.fill('textarea[name=text]', '伪造的通知');
    await page.evaluate(() => {
      document.querySelectorAll<HTMLInputElement>('input[name=_csrf]').forEach((i) => (i.value = 'forged-token-forged-token-forged-token-123'));
    });
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/admin/broadcasts') && r.request().method() === 'POST'), page.click('button:has-text("预览")')]);
    expect(response.status()).toBe(403);
    expect(await page.textContent('h1')).toBe('请求未通过安全校验');
    expect(await count('broadcasts')).toBe(before);

    // Another site (localhost is not 127.0.0.1) posts a form with the real token: the browser keeps the
    // SameSite=Lax cookie to itself, and the Origin would give it away anyway.
    await page.goto(`${h.base}/admin/broadcasts`);
    const token = await page.locator('input[name=_csrf]').first().inputValue();
    const evil: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<form id="f" method="post" action="${h.base}/admin/broadcasts"><input name="_csrf" value="${token}">` +
          `<input name="audience" value="all"><input name="text" value="钓鱼"></form><script>document.getElementById('f').submit()</script>`,
      );
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const [posted] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${h.base}/admin/broadcasts` && r.request().method() === 'POST'),
        page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`),
      ]);
      expect([401, 403]).toContain(posted.status());
    } finally {
      evil.close();
    }
    expect(await count('broadcasts')).toBe(before);
  });
});
