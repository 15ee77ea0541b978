import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Outgoing } from '../../../src/core/messages.js';
import { enqueue } from '../../../src/outbox/store.js';
import { LIMIT_KEYS } from '../../../src/platforms/dingtalk/send.js';
import { eventually, startDingtalk, type DingtalkHarness } from '../../helpers/fakes/dingtalk-harness.js';
import { qpsLimited, serverError } from '../../helpers/fakes/dingtalk-platform.js';

let h: DingtalkHarness;
beforeEach(async () => {
  h = await startDingtalk();
});
afterEach(async () => h.close());

let seq = 0;
function toUser(accountId: string, text = '提醒：本周五前完成师德师风学习。'): Outgoing {
  return { platform: 'dingtalk', target: { type: 'user', accountId }, reply: { text }, idempotencyKey: `test:${++seq}` };
}
async function queue(...messages: Outgoing[]): Promise<void> {
  await enqueue(h.app.db, messages, new Date(Date.now() - 1000));
  h.worker.kick();
}

describe('one-to-one sends (outbox)', () => {
  it('retries a 403 QPS answer after the pause and then delivers', async () => {
    h.fake.failNext('oto', qpsLimited);
    await queue(toUser('manager4711'));
    await eventually(() => h.fake.deliveredTo('manager4711').length === 1, 3000, 'delivery after QPS limit');
    const calls = h.fake.calls('oto');
    expect(calls).toHaveLength(2);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(25); // throttleRetryMs (30 in the harness), not at once
    await eventually(async () => (await h.outboxRows())[0].status === 'sent');
    expect((await h.outboxRows())[0].attempts).toBe(2);
    expect(h.logs.some((l) => l.msg === 'dingtalk send failed' && String(l.error).includes('QpsLimitForAppkeyAndApi'))).toBe(true);
  });

  it('retries a flow-controlled user (reported inside a 200) and then delivers', async () => {
    h.fake.flowControlOnce.add('manager4711');
    await queue(toUser('manager4711'));
    await eventually(() => h.fake.deliveredTo('manager4711').length === 1, 3000);
    expect(h.fake.calls('oto')).toHaveLength(2);
    await eventually(async () => (await h.outboxRows())[0].status === 'sent');
  });

  it('marks an invalid staff id failed for good, without retrying', async () => {
    h.fake.invalidStaff.add('nobody');
    await queue(toUser('nobody'));
    await eventually(async () => (await h.outboxRows())[0].status === 'failed', 3000);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.fake.calls('oto')).toHaveLength(1);
    expect((await h.outboxRows())[0].lastError).toContain('invalid staff id');
  });

  it('retries a server error', async () => {
    h.fake.failNext('oto', serverError, serverError);
    await queue(toUser('manager4711'));
    await eventually(() => h.fake.deliveredTo('manager4711').length === 1, 3000);
    expect(h.fake.calls('oto')).toHaveLength(3);
  });

  it('fetches a new token when the cached one is refused, and reuses it afterwards', async () => {
    await queue(toUser('u1'));
    await eventually(() => h.fake.deliveredTo('u1').length === 1);
    h.fake.revokeTokens();
    await queue(toUser('u2'));
    await eventually(() => h.fake.deliveredTo('u2').length === 1);
    await queue(toUser('u3'));
    await eventually(() => h.fake.deliveredTo('u3').length === 1);
    expect(h.fake.calls('token')).toHaveLength(2);
    // u2: refused with the old token, sent again at once with the new one.
    expect(h.fake.calls('oto')).toHaveLength(4);
  });

  it('fetches one token for a burst of first sends', async () => {
    await queue(...Array.from({ length: 8 }, (_, i) => toUser(`burst${i}`)));
    await eventually(() => h.fake.delivered.length === 8);
    expect(h.fake.calls('token')).toHaveLength(1);
  });

  it('does not retry a permanent 400', async () => {
    h.fake.failNext('oto', { status: 400, body: { code: 'resource.not.found', message: 'robot 不存在' } });
    await queue(toUser('manager4711'));
    await eventually(async () => (await h.outboxRows())[0].status === 'failed');
    expect(h.fake.calls('oto')).toHaveLength(1);
  });

  it('keeps to 20 calls a second per API', async () => {
    const limits = h.adapter.sender.limitsFor({ id: 1, platform: 'dingtalk', target: { type: 'user', accountId: 'x' }, reply: { text: '' }, idempotencyKey: 'k', dedupeToken: 't', attempts: 0 });
    expect(limits).toEqual([{ key: LIMIT_KEYS.oto, limit: 20, windowMs: 1000, countAtAnswer: true, lanes: 'dingtalk:user:', shared: true }]);
  });
});

