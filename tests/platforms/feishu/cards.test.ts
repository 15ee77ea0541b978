import { eq } from 'drizzle-orm';
import { tables } from '../../../db/handle.js';
import { afterEach, describe, expect, it } from 'vitest';
import { schema } from '../../../db/client.js';
import { grantRole } from '../../../src/ledger/roles.js';
import { ConsoleSession } from '../../../src/platforms/console/session.js';
import { createDispatcher } from '../../../src/platforms/feishu/long-connection.js';
import { startFeishu, type FeishuHarness } from '../../helpers/fakes/feishu-harness.js';
import { cardAction, cardActionV1, challenge, encrypt, messageEvent, signedCardV1Request, signedRequest } from '../../helpers/fakes/feishu-sign.js';
import { addTeacher, countRows } from '../../helpers/seed.js';

const CARDS = '/webhooks/feishu/cards';
const TEACHER = 'ou_84aad35d084aa403a838cf73ee18467';
let h: FeishuHarness;
afterEach(async () => h?.close());

/** An officer on the console creates a button-mode session open now (the test app's clock: 2026-11-25 10:00). */
async function setUp(env: Record<string, string> = {}): Promise<number> {
  h = await startFeishu(env);
  const officer = await addTeacher(h.app.db, { employeeNo: 'O001', name: '王主任', school: '教师发展中心' });
  await grantRole(h.app.db, officer, 'officer', 'test');
  await addTeacher(h.app.db, { employeeNo: 'T0001', name: '张三', school: '第一中学' });
  const console = new ConsoleSession(h.app);
  await console.actAs('O001');
  const [created] = await console.send('新建培训 师德讲座 师德师风 3 2026-11-25 09:30-11:00 方式 按钮');
  expect(created).toContain('师德讲座');
  expect((await h.send(messageEvent({ text: '绑定 T0001 张三', openId: TEACHER }))).status).toBe(200);
  await h.app.bot.drain();
  return (await h.app.db.select().from(tables(h.app.db).trainingSessions).limit(1))[0]!.id;
}

