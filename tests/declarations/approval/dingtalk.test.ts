/**
 * The approver's side of 学时申报 on DingTalk, where card buttons can only open links: the approval request is an
 * action card whose button opens /approve/<id>; the page sends the phone through DingTalk's web login (the fake
 * OAuth: authorize → authCode → userAccessToken → users/me → getbyunionid), then shows the details and takes
 * 通过 / 退回 (reason) / 转交 as CSRF-protected forms. Refusals: a leader of another school, the declarant, an
 * unbound account, a forged or cross-site POST. Everything over real HTTP on loopback.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerEvidence } from '../../../src/declarations/evidence/register.js';
import { notifySubmitted } from '../../../src/declarations/notify.js';
import { getDeclaration, submitDeclaration, type DeclarationRow } from '../../../src/declarations/service.js';
import { closeServer, listen } from '../../../src/http/server.js';
import { bindAccount } from '../../../src/ledger/accounts.js';
import { grantRole } from '../../../src/ledger/roles.js';
import { FakeDingtalk } from '../../helpers/fakes/dingtalk-platform.js';
import { CLIENT_ID, CLIENT_SECRET } from '../../helpers/fakes/dingtalk-sign.js';
import { eventually } from '../../helpers/fakes/dingtalk-harness.js';
import { FakeWebLogin } from '../../helpers/fakes/web-login.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { addTeacher } from '../../helpers/seed.js';
import { csrfOf, DINGTALK_UA, freePort, Phone, platformEnv } from '../../helpers/phone.js';
import { actor, input, recordsOf } from '../../helpers/declarations.js';
import { jpeg } from '../../helpers/evidence.js';




describe('approving on DingTalk through the action card and the approval page', { timeout: 30_000 }, () => {
  let app: TestApp;
  let server: Server;
  let base: string;
  let dingtalk: FakeDingtalk;
  let login: FakeWebLogin;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    dingtalk = await FakeDingtalk.start();
    login = new FakeWebLogin('dingtalk', CLIENT_ID, CLIENT_SECRET, (t) => dingtalk.tokenValid(t));
    dingtalk.webLogin = login;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await createTestApp(platformEnv({ dingtalk: dingtalk.url, base, port }));
    server = app.createServer();
    await listen(server, port, '127.0.0.1');
    const person = async (no: string, name: string, school: string, role?: 'leader' | 'officer', bound = true) => {
      ids[no] = await addTeacher(app.db, { employeeNo: no, name, school, policyId: 'laibin' });
      if (role) await grantRole(app.db, ids[no]!, role, 'test');
      if (bound) await bindAccount(app.db, 'dingtalk', `staff-${no}`, ids[no]!);
    };
    await person('T0001', '张三', '第一中学');
    await person('L0001', '李校长', '第一中学', 'leader');
    await person('L0002', '王副校长', '第一中学', 'leader');
    await person('L0009', '赵校长', '第二中学', 'leader');
    await person('L0003', '孙副校长', '第一中学', 'leader', false);
  });

  afterAll(async () => {
    if (server) await closeServer(server);
    await app?.cleanup();
    await dingtalk?.close();
  });

  async function submit(over = {}): Promise<DeclarationRow> {
    const now = app.fixedClock.now();
    const out = await submitDeclaration(app.db, app.presets, input(ids.T0001!, over), actor(ids.T0001!, 'dingtalk:staff-T0001'), now);
    if (!out.ok) throw new Error(out.detail);
    await notifySubmitted(app.db, out, now);
    app.outbox.kick();
    return out.declaration;
  }

  /** The link on the action card the leader received for this declaration. */
  async function cardLink(staffId: string, id: number): Promise<string> {
    const card = await eventually(() => dingtalk.delivered.find((d) => d.to === staffId && d.kind === 'actionCard' && d.text.includes(`#${id}`)), 8000, 'action card');
    expect(card.singleTitle).toBe('查看详情与证明材料');
    expect(card.text).toContain('张三（T0001，第一中学）');
    expect(card.text).toContain(`发送「通过申报 ${id}」`);
    return card.singleURL!;
  }

  async function signIn(staffId: string, unionId: string, url: string) {
    login.user = { id: staffId, unionId };
    const phone = new Phone(DINGTALK_UA);
    const page = await phone.get(url);
    return { phone, page };
  }

  it('the action card opens the page after DingTalk login; 通过 there decides once and tells the teacher', async () => {
    const d = await submit();
    const link = await cardLink('staff-L0001', d.id);
    expect(link).toBe(`${base}/approve/${d.id}`);
    const { phone, page } = await signIn('staff-L0001', 'union-L0001', link);
    expect(phone.hops[0]).toBe(`302 /approve/${d.id}`);
    expect(phone.hops[1]).toBe('302 /oauth2/auth');
    expect(phone.hops[2]).toBe('303 /approve/auth/dingtalk');
    expect(page.status).toBe(200);
    for (const part of ['学时申报 #', '李校长（L0001）', '2026年国培计划·初中数学骨干教师研修', '广西师范大学', '网络研修 16 学时', '待 李校长、王副校长、孙副校长 审核']) {
      expect(page.body).toContain(part);
    }
    const csrf = csrfOf(page.body);
    expect(csrf).not.toBe('');

    // Forged: no token, a wrong token, or posted from another site. Nothing happens.
    expect((await phone.post(link, { action: 'approve' })).status).toBe(403);
    expect((await phone.post(link, { action: 'approve', _csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await phone.post(link, { action: 'approve', _csrf: csrf }, 'https://evil.example')).status).toBe(403);
    expect((await getDeclaration(app.db, d.id))!.declaration.state).toBe('pending');

    const done = await phone.post(link, { action: 'approve', _csrf: csrf });
    expect(done.status).toBe(303);
    const after = await phone.get(link);
    expect(after.body).toContain(`已通过申报 #${d.id}`);
    expect(after.body).toContain('已认定');
    expect(after.body).not.toContain('name="action"');
    expect(await recordsOf(app.db, ids.T0001!)).toHaveLength(1);
    const told = await eventually(() => dingtalk.delivered.find((m) => m.to === 'staff-T0001' && m.text.includes('已认定')), 8000, 'teacher notice');
    expect(told.text).toContain('网络研修 16 学时');

    // The same form sent again (a double tap, a back button): kindly told, nothing twice.
    await phone.post(link, { action: 'approve', _csrf: csrf });
    expect((await phone.get(link)).body).toContain('已处理过');
    expect(await recordsOf(app.db, ids.T0001!)).toHaveLength(1);
  });

  it('shows the evidence to the approver through the page, and to no one else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xueshi-ev-'));
    try {
      writeFileSync(join(dir, 'cert.jpg'), jpeg(2048));
      const [row] = await registerEvidence(
        app.db,
        {
          kind: 'message',
          platform: 'console',
          eventId: 'ev-att',
          messageId: 'm-att',
          accountId: 'acc-T0001',
          chatId: 'acc-T0001',
          chatType: 'direct',
          text: '',
          receivedAt: app.fixedClock.now().getTime(),
          replyVia: {},
          attachments: [{ kind: 'image', key: join(dir, 'cert.jpg'), name: '证书.jpg' }],
        },
        ids.T0001!,
        app.fixedClock.now(),
      );
      app.evidence.kick();
      await app.evidence.whenIdle();
      const d = await submit({ project: '教研组长培训', startDate: '2026-11-03', endDate: '2026-11-03', hours: 5, evidenceIds: [row!.id] });
      const other = await submit({ project: '安全教育培训', startDate: '2026-11-04', endDate: '2026-11-04', hours: 2 });
      const { phone, page } = await signIn('staff-L0001', 'union-L0001', await cardLink('staff-L0001', d.id));
      const src = `/approve/${d.id}/evidence/${row!.id}`;
      expect(page.body).toContain(`<img src="${src}"`);
      const file = await fetch(`${base}${src}`, { headers: { cookie: phone.cookieHeader() } });
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('image/jpeg');
      expect(file.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Buffer.from(await file.arrayBuffer()).length).toBe(2048);
      // Through another declaration's page: not its file.
      expect((await phone.get(`${base}/approve/${other.id}/evidence/${row!.id}`)).status).toBe(404);
      // Without a session, or as a leader of another school: refused.
      expect((await fetch(`${base}${src}`)).status).toBe(401);
      const stranger = await signIn('staff-L0009', 'union-L0009', `${base}/approve/${d.id}`);
      expect((await stranger.phone.get(`${base}${src}`)).status).toBe(403);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('退回 needs a reason; with one, the teacher is told it', async () => {
    const d = await submit({ project: '信息技术应用能力提升', startDate: '2026-11-02', endDate: '2026-11-02', hours: 4 });
    const { phone, page } = await signIn('staff-L0002', 'union-L0002', await cardLink('staff-L0002', d.id));
    const csrf = csrfOf(page.body);
    await phone.post(`${base}/approve/${d.id}`, { action: 'return', reason: ' ', _csrf: csrf });
    expect((await phone.get(`${base}/approve/${d.id}`)).body).toContain('退回须写明原因');
    expect((await getDeclaration(app.db, d.id))!.declaration.state).toBe('pending');
    await phone.post(`${base}/approve/${d.id}`, { action: 'return', reason: '学时与证书不符', _csrf: csrf });
    expect((await getDeclaration(app.db, d.id))!.declaration).toMatchObject({ state: 'returned', returnReason: '学时与证书不符' });
    await eventually(() => dingtalk.delivered.find((m) => m.to === 'staff-T0001' && m.text.includes('学时与证书不符')), 8000, 'return notice');
  });

  it('refuses a leader of another school, the declarant and an unbound account; an unknown id is 404', async () => {
    const d = await submit({ project: '心理健康教育专题', startDate: '2026-11-09', endDate: '2026-11-09', hours: 3 });
    const url = `${base}/approve/${d.id}`;
    const stranger = await signIn('staff-L0009', 'union-L0009', url);
    expect(stranger.page.status).toBe(403);
    expect(stranger.page.body).toContain('不由你审核');
    expect(stranger.page.body).not.toContain('心理健康教育专题');
    const csrf = csrfOf(stranger.page.body);
    expect(csrf).toBe('');
    const own = await signIn('staff-T0001', 'union-T0001', url);
    expect(own.page.status).toBe(403);
    const unbound = await signIn('staff-L0003', 'union-L0003', url);
    expect(unbound.page.status).toBe(403);
    expect(unbound.page.body).toContain('还没有绑定名册');
    const leader = await signIn('staff-L0001', 'union-L0001', `${base}/approve/999999`);
    expect(leader.page.status).toBe(403);
    expect((await leader.phone.get(`${base}/approve/abc`)).status).toBe(404);
    expect((await getDeclaration(app.db, d.id))!.declaration.state).toBe('pending');
  });

  it('转交 from the page hands the step to the chosen leader, who gets the action card', async () => {
    const d = await submit({ project: '课堂观察工作坊', startDate: '2026-11-16', endDate: '2026-11-16', hours: 2 });
    const { phone, page } = await signIn('staff-L0001', 'union-L0001', await cardLink('staff-L0001', d.id));
    expect(page.body).toContain('<option value="L0002">王副校长（L0002，第一中学）</option>');
    const before = dingtalk.delivered.filter((m) => m.to === 'staff-L0002' && m.text.includes(`#${d.id}`)).length;
    await phone.post(`${base}/approve/${d.id}`, { action: 'forward', to: 'L0002', employeeNo: '', _csrf: csrfOf(page.body) });
    expect((await getDeclaration(app.db, d.id))!.assignees.map((a) => a.employeeNo)).toEqual(['L0002']);
    await eventually(() => dingtalk.delivered.filter((m) => m.to === 'staff-L0002' && m.text.includes(`#${d.id}`)).length > before, 8000, 'forwarded card');
    // The first leader's page no longer offers the decisions.
    expect((await phone.get(`${base}/approve/${d.id}`)).body).not.toContain('name="action"');
  });
});
