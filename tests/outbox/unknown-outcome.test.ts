/**
 * Sends whose outcome is unknown. DingTalk sends carry no idempotency key: a send that timed out or was cut off
 * after DingTalk read it may have been delivered, so it is tried at most once more and counted as 可能重复.
 * A send that never reached DingTalk (connection refused, a 429 or 5xx answer) is retried as before and not
 * counted. Feishu resends carry the same uuid, so a Feishu timeout is retried as often as it takes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { inTransaction, statement, transaction } from '../../db/statements.js';
import { messagesFor } from '../../src/bot/i18n/index.js';
import { broadcastProgress, broadcastReply, confirmBroadcast, createPreview } from '../../src/broadcasts/broadcasts.js';
import { progressLines } from '../../src/broadcasts/report.js';
import { runBroadcastCli } from '../../src/cli/broadcast.js';
import { bindAccount } from '../../src/ledger/accounts.js';
import { grantRole } from '../../src/ledger/roles.js';
import { enqueue } from '../../src/outbox/store.js';
import { OutboxWorker } from '../../src/outbox/worker.js';
import { FeishuSender } from '../../src/platforms/feishu/send.js';
import { silentLogger } from '../../src/logger.js';
import { eventually, startDingtalk, type DingtalkHarness } from '../helpers/fakes/dingtalk-harness.js';
import { serverError } from '../helpers/fakes/dingtalk-platform.js';
import { RateLimitedPlatform } from '../helpers/fakes/rate-limited-platform.js';
import { addTeacher } from '../helpers/seed.js';
import { confirmedBroadcast, openId, pendingRows, seedRecipients, until } from '../helpers/outbox.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function dingtalk(): Promise<DingtalkHarness> {
  // A short request deadline, so a held request times out quickly; the fake holds it longer than that.
  const h = await startDingtalk({ adapter: { timeoutMs: 500 } });
  h.fake.hangMs = 1000;
  cleanups.push(() => h.close());
  // The token first, so only the sends themselves can time out (the machine running the tests may be busy).
  for (let attempt = 0; ; attempt++) {
    try {
      await h.adapter.api.accessToken();
      break;
    } catch (error) {
      if (attempt >= 4) throw error;
    }
  }
  return h;
}

/** A broadcast from an officer (bound on the console) to `users` bound on DingTalk; returns its id. */
async function dingtalkBroadcast(h: DingtalkHarness, users: string[]): Promise<number> {
  const db = h.app.db;
  const officer = await addTeacher(db, { employeeNo: 'O1', name: '钱主任', school: '教师发展中心' });
  await grantRole(db, officer, 'officer', 'test');
  await bindAccount(db, 'console', 'acc-O1', officer);
  for (const [i, u] of users.entries()) await bindAccount(db, 'dingtalk', u, await addTeacher(db, { employeeNo: `D${i}`, name: `教师${i}`, school: '一中' }));
  const now = new Date();
  const t = messagesFor('zh-CN');
  const { broadcast } = await createPreview(db, { text: '周五前提交年度培训计划', audience: { schools: ['一中'] }, ownerTeacherId: officer, requestedVia: { platform: 'console', accountId: 'acc-O1' }, now });
  const outcome = await transaction(db, (tx) =>
    confirmBroadcast(tx, { id: broadcast.id, teacherId: officer, now, sendAt: new Date(now.getTime() - 1000), reply: broadcastReply(t, broadcast.text, '钱主任', '2026-11-25') }),
  );
  expect(outcome.kind).toBe('started');
  h.worker.kick();
  return broadcast.id;
}

const rowOf = async (h: DingtalkHarness, user: string) => (await h.outboxRows()).find((r) => JSON.parse(r.target).accountId === user)!;
const callsTo = (h: DingtalkHarness, user: string) => h.fake.calls('oto').filter((c) => c.body.userIds.includes(user)).length;

