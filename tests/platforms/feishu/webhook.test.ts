import { afterEach, describe, expect, it } from 'vitest';
import { startFeishu, FEISHU_PATH, type FeishuHarness } from '../../helpers/fakes/feishu-harness.js';
import { waitFor } from '../../helpers/fakes/feishu-platform.js';
import {
  ENCRYPT_KEY,
  cardAction,
  challenge,
  encrypt,
  groupMention,
  messageEvent,
  signatureHeaders,
  signedRequest,
} from '../../helpers/fakes/feishu-sign.js';
import { addRecord, addTeacher } from '../../helpers/seed.js';

/** Inbound: Feishu's event requests, byte for byte, against a real app behind a real HTTP server. */

let h: FeishuHarness;
afterEach(async () => {
  await h?.close();
});

const TEACHER_OPEN_ID = 'ou_84aad35d084aa403a838cf73ee18467';

/** Everything sent for handled events has left the outbox (nothing pending, nothing in flight). */
async function settled(): Promise<void> {
  await waitFor(async () => (await h.inboxRows()).every((r) => r.status !== 'pending'), { what: 'inbox drained' });
  await h.app.outbox.whenIdle();
  await waitFor(async () => (await h.outboxRows()).every((r) => r.status !== 'pending'), { what: 'outbox drained' });
}

async function bindZhangSan(): Promise<void> {
  const r = await h.send(messageEvent({ text: '绑定 T0001 张三', openId: TEACHER_OPEN_ID }));
  expect(r.status).toBe(200);
  await settled();
}

describe('Feishu URL verification', () => {
  it('answers a plain challenge with the challenge', async () => {
    h = await startFeishu();
    const r = await h.post(JSON.stringify(challenge('plain-challenge-1')));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ challenge: 'plain-challenge-1' });
  });

  it('decrypts an encrypted challenge (unsigned, as Feishu sends it) and answers in plaintext', async () => {
    h = await startFeishu();
    const r = await h.post(JSON.stringify({ encrypt: encrypt(challenge('enc-challenge-2')) }));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ challenge: 'enc-challenge-2' });
  });

  it('refuses a challenge carrying the wrong verification token', async () => {
    h = await startFeishu();
    const r = await h.post(JSON.stringify({ encrypt: encrypt(challenge('x', 'not-the-token')) }));
    expect(r.status).toBe(401);
  });
});

