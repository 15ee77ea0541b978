import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../src/platforms/feishu/long-connection.js';
import { startFeishu, type FeishuHarness } from '../../helpers/fakes/feishu-harness.js';
import { waitFor } from '../../helpers/fakes/feishu-platform.js';
import { BOT_NAME, BOT_OPEN_ID, messageEvent, type MessageEventOptions } from '../../helpers/fakes/feishu-sign.js';
import { addRecord, addTeacher } from '../../helpers/seed.js';

/**
 * Feishu groups: the bot acts only when @-mentioned (its own open_id, learned from GET /open-apis/bot/v3/info),
 * on both receivers. Events go encrypted and signed through the real webhook.
 */

let h: FeishuHarness;
afterEach(async () => h?.close());

const TEACHER = 'ou_84aad35d084aa403a838cf73ee18467';
const OTHER = { key: '@_user_2', name: '李老师', openId: 'ou_someone0000000000000000000002' };
const ALL = { key: '@_all', name: '所有人', openId: '' };
const BOT = { key: '@_user_1', name: BOT_NAME, openId: BOT_OPEN_ID };

/** A group message with the given text (placeholders included) and mentions, as Feishu sends it. */
function group(text: string, mentions: MessageEventOptions['mentions'], o: MessageEventOptions = {}) {
  return messageEvent({ ...o, chatType: 'group', text, mentions, openId: TEACHER });
}

/** 我是谁 is personal: asked in a group, the answer (with the teacher's name) goes by direct message. */
const identityDms = () => h.fake.delivered.filter((d) => d.via === 'open_id' && d.to === TEACHER && String(d.content.text).includes('张三'));

async function settled(): Promise<void> {
  await waitFor(async () => (await h.inboxRows()).every((r) => r.status !== 'pending'), { what: 'inbox drained' });
  await h.app.outbox.whenIdle();
  await waitFor(async () => (await h.outboxRows()).every((r) => r.status !== 'pending'), { what: 'outbox drained' });
}

/** Binds the teacher by direct message, so group commands have someone to answer. */
async function bindTeacher(): Promise<void> {
  const id = await addTeacher(h.app.db, { employeeNo: 'T0001', name: '张三' });
  await addRecord(h.app.db, id, { key: 'R1', date: '2026-03-10', hours: 12, category: '集中培训', project: '新课标研修' });
  expect((await h.send(messageEvent({ text: '绑定 T0001 张三', openId: TEACHER }))).status).toBe(200);
  await settled();
}

describe('Feishu groups: the bot acts only when called', () => {
  it('learns its open_id from GET /open-apis/bot/v3/info once at start', async () => {
    h = await startFeishu();
    expect(h.adapter.identity.openId).toBe(BOT_OPEN_ID);
    expect(await (await h.app.http.request('/healthz')).json()).toMatchObject({ ok: true, feishu: { mode: 'webhook', botOpenId: BOT_OPEN_ID } });
    const [info] = h.fake.botInfoRequests();
    expect(info.headers.authorization).toBe(`Bearer ${h.fake.token}`);
    expect(h.fake.botInfoRequests()).toHaveLength(1);
    // With the sender's token: learning who it is costs no token fetch of its own.
    expect(h.fake.tokenRequests()).toHaveLength(1);
  });

  it('handles @bot, with the bot’s mention key stripped wherever it stands', async () => {
    h = await startFeishu();
    await bindTeacher();
    for (const text of ['@_user_1 我是谁', '我是谁 @_user_1', '我是@_user_1谁']) {
      const event = group(text, [BOT]);
      expect((await h.send(event)).status).toBe(200);
    }
    await settled();
    // Each reached the command as 我是谁: an identity answer by DM (not "unknown command").
    expect(identityDms()).toHaveLength(3);
  });

  it('handles @bot when others are mentioned too, and strips every key', async () => {
    h = await startFeishu();
    await bindTeacher();
    expect((await h.send(group('@_user_2 @_user_1 我是谁', [OTHER, BOT]))).status).toBe(200);
    await settled();
    expect(identityDms()).toHaveLength(1);
  });

  it('ignores @所有人: acked 200, nothing stored, nothing sent', async () => {
    h = await startFeishu();
    await bindTeacher();
    const rows = (await h.inboxRows()).length;
    const r = await h.send(group('@_all 学时', [ALL]));
    expect(r.status).toBe(200);
    await settled();
    expect((await h.inboxRows())).toHaveLength(rows);
    expect(h.fake.delivered).toHaveLength(1); // only the binding reply
  });

  it('ignores a message that mentions someone else, or nobody (an app with the "all group messages" permission)', async () => {
    h = await startFeishu();
    await bindTeacher();
    const rows = (await h.inboxRows()).length;
    expect((await h.send(group('@_user_2 学时 怎么查', [OTHER]))).status).toBe(200);
    expect((await h.send(group('学时', []))).status).toBe(200);
    // A mention with the bot's name but someone else's open_id is not the bot either.
    expect((await h.send(group('@_user_1 学时', [{ ...OTHER, key: '@_user_1', name: BOT_NAME }]))).status).toBe(200);
    await settled();
    expect((await h.inboxRows())).toHaveLength(rows);
    expect(h.fake.delivered).toHaveLength(1);
  });

  it('leaves direct chats unchanged: no mention needed', async () => {
    h = await startFeishu();
    await bindTeacher();
    expect((await h.send(messageEvent({ text: '我是谁', openId: TEACHER }))).status).toBe(200);
    await settled();
    expect(h.fake.delivered).toHaveLength(2);
    expect(h.fake.delivered[1].content.text).toContain('张三');
  });

  it('applies the same rule on the long connection (one shared classifier)', async () => {
    h = await startFeishu();
    await bindTeacher();
    const dispatcher = createDispatcher(
      { bot: h.app.bot, config: h.app.config, logger: h.app.logger, clock: h.app.fixedClock },
      h.adapter.identity,
    );
    const rows = (await h.inboxRows()).length;
    await dispatcher.invoke(group('@_all 学时', [ALL]), { needCheck: false });
    await dispatcher.invoke(group('@_user_2 学时', [OTHER]), { needCheck: false });
    expect((await h.inboxRows())).toHaveLength(rows);
    await dispatcher.invoke(group('我是谁 @_user_1', [BOT]), { needCheck: false });
    await settled();
    expect((await h.inboxRows())).toHaveLength(rows + 1);
    expect(identityDms()).toHaveLength(1);
  });
});

