/** Console sign-in: the `后台` link (single use, 10 minutes, officers only), ADMIN_TOKEN, sessions, CSRF, rate limit. */
import { afterEach, describe, expect, it } from 'vitest';
import { tables } from '../../../db/handle.js';
import { eq } from 'drizzle-orm';
import { schema } from '../../../db/client.js';
import { grantRole } from '../../../src/ledger/roles.js';
import { ConsoleSession } from '../../../src/platforms/console/session.js';
import type { TestApp } from '../../helpers/app.js';
import { addTeacher, bindCode } from '../../helpers/seed.js';
import { startFeishu } from '../../helpers/fakes/feishu-harness.js';
import { waitFor } from '../../helpers/fakes/feishu-platform.js';
import { groupMention } from '../../helpers/fakes/feishu-sign.js';
import { ADMIN_TOKEN, cookieOf, count, csrfOf, get, post, signInWithToken, startAdmin, tokenOf } from '../../helpers/admin.js';

let app: TestApp;
afterEach(async () => app?.cleanup());

async function withOfficer(env: Record<string, string> = {}) {
  app = await startAdmin(env);
  const officerId = await addTeacher(app.db, { employeeNo: 'T9000', name: '周主任', school: '教师发展中心' });
  const teacherId = await addTeacher(app.db, { employeeNo: 'T0001', name: '张三' });
  await grantRole(app.db, officerId, 'officer', 'test');
  const officer = new ConsoleSession(app, 'officer');
  const teacher = new ConsoleSession(app, 'teacher');
  await officer.send(`绑定 T9000 周主任 ${await bindCode(app.db, 'T9000')}`);
  await teacher.send('绑定 T0001 张三');
  return { officerId, teacherId, officer, teacher };
}

const askLink = async (s: ConsoleSession) => (await s.send('后台')).join('\n');

