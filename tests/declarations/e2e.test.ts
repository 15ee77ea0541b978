/**
 * Issue 13 end to end on DingTalk, in one flow over real HTTP (the Feishu flow is declarations-chain.test.ts):
 * the app is served as `npm start` serves it, with DingTalk's webhook, the approval page and DingTalk's web login
 * pointed at fakes on loopback, over a real SQLite file. The teacher declares through the wizard by signed callbacks,
 * a photo included (the evidence worker fetches it by its downloadCode from the fake); the school leader opens the
 * action card's link, signs in and approves on the page; the officer does the same for the office step; the ledger
 * gains one record and 学时 changes once, whatever is posted again. A second declaration with the same certificate
 * number and the same photo is flagged to the leader naming the first; it is returned, resubmitted and approved.
 * Another school's leader, or no session, cannot fetch the photo.
 */
import type { Server } from 'node:http';
import { tables } from '../../db/handle.js';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/client.js';
import { closeServer, listen } from '../../src/http/server.js';
import { bindAccount } from '../../src/ledger/accounts.js';
import { grantRole } from '../../src/ledger/roles.js';
import { eventually } from '../helpers/fakes/dingtalk-harness.js';
import { FakeDingtalk } from '../helpers/fakes/dingtalk-platform.js';
import { callbackBody, CLIENT_ID, CLIENT_SECRET, signedHeaders } from '../helpers/fakes/dingtalk-sign.js';
import { FakeWebLogin } from '../helpers/fakes/web-login.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addTeacher } from '../helpers/seed.js';
import { csrfOf, DINGTALK_UA, freePort, Phone, platformEnv } from '../helpers/phone.js';
import { ANSWERS, LEADER_STAFF_ID, seedSchool, TEACHER_STAFF_ID, type School } from '../helpers/declaration-chat.js';
import { jpeg } from '../helpers/evidence.js';

const OFFICER_STAFF_ID = 'officer0042';
const STRANGER_STAFF_ID = 'leader0999';
/** This March (the current cycle, so 学时 counts it); 24 学时 of 集中培训 (choice 3) goes on to the office. */
const FIRST = { ...ANSWERS, dates: '2026-03-01至03-05' };