describe('Feishu message events', () => {
  it('binds and answers 学时: signed encrypted events are acked fast and the replies land at Feishu', async () => {
    h = await startFeishu();
    const teacherId = await addTeacher(h.app.db, { employeeNo: 'T0001', name: '张三' });
    await addRecord(h.app.db, teacherId, { key: 'R1', date: '2026-03-10', hours: 12, category: '集中培训' });

    const bind = messageEvent({ text: '绑定 T0001 张三', openId: TEACHER_OPEN_ID });
    const r1 = await h.send(bind);
    expect(r1.status).toBe(200);
    expect(r1.json).toEqual({});
    expect(r1.ms).toBeLessThan(1000);
    await settled();

    expect(h.fake.delivered).toHaveLength(1);
    const bound = h.fake.delivered[0];
    expect(bound.via).toBe('reply');
    expect(bound.to).toBe(bind.event.message.message_id);
    expect(bound.msgType).toBe('text');
    expect(bound.content.text).toContain('绑定成功');
    expect(bound.uuid).toMatch(/^[0-9a-f]{32}$/);

    const r2 = await h.send(messageEvent({ text: '学时', openId: TEACHER_OPEN_ID }));
    expect(r2.status).toBe(200);
    await settled();
    expect(h.fake.delivered).toHaveLength(2);
    // Needs the policy engine: the summary greets the teacher by name and states hours.
    expect(h.fake.delivered[1].content.text).toContain('张三老师');
    expect(h.fake.delivered[1].content.text).toContain('学时');
  });

  it('acks before handling: the 200 comes back while the event is still pending in the inbox', async () => {
    h = await startFeishu();
    const { body, headers } = signedRequest(messageEvent({ text: '帮助' }), { now: h.app.fixedClock.now() });
    // In-process request: its promise settles before the deferred handler can run.
    const res = await h.app.http.request(FEISHU_PATH, { method: 'POST', body, headers });
    expect(res.status).toBe(200);
    expect((await h.inboxRows()).map((r) => r.status)).toEqual(['pending']);
    expect((await h.outboxRows())).toHaveLength(0);
    await settled();
    expect((await h.inboxRows()).map((r) => r.status)).toEqual(['done']);
    expect(h.fake.delivered).toHaveLength(1);
  });

  it('answers a minimal payload (no mentions, null user_id, bare header)', async () => {
    h = await startFeishu();
    const r = await h.send(messageEvent({ text: '帮助', minimal: true }));
    expect(r.status).toBe(200);
    await settled();
    expect(h.fake.texts()).toHaveLength(1);
    expect(h.fake.texts()[0]).toContain('学时助手可以帮您');
  });

  it('answers a non-text message with "text only"', async () => {
    h = await startFeishu();
    await h.send(messageEvent({ messageType: 'image', content: JSON.stringify({ image_key: 'img_v2_041b28e3' }) }));
    await settled();
    expect(h.fake.texts()).toEqual([expect.stringContaining('只能读文字消息')]);
  });

  it('ignores messages sent by apps (no inbox row, nothing sent)', async () => {
    h = await startFeishu();
    const r = await h.send(messageEvent({ text: '帮助', senderType: 'app' }));
    expect(r.status).toBe(200);
    await h.app.outbox.whenIdle();
    expect((await h.inboxRows())).toHaveLength(0);
    expect(h.fake.messageRequests()).toHaveLength(0);
  });

  it('in a group: strips @_user_1, sends personal data by DM (open_id) and tells the group', async () => {
    h = await startFeishu();
    const teacherId = await addTeacher(h.app.db, { employeeNo: 'T0001', name: '张三' });
    await addRecord(h.app.db, teacherId, { key: 'R1', date: '2026-03-10', hours: 12, category: '集中培训', project: '新课标研修' });

    // Binding from the group: "@_user_1 绑定 T0001 张三" must reach the command without the placeholder.
    const bind = groupMention('绑定 T0001 张三', { openId: TEACHER_OPEN_ID });
    expect((await h.send(bind)).status).toBe(200);
    await settled();
    expect(h.fake.delivered).toHaveLength(1);
    expect(h.fake.delivered[0].via).toBe('reply');
    expect(h.fake.delivered[0].content.text).toContain('绑定成功');

    const ask = groupMention('记录', { openId: TEACHER_OPEN_ID });
    expect((await h.send(ask)).status).toBe(200);
    await settled();
    // The DM and the group notice are sent concurrently: their arrival order is not fixed.
    expect(h.fake.delivered).toHaveLength(3);
    const dm = h.fake.delivered.slice(1).find((d) => d.via === 'open_id')!;
    const notice = h.fake.delivered.slice(1).find((d) => d.via === 'reply')!;
    expect(dm).toMatchObject({ via: 'open_id', to: TEACHER_OPEN_ID });
    expect(dm.content.text).toContain('新课标研修');
    expect(notice).toMatchObject({ via: 'reply', to: ask.event.message.message_id });
    expect(notice.content.text).toContain('已私信');
    expect(notice.content.text).not.toContain('新课标研修');
  });

  it('answers a card button click (card.action.trigger) with {} and runs its command for the clicker', async () => {
    h = await startFeishu();
    const click = cardAction({ command: '帮助' }, { openId: TEACHER_OPEN_ID });
    const r = await h.send(click);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({});
    await settled();
    expect(h.fake.delivered).toHaveLength(1);
    // The answer goes to the clicker alone, even when the card sits in a group.
    expect(h.fake.delivered[0]).toMatchObject({ via: 'open_id', to: TEACHER_OPEN_ID });
    expect(h.fake.delivered[0].content.text).toContain('学时助手可以帮您');
  });

  it('acks unknown event types with 200 {} and does nothing else', async () => {
    h = await startFeishu();
    const r = await h.send(messageEvent({ eventType: 'im.chat.member.bot.added_v1' }));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({});
    await h.app.outbox.whenIdle();
    expect((await h.inboxRows())).toHaveLength(0);
    expect(h.fake.messageRequests()).toHaveLength(0);
  });
});