describe('Feishu card callbacks (POST /webhooks/feishu/cards)', () => {
  it('signs in on a click and answers within the callback with a success toast and a redrawn card', async () => {
    const id = await setUp();
    const r = await h.send(cardAction({ command: '签到', args: `#${id}` }, { openId: TEACHER }), { path: CARDS });
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(3000);
    const answer = r.json as { toast: { type: string; content: string }; card?: { type: string; data: { header: unknown } } };
    expect(answer.toast.type).toBe('success');
    expect(answer.toast.content).toContain('师德讲座');
    expect(answer.card?.type).toBe('raw');
    expect((await h.app.db.select().from(tables(h.app.db).records).where(eq(tables(h.app.db).records.source, 'session')))).toHaveLength(1);

    // A second click changes nothing and says so.
    const again = await h.send(cardAction({ command: '签到', args: `#${id}` }, { openId: TEACHER }), { path: CARDS });
    expect((again.json as { toast: { type: string; content: string } }).toast).toMatchObject({ type: 'info' });
    expect((again.json as { toast: { content: string } }).toast.content).toContain('已签到');
    expect(await countRows(h.app.db, 'records')).toBe(1);
  });

  it('answers a click that comes over the long connection (websocket mode) with the same toast and card', async () => {
    const id = await setUp();
    // What WSClient does with a callback frame: invoke the dispatcher unchecked and send back its result.
    const dispatcher = createDispatcher({ bot: h.app.bot, config: h.app.config, logger: h.app.logger, clock: h.app.fixedClock });
    const click = cardAction({ command: '签到', args: `#${id}` }, { openId: TEACHER, eventId: 'ev_ws_click' });
    const answer = (await dispatcher.invoke(click, { needCheck: false })) as { toast: { type: string; content: string }; card?: { type: string } };
    expect(answer.toast.type).toBe('success');
    expect(answer.toast.content).toContain('师德讲座');
    expect(answer.card?.type).toBe('raw');
    expect(await countRows(h.app.db, 'records')).toBe(1);

    // The same frame delivered again is answered from the first handling, and credits nothing more.
    const replay = (await dispatcher.invoke(click, { needCheck: false })) as { toast: { content: string } };
    expect(replay.toast.content).toBe(answer.toast.content);
    expect(await countRows(h.app.db, 'records')).toBe(1);
  });

  it('answers a replayed click (same event id) from the first handling, crediting once', async () => {
    const id = await setUp();
    const click = cardAction({ command: '签到', args: `#${id}` }, { openId: TEACHER });
    const [a, b] = await Promise.all([h.send(click, { path: CARDS }), h.send(click, { path: CARDS })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await h.app.bot.drain();
    expect(await countRows(h.app.db, 'records')).toBe(1);
  });

  it('refuses a forged click with 401 and signs nobody in', async () => {
    const id = await setUp();
    const { body, headers } = signedRequest(cardAction({ command: '签到', args: `#${id}` }, { openId: TEACHER }), {
      now: h.app.fixedClock.now(),
      key: 'not-the-encrypt-key',
    });
    expect((await h.post(body, headers, CARDS)).status).toBe(401);
    expect(await countRows(h.app.db, 'records')).toBe(0);
  });

  it('refuses a click with a wrong verification token', async () => {
    const id = await setUp();
    const r = await h.send(cardAction({ command: '签到', args: `#${id}` }, { openId: TEACHER, token: 'forged' }), { path: CARDS });
    expect(r.status).toBe(401);
    expect(await countRows(h.app.db, 'records')).toBe(0);
  });

  it('answers a click on a closed session with an error toast and no credit', async () => {
    const id = await setUp();
    (await h.app.db.update(tables(h.app.db).trainingSessions).set({ status: 'closed' }).where(eq(tables(h.app.db).trainingSessions.id, id)));
    const r = await h.send(cardAction({ command: '签到', args: `#${id}` }, { openId: TEACHER }), { path: CARDS });
    expect((r.json as { toast: { type: string } }).toast.type).toBe('error');
    expect(await countRows(h.app.db, 'records')).toBe(0);
  });
});

/** Apps configured with the older "message card request URL" get the flat v1 callback instead of card.action.trigger. */
describe('Feishu v1 card callbacks (older card request URL) on POST /webhooks/feishu/cards', () => {
  type Answer = { toast: { type: string; content: string }; card?: { type: string; data: { header: unknown } } };
  const postV1 = (payload: unknown, o: { verificationToken?: string } = {}) => {
    const { body, headers } = signedCardV1Request(payload, { now: h.app.fixedClock.now(), ...o });
    return h.post(body, headers, CARDS);
  };

  it('answers the setup challenge the card URL sends, plain or encrypted', async () => {
    h = await startFeishu();
    const plain = await h.post(JSON.stringify(challenge('card-v1-challenge')), { 'content-type': 'application/json' }, CARDS);
    expect(plain).toMatchObject({ status: 200, json: { challenge: 'card-v1-challenge' } });
    const enc = await h.post(JSON.stringify({ encrypt: encrypt(challenge('card-v1-enc')) }), { 'content-type': 'application/json' }, CARDS);
    expect(enc).toMatchObject({ status: 200, json: { challenge: 'card-v1-enc' } });
  });

  it('a v1 click signs in with the same effect, toast and redrawn card as a v2 click', async () => {
    const id = await setUp();
    const r = await postV1(cardActionV1({ command: '签到', args: `#${id}` }, { openId: TEACHER }));
    expect(r.status).toBe(200);
    const answer = r.json as Answer;
    expect(answer.toast.type).toBe('success');
    expect(answer.toast.content).toContain('师德讲座');
    expect(answer.card?.type).toBe('raw');
    expect((await h.app.db.select().from(tables(h.app.db).records).where(eq(tables(h.app.db).records.source, 'session')))).toHaveLength(1);

    // Same as v2: a second click is told it is already done, and credits nothing more.
    const again = await postV1(cardActionV1({ command: '签到', args: `#${id}` }, { openId: TEACHER }));
    expect((again.json as Answer).toast).toMatchObject({ type: 'info' });
    expect((again.json as Answer).toast.content).toContain('已签到');
    expect(await countRows(h.app.db, 'records')).toBe(1);
  });

  it('gives the same answer as a v2 click for the same button', async () => {
    const id = await setUp();
    (await h.app.db.update(tables(h.app.db).trainingSessions).set({ status: 'closed' }).where(eq(tables(h.app.db).trainingSessions.id, id)));
    const v1 = (await postV1(cardActionV1({ command: '签到', args: `#${id}` }, { openId: TEACHER }))).json as Answer;
    const v2 = (await h.send(cardAction({ command: '签到', args: `#${id}` }, { openId: TEACHER }), { path: CARDS })).json as Answer;
    expect(v1.toast).toEqual(v2.toast);
    expect(v1.toast.type).toBe('error');
  });

  it('accepts an encrypted v1 click (signed with the Encrypt Key like events)', async () => {
    const id = await setUp();
    const r = await h.send(cardActionV1({ command: '签到', args: `#${id}` }, { openId: TEACHER }), { path: CARDS });
    expect(r.status).toBe(200);
    expect((r.json as Answer).toast.type).toBe('success');
    expect(await countRows(h.app.db, 'records')).toBe(1);
  });

  it('refuses a forged v1 click with 401: wrong signing token, no signature, or a changed body', async () => {
    const id = await setUp();
    const click = cardActionV1({ command: '签到', args: `#${id}` }, { openId: TEACHER });
    expect((await postV1(click, { verificationToken: 'not-the-token' })).status).toBe(401);
    expect((await h.post(JSON.stringify(click), { 'content-type': 'application/json' }, CARDS)).status).toBe(401);
    const { body, headers } = signedCardV1Request(click, { now: h.app.fixedClock.now() });
    expect((await h.post(body.replace(TEACHER, 'ou_attacker0000000000000000000001'), headers, CARDS)).status).toBe(401);
    expect(await countRows(h.app.db, 'records')).toBe(0);
  });

  it('accepts a plaintext v1 click signed the events’ way (SHA-256 over the Encrypt Key)', async () => {
    const id = await setUp();
    const { body, headers } = signedRequest(cardActionV1({ command: '签到', args: `#${id}` }, { openId: TEACHER }), {
      now: h.app.fixedClock.now(),
      encrypted: false,
    });
    const r = await h.post(body, headers, CARDS);
    expect(r.status).toBe(200);
    expect((r.json as Answer).toast.type).toBe('success');
  });

  it('without a Verification Token, refuses a plaintext v1 click it cannot verify (SHA-1 over an unknown token)', async () => {
    const id = await setUp({ FEISHU_VERIFICATION_TOKEN: '' });
    const r = await postV1(cardActionV1({ command: '签到', args: `#${id}` }, { openId: TEACHER }));
    expect(r.status).toBe(401);
    expect(await countRows(h.app.db, 'records')).toBe(0);
  });
});