describe('login by link (后台)', () => {
  it('gives an officer a personal link that works once', async () => {
    const { officer } = await withOfficer();
    const reply = await askLink(officer);
    expect(reply).toContain('10 分钟内有效，仅可使用一次');
    expect(reply).toContain('http://localhost:3000/admin/login?token=');
    const token = tokenOf(reply);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only the hash is stored.
    const stored = (await app.db.select().from(tables(app.db).adminLoginTokens));
    expect(stored).toHaveLength(1);
    expect(stored[0].tokenHash).not.toContain(token);

    // Looking at the link (a chat preview, the confirmation page) does not use it up.
    for (let i = 0; i < 2; i++) {
      const look = await get(app, `/admin/login?token=${token}`);
      expect(look.status).toBe(200);
      const html = await look.text();
      expect(html).toContain('周主任（T9000）');
      expect(html).toContain('进入后台');
    }

    const use = await post(app, '/admin/login/link', { token });
    expect(use.status).toBe(303);
    expect(use.headers.get('location')).toBe('/admin');
    const setCookie = use.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\/admin/);
    expect(setCookie).not.toMatch(/Secure/i);
    const cookie = cookieOf(use);
    const dash = await get(app, '/admin', cookie);
    expect(dash.status).toBe(200);
    expect(await dash.text()).toContain('周主任（T9000）');

    // Second use: refused, whether by the button or by opening the link again.
    const again = await post(app, '/admin/login/link', { token });
    expect(again.status).toBe(410);
    expect(cookieOf(again)).toBe('');
    expect(await again.text()).toContain('登录链接已使用过');
    const reopen = await get(app, `/admin/login?token=${token}`);
    expect(reopen.status).toBe(410);
    expect(await count(app, 'admin_sessions')).toBe(1);
    expect(await count(app, 'audit_log', "action = 'admin_login' and actor = 'admin:T9000'")).toBe(1);
  });

  it('expires after 10 minutes', async () => {
    const { officer } = await withOfficer();
    const early = tokenOf(await askLink(officer));
    const late = tokenOf(await askLink(officer));
    app.fixedClock.advance(10 * 60_000 - 1000);
    expect((await post(app, '/admin/login/link', { token: early })).status).toBe(303);
    app.fixedClock.advance(2000);
    const look = await get(app, `/admin/login?token=${late}`);
    expect(look.status).toBe(410);
    expect(await look.text()).toContain('登录链接已过期');
    const use = await post(app, '/admin/login/link', { token: late });
    expect(use.status).toBe(410);
    expect(cookieOf(use)).toBe('');
    expect(await count(app, 'admin_sessions')).toBe(1);
  });

  it('refuses non-officers: the command, a link whose holder lost the role, and their open sessions', async () => {
    const { officer, teacher, officerId } = await withOfficer();
    expect(await askLink(teacher)).toContain('仅限培训管理员使用');
    expect(await count(app, 'admin_login_tokens')).toBe(0);

    const token = tokenOf(await askLink(officer));
    const signedIn = tokenOf(await askLink(officer));
    const cookie = cookieOf(await post(app, '/admin/login/link', { token: signedIn }));
    expect((await get(app, '/admin', cookie)).status).toBe(200);

    (await app.db.delete(tables(app.db).roles).where(eq(tables(app.db).roles.teacherId, officerId)));
    const look = await get(app, `/admin/login?token=${token}`);
    expect(look.status).toBe(403);
    expect(await look.text()).toContain('没有培训管理员权限');
    const use = await post(app, '/admin/login/link', { token });
    expect(use.status).toBe(403);
    expect(cookieOf(use)).toBe('');
    // The session opened before the role was taken away ends at once.
    const after = await get(app, '/admin', cookie);
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/admin/login?ended=1');
  });

  it('asked in a group, sends the link by direct message only', async () => {
    const h = await startFeishu();
    try {
      const officerId = await addTeacher(h.app.db, { employeeNo: 'T9000', name: '周主任' });
      await grantRole(h.app.db, officerId, 'officer', 'test');
      const openId = 'ou_officer00000000000000000000000a';
      await h.send(groupMention(`绑定 T9000 周主任 ${await bindCode(h.app.db, 'T9000')}`, { openId }));
      await waitFor(() => h.fake.delivered.length === 1, { what: 'bind reply' });
      const ask = groupMention('后台', { openId });
      expect((await h.send(ask)).status).toBe(200);
      await waitFor(() => h.fake.delivered.length === 3, { what: 'DM and notice' });
      const dm = h.fake.delivered.slice(1).find((d) => d.via === 'open_id')!;
      const notice = h.fake.delivered.slice(1).find((d) => d.via === 'reply')!;
      expect(dm.to).toBe(openId);
      expect(dm.content.text).toContain('/admin/login?token=');
      expect(notice.content.text).not.toContain('token');
    } finally {
      await h.close();
    }
  });

  it('refuses a made-up token', async () => {
    await withOfficer();
    const res = await get(app, '/admin/login?token=not-a-real-token');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('登录链接无效');
  });

  it('builds the link from PUBLIC_BASE_URL and marks cookies Secure on https', async () => {
    const { officer } = await withOfficer({ PUBLIC_BASE_URL: 'https://xueshi.example.edu.cn/' });
    const reply = await askLink(officer);
    expect(reply).toContain('https://xueshi.example.edu.cn/admin/login?token=');
    const use = await post(app, '/admin/login/link', { token: tokenOf(reply) }, { origin: 'https://xueshi.example.edu.cn' });
    expect(use.status).toBe(303);
    expect(use.headers.get('set-cookie')).toMatch(/Secure/);
  });
});

describe('ADMIN_TOKEN', () => {
  it('signs in with the configured token and refuses a wrong one', async () => {
    app = await startAdmin();
    const login = await get(app, '/admin/login');
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('管理令牌');
    const wrong = await post(app, '/admin/login', { token: `${ADMIN_TOKEN}x` });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain('管理令牌不正确');
    expect(cookieOf(wrong)).toBe('');
    const { cookie } = await signInWithToken(app);
    const page = await (await get(app, '/admin', cookie)).text();
    expect(page).toContain('初始管理员');
    expect(await count(app, 'audit_log', "action = 'admin_login' and actor = 'admin:ADMIN_TOKEN'")).toBe(1);
  });

  it('is off when not configured', async () => {
    app = await startAdmin({ ADMIN_TOKEN: '' });
    expect(await (await get(app, '/admin/login')).text()).toContain('服务器未配置 ADMIN_TOKEN');
    expect((await post(app, '/admin/login', { token: ADMIN_TOKEN })).status).toBe(403);
  });

  it('sessions end after 8 hours, and at logout', async () => {
    app = await startAdmin();
    const a = await signInWithToken(app);
    app.fixedClock.advance(8 * 3600_000 - 60_000);
    expect((await get(app, '/admin', a.cookie)).status).toBe(200);
    app.fixedClock.advance(120_000);
    expect((await get(app, '/admin', a.cookie)).status).toBe(303);

    const b = await signInWithToken(app);
    const out = await post(app, '/admin/logout', { _csrf: b.csrf }, { cookie: b.cookie });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/admin/login?out=1');
    expect((await get(app, '/admin', b.cookie)).status).toBe(303);
  });
});

