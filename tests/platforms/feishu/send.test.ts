import { afterEach, describe, expect, it } from 'vitest';
import type { Outgoing, Target } from '../../../src/core/messages.js';
import { silentLogger } from '../../../src/logger.js';
import { enqueue } from '../../../src/outbox/store.js';
import { dedupeTokenOf, type OutboxMessage } from '../../../src/outbox/outbox.js';
import { FeishuSender } from '../../../src/platforms/feishu/send.js';
import { startFeishu, type FeishuHarness } from '../../helpers/fakes/feishu-harness.js';
import { botNotInChat, imRateLimited, rateLimited, serverError, waitFor, type RecordedRequest } from '../../helpers/fakes/feishu-platform.js';
import { settingsOf } from '../../../src/config.js';
import { feishuSettings } from '../../../src/platforms/feishu/settings.js';

/** Outbound: the real outbox worker and Feishu sender against a fake OpenAPI on loopback. */

let h: FeishuHarness;
afterEach(async () => {
  await h?.close();
});

let n = 0;
function outgoing(target: Target, text = `消息 ${++n}`, key = `test:${n}:${Math.random()}`): Outgoing {
  return { platform: 'feishu', target, reply: { text }, idempotencyKey: key };
}

/** Enqueues as a command would (the worker runs on real time) and wakes the sender. */
async function queue(...messages: Outgoing[]): Promise<void> {
  await enqueue(h.app.db, messages, new Date());
  h.app.outbox.kick();
}

async function row(key: string) {
  return (await h.outboxRows()).find((r) => r.idempotencyKey === key)!;
}

async function finished(key: string): Promise<void> {
  await waitFor(async () => (await row(key)).status !== 'pending', { what: `outbox row ${key} to finish` });
}

const toUser = (accountId = 'ou_2f1e0c9a7b6d5e4f3a2b1c0d9e8f7a6b'): Target => ({ type: 'user', accountId });

