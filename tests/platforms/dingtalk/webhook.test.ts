import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DINGTALK_CALLBACK_PATH } from '../../../src/platforms/dingtalk/webhook.js';
import { eventually, startDingtalk, type DingtalkHarness } from '../../helpers/fakes/dingtalk-harness.js';
import { TOKEN_HEADER } from '../../../src/platforms/dingtalk/openapi.js';
import { CLIENT_SECRET, callbackBody, sign, signedHeaders } from '../../helpers/fakes/dingtalk-sign.js';
import { addRecord, addTeacher, countRows } from '../../helpers/seed.js';

let h: DingtalkHarness;

beforeEach(async () => {
  h = await startDingtalk();
  const zhang = await addTeacher(h.app.db, { employeeNo: 'T0001', name: '张三', school: '第一中学', policyId: 'laibin' });
  await addRecord(h.app.db, zhang, { key: 'R1', date: '2026-03-01', hours: 24, category: '集中培训', project: '全员培训' });
  await addRecord(h.app.db, zhang, { key: 'R2', date: '2026-09-10', hours: 1.5, category: '师德师风' });
});
afterEach(async () => h.close());

/** A direct message from 张三 whose session webhook points at the fake. */
function direct(text: string, extra: Parameters<typeof callbackBody>[0] = {}) {
  return callbackBody({ kind: 'direct', text, staffId: 'manager4711', sessionWebhook: h.fake.sessionWebhook('s-direct'), ...extra });
}

