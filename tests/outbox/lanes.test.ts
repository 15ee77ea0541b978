/**
 * Which lanes go ahead of a backlog, and where their calls wait: a chat reply enqueued during a broadcast must not be
 * pushed back by the broadcast's own rows (on PostgreSQL it once came 81st of 120).
 */
import { describe, expect, it } from 'vitest';
import type { Outgoing } from '../../src/core/messages.js';
import { LookLanes, newestLaneHeads } from '../../src/outbox/lanes.js';
import type { OutboxMessage } from '../../src/outbox/outbox.js';
import { ReadyCalls, type ReadyCall } from '../../src/outbox/ready-calls.js';
import { dueRows, enqueue } from '../../src/outbox/store.js';
import { useTestDb } from '../helpers/db.js';

const t = useTestDb();
const T0 = new Date('2026-12-07T02:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const to = (accountId: string, key: string): Outgoing => ({
  platform: 'feishu',
  target: { type: 'user', accountId },
  reply: { text: '通知' },
  idempotencyKey: key,
});

describe('newestLaneHeads', () => {
  it('names only lanes with rows due after the backlog began, each from its oldest row, ranked by its newest', async () => {
    await enqueue(t.db, Array.from({ length: 20 }, (_, i) => to(`ou_${i}`, `broadcast:1:${i}`)), T0);
    const backlogSince = (await dueRows(t.db, at(10), 1))[0].nextAttemptAt;
    expect(backlogSince).toBe(T0.getTime());
    // The broadcast alone: its newest rows are the backlog, nothing goes ahead of it.
    expect(await newestLaneHeads(t.db, at(10), 5, new LookLanes(new Set()), backlogSince)).toEqual([]);

    await enqueue(t.db, [to('ou_asking', 'feishu:ev-1#0')], at(5));
    await enqueue(t.db, [to('ou_3', 'feishu:ev-2#0')], at(7)); // ou_3 also has a broadcast row, older
    const urgent = await newestLaneHeads(t.db, at(10), 5, new LookLanes(new Set()), backlogSince);
    expect(urgent.map((u) => [u.head.idempotencyKey, u.dueAt])).toEqual([
      ['broadcast:1:3', at(7).getTime()], // the reply's lane, from its oldest row: a recipient's order is kept
      ['feishu:ev-1#0', at(5).getTime()],
    ]);
    // A busy lane (a row of it out) is not named: its next row waits for the answer.
    const busy = await newestLaneHeads(t.db, at(10), 5, new LookLanes(new Set(['feishu:user:ou_3'])), backlogSince);
    expect(busy.map((u) => u.head.idempotencyKey)).toEqual(['feishu:ev-1#0']);
  });
});

describe('ReadyCalls', () => {
  const call = (id: number, urgentDueAt?: number): ReadyCall => ({
    sender: {} as ReadyCall['sender'],
    limits: [],
    batch: [{ id } as OutboxMessage],
    urgentDueAt,
  });
  const order = (ready: ReadyCalls) => ready.each().map((c) => c.batch[0].id);

  it('puts urgent calls ahead, the most recently due first, in arrival order among equals', () => {
    const ready = new ReadyCalls(8);
    ready.add(call(1));
    ready.add(call(2));
    ready.add(call(10, 100));
    ready.add(call(11, 100)); // as new as 10, came later: after it (the old unshift put it first)
    ready.add(call(3));
    ready.add(call(12, 200));
    ready.add(call(13, 50));
    expect(order(ready)).toEqual([12, 10, 11, 13, 1, 2, 3]);
  });

  it('drops the last call when over capacity, and forgets its rows (read again later)', () => {
    const ready = new ReadyCalls(3);
    ready.add(call(1));
    ready.add(call(2));
    ready.add(call(3));
    ready.add(call(9, 100));
    expect(order(ready)).toEqual([9, 1, 2]);
    expect(ready.holds(3)).toBe(false);
    expect(ready.holds(9)).toBe(true);
  });
});
