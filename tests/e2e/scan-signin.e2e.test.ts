/**
 * Scan-to-sign-in in a real headless Chromium (Debian's /usr/bin/chromium via playwright-core) against the real
 * server (temp SQLite, Feishu and DingTalk both on) and fake platforms whose web login answers like the real one:
 * the projector's QR link → the platform's authorize page (passes at once, as inside the app) → our callback →
 * the result page and an attendance row. Refusals: an expired code, someone not on the session's list, someone
 * not bound, a replayed or foreign callback; the grace for a login that returns after the code changed.
 */
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import QRCode from 'qrcode';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { tables } from '../../db/handle.js';
import { bindAccount } from '../../src/ledger/accounts.js';
import { closeServer, listen } from '../../src/http/server.js';
import { projectorKey, rotatingCode, stepOf } from '../../src/sessions/code.js';
import { createSession } from '../../src/sessions/service.js';
import { type SessionRow } from '../../src/sessions/model.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addTeacher } from '../helpers/seed.js';
import { FakeDingtalk } from '../helpers/fakes/dingtalk-platform.js';
import { CLIENT_ID, CLIENT_SECRET } from '../helpers/fakes/dingtalk-sign.js';
import { FEISHU_ENV } from '../helpers/fakes/feishu-harness.js';
import { FakeFeishu } from '../helpers/fakes/feishu-platform.js';
import { FakeWebLogin } from '../helpers/fakes/web-login.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const FEISHU_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Lark/7.20.0 LarkLocale/zh_CN';
const DINGTALK_UA = 'Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 AliApp(DingTalk/7.5.0) com.alibaba.android.rimet/0 DingTalk/7.5.0';

const ZHANG = { id: 'ou_zhang000000000000000000000000001' };
const WANG = { id: 'ou_wang0000000000000000000000000003' };
const STRANGER = { id: 'ou_stranger00000000000000000000009' };
const LI = { id: 'staff-li-0002', unionId: 'union-li-0002' };

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