describe('DingTalk: a send whose outcome is unknown', () => {
  it('times out after DingTalk read it: sent once more, then counted 可能重复 in 通知进度, the CLI and --json', async () => {
    const h = await dingtalk();
    h.fake.failNext('oto', 'timeout');
    const id = await dingtalkBroadcast(h, ['u-slow', 'u-ok']);
    await eventually(async () => (await pendingRows(h.app.db, `broadcast:${id}`)) === 0, 5000, 'the broadcast to finish');
    // Both users went in one batchSend, which was delivered and then never answered: the resend is a second
    // copy we could not avoid, and the report says so.
    expect(h.fake.calls('oto').map((c) => c.body.userIds)).toEqual([
      ['u-slow', 'u-ok'],
      ['u-slow', 'u-ok'],
    ]);
    expect(h.fake.deliveredTo('u-slow')).toHaveLength(2);
    for (const u of ['u-slow', 'u-ok']) expect((await rowOf(h, u))).toMatchObject({ status: 'sent', unknownOutcomes: 1 });

    const progress = (await broadcastProgress(h.app.db, id))!;
    expect(progress).toMatchObject({ delivered: 2, failed: 0, maybeDuplicate: 2 });
    const lines = progressLines(messagesFor('zh-CN'), progress);
    expect(lines).toContain('· 可能重复 2 人（钉钉发送超时后重发过一次，对方可能收到两条）');
    const out: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => out.push(s) } };
    await runBroadcastCli(['status', String(id)], { db: h.app.db, ...io });
    expect(out.join('')).toContain('· 可能重复 2 人');
    out.length = 0;
    await runBroadcastCli(['status', String(id), '--json'], { db: h.app.db, ...io });
    expect(JSON.parse(out.join(''))).toMatchObject({ delivered: 2, maybeDuplicate: 2 });
  });

  it('unknown twice (timeout, then reset after reading): not sent a third time; failed, reason given, counted 可能重复', async () => {
    const h = await dingtalk();
    h.fake.failNext('oto', 'timeout', 'reset');
    const id = await dingtalkBroadcast(h, ['u-lost']);
    await eventually(async () => (await pendingRows(h.app.db, `broadcast:${id}`)) === 0, 5000, 'the broadcast to finish');
    await new Promise((r) => setTimeout(r, 300)); // room for a third call, which must not come
    expect(callsTo(h, 'u-lost')).toBe(2);
    expect((await rowOf(h, 'u-lost'))).toMatchObject({ status: 'failed', unknownOutcomes: 2 });
    const progress = (await broadcastProgress(h.app.db, id))!;
    expect(progress).toMatchObject({ delivered: 0, failed: 1, maybeDuplicate: 1 });
    const text = progressLines(messagesFor('zh-CN'), progress).join('\n');
    expect(text).toContain('发送两次均超时或连接中断，结果未知（可能已收到），为免重复不再发送');
    expect(text).toContain('· 可能重复 1 人');
  });

  it('a session-webhook reply that times out is also sent at most once more', async () => {
    const h = await dingtalk();
    h.fake.failNext('webhook', 'timeout', 'timeout');
    await enqueue(
      h.app.db,
      [
        {
          platform: 'dingtalk',
          target: { type: 'reply', messageId: 'm1', chatId: 'cid1', chatType: 'group', sessionWebhook: h.fake.sessionWebhook('s1'), sessionWebhookExpiresAt: Date.now() + 3600_000 },
          reply: { text: '您还差 12 学时' },
          idempotencyKey: 'reply:m1',
        },
      ],
      new Date(Date.now() - 1000),
    );
    h.worker.kick();
    await eventually(async () => (await h.outboxRows())[0].status !== 'pending', 5000);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.fake.calls('webhook')).toHaveLength(2);
    expect(h.fake.calls('group')).toHaveLength(0);
    expect((await h.outboxRows())[0]).toMatchObject({ status: 'failed', unknownOutcomes: 2 });
  });

  it('never reached DingTalk (503, 429, connection refused): retried as before, delivered once, not counted', async () => {
    const h = await dingtalk();
    h.fake.failNext('oto', serverError, { ...serverError, status: 503 }, { status: 429, body: { code: 'Throttling', message: 'too many requests' } });
    const id = await dingtalkBroadcast(h, ['u-a']);
    await eventually(async () => (await pendingRows(h.app.db, `broadcast:${id}`)) === 0, 5000, 'the broadcast to finish');
    expect(h.fake.deliveredTo('u-a')).toHaveLength(1);
    expect(callsTo(h, 'u-a')).toBe(4);

    // Connection refused: the token is cached, so the send itself is what cannot connect.
    await h.fake.refuseConnectionsFor(400);
    await new Promise((r) => setTimeout(r, 50)); // the client sees its idle keep-alive connection closed
    const users = ['u-b'];
    const officer = await addTeacher(h.app.db, { employeeNo: 'X1', name: '教师X', school: '二中' });
    await bindAccount(h.app.db, 'dingtalk', users[0], officer);
    await enqueue(h.app.db, [{ platform: 'dingtalk', target: { type: 'user', accountId: 'u-b' }, reply: { text: '提醒' }, idempotencyKey: 'refused:1' }], new Date(Date.now() - 1000));
    h.worker.kick();
    const refused = await eventually(async () => (await h.outboxRows()).find((r) => r.idempotencyKey === 'refused:1' && r.status !== 'pending'), 5000, 'delivery after the refusals');
    expect(h.fake.deliveredTo('u-b')).toHaveLength(1);
    expect(refused.attempts).toBeGreaterThanOrEqual(3); // refused at least twice, each retried
    expect(refused).toMatchObject({ status: 'sent', unknownOutcomes: 0 });
    expect(h.logs.some((l) => String(l.error ?? '').includes('ECONNREFUSED'))).toBe(true);

    expect(await broadcastProgress(h.app.db, id)).toMatchObject({ delivered: 1, maybeDuplicate: 0 });
    expect((await rowOf(h, 'u-a'))).toMatchObject({ status: 'sent', attempts: 4, unknownOutcomes: 0 });
  });
});