describe('学时申报 end to end on DingTalk: wizard with a photo → leader on the page → office on the page → ledger', { timeout: 60_000 }, () => {
  let app: TestApp;
  let server: Server;
  let base: string;
  let dingtalk: FakeDingtalk;
  let login: FakeWebLogin;
  let school: School;
  // A conversation's session webhook takes ~20 messages a minute (the sender keeps to it), so each part talks in one of its own.
  let sessionName = 's-teacher-1';
  const session = () => dingtalk.sessionWebhook(sessionName);
  const photo = jpeg(6000);

  beforeAll(async () => {
    dingtalk = await FakeDingtalk.start();
    login = new FakeWebLogin('dingtalk', CLIENT_ID, CLIENT_SECRET, (t) => dingtalk.tokenValid(t));
    dingtalk.webLogin = login;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await createTestApp(platformEnv({ dingtalk: dingtalk.url, base, port }));
    server = app.createServer();
    await listen(server, port, '127.0.0.1');
    school = await seedSchool(app.db, 'dingtalk', { teacher: TEACHER_STAFF_ID, leader: LEADER_STAFF_ID });
    const officer = await addTeacher(app.db, { employeeNo: 'O0001', name: '钱主任', school: '教师发展中心' });
    await grantRole(app.db, officer, 'officer', 'test');
    await bindAccount(app.db, 'dingtalk', OFFICER_STAFF_ID, officer);
    const stranger = await addTeacher(app.db, { employeeNo: 'L0900', name: '赵校长', school: '第二中学', position: '校长' });
    await grantRole(app.db, stranger, 'leader', 'test');
    await bindAccount(app.db, 'dingtalk', STRANGER_STAFF_ID, stranger);
  });

  afterAll(async () => {
    if (server) await closeServer(server);
    await app?.cleanup();
    await dingtalk?.close();
  });

  async function settled(): Promise<void> {
    await app.bot.drain();
    await app.evidence.whenIdle();
    await app.outbox.whenIdle();
    await eventually(async () => (await app.db.select().from(tables(app.db).outbox)).every((r) => r.status !== 'pending'), 8000, 'outbox drained');
  }

  /** One signed callback, as DingTalk posts it; returns what the teacher was answered meanwhile. */
  async function post(body: Record<string, unknown>): Promise<string[]> {
    const before = dingtalk.delivered.length;
    const res = await fetch(`${base}/webhooks/dingtalk`, { method: 'POST', body: JSON.stringify(body), headers: signedHeaders() });
    expect(res.status).toBe(200);
    await settled();
    return dingtalk.delivered.slice(before).filter((d) => d.to.endsWith(`/${sessionName}`)).map((d) => d.text ?? '');
  }
  const say = (text: string) => post(callbackBody({ kind: 'direct', text, staffId: TEACHER_STAFF_ID, sessionWebhook: session(), conversationId: `cid-${sessionName}` }));
  async function sendPhoto(): Promise<string[]> {
    const body = callbackBody({ kind: 'direct', msgtype: 'picture', staffId: TEACHER_STAFF_ID, sessionWebhook: session(), conversationId: `cid-${sessionName}` });
    dingtalk.files.put(String((body.content as { downloadCode: string }).downloadCode), photo, 'image/jpeg');
    return post(body);
  }
  async function declare(a: typeof ANSWERS): Promise<number> {
    await say('申报');
    for (const value of [a.project, a.organiser, a.dates, a.hours, a.category, a.certificateNo]) await say(value);
    await sendPhoto();
    expect((await say('完成')).join()).toContain('证明材料');
    expect((await say('确认提交')).join()).toContain('已提交');
    return Math.max(...(await declarations()).map((d) => d.id));
  }

  const declarations = async () => (await app.db.select().from(tables(app.db).declarations));
  const declaration = async (id: number) => (await declarations()).find((d) => d.id === id)!;
  const records = async () => (await app.db.select().from(tables(app.db).records).where(eq(tables(app.db).records.teacherId, school.teacherId)));
  const cards = (staffId: string, id: number) => dingtalk.delivered.filter((d) => d.to === staffId && d.kind === 'actionCard' && d.text.includes(`#${id}`));
  const toTeacher = (needle: string) => dingtalk.delivered.filter((d) => d.to === TEACHER_STAFF_ID && d.text.includes(needle));
  const hoursAnswer = async () => (await say('学时')).join('\n');

  /** Opens the action card's link in DingTalk's in-app browser as this account (the fake web login in between). */
  async function openCard(staffId: string, id: number, count = 1) {
    const card = await eventually(() => cards(staffId, id)[count - 1], 8000, `card #${id} to ${staffId}`);
    expect(card.singleURL).toBe(`${base}/approve/${id}`);
    login.user = { id: staffId, unionId: `union-${staffId}` };
    const phone = new Phone(DINGTALK_UA);
    const page = await phone.get(card.singleURL!);
    expect(page.status).toBe(200);
    return { phone, page, url: card.singleURL!, csrf: csrfOf(page.body) };
  }

  let firstId = 0;

  it('declared with a photo, approved on the page by the school and then the office: one record, 学时 changes once', async () => {
    const before = await hoursAnswer();
    firstId = await declare(FIRST);
    expect((await declaration(firstId))).toMatchObject({ state: 'pending', currentStep: 'school', hours: 24, category: '集中培训' });
    const [evidence] = (await app.db.select().from(tables(app.db).evidenceFiles).where(eq(tables(app.db).evidenceFiles.declarationId, firstId)));
    expect(evidence).toMatchObject({ platform: 'dingtalk', status: 'stored', size: photo.length });

    const leader = await openCard(LEADER_STAFF_ID, firstId);
    expect(leader.page.body).toContain('张三（T0001，第一中学）');
    expect(leader.page.body).toContain(ANSWERS.certificateNo);
    const src = `/approve/${firstId}/evidence/${evidence!.id}`;
    expect(leader.page.body).toContain(`<img src="${src}"`);
    const seen = await fetch(base + src, { headers: { cookie: leader.phone.cookieHeader() } });
    expect(Buffer.from(await seen.arrayBuffer()).equals(photo)).toBe(true);

    expect((await leader.phone.post(leader.url, { action: 'approve', _csrf: leader.csrf })).status).toBe(303);
    expect((await declaration(firstId))).toMatchObject({ state: 'pending', currentStep: 'office' });
    expect((await records())).toHaveLength(0);
    expect(await hoursAnswer()).toBe(before);

    const office = await openCard(OFFICER_STAFF_ID, firstId);
    expect(office.page.body).toContain('李校长 通过');
    expect((await office.phone.post(office.url, { action: 'approve', _csrf: office.csrf })).status).toBe(303);
    await settled();
    expect((await declaration(firstId))).toMatchObject({ state: 'approved', currentStep: null });
    const after = await hoursAnswer();
    expect(after).not.toBe(before);
    expect(after).toMatch(/已修\D*24/);

    // Both forms posted again (a double tap, the back button), and the leader's too: nothing twice.
    for (const who of [office, leader, office]) await who.phone.post(who.url, { action: 'approve', _csrf: who.csrf });
    await settled();
    expect((await records())).toHaveLength(1);
    expect((await records())[0]).toMatchObject({ source: 'declaration', recordKey: `declaration:${firstId}`, hours: 24 });
    expect(toTeacher('已认定')).toHaveLength(1);
    expect(await hoursAnswer()).toBe(after);

    // Not for a stranger: no session, or another school's leader signed in.
    expect((await fetch(base + src)).status).toBe(401);
    const console_ = await fetch(`${base}/admin/evidence/${evidence!.id}`, { redirect: 'manual' });
    expect(console_.status).toBe(303);
    expect(console_.headers.get('location')).toBe('/admin/login');
    login.user = { id: STRANGER_STAFF_ID, unionId: `union-${STRANGER_STAFF_ID}` };
    const stranger = new Phone(DINGTALK_UA);
    expect((await stranger.get(`${base}/approve/${firstId}`)).status).toBe(403);
    const refused = await fetch(base + src, { headers: { cookie: stranger.cookieHeader() } });
    expect(refused.status).toBe(403);
    expect(Buffer.from(await refused.arrayBuffer()).includes(photo.subarray(0, 64))).toBe(false);
  });

  it('the same certificate and photo again: flagged to the leader with the first; returned, resubmitted, approved', async () => {
    sessionName = 's-teacher-2';
    const again = { ...FIRST, project: '乡村教师能力提升（补充）', dates: '2026-04-10', hours: '6', category: '1' };
    const id = await declare(again);
    const kinds = (await app.db.select().from(tables(app.db).declarationFlags).where(eq(tables(app.db).declarationFlags.declarationId, id)));
    expect(kinds.map((f) => f.kind).sort()).toEqual(['certificate_no', 'evidence_hash']);
    expect(kinds.every((f) => f.otherDeclarationId === firstId)).toBe(true);

    const leader = await openCard(LEADER_STAFF_ID, id);
    expect(leader.page.body).toContain('证书编号相同');
    expect(leader.page.body).toContain('证明材料文件相同');
    expect(leader.page.body).toContain(`申报 #${firstId}`);
    await leader.phone.post(leader.url, { action: 'return', reason: '与 #' + firstId + ' 是同一张证书', _csrf: leader.csrf });
    await settled();
    expect((await declaration(id))).toMatchObject({ state: 'returned' });
    await eventually(() => toTeacher('同一张证书')[0], 8000, 'return notice');

    expect((await say(`重新申报 ${id}`)).join()).toContain(`修改申报 \\#${id} 后重新提交`);
    await say('修改 编号');
    expect((await say('GP2025-0410')).join()).toContain('证书编号：GP2025-0410');
    // Still the same photo as #1, so it is still flagged, and the teacher hears so rather than 已重新提交.
    expect((await say('确认提交')).join()).toContain(`已提交，审核人会核对。申报编号 #${id}`);
    const back = await openCard(LEADER_STAFF_ID, id, 2);
    await back.phone.post(back.url, { action: 'approve', _csrf: back.csrf });
    await settled();
    expect((await declaration(id))).toMatchObject({ state: 'approved' });
    expect((await records()).map((r) => r.recordKey).sort()).toEqual([`declaration:${firstId}`, `declaration:${id}`].sort());
    expect(toTeacher('已认定')).toHaveLength(2);
  });
});