describe('Feishu sender: calls', () => {
  it('maps targets to reply / open_id / chat_id and always passes uuid = the row dedupe token', async () => {
    h = await startFeishu();
    const reply = outgoing({ type: 'reply', messageId: 'om_in_reply_to_1', chatId: 'oc_chat_reply' }, '回复');
    const user = outgoing(toUser('ou_user_1'), '私信');
    const chat = outgoing({ type: 'chat', chatId: 'oc_chat_2' }, '群消息');
    await queue(reply, user, chat);
    await waitFor(() => h.fake.delivered.length === 3);

    const byText = (t: string) => h.fake.delivered.find((d) => d.content.text === t)!;
    expect(byText('回复')).toMatchObject({ via: 'reply', to: 'om_in_reply_to_1', msgType: 'text', uuid: dedupeTokenOf(reply.idempotencyKey) });
    expect(byText('私信')).toMatchObject({ via: 'open_id', to: 'ou_user_1', uuid: dedupeTokenOf(user.idempotencyKey) });
    expect(byText('群消息')).toMatchObject({ via: 'chat_id', to: 'oc_chat_2', uuid: dedupeTokenOf(chat.idempotencyKey) });

    const replyCall = h.fake.messageRequests().find((r) => r.path.endsWith('/reply'))!;
    expect(replyCall.path).toBe('/open-apis/im/v1/messages/om_in_reply_to_1/reply');
    // content is a JSON string, as the API requires.
    expect(typeof replyCall.body.content).toBe('string');
    expect(JSON.parse(replyCall.body.content)).toEqual({ text: '回复' });

    await waitFor(async () => (await h.outboxRows()).every((r) => r.status === 'sent'));
    expect((await h.outboxRows()).map((r) => r.platformMessageId)).toEqual(expect.arrayContaining(h.fake.delivered.map((d) => d.messageId)));
  });

  it('sends a reply with a card as an interactive message', async () => {
    h = await startFeishu();
    const message: Outgoing = {
      platform: 'feishu',
      target: toUser(),
      idempotencyKey: 'card:1',
      reply: {
        text: '本周期学时',
        card: {
          title: '本周期学时',
          tone: 'green',
          sections: [{ heading: '总计', lines: ['应修 72 学时', '已修 *12* 学时'] }, { lines: ['还差 60 学时'] }],
          buttons: [{ label: '查看记录', value: { command: '记录' }, style: 'primary' }],
          note: '依据：来宾市文件',
        },
      },
    };
    await queue(message);
    await waitFor(() => h.fake.delivered.length === 1);
    const sent = h.fake.delivered[0];
    expect(sent.msgType).toBe('interactive');
    expect(sent.content.header).toEqual({ title: { tag: 'plain_text', content: '本周期学时' }, template: 'green' });
    const markdown = sent.content.elements.filter((e: any) => e.tag === 'markdown').map((e: any) => e.content);
    expect(markdown[0]).toBe('**总计**\n应修 72 学时\n已修 &#42;12&#42; 学时');
    const action = sent.content.elements.find((e: any) => e.tag === 'action');
    expect(action.actions[0]).toMatchObject({ tag: 'button', type: 'primary', value: { command: '记录' } });
  });

  it('fetches the tenant token once even when the first sends start together (no warm-up)', async () => {
    h = await startFeishu();
    await waitFor(() => h.fake.tokenRequests().length === 1, { what: "the app sender's start-up token" });
    const sender = new FeishuSender({ settings: settingsOf(h.app.config, feishuSettings), logger: silentLogger });
    const message = (i: number): OutboxMessage => ({
      id: 1000 + i,
      platform: 'feishu',
      target: toUser(`ou_direct_${i}`),
      reply: { text: `直接 ${i}` },
      idempotencyKey: `direct:${i}`,
      dedupeToken: dedupeTokenOf(`direct:${i}`),
      attempts: 0,
    });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => sender.send(message(i))));
    expect(results.every((r) => r.status === 'sent')).toBe(true);
    // Its own cache: the app's sender already holds a token for the same app id, this one fetches its own, once.
    expect(h.fake.tokenRequests()).toHaveLength(2);
  });

  it('fetches the tenant token once and reuses it across many sends', async () => {
    h = await startFeishu();
    // Eight at once, right after start-up (the warm-up fetch may still be in flight).
    await queue(...Array.from({ length: 8 }, (_, i) => outgoing(toUser(`ou_token_${i}`))));
    await waitFor(() => h.fake.delivered.length === 8);
    await queue(outgoing(toUser('ou_token_later_1')), outgoing(toUser('ou_token_later_2')));
    await waitFor(() => h.fake.delivered.length === 10);

    expect(h.fake.tokenRequests()).toHaveLength(1);
    expect(h.fake.tokenRequests()[0].body).toEqual({ app_id: 'cli_a1b2c3d4e5f60718', app_secret: 'sEcReT-0123456789abcdef' });
    expect(h.fake.messageRequests().every((r) => r.headers.authorization === `Bearer ${h.fake.token}`)).toBe(true);
  });

  it('drops a token Feishu calls invalid, fetches a new one and delivers', async () => {
    h = await startFeishu();
    await queue(outgoing(toUser()));
    await waitFor(() => h.fake.delivered.length === 1);
    h.fake.rotateToken();
    const m = outgoing(toUser('ou_after_rotation'));
    await queue(m);
    await finished(m.idempotencyKey);
    expect((await row(m.idempotencyKey)).status).toBe('sent');
    expect(h.fake.tokenRequests()).toHaveLength(2);
    expect(h.fake.delivered).toHaveLength(2);
  });
});