describe('DingTalk batchSendText: the same rule outside the outbox', () => {
  it('a chunk that times out is sent once more (maybe twice delivered), and not a third time', async () => {
    const h = await dingtalk();
    h.fake.failNext('oto', 'timeout', 'timeout');
    const [a] = await h.adapter.sender.batchSendText(['u-a'], '提醒', { retryDelayMs: 5, minIntervalMs: 1 });
    expect(h.fake.calls('oto')).toHaveLength(2);
    expect(a).toMatchObject({ status: 'failed', maybeDuplicate: true });
    h.fake.failNext('oto', 'reset');
    const [b] = await h.adapter.sender.batchSendText(['u-b'], '提醒', { retryDelayMs: 5, minIntervalMs: 1 });
    expect(b).toMatchObject({ status: 'sent', maybeDuplicate: true });
    expect(h.fake.deliveredTo('u-b')).toHaveLength(2);
  });
});

describe('Feishu: timeouts are retried with the same uuid (Feishu drops the copy)', () => {
  it('three timeouts in a row: retried until answered, one delivery, nothing counted 可能重复', async () => {
    const fake = await RateLimitedPlatform.start({ hangMs: 600 });
    cleanups.push(() => fake.close());
    const s = await seedRecipients(2);
    cleanups.push(() => s.close());
    const sender = new FeishuSender({
      settings: { appId: 'cli_a1b2c3d4e5f60718', appSecret: 'secret', baseUrl: fake.url },
      logger: silentLogger,
      timeoutMs: 200,
    });
    const worker = new OutboxWorker({ db: s.db, senders: [sender], pollMs: 20, backoffBaseMs: 10, maxBackoffMs: 50 });
    cleanups.push(() => worker.stop());
    fake.injectNext('timeout', 'timeout', 'timeout');
    const id = await confirmedBroadcast(s);
    worker.start();
    await until(async () => (await pendingRows(s.db, `broadcast:${id}`)) === 0, 10_000, 'the broadcast to finish');
    expect(fake.stats()).toMatchObject({ uniqueDeliveries: 2, receiversWithDuplicates: 0 });
    expect(fake.stats().duplicatesDropped).toBeGreaterThanOrEqual(2);
    expect(fake.deliveries.get(openId(0))).toBe(1);
    const rows = await statement<[string], { status: string; attempts: number; u: number }>(s.db, `select status, attempts, unknown_outcomes as u from outbox where origin = ?`).all(`broadcast:${id}`);
    expect(rows.every((r) => r.status === 'sent' && r.u === 0)).toBe(true);
    expect(Math.max(...rows.map((r) => r.attempts))).toBeGreaterThanOrEqual(3);
    expect(await broadcastProgress(s.db, id)).toMatchObject({ delivered: 2, maybeDuplicate: 0 });
  });
});