describe('CSRF', () => {
  it('refuses a POST without the token, with a wrong one, or from another origin, and changes nothing', async () => {
    app = await startAdmin();
    await addTeacher(app.db, { employeeNo: 'T0001', name: '张三' });
    const { cookie, csrf } = await signInWithToken(app);
    const form = { audience: 'all', text: '明天下午开会' };
    const broadcasts = () => count(app, 'broadcasts');

    const none = await post(app, '/admin/broadcasts', form, { cookie });
    expect(none.status).toBe(403);
    expect(await none.text()).toContain('请求未通过安全校验');
    expect((await post(app, '/admin/broadcasts', { ...form, _csrf: 'x'.repeat(43) }, { cookie })).status).toBe(403);
    expect((await post(app, '/admin/broadcasts', { ...form, _csrf: csrf }, { cookie, origin: 'https://evil.example' })).status).toBe(403);
    // A token from another session is no good either.
    const other = await signInWithToken(app);
    expect((await post(app, '/admin/broadcasts', { ...form, _csrf: other.csrf }, { cookie })).status).toBe(403);
    expect((await post(app, '/admin/logout', {}, { cookie })).status).toBe(403);
    expect(await broadcasts()).toBe(0);
    expect((await get(app, '/admin', cookie)).status).toBe(200);

    // Same request, done right.
    const ok = await post(app, '/admin/broadcasts', { ...form, _csrf: csrf }, { cookie });
    expect(ok.status).toBe(303);
    expect(await broadcasts()).toBe(1);
    // No Origin header (older browsers, tools) is fine as long as the token is right.
    expect((await post(app, '/admin/broadcasts', { ...form, _csrf: csrf }, { cookie, origin: null })).status).toBe(303);
  });

  it('checks the Origin of the login forms too', async () => {
    app = await startAdmin();
    const res = await post(app, '/admin/login', { token: ADMIN_TOKEN }, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(cookieOf(res)).toBe('');
  });

  it('puts the token in every form of every page', async () => {
    app = await startAdmin();
    const { cookie, csrf } = await signInWithToken(app);
    for (const path of ['/admin', '/admin/imports', '/admin/sessions', '/admin/broadcasts']) {
      const html = await (await get(app, path, cookie)).text();
      const forms = html.match(/<form method="post"[\s\S]*?<\/form>/g) ?? [];
      expect(forms.length).toBeGreaterThan(0);
      for (const f of forms) expect(csrfOf(f)).toBe(csrf);
    }
  });
});

describe('rate limit', () => {
  it('answers 429 after 10 failed attempts from one address within 10 minutes', async () => {
    app = await startAdmin();
    const ip = '203.0.113.7';
    for (let i = 0; i < 10; i++) {
      const res = i % 2 ? await post(app, '/admin/login', { token: `wrong-${i}` }, { ip }) : await get(app, `/admin/login?token=guess${i}`, '', { 'x-forwarded-for': ip });
      expect(res.status).toBeGreaterThanOrEqual(403);
      expect(res.status).toBeLessThan(429);
    }
    const blocked = await post(app, '/admin/login', { token: ADMIN_TOKEN }, { ip });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blocked.text()).toContain('登录尝试过于频繁');
    expect(cookieOf(blocked)).toBe('');
    expect((await get(app, '/admin/login?token=x', '', { 'x-forwarded-for': ip })).status).toBe(429);
    // (In-process requests have no socket: they are all one client. Other addresses, X-Forwarded-For and
    // TRUSTED_PROXIES are tested through the real server in web-security.test.ts.) Ten minutes later it may try again.
    app.fixedClock.advance(10 * 60_000 + 1000);
    expect((await post(app, '/admin/login', { token: ADMIN_TOKEN }, { ip })).status).toBe(303);
  });
});