describe('Feishu sender: failures', () => {
  const uuids = (requests: RecordedRequest[]) => requests.map((r) => r.body.uuid);

  it('429 with x-ogw-ratelimit-reset: waits that long, retries with the same uuid, delivers once', async () => {
    h = await startFeishu();
    h.fake.failNext(rateLimited(1));
    const m = outgoing(toUser());
    await queue(m);
    await finished(m.idempotencyKey);

    const calls = h.fake.messageRequests();
    expect(calls).toHaveLength(2);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(950);
    expect(uuids(calls)).toEqual([dedupeTokenOf(m.idempotencyKey), dedupeTokenOf(m.idempotencyKey)]);
    expect(h.fake.delivered).toHaveLength(1);
    expect((await row(m.idempotencyKey))).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('429 pauses the whole app: other messages wait too', async () => {
    h = await startFeishu();
    h.fake.failNext(rateLimited(1));
    const first = outgoing(toUser('ou_pause_1'));
    await queue(first);
    await waitFor(() => h.fake.messageRequests().length === 1);
    await new Promise((r) => setTimeout(r, 50)); // the 429 has been recorded
    const second = outgoing(toUser('ou_pause_2'));
    await queue(second);
    await finished(second.idempotencyKey);
    const calls = h.fake.messageRequests();
    const secondCall = calls.find((c) => c.body.receive_id === 'ou_pause_2')!;
    expect(secondCall.at - calls[0].at).toBeGreaterThanOrEqual(950);
  });

  it('400 code 230020 (IM rate limit) is retried and delivered once', async () => {
    h = await startFeishu();
    h.fake.failNext(imRateLimited, imRateLimited);
    const m = outgoing({ type: 'chat', chatId: 'oc_busy_group' });
    await queue(m);
    await finished(m.idempotencyKey);
    expect((await row(m.idempotencyKey))).toMatchObject({ status: 'sent', attempts: 3 });
    expect(new Set(uuids(h.fake.messageRequests()))).toEqual(new Set([dedupeTokenOf(m.idempotencyKey)]));
    expect(h.fake.delivered).toHaveLength(1);
  });

  it('400 code 230002 (bot not in chat) is not retried: the row is failed with the reason', async () => {
    h = await startFeishu();
    h.fake.failNext(botNotInChat);
    const m = outgoing({ type: 'chat', chatId: 'oc_left_group' });
    await queue(m);
    await finished(m.idempotencyKey);
    await new Promise((r) => setTimeout(r, 200)); // several backoff periods: nothing more may happen
    expect(h.fake.messageRequests()).toHaveLength(1);
    expect(h.fake.delivered).toHaveLength(0);
    expect((await row(m.idempotencyKey)).status).toBe('failed');
    expect((await row(m.idempotencyKey)).lastError).toContain('230002');
  });

  it('500 is retried with the same uuid', async () => {
    h = await startFeishu();
    h.fake.failNext(serverError);
    const m = outgoing(toUser());
    await queue(m);
    await finished(m.idempotencyKey);
    expect((await row(m.idempotencyKey)).status).toBe('sent');
    expect(uuids(h.fake.messageRequests())).toEqual([dedupeTokenOf(m.idempotencyKey), dedupeTokenOf(m.idempotencyKey)]);
    expect(h.fake.delivered).toHaveLength(1);
  });

  it('a lost response (delivered, but answered 500) is resent with the same uuid and Feishu keeps one copy', async () => {
    h = await startFeishu();
    h.fake.failNext({ ...serverError, deliverAnyway: true });
    const m = outgoing(toUser());
    await queue(m);
    await finished(m.idempotencyKey);
    expect(h.fake.messageRequests()).toHaveLength(2);
    expect(h.fake.delivered).toHaveLength(1);
    expect((await row(m.idempotencyKey))).toMatchObject({ status: 'sent', platformMessageId: h.fake.delivered[0].messageId });
  });
});

describe('Feishu sender: pacing', () => {
  /** The most arrivals inside any window of `windowMs`. */
  function busiest(times: number[], windowMs: number): number {
    const sorted = [...times].sort((a, b) => a - b);
    let most = 0;
    for (let i = 0, j = 0; j < sorted.length; j++) {
      while (sorted[j] - sorted[i] >= windowMs) i++;
      most = Math.max(most, j - i + 1);
    }
    return most;
  }

  it('sends at most 5 per second to one user and to one chat', async () => {
    h = await startFeishu();
    // As in production: the token was fetched at start-up, so the first burst is not held back by it.
    await waitFor(() => h.fake.tokenRequests().length === 1);
    await new Promise((r) => setTimeout(r, 20));
    await queue(
      ...Array.from({ length: 12 }, () => outgoing(toUser('ou_paced_user'))),
      ...Array.from({ length: 12 }, () => outgoing({ type: 'chat', chatId: 'oc_paced_group' })),
    );
    await waitFor(() => h.fake.delivered.length === 24, { timeoutMs: 8000 });

    for (const to of ['ou_paced_user', 'oc_paced_group']) {
      const times = h.fake.delivered.filter((d) => d.to === to).map((d) => d.at);
      const offsets = JSON.stringify(times.map((t) => Math.round(t - times[0])));
      expect(times).toHaveLength(12);
      // Feishu's own measure: arrivals in any one second.
      expect(busiest(times, 1000), offsets).toBeLessThanOrEqual(5);
      // 12 at ≤ 5/s needs three windows: the last batch arrives more than 2 s after the first.
      expect(Math.max(...times) - Math.min(...times), offsets).toBeGreaterThanOrEqual(2000);
    }
  });
});