describe('cards', () => {
  it('renders a card as markdown on the session webhook and as sampleMarkdown through the OpenAPI', async () => {
    const card = { title: '学时进度', sections: [{ heading: '本周期', lines: ['已修 25.5 学时', '还差 334.5 学时'] }], note: '数据截至今日' };
    await queue(
      {
        platform: 'dingtalk',
        target: { type: 'reply', messageId: 'm1', chatId: 'cidX', chatType: 'direct', accountId: 'manager4711', sessionWebhook: h.fake.sessionWebhook('s-card'), sessionWebhookExpiresAt: Date.now() + 3600_000 },
        reply: { text: '学时进度', card },
        idempotencyKey: 'card:1',
      },
      { platform: 'dingtalk', target: { type: 'chat', chatId: 'cidGroup' }, reply: { text: '学时进度', card }, idempotencyKey: 'card:2' },
    );
    await eventually(() => h.fake.delivered.length === 2);
    const [viaWebhook] = h.fake.deliveredTo('s-card');
    expect(viaWebhook).toMatchObject({ kind: 'markdown', title: '学时进度' });
    expect(viaWebhook.text).toContain('### 学时进度');
    expect(viaWebhook.text).toContain('**本周期**');
    expect(viaWebhook.text).toContain('还差 334.5 学时');
    const [viaGroup] = h.fake.deliveredTo('cidGroup');
    expect(viaGroup).toMatchObject({ via: 'group', kind: 'markdown', title: '学时进度' });
    expect(h.fake.calls('group')[0].body.msgKey).toBe('sampleMarkdown');
  });
});

describe('batchSendText (broadcasts)', () => {
  it('sends 45 users in 3 calls of ≤ 20 and retries the flow-controlled ones', async () => {
    const users = Array.from({ length: 45 }, (_, i) => `staff${String(i).padStart(3, '0')}`);
    h.fake.flowControlOnce.add('staff007');
    h.fake.flowControlOnce.add('staff044');
    h.fake.invalidStaff.add('staff030');
    const outcomes = await h.adapter.sender.batchSendText(users, '请于本月底前完成学时填报。', { retryDelayMs: 20, minIntervalMs: 5 });

    const calls = h.fake.calls('oto');
    expect(calls.slice(0, 3).map((c) => c.body.userIds.length)).toEqual([20, 20, 5]);
    expect(calls[3].body.userIds).toEqual(['staff007', 'staff044']);
    expect(calls).toHaveLength(4);
    expect(h.fake.calls('token')).toHaveLength(1);
    expect(outcomes).toHaveLength(45);
    expect(outcomes.filter((o) => o.status === 'sent')).toHaveLength(44);
    expect(outcomes.find((o) => o.userId === 'staff030')).toMatchObject({ status: 'invalid' });
    expect(new Set(h.fake.delivered.map((d) => d.to)).size).toBe(44);
  });

  it('retries a chunk refused for QPS, and gives up on a chunk refused for good', async () => {
    h.fake.failNext('oto', qpsLimited, { status: 400, body: { code: 'param.invalid', message: 'bad' } });
    const users = Array.from({ length: 25 }, (_, i) => `u${i}`);
    const outcomes = await h.adapter.sender.batchSendText(users, 'hi', { retryDelayMs: 10, minIntervalMs: 1 });
    // 1st chunk: QPS → retried next round; 2nd chunk: 400 → failed; round 2: the 1st chunk again.
    expect(h.fake.calls('oto').map((c) => c.body.userIds.length)).toEqual([20, 5, 20]);
    expect(outcomes.filter((o) => o.status === 'sent')).toHaveLength(20);
    expect(outcomes.filter((o) => o.status === 'failed').map((o) => o.userId)).toEqual(['u20', 'u21', 'u22', 'u23', 'u24']);
  });

  it('gives up on a user still flow-controlled after the last round', async () => {
    const outcomes = await h.adapter.sender.batchSendText(['a', 'a', 'b'], 'hi', { maxRounds: 1, retryDelayMs: 1, minIntervalMs: 1 });
    expect(outcomes.map((o) => o.userId)).toEqual(['a', 'b']);
    h.fake.flowControlOnce.add('c');
    const [c] = await h.adapter.sender.batchSendText(['c'], 'hi', { maxRounds: 1 });
    expect(c).toMatchObject({ status: 'failed' });
    expect(c.error).toContain('flow-controlled');
  });
});
