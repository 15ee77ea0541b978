import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { statement } from '../../db/statements.js';
import { FixedClock } from '../../src/clock.js';
import type { OutboxMessage } from '../../src/outbox/outbox.js';
import { enqueue } from '../../src/outbox/store.js';
import type { SendResult, Sender } from '../../src/outbox/sender.js';
import { OutboxWorker } from '../../src/outbox/worker.js';
import { closeTestDb, openTestDb } from '../helpers/db.js';

/**
 * Reminders (rows flagged quiet) share a batch call with rows of the same text when they may go now, and are never
 * carried into the night by a row that may: each quiet row is asked about on its own, as if it went alone.
 */
let db: Db;
let worker: OutboxWorker | undefined;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(async () => {
  await worker?.stop();
  await closeTestDb(db);
});

/** A platform taking up to 20 users a call for one text, like DingTalk's batchSend. */
class BatchSender implements Sender {
  readonly platform = 'dingtalk';
  readonly maxBatch = 20;
  calls: string[][] = [];
  limitsFor() {
    return [];
  }
  batchKeyOf(m: OutboxMessage) {
    return m.reply.text;
  }
  async send(m: OutboxMessage): Promise<SendResult> {
    this.calls.push([m.idempotencyKey]);
    return { status: 'sent' };
  }
  async sendBatch(ms: readonly OutboxMessage[]): Promise<SendResult[]> {
    this.calls.push(ms.map((m) => m.idempotencyKey));
    return ms.map(() => ({ status: 'sent' }));
  }
}

const MORNING = new Date('2026-11-26T07:05:00+08:00');

async function run(nightFor: (key: string) => boolean) {
  const clock = new FixedClock('2026-11-25T23:00:00+08:00');
  const sender = new BatchSender();
  worker = new OutboxWorker({ db, senders: [sender], clock, pollMs: 10, quietUntil: (_now, key) => (nightFor(key) ? MORNING : null) });
  const row = (key: string, quiet: boolean) => ({ platform: 'dingtalk' as const, target: { type: 'user' as const, accountId: key }, reply: { text: '请评价「新课标研修」' }, idempotencyKey: key, origin: 't', quiet });
  await enqueue(db, [row('now-1', false), ...[1, 2, 3, 4, 5].map((i) => row(`quiet-${i}`, true))], clock.now());
  worker.start();
  await worker.whenIdle();
  return sender.calls;
}

describe('quiet rows in batch calls', () => {
  it('go in one call with the others when they may go now', async () => {
    expect(await run(() => false)).toEqual([['now-1', 'quiet-1', 'quiet-2', 'quiet-3', 'quiet-4', 'quiet-5']]);
  });

  it('stay for the morning when they may not, whatever row the call starts with', async () => {
    expect(await run((key) => key.startsWith('quiet-'))).toEqual([['now-1']]);
    const held = await statement(db, `select count(*) from outbox where status = 'pending' and next_attempt_at = ?`).pluck().get(MORNING);
    expect(Number(held)).toBe(5);
  });
});