describe('signed callbacks', () => {
  it('acks a validly signed message with 200 {} and replies on its session webhook (bind, then hours)', async () => {
    const first = await h.send(direct('绑定 T0001 张三'));
    expect(first).toMatchObject({ status: 200, json: {} });
    expect(first.ms).toBeLessThan(1000);
    await h.settle();
    const second = await h.send(direct('学时'));
    expect(second.status).toBe(200);
    await h.settle();

    const replies = h.fake.deliveredTo('s-direct');
    expect(replies.map((r) => r.via)).toEqual(['webhook', 'webhook']);
    expect(replies[0].text).toContain('绑定成功：张三（第一中学）');
    expect(replies[1].text).toContain('已修 25.5 学时');
    expect(replies[1].kind).toBe('text');
    // In place, no OpenAPI needed while the session lives.
    expect(h.fake.calls('token')).toHaveLength(0);
    expect((await h.outboxRows()).every((r) => r.status === 'sent')).toBe(true);
  });

  it('refuses a timestamp more than an hour old with 401 and stores nothing', async () => {
    const res = await h.send(direct('学时'), { timestamp: Date.now() - 61 * 60_000 });
    expect(res.status).toBe(401);
    expect(await countRows(h.app.db, 'inbox')).toBe(0);
    expect(h.logs.some((l) => l.msg === 'dingtalk callback rejected' && String(l.reason).includes('away from now'))).toBe(true);
  });

  it('refuses a timestamp more than an hour ahead, and accepts one 59 minutes old', async () => {
    expect((await h.send(direct('学时'), { timestamp: Date.now() + 61 * 60_000 })).status).toBe(401);
    expect((await h.send(direct('学时'), { timestamp: Date.now() - 59 * 60_000 })).status).toBe(200);
  });

  it('refuses a wrong sign with 401, logs it, and never reaches the inbox', async () => {
    const ts = String(Date.now());
    const res = await h.post(JSON.stringify(direct('学时')), { 'content-type': 'application/json', timestamp: ts, sign: sign(ts, 'not-the-secret') });
    expect(res.status).toBe(401);
    expect(await countRows(h.app.db, 'inbox')).toBe(0);
    expect(h.logs.some((l) => l.msg === 'dingtalk callback rejected' && l.reason === 'sign mismatch')).toBe(true);
  });

  it('refuses a sign made for another timestamp', async () => {
    const ts = String(Date.now());
    const res = await h.post(JSON.stringify(direct('学时')), { 'content-type': 'application/json', timestamp: ts, sign: sign(Number(ts) - 1, CLIENT_SECRET) });
    expect(res.status).toBe(401);
  });

  it('refuses missing headers with 401', async () => {
    const body = JSON.stringify(direct('学时'));
    const ts = String(Date.now());
    expect((await h.post(body, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await h.post(body, { 'content-type': 'application/json', timestamp: ts })).status).toBe(401);
    expect((await h.post(body, { 'content-type': 'application/json', sign: sign(ts) })).status).toBe(401);
    expect(await countRows(h.app.db, 'inbox')).toBe(0);
  });

  it('answers 400 to malformed JSON and to a body that is not a robot message', async () => {
    expect((await h.post('{"msgId": "m1", ')).status).toBe(400);
    expect((await h.send({ hello: 'world' })).status).toBe(400);
    expect((await h.send({ ...direct('学时'), conversationType: '3' })).status).toBe(400);
    const { senderStaffId: _s, senderId: _i, ...anonymous } = direct('学时');
    expect((await h.send(anonymous)).status).toBe(400);
    expect(await countRows(h.app.db, 'inbox')).toBe(0);
  });

  it('is mounted under /webhooks/, so the shared body limit applies (413 before any parsing)', async () => {
    const huge = JSON.stringify({ ...direct('学时'), padding: 'x'.repeat(300 * 1024) });
    const res = await fetch(h.base + DINGTALK_CALLBACK_PATH, { method: 'POST', body: huge, headers: signedHeaders() });
    expect(res.status).toBe(413);
    expect(await countRows(h.app.db, 'inbox')).toBe(0);
  });
});

describe('duplicates', () => {
  it('answers a redelivered msgId 200 again but replies once', async () => {
    const body = direct('帮助', { msgId: 'msgDup001' });
    expect((await h.send(body)).status).toBe(200);
    await h.settle();
    expect((await h.send(body)).status).toBe(200);
    await h.settle();
    expect(h.fake.deliveredTo('s-direct')).toHaveLength(1);
    expect(await countRows(h.app.db, 'inbox')).toBe(1);
  });

  it('replies once to ten concurrent copies, all answered 200', async () => {
    const body = direct('帮助', { msgId: 'msgDup002' });
    const results = await Promise.all(Array.from({ length: 10 }, () => h.send(body)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    await h.settle();
    expect(h.fake.deliveredTo('s-direct')).toHaveLength(1);
    expect(await countRows(h.app.db, 'outbox')).toBe(1);
  });
});

describe('when the session webhook has expired', () => {
  it('replies through the OpenAPI batchSend with the token header; the token is fetched once and reused', async () => {
    const expired = { sessionWebhookExpiredTime: Date.now() - 1000 };
    await h.send(direct('绑定 T0001 张三', expired));
    await h.settle();
    await h.send(direct('学时', expired));
    await h.settle();

    expect(h.fake.calls('webhook')).toHaveLength(0);
    const calls = h.fake.calls('oto');
    expect(calls).toHaveLength(2);
    expect(h.fake.calls('token')).toHaveLength(1);
    expect(h.fake.calls('token')[0].body).toEqual({ appKey: 'dingq7x2m4k9p1z8w3v5', appSecret: CLIENT_SECRET });
    const token = calls[0].headers[TOKEN_HEADER];
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(calls[1].headers[TOKEN_HEADER]).toBe(token);
    expect(calls[0].body).toMatchObject({ robotCode: 'dingq7x2m4k9p1z8w3v5', userIds: ['manager4711'], msgKey: 'sampleText' });
    expect(JSON.parse(calls[0].body.msgParam).content).toContain('绑定成功');
    expect(h.fake.deliveredTo('manager4711').map((d) => d.text).join('\n')).toContain('已修 25.5 学时');
  });

  it('sends a group reply with groupMessages/send to the conversation', async () => {
    const body = callbackBody({ kind: 'group', text: '帮助', sessionWebhookExpiredTime: Date.now() - 1000, sessionWebhook: h.fake.sessionWebhook('s-group') });
    await h.send(body);
    await h.settle();
    const [call] = h.fake.calls('group');
    expect(call.body).toMatchObject({ robotCode: 'dingq7x2m4k9p1z8w3v5', openConversationId: body.conversationId, msgKey: 'sampleText' });
    expect(h.fake.calls('oto')).toHaveLength(0);
    expect(h.fake.calls('webhook')).toHaveLength(0);
  });

  it('falls back to the OpenAPI when the session webhook refuses before its stated expiry', async () => {
    h.fake.failNext('webhook', { status: 200, body: { errcode: 300001, errmsg: 'session 已过期' } });
    await h.send(direct('帮助'));
    await h.settle();
    expect(h.fake.calls('webhook')).toHaveLength(1);
    expect(h.fake.deliveredTo('manager4711')).toHaveLength(1);
    expect(h.fake.deliveredTo('manager4711')[0].via).toBe('oto');
  });
});

describe('session webhook URLs', () => {
  it('never posts a reply to a session webhook outside DingTalk (the body is not signed); uses the OpenAPI', async () => {
    const res = await h.send(direct('帮助', { sessionWebhook: 'http://127.0.0.1:9/internal/admin' }));
    expect(res.status).toBe(200);
    await h.settle();
    expect(h.fake.calls('webhook')).toHaveLength(0);
    expect(h.fake.deliveredTo('manager4711').map((d) => d.via)).toEqual(['oto']);
    expect(h.logs.some((l) => String(l.msg).includes('not a DingTalk URL'))).toBe(true);
  });
});

describe('groups', () => {
  it('answers personal hours by direct message (batchSend) and tells the group where it went', async () => {
    await h.send(direct('绑定 T0001 张三'));
    await h.settle();
    const group = callbackBody({ kind: 'group', text: '学时', staffId: 'manager4711', sessionWebhook: h.fake.sessionWebhook('s-group') });
    expect((await h.send(group)).status).toBe(200);
    await h.settle();

    const personal = h.fake.deliveredTo('manager4711');
    expect(personal).toHaveLength(1);
    expect(personal[0].via).toBe('oto');
    expect(personal[0].text).toContain('已修 25.5 学时');
    const notice = h.fake.deliveredTo('s-group');
    expect(notice).toHaveLength(1);
    expect(notice[0].text).toContain('已私信发给您');
    expect(notice[0].text).not.toContain('25.5');
  });

  it('strips the leading space DingTalk leaves where the @mention was', async () => {
    const group = callbackBody({ kind: 'group', text: '帮助', sessionWebhook: h.fake.sessionWebhook('s-group') });
    await h.send(group);
    await h.settle();
    const [row] = (await h.inboxRows());
    expect(JSON.parse(row.payload)).toMatchObject({ text: '帮助', chatType: 'group', platform: 'dingtalk', accountId: 'manager4711' });
  });

  it('ignores a group message with isInAtList false: 200, nothing stored, nothing sent', async () => {
    const group = { ...callbackBody({ kind: 'group', text: '帮助', sessionWebhook: h.fake.sessionWebhook('s-group') }), isInAtList: false };
    const r = await h.send(group);
    expect(r.status).toBe(200);
    await h.settle();
    expect((await h.inboxRows())).toHaveLength(0);
    expect(h.fake.deliveredTo('s-group')).toHaveLength(0);
  });
});

describe('other messages', () => {
  it('answers a picture with the "text only" hint', async () => {
    await h.send(direct('', { msgtype: 'picture' }));
    await h.settle();
    await eventually(() => h.fake.deliveredTo('s-direct').length === 1);
    expect(h.fake.deliveredTo('s-direct')[0].text).toContain('目前只能读文字消息');
  });
});
