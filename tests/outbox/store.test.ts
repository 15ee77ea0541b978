/**
 * The outbox store's SQL on either dialect (issue 16): run as is on SQLite, and with TEST_DATABASE_URL on
 * PostgreSQL, where times are timestamptz (epoch ms in and out of the store), `quiet` a boolean and `reply` jsonb.
 */
import { describe, expect, it } from 'vitest';
import type { Outgoing } from '../../src/core/messages.js';
import { dueMessages } from '../../src/outbox/outbox.js';
import {
  dueRows,
  enqueue,
  firstReplyFor,
  firstRowOfLaneAfter,
  laneHead,
  markFailed,
  markRetry,
  markSent,
  newestDueRows,
  nextDueAfter,
  nextDueAt,
  postpone,
  replyOf,
  stillPending,
  unsentAttachmentHashes,
} from '../../src/outbox/store.js';
import { useTestDb } from '../helpers/db.js';

const t = useTestDb();
const T0 = new Date('2026-12-07T02:00:00.123Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const to = (accountId: string, key: string, text = '已收到', extra: Partial<Outgoing> = {}): Outgoing => ({
  platform: 'feishu',
  target: { type: 'user', accountId },
  reply: { text },
  idempotencyKey: key,
  origin: `origin:${key}`,
  ...extra,
});

describe('outbox store', () => {
  it('enqueues once per key and reads due rows oldest first, newest first, per lane', async () => {
    expect(await enqueue(t.db, [to('ou_a', 'a1'), to('ou_b', 'b1', '提醒', { quiet: true })], T0)).toBe(2);
    expect(await enqueue(t.db, [to('ou_a', 'a1'), to('ou_a', 'a2')], at(5))).toBe(1);
    const due = await dueRows(t.db, at(5), 10);
    expect(due.map((r) => [r.idempotencyKey, r.nextAttemptAt, r.quiet, r.lane, r.attempts, r.unknownOutcomes])).toEqual([
      ['a1', T0.getTime(), 0, 'feishu:user:ou_a', 0, 0],
      ['b1', T0.getTime(), 1, 'feishu:user:ou_b', 0, 0],
      ['a2', at(5).getTime(), 0, 'feishu:user:ou_a', 0, 0],
    ]);
    expect(JSON.parse(due[0].target)).toEqual({ type: 'user', accountId: 'ou_a' });
    expect((await dueRows(t.db, at(4), 10)).map((r) => r.idempotencyKey)).toEqual(['a1', 'b1']);
    expect((await newestDueRows(t.db, at(5), 2)).map((r) => r.idempotencyKey)).toEqual(['a2', 'b1']);
    expect((await laneHead(t.db, 'feishu:user:ou_a', at(5)))?.idempotencyKey).toBe('a1');
    expect(await laneHead(t.db, 'feishu:user:ou_a', at(-1))).toBeUndefined();
    expect((await firstRowOfLaneAfter(t.db, ''))?.lane).toBe('feishu:user:ou_a');
    expect((await firstRowOfLaneAfter(t.db, 'feishu:user:ou_a'))?.idempotencyKey).toBe('b1');
    expect(await firstRowOfLaneAfter(t.db, 'feishu:user:ou_b')).toBeUndefined();
    expect((await dueMessages(t.db, at(5), 1))[0]).toMatchObject({ idempotencyKey: 'a1', reply: { text: '已收到' }, target: { accountId: 'ou_a' } });
  });

  it('marks outcomes, moves rows later, and says when the next one is due', async () => {
    await enqueue(t.db, [to('ou_a', 'a1'), to('ou_b', 'b1'), to('ou_c', 'c1'), to('ou_d', 'd1')], T0);
    const [a1, b1, c1, d1] = await dueRows(t.db, T0, 10);
    expect(await nextDueAt(t.db)).toEqual(T0);
    expect(await nextDueAfter(t.db, T0)).toBeNull();
    await markSent(t.db, a1.id, at(10), 'om_1');
    await markRetry(t.db, b1.id, 'HTTP 503', at(60_000), true);
    await postpone(t.db, c1.id, at(3_600_000));
    await markFailed(t.db, d1.id, 'no such user');
    expect([...(await stillPending(t.db, [a1.id, b1.id, c1.id, d1.id]))].sort()).toEqual([b1.id, c1.id].sort());
    expect(await dueRows(t.db, at(59_999), 10)).toEqual([]);
    expect(await nextDueAfter(t.db, T0)).toEqual(at(60_000));
    expect(await nextDueAt(t.db)).toEqual(at(60_000));
    const [retried] = await dueRows(t.db, at(60_000), 10);
    expect(retried).toMatchObject({ idempotencyKey: 'b1', attempts: 1, unknownOutcomes: 1, nextAttemptAt: at(60_000).getTime() });
    expect(await replyOf(t.db, a1.id)).toEqual({ text: '已收到' });
    await expect(replyOf(t.db, 999_999)).rejects.toThrow('is gone');
  });

  it('finds an event’s first reply and the attachments not sent yet', async () => {
    const file = { name: '学时证明.pdf', sha256: 'f'.repeat(64), mime: 'application/pdf', size: 10 };
    await enqueue(t.db, [to('ou_a', 'e1#0', '第一条'), to('ou_a', 'e1#1', '第二条', { origin: 'origin:e1#0' })], T0);
    await enqueue(t.db, [to('ou_b', 'f1', '学时证明', { reply: { text: '学时证明', file } })], T0);
    expect(await firstReplyFor(t.db, 'origin:e1#0')).toEqual({ text: '第一条' });
    expect(await firstReplyFor(t.db, 'origin:none')).toBeNull();
    expect(await unsentAttachmentHashes(t.db)).toEqual(new Set([file.sha256]));
    const fileRow = (await dueRows(t.db, T0, 10)).find((r) => r.idempotencyKey === 'f1')!;
    await markSent(t.db, fileRow.id, T0);
    expect(await unsentAttachmentHashes(t.db)).toEqual(new Set());
  });
});