describe('Feishu groups while the bot’s open_id is unknown (Feishu down at start)', () => {
  it('starts anyway, retries bot info with backoff, and acts on @bot once learned', async () => {
    h = await startFeishu({}, { prepare: (fake) => fake.failBotInfo(3), feishu: { identityRetryBaseMs: 40, identityRetryMaxMs: 1000 }, waitForIdentity: false });
    await bindTeacher(); // direct chats work meanwhile
    await h.adapter.identity.whenKnown(3000);
    expect(h.fake.botInfoRequests()).toHaveLength(4);
    const gaps = h.fake.botInfoRequests().slice(1).map((r, i) => r.at - h.fake.botInfoRequests()[i].at);
    // Backing off: 40, 80, 160 ms (timers never fire early, so these are lower bounds).
    expect(gaps[0]).toBeGreaterThanOrEqual(38);
    expect(gaps[1]).toBeGreaterThanOrEqual(78);
    expect(gaps[2]).toBeGreaterThanOrEqual(158);
    expect((await h.send(group('@_user_1 我是谁', [BOT]))).status).toBe(200);
    await settled();
    expect(identityDms()).toHaveLength(1);
  });

  it('without FEISHU_BOT_NAME, ignores group messages until the open_id is known, and never answers @所有人', async () => {
    h = await startFeishu({}, { prepare: (fake) => fake.failBotInfo(1000), feishu: { identityRetryBaseMs: 50, identityRetryMaxMs: 50 }, waitForIdentity: false });
    await bindTeacher();
    const rows = (await h.inboxRows()).length;
    expect((await h.send(group('@_user_1 我是谁', [BOT]))).status).toBe(200);
    expect((await h.send(group('@_all 我是谁', [ALL]))).status).toBe(200);
    await settled();
    expect(h.adapter.identity.openId).toBeNull();
    expect((await h.inboxRows())).toHaveLength(rows);
    expect(await (await h.app.http.request('/healthz')).json()).toMatchObject({ feishu: { botOpenId: 'unknown' } });
  });

  it('with FEISHU_BOT_NAME, accepts a group message whose first mention has that name; never @所有人 or others', async () => {
    h = await startFeishu(
      { FEISHU_BOT_NAME: BOT_NAME },
      { prepare: (fake) => fake.failBotInfo(1000), feishu: { identityRetryBaseMs: 50, identityRetryMaxMs: 50 }, waitForIdentity: false },
    );
    await bindTeacher();
    const rows = (await h.inboxRows()).length;
    expect((await h.send(group('@_all 我是谁', [ALL]))).status).toBe(200);
    expect((await h.send(group('@_user_2 我是谁', [OTHER]))).status).toBe(200);
    expect((await h.send(group('@_user_2 @_user_1 我是谁', [OTHER, BOT]))).status).toBe(200); // not first: unsure, ignored
    expect((await h.send(group('@_all @_user_1 我是谁', [ALL, BOT]))).status).toBe(200);
    await settled();
    expect((await h.inboxRows())).toHaveLength(rows);
    expect((await h.send(group('@_user_1 我是谁', [BOT]))).status).toBe(200);
    await settled();
    expect((await h.inboxRows())).toHaveLength(rows + 1);
    expect(identityDms()).toHaveLength(1);
  });
});
