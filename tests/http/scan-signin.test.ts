/** Scan-to-sign-in without a browser: unknown links, no platform configured, rate limit, a stale or foreign callback. */
import { afterEach, describe, expect, it } from 'vitest';
import { createSession } from '../../src/sessions/service.js';
import { type SessionRow } from '../../src/sessions/model.js';
import { SCANS_PER_MINUTE } from '../../src/http/scan.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addTeacher } from '../helpers/seed.js';
import { FEISHU_ENV } from '../helpers/fakes/feishu-harness.js';

let app: TestApp;
afterEach(async () => app?.cleanup());

async function makeSession(): Promise<SessionRow> {
  await addTeacher(app.db, { employeeNo: 'T0001', name: '张三' });
  const created = await createSession(
    app.db,
    { title: '师德讲座', category: '师德师风', hours: 2, date: '2026-11-25', checkin: { start: '09:50', end: '10:40' }, checkout: null, audience: { all: true }, mode: 'static', staticCode: '4321' },
    { now: app.fixedClock.now(), timeZone: 'Asia/Shanghai', createdBy: 'test', presets: app.presets, defaultPolicy: 'laibin' },
  );
  if (!created.ok) throw new Error(JSON.stringify(created.problem));
  return created.session;
}

describe('scan-to-sign-in links', () => {
  it('an unknown session or a malformed code is 404; with no platform configured the page says to type the code', async () => {
    app = await createTestApp();
    const s = await makeSession();
    for (const path of ['/s/999/4321', '/s/abc/4321', `/s/${s.id}/12`, `/s/${s.id}/x1234`]) {
      const res = await app.http.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).toContain('二维码无效');
    }
    const res = await app.http.request(`/s/${s.id}/4321`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(await res.text()).toContain('请在飞书或钉钉里向学时助手发送「签到 4321」');
  });

  it('sends a Feishu phone to Feishu login with a state bound to a new cookie; limits scans per address', async () => {
    app = await createTestApp({ ...FEISHU_ENV, PUBLIC_BASE_URL: 'https://xueshi.example.edu.cn' });
    const s = await makeSession();
    const res = await app.http.request(`/s/${s.id}/4321/out`, { headers: { 'user-agent': 'Mozilla/5.0 Lark/7.20.0' } });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe('https://accounts.feishu.cn/open-apis/authen/v1/authorize');
    expect(to.searchParams.get('client_id')).toBe(FEISHU_ENV.FEISHU_APP_ID);
    expect(to.searchParams.get('redirect_uri')).toBe('https://xueshi.example.edu.cn/s/auth/feishu');
    expect(to.searchParams.get('state')).toMatch(/^[\w-]{32}$/);
    expect(res.headers.get('set-cookie')).toMatch(/xueshi_scan=[\w-]+; Max-Age=\d+; Path=\/s; HttpOnly; Secure; SameSite=Lax/);

    // A callback with a made-up state, or a real state without its browser's cookie, does nothing.
    expect(await (await app.http.request('/s/auth/feishu?code=c&state=nope')).text()).toContain('登录已失效');
    const foreign = await app.http.request(`/s/auth/feishu?code=c&state=${to.searchParams.get('state')}`);
    expect(foreign.status).toBe(400);

    for (let i = 1; i < SCANS_PER_MINUTE; i++) await app.http.request(`/s/${s.id}/4321`);
    const limited = await app.http.request(`/s/${s.id}/4321`);
    expect(limited.status).toBe(429);
    expect(await limited.text()).toContain('扫码太频繁');
  });
});