describe('DingTalk: redirects are never followed (SSRF)', () => {
  let victim: Server;
  let victimHits: string[];
  async function startVictim(): Promise<string> {
    victimHits = [];
    victim = createServer((req, res) => {
      victimHits.push(`${req.method} ${req.url}`);
      res.end('{"errcode":0}');
    });
    await new Promise<void>((r) => victim.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => victim.close(() => r())));
    return `http://127.0.0.1:${(victim.address() as AddressInfo).port}`;
  }

  it('a session webhook answering 302 elsewhere: the other server gets nothing; the reply goes by the OpenAPI', async () => {
    const h = await dingtalk();
    const elsewhere = await startVictim();
    h.fake.failNext('webhook', { status: 302, body: {}, headers: { location: `${elsewhere}/steal` } });
    await enqueue(
      h.app.db,
      [
        {
          platform: 'dingtalk',
          target: { type: 'reply', messageId: 'm2', chatId: 'cid2', chatType: 'direct', accountId: 'manager4711', sessionWebhook: h.fake.sessionWebhook('s2'), sessionWebhookExpiresAt: Date.now() + 3600_000 },
          reply: { text: '您还差 12 学时' },
          idempotencyKey: 'reply:m2',
        },
      ],
      new Date(Date.now() - 1000),
    );
    h.worker.kick();
    await eventually(async () => (await h.outboxRows())[0].status === 'sent', 5000);
    expect(victimHits).toEqual([]);
    expect(h.fake.deliveredTo('manager4711')).toHaveLength(1);
  });

  it('the OpenAPI answering 307 elsewhere: not followed (the token header stays home); the send fails, not retried', async () => {
    const h = await dingtalk();
    const elsewhere = await startVictim();
    h.fake.failNext('oto', { status: 307, body: {}, headers: { location: `${elsewhere}/steal` } });
    await enqueue(h.app.db, [{ platform: 'dingtalk', target: { type: 'user', accountId: 'u-r' }, reply: { text: '提醒' }, idempotencyKey: 'redirect:1' }], new Date(Date.now() - 1000));
    h.worker.kick();
    await eventually(async () => (await h.outboxRows())[0].status !== 'pending', 5000);
    await new Promise((r) => setTimeout(r, 100));
    expect(victimHits).toEqual([]);
    expect(h.fake.calls('oto')).toHaveLength(1);
    expect((await h.outboxRows())[0]).toMatchObject({ status: 'failed' });
    expect((await h.outboxRows())[0].lastError).toContain('HTTP 307');
  });
});

describe('the console shows 可能重复', () => {
  it('on the broadcast page and in its progress.json, from the same count', async () => {
    const { startAdmin, signInWithToken, get } = await import('../helpers/admin.js');
    const app = await startAdmin();
    cleanups.push(() => app.cleanup());
    await app.outbox.stop(); // rows are set by hand below: nothing may send them
    const db = app.db;
    const officer = await addTeacher(db, { employeeNo: 'O1', name: '钱主任', school: '教师发展中心' });
    await grantRole(db, officer, 'officer', 'test');
    for (const [i, u] of ['u1', 'u2', 'u3'].entries()) await bindAccount(db, 'dingtalk', u, await addTeacher(db, { employeeNo: `D${i}`, name: `教师${i}`, school: '一中' }));
    const now = new Date();
    const { broadcast } = await createPreview(db, { text: '周五前提交年度培训计划', audience: { schools: ['一中'] }, ownerTeacherId: officer, requestedVia: null, now });
    await transaction(db, (tx) => confirmBroadcast(tx, { id: broadcast.id, teacherId: officer, now, sendAt: now, reply: { text: '周五前提交年度培训计划' } }));
    // What the worker leaves after: one timed out and was sent again, one timed out twice, one went through.
    await statement(db, `update outbox set status = 'sent', attempts = 2, unknown_outcomes = 1 where idempotency_key = ?`).run(`broadcast:${broadcast.id}:2`);
    await statement(db, `update outbox set status = 'failed', attempts = 2, unknown_outcomes = 2, last_error = ? where idempotency_key = ?`).run(
      'outcome unknown twice (timed out or cut off after the request was sent); not sent again: dingtalk: no answer within 10000 ms',
      `broadcast:${broadcast.id}:3`,
    );
    await statement(db, `update outbox set status = 'sent', attempts = 1 where idempotency_key = ?`).run(`broadcast:${broadcast.id}:4`);

    const s = await signInWithToken(app);
    const page = await (await get(app, `/admin/broadcasts/${broadcast.id}`, s.cookie)).text();
    expect(page).toContain('可能重复');
    expect(page).toContain('2 人的钉钉消息发送超时后重发过一次，对方可能收到两条。');
    expect(page).toContain('发送两次均超时或连接中断，结果未知（可能已收到），为免重复不再发送');
    const json = await (await get(app, `/admin/broadcasts/${broadcast.id}/progress.json`, s.cookie)).json();
    expect(json).toMatchObject({ delivered: 2, failed: 1, maybeDuplicate: 2 });
  });
});