describe('Feishu at-least-once delivery', () => {
  it('handles the same event_id sent twice once; both answered 200', async () => {
    h = await startFeishu();
    const event = messageEvent({ text: '帮助' });
    expect((await h.send(event)).status).toBe(200);
    await settled();
    expect((await h.send(event)).status).toBe(200);
    await settled();
    expect((await h.inboxRows())).toHaveLength(1);
    expect(h.fake.delivered).toHaveLength(1);
    expect(h.fake.messageRequests()).toHaveLength(1);
  });

  it('handles 10 concurrent copies of one event once; all answered 200', async () => {
    h = await startFeishu();
    const event = messageEvent({ text: '帮助' });
    const results = await Promise.all(Array.from({ length: 10 }, () => h.send(event)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    await settled();
    expect((await h.inboxRows())).toHaveLength(1);
    expect(h.fake.messageRequests()).toHaveLength(1);
    expect(h.fake.delivered).toHaveLength(1);
  });

  it('handles the same message_id under a new event_id once', async () => {
    h = await startFeishu();
    const first = messageEvent({ text: '帮助' });
    const redelivered = messageEvent({ text: '帮助', messageId: first.event.message.message_id });
    expect(redelivered.header.event_id).not.toBe(first.header.event_id);
    expect((await h.send(first)).status).toBe(200);
    expect((await h.send(redelivered)).status).toBe(200);
    await settled();
    expect((await h.inboxRows())).toHaveLength(1);
    expect(h.fake.delivered).toHaveLength(1);
  });
});

describe('Feishu request authentication', () => {
  /** A refused request leaves no trace: no inbox row, no outbox row, no call to Feishu. */
  async function expectNothingHappened(): Promise<void> {
    await new Promise((r) => setTimeout(r, 50));
    await h.app.outbox.whenIdle();
    expect((await h.inboxRows())).toHaveLength(0);
    expect((await h.outboxRows())).toHaveLength(0);
    expect(h.fake.messageRequests()).toHaveLength(0);
  }

  it('refuses a forged signature with 401', async () => {
    h = await startFeishu();
    const { body, headers } = signedRequest(messageEvent({ text: '帮助' }), { now: h.app.fixedClock.now(), key: 'someone-elses-key' });
    expect((await h.post(body, headers)).status).toBe(401);
    await expectNothingHappened();
  });

  it('refuses a body changed after signing with 401', async () => {
    h = await startFeishu();
    const { headers } = signedRequest(messageEvent({ text: '帮助' }), { now: h.app.fixedClock.now() });
    const other = JSON.stringify({ encrypt: encrypt(messageEvent({ text: '帮助' })) });
    expect((await h.post(other, headers)).status).toBe(401);
    await expectNothingHappened();
  });

  it('refuses an encrypted event without signature headers with 401', async () => {
    h = await startFeishu();
    const body = JSON.stringify({ encrypt: encrypt(messageEvent({ text: '帮助' })) });
    expect((await h.post(body, { 'content-type': 'application/json' })).status).toBe(401);
    await expectNothingHappened();
  });

  it('refuses incomplete signature headers with 401', async () => {
    h = await startFeishu();
    const { body, headers } = signedRequest(messageEvent({ text: '帮助' }), { now: h.app.fixedClock.now() });
    delete headers['X-Lark-Request-Nonce'];
    expect((await h.post(body, headers)).status).toBe(401);
    await expectNothingHappened();
  });

  it('refuses a correctly signed event carrying the wrong verification token with 401', async () => {
    h = await startFeishu();
    expect((await h.send(messageEvent({ text: '帮助', token: 'wrong-token' }))).status).toBe(401);
    await expectNothingHappened();
  });

  it('refuses a stale timestamp (more than an hour old) with 401, and accepts one within the hour', async () => {
    h = await startFeishu();
    const signedAt = h.app.fixedClock.now();
    const stale = signedRequest(messageEvent({ text: '帮助' }), { now: signedAt });
    const fresh = signedRequest(messageEvent({ text: '帮助' }), { now: signedAt });
    h.app.fixedClock.advance(3600_000 + 5_000);
    expect((await h.post(stale.body, stale.headers)).status).toBe(401);
    await expectNothingHappened();
    h.app.fixedClock.advance(-10_000);
    expect((await h.post(fresh.body, fresh.headers)).status).toBe(200);
  });

  it('refuses a timestamp far in the future with 401', async () => {
    h = await startFeishu();
    const future = new Date(h.app.fixedClock.now().getTime() + 2 * 3600_000);
    expect((await h.send(messageEvent({ text: '帮助' }), { now: future })).status).toBe(401);
    await expectNothingHappened();
  });

  it('answers malformed JSON with 400', async () => {
    h = await startFeishu();
    const body = '{"encrypt": "abc",';
    expect((await h.post(body, signatureHeaders(body, { now: h.app.fixedClock.now() }))).status).toBe(400);
    expect((await h.post('not json at all')).status).toBe(400);
    await expectNothingHappened();
  });

  it('answers a signed body that does not decrypt with 400', async () => {
    h = await startFeishu();
    const body = JSON.stringify({ encrypt: encrypt(messageEvent(), 'another-key-entirely') });
    expect((await h.post(body, signatureHeaders(body, { now: h.app.fixedClock.now() }))).status).toBe(400);
    await expectNothingHappened();
  });

  it('answers an oversized body with 413 before reading it', async () => {
    h = await startFeishu({ MAX_BODY_BYTES: '1024' });
    const { body, headers } = signedRequest(messageEvent({ text: '帮'.repeat(2000) }), { now: h.app.fixedClock.now() });
    expect(body.length).toBeGreaterThan(4000);
    expect((await h.post(body, headers)).status).toBe(413);
    await expectNothingHappened();
  });
});

describe('Feishu without an encrypt key', () => {
  it('accepts plain unsigned events but still checks the verification token', async () => {
    h = await startFeishu({ FEISHU_ENCRYPT_KEY: '' });
    expect((await h.post(JSON.stringify(messageEvent({ text: '帮助', token: 'wrong' })))).status).toBe(401);
    expect((await h.post(JSON.stringify(messageEvent({ text: '帮助' })))).status).toBe(200);
    await settled();
    expect(h.fake.delivered).toHaveLength(1);
    expect((await h.inboxRows())).toHaveLength(1);
  });

  it('answers an encrypted body it cannot decrypt with 400', async () => {
    h = await startFeishu({ FEISHU_ENCRYPT_KEY: '' });
    expect((await h.post(JSON.stringify({ encrypt: encrypt(challenge(), ENCRYPT_KEY) }))).status).toBe(400);
  });
});

describe('Feishu webhook with neither a verification token nor an encrypt key', () => {
  const UNVERIFIED = { FEISHU_ENCRYPT_KEY: '', FEISHU_VERIFICATION_TOKEN: '' };

  it('is refused: a forged event gets 503 and reaches nothing; the status line and log say why', async () => {
    h = await startFeishu(UNVERIFIED);
    const forged = messageEvent({ text: '绑定 T0001 张三', token: 'anything' });
    for (const path of [FEISHU_PATH, '/webhooks/feishu/cards']) {
      const r = await h.post(JSON.stringify(forged), { 'content-type': 'application/json' }, path);
      expect(r.status).toBe(503);
    }
    expect((await h.inboxRows())).toHaveLength(0);
    const line = h.app.adapters.find((a) => a.platform === 'feishu')!.status();
    expect(line).toContain('REFUSED');
    expect(line).toContain('FEISHU_ALLOW_UNVERIFIED');
  });

  it('runs unverified only with FEISHU_ALLOW_UNVERIFIED=true', async () => {
    h = await startFeishu({ ...UNVERIFIED, FEISHU_ALLOW_UNVERIFIED: 'true' });
    expect((await h.post(JSON.stringify(messageEvent({ text: '帮助' })))).status).toBe(200);
    await settled();
    expect(h.fake.delivered).toHaveLength(1);
  });

  it('does not apply to websocket mode, which needs neither', async () => {
    h = await startFeishu({ ...UNVERIFIED, FEISHU_MODE: 'websocket' });
    expect(h.app.adapters.find((a) => a.platform === 'feishu')!.status()).not.toContain('REFUSED');
  });
});

describe('Feishu adapter status line', () => {
  it('names the mode and the webhook path', async () => {
    h = await startFeishu();
    const line = h.app.adapters.find((a) => a.platform === 'feishu')!.status();
    expect(line).toContain('webhook');
    expect(line).toContain(FEISHU_PATH);
  });
});