describe.skipIf(!existsSync(CHROMIUM))('sign-in by scanning the projector QR', { timeout: 30_000 }, () => {
  let app: TestApp;
  let server: Server;
  let base: string;
  let feishu: FakeFeishu;
  let dingtalk: FakeDingtalk;
  let feishuLogin: FakeWebLogin;
  let dingLogin: FakeWebLogin;
  let browser: Browser;
  let session: SessionRow;
  const ids: Record<string, number> = {};

  const attendance = (teacherId: number) => {
    const { attendance: rows } = tables(app.db);
    return app.db.$count(rows, and(eq(rows.sessionId, session.id), eq(rows.teacherId, teacherId)));
  };
  const codeNow = () => rotatingCode(session.secret, stepOf(app.fixedClock.now().getTime()));
  const scanUrl = (code = codeNow()) => `${base}/s/${session.id}/${code}`;

  async function phone(userAgent: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ userAgent, locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    return { context, page: await context.newPage() };
  }

  async function scan(userAgent: string, url = scanUrl(), before?: (page: Page) => Promise<void>) {
    const { context, page } = await phone(userAgent);
    await before?.(page);
    const res = await page.goto(url);
    const result = { status: res?.status(), title: (await page.locator('h1').textContent()) ?? '', text: await page.locator('body').innerText(), url: page.url() };
    await context.close();
    return result;
  }

  beforeAll(async () => {
    feishu = await FakeFeishu.start();
    dingtalk = await FakeDingtalk.start();
    feishuLogin = new FakeWebLogin('feishu', FEISHU_ENV.FEISHU_APP_ID, FEISHU_ENV.FEISHU_APP_SECRET);
    dingLogin = new FakeWebLogin('dingtalk', CLIENT_ID, CLIENT_SECRET, (t) => dingtalk.tokenValid(t));
    feishu.webLogin = feishuLogin;
    dingtalk.webLogin = dingLogin;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await createTestApp({
      ...FEISHU_ENV,
      FEISHU_BASE_URL: feishu.url,
      FEISHU_ACCOUNTS_BASE_URL: feishu.url,
      DINGTALK_CLIENT_ID: CLIENT_ID,
      DINGTALK_CLIENT_SECRET: CLIENT_SECRET,
      DINGTALK_API_BASE_URL: dingtalk.url,
      DINGTALK_LOGIN_BASE_URL: dingtalk.url,
      DINGTALK_OAPI_BASE_URL: dingtalk.url,
      PUBLIC_BASE_URL: base,
      PORT: String(port),
    });
    server = app.createServer();
    await listen(server, port, '127.0.0.1');
    ids.zhang = await addTeacher(app.db, { employeeNo: 'T0001', name: '张三', school: '第一中学' });
    ids.li = await addTeacher(app.db, { employeeNo: 'T0002', name: '李四', school: '第一中学' });
    ids.wang = await addTeacher(app.db, { employeeNo: 'T0003', name: '王五', school: '第二中学' });
    await bindAccount(app.db, 'feishu', ZHANG.id, ids.zhang);
    await bindAccount(app.db, 'dingtalk', LI.id, ids.li);
    await bindAccount(app.db, 'feishu', WANG.id, ids.wang);
    const created = await createSession(
      app.db,
      {
        title: '新课标专题培训',
        category: '集中培训',
        hours: 3,
        date: '2026-11-25',
        checkin: { start: '09:50', end: '10:40' },
        checkout: null,
        audience: { schools: ['第一中学'] },
        mode: 'rotating',
      },
      { now: app.fixedClock.now(), timeZone: 'Asia/Shanghai', createdBy: 'test', presets: app.presets, defaultPolicy: 'laibin' },
    );
    if (!created.ok) throw new Error(JSON.stringify(created.problem));
    session = created.session;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await closeServer(server);
    await app?.cleanup();
    await feishu?.close();
    await dingtalk?.close();
  });

  it('the projector QR encodes the scan link for the current code', async () => {
    const res = await fetch(`${base}/sessions/${session.id}/checkin.json?key=${projectorKey(session.secret)}`);
    const state = await res.json();
    expect(state.code).toBe(codeNow());
    const expected = await QRCode.toString(scanUrl(), { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    expect(state.qrSvg).toBe(expected);
  });

  it('Feishu: scan → Feishu login (no tap in the app) → 签到成功, one attendance row; again → 您已签到', async () => {
    feishuLogin.user = ZHANG;
    const first = await scan(FEISHU_UA);
    expect(first.title).toBe('签到成功');
    expect(first.text).toContain('新课标专题培训');
    expect(first.text).toContain('张三');
    expect(first.url).toContain('/s/auth/feishu?');
    expect(await attendance(ids.zhang)).toBe(1);
    expect(feishuLogin.authorizeRequests.at(-1)!.query.redirect_uri).toBe(`${base}/s/auth/feishu`);
    // The callback URL is single use: opening it again (a replay) does nothing.
    const { context, page } = await phone(FEISHU_UA);
    await page.goto(first.url);
    expect(await page.locator('h1').textContent()).toBe('登录已失效');
    await context.close();

    const again = await scan(FEISHU_UA);
    expect(again.title).toBe('您已签到');
    expect(await attendance(ids.zhang)).toBe(1);
  });

  it('DingTalk: the unionId from the login is mapped to the staff id the bot knows → 签到成功', async () => {
    dingLogin.user = LI;
    const r = await scan(DINGTALK_UA);
    expect(r.title).toBe('签到成功');
    expect(r.text).toContain('李四');
    expect(await attendance(ids.li)).toBe(1);
  });

  it('refuses: not on the list, not bound (told how to bind), an expired code', async () => {
    feishuLogin.user = WANG;
    const notListed = await scan(FEISHU_UA);
    expect(notListed.title).toBe('未能签到');
    expect(notListed.text).toContain('不在「新课标专题培训」的签到名单内');
    expect(await attendance(ids.wang)).toBe(0);

    feishuLogin.user = STRANGER;
    const unbound = await scan(FEISHU_UA);
    expect(unbound.title).toBe('还没有绑定名册');
    expect(unbound.text).toContain('绑定 工号 姓名');

    const old = codeNow();
    app.fixedClock.advance(5 * 60_000);
    feishuLogin.user = ZHANG;
    dingLogin.user = { id: 'staff-x', unionId: 'union-x' };
    const expired = await scan(DINGTALK_UA, scanUrl(old));
    // (Nobody bound behind union-x: the not-bound page; a bound teacher with the old code is refused below.)
    expect(expired.title).toBe('还没有绑定名册');
    const zhao = await addTeacher(app.db, { employeeNo: 'T0004', name: '赵六', school: '第一中学' });
    await bindAccount(app.db, 'dingtalk', 'staff-x', zhao);
    const stale = await scan(DINGTALK_UA, scanUrl(old));
    expect(stale.title).toBe('未能签到');
    expect(stale.text).toMatch(/签到码已过期|签到码不正确/);
    expect(await attendance(zhao)).toBe(0);
  });

  it('a code valid at the scan still counts when the login comes back within the grace, not after it', async () => {
    const zhou = await addTeacher(app.db, { employeeNo: 'T0005', name: '周七', school: '第一中学' });
    const qian = await addTeacher(app.db, { employeeNo: 'T0006', name: '钱八', school: '第一中学' });
    await bindAccount(app.db, 'feishu', 'ou_zhou', zhou);
    await bindAccount(app.db, 'feishu', 'ou_qian', qian);
    // The person lingers on the platform's login page while the projector's code changes.
    const slowLogin = (ms: number) => {
      feishuLogin.onAuthorize = () => {
        app.fixedClock.advance(ms);
        feishuLogin.onAuthorize = null;
      };
    };
    feishuLogin.user = { id: 'ou_zhou' };
    const scannedCode = codeNow();
    slowLogin(90_000);
    const inGrace = await scan(FEISHU_UA, scanUrl(scannedCode));
    expect(codeNow()).not.toBe(scannedCode);
    expect(inGrace.title).toBe('签到成功');
    expect(await attendance(zhou)).toBe(1);
    feishuLogin.user = { id: 'ou_qian' };
    slowLogin(3 * 60_000);
    const tooSlow = await scan(FEISHU_UA);
    expect(tooSlow.title).toBe('未能签到');
    expect(tooSlow.text).toMatch(/签到码已过期|签到码不正确/);
    expect(await attendance(qian)).toBe(0);
  });

  it('in a plain browser, offers both logins (one tap), and a callback without its browser cookie is refused', async () => {
    const { context, page } = await phone('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1');
    await page.goto(scanUrl());
    expect(await page.locator('a.btn').allTextContents()).toEqual(['用飞书登录', '用钉钉登录']);
    feishuLogin.user = { id: 'ou_zhou' };
    await page.locator('a.btn', { hasText: '用飞书登录' }).click();
    await page.waitForLoadState();
    expect(await page.locator('h1').textContent()).toBe('您已签到');
    await context.close();

    // A callback carried to another browser (a forged link): its state belongs to the browser that scanned.
    const start = await fetch(scanUrl(), { redirect: 'manual', headers: { 'user-agent': FEISHU_UA } });
    expect(start.headers.get('set-cookie')).toMatch(/xueshi_scan=.*HttpOnly/i);
    const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const callback = authorize.headers.get('location')!;
    expect(callback).toContain('/s/auth/feishu?code=');
    const other = await phone(FEISHU_UA);
    await other.page.goto(callback);
    expect(await other.page.locator('h1').textContent()).toBe('登录已失效');
    await other.context.close();
  });
});
