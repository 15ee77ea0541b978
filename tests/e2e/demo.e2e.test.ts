/**
 * `npm run demo` in a real headless Chromium: the 后台 link the demo prints on start logs the demo's officer into the
 * console of the demo's own server (the demo roster shows), and the projector link of a 新建培训 typed in the demo
 * chat opens that session's page — no link 404s, all on the database the chat writes.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { consoleCommand } from '../../src/platforms/console/commands.js';
import { startDemo, type RunningDemo } from '../../src/platforms/console/demo.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe.skipIf(!existsSync(CHROMIUM))('npm run demo links in Chromium', { timeout: 30_000 }, () => {
  let dir: string;
  let demo: RunningDemo;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xueshi-demo-e2e-'));
    demo = await startDemo({ DEMO_DATABASE_PATH: join(dir, 'demo.db'), HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' }, { logger: silentLogger });
    browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the printed 后台 link logs the demo officer into the console of the demo server', async () => {
    const printed = /后台：(\S+)/.exec(demo.intro.join('\n'))![1];
    expect(printed).toBe(demo.adminLogin);
    const res = await page.goto(printed);
    expect(res?.status()).toBe(200);
    expect(await page.textContent('body')).toContain('演示刘洋（DEMO006）');
    await page.click('text=进入后台');
    await page.waitForURL(`${demo.url}/admin`);
    expect(await page.textContent('.side-foot .who')).toContain('演示刘洋');
    // The demo roster, not the real database.
    expect(await page.textContent('body')).toContain('演示一中');
  });

  it('the projector link of a 新建培训 typed in the demo chat opens its page', async () => {
    await consoleCommand(demo.app.db, demo.session, '/as 管理员');
    const [reply] = await demo.session.send('新建培训 演示师德讲座 师德师风 2 明天 下午2点-4点');
    const link = /(http:\/\/\S+\/sessions\/\d+\/checkin\?key=\S+)/.exec(reply)![1];
    expect(link.startsWith(demo.url)).toBe(true);
    const res = await page.goto(link);
    expect(res?.status()).toBe(200);
    expect(await page.textContent('body')).toContain('演示师德讲座');
  });
});
