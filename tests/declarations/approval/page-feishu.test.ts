/**
 * The approval page opened from the Feishu card's link inside Feishu: the in-app browser (told by its user agent)
 * goes through Feishu's web login (the fake: authorize → code → oauth/token → user_info → open_id) and lands on
 * the page; 通过 there decides it. In a plain browser with both platforms configured, the page offers both logins.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifySubmitted } from '../../../src/declarations/notify.js';
import { getDeclaration, submitDeclaration } from '../../../src/declarations/service.js';
import { closeServer, listen } from '../../../src/http/server.js';
import { FakeDingtalk } from '../../helpers/fakes/dingtalk-platform.js';
import { FEISHU_ENV } from '../../helpers/fakes/feishu-harness.js';
import { FakeFeishu } from '../../helpers/fakes/feishu-platform.js';
import { FakeWebLogin } from '../../helpers/fakes/web-login.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { csrfOf, FEISHU_UA, freePort, Phone, platformEnv } from '../../helpers/phone.js';
import { actor, input, recordsOf, staff } from '../../helpers/declarations.js';

describe('the approval page through Feishu login', { timeout: 30_000 }, () => {
  let app: TestApp;
  let server: Server;
  let base: string;
  let feishu: FakeFeishu;
  let dingtalk: FakeDingtalk;
  let login: FakeWebLogin;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    feishu = await FakeFeishu.start();
    dingtalk = await FakeDingtalk.start();
    login = new FakeWebLogin('feishu', FEISHU_ENV.FEISHU_APP_ID, FEISHU_ENV.FEISHU_APP_SECRET);
    feishu.webLogin = login;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await createTestApp(platformEnv({ feishu: feishu.url, dingtalk: dingtalk.url, base, port }));
    server = app.createServer();
    await listen(server, port, '127.0.0.1');
    ids.teacher = await staff(app.db, 'T0001', '张三', '第一中学');
    ids.leader = await staff(app.db, 'L0001', '李校长', '第一中学', ['leader']);
  });

  afterAll(async () => {
    if (server) await closeServer(server);
    await app?.cleanup();
    await feishu?.close();
    await dingtalk?.close();
  });

  it('signs the leader in with Feishu inside the app and takes the decision', async () => {
    const now = app.fixedClock.now();
    const out = await submitDeclaration(app.db, app.presets, input(ids.teacher!), actor(ids.teacher!, 'feishu:ou_T0001'), now);
    if (!out.ok) throw new Error(out.detail);
    await notifySubmitted(app.db, out, now);
    const url = `${base}/approve/${out.declaration.id}`;

    login.user = { id: 'ou_L0001' };
    const phone = new Phone(FEISHU_UA);
    const page = await phone.get(url);
    expect(phone.hops).toEqual([`302 /approve/${out.declaration.id}`, '302 /open-apis/authen/v1/authorize', '303 /approve/auth/feishu', `200 /approve/${out.declaration.id}`]);
    expect(page.body).toContain('当前登录：李校长（L0001）');
    await phone.post(url, { action: 'approve', _csrf: csrfOf(page.body) });
    expect((await getDeclaration(app.db, out.declaration.id))!.declaration.state).toBe('approved');
    expect(await recordsOf(app.db, ids.teacher!)).toHaveLength(1);
  });

  it('offers both logins in a plain browser', async () => {
    const page = await new Phone('Mozilla/5.0 (Windows NT 10.0) Chrome/120.0').get(`${base}/approve/1`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('href="/approve/1?via=feishu"');
    expect(page.body).toContain('href="/approve/1?via=dingtalk"');
  });
});
