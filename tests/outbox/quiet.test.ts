import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { tables } from '../../db/handle.js';
import { FixedClock } from '../../src/clock.js';
import { enqueue } from '../../src/outbox/store.js';
import { type OutboxMessage } from '../../src/outbox/outbox.js';
import type { SendResult, Sender } from '../../src/outbox/sender.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

/**
 * Reminders never arrive at night: not when first due (the scheduler's job), and not when a failed send is
 * retried or a send is late after downtime (the outbox's job, tested here through the app's own wiring).
 */
let app: TestApp;
afterEach(async () => app.cleanup());

/** A platform that fails the first `failures` calls with a transient error, then accepts. */
class ScriptedSender implements Sender {
  readonly platform = 'console';
  sent: { key: string; at: string }[] = [];
  calls = 0;
  constructor(
    private readonly clock: FixedClock,
    private failures = 0,
  ) {}
  limitsFor() {
    return [];
  }
  async send(message: OutboxMessage): Promise<SendResult> {
    this.calls++;
    if (this.failures > 0) {
      this.failures--;
      return { status: 'retry', error: 'HTTP 503', retryAfterMs: 5 * 60_000 };
    }
    this.sent.push({ key: message.idempotencyKey, at: this.clock.now().toISOString() });
    return { status: 'sent' };
  }
}

async function setUp(now: string, failures = 0) {
  const clock = new FixedClock(now);
  // One clock for business and transport, so the test moves both; the app's worker is swapped for one with our sender.
  app = await createTestApp({}, { now, clock, transportClock: clock, outbox: { pollMs: 10 } });
  const sender = new ScriptedSender(clock, failures);
  (app.outbox as unknown as { senders: Map<string, Sender> }).senders.set('console', sender);
  return { clock, sender };
}

const reminder = (key: string, quiet: boolean) => ({
  platform: 'console' as const,
  target: { type: 'user' as const, accountId: 'leader-1' },
  reply: { text: '【报送提醒】年度培训计划将于 2026-05-31 截止。' },
  idempotencyKey: key,
  origin: 'deadline:1:d-7',
  quiet,
});

/** The row as the worker left it; `next` in epoch ms. */
async function row(key: string): Promise<{ status: string; attempts: number; next: number }> {
  const { outbox } = tables(app.db);
  const [found] = await app.db
    .select({ status: outbox.status, attempts: outbox.attempts, next: outbox.nextAttemptAt })
    .from(outbox)
    .where(eq(outbox.idempotencyKey, key));
  return { ...found, next: found.next.getTime() };
}

/** A look at the table now, waited for until nothing due is left (a PostgreSQL look takes longer than a fixed pause). */
async function tick() {
  app.outbox.kick();
  await app.outbox.whenIdle();
}

describe('quiet hours (22:00–07:00 Beijing) in the outbox', () => {
  it('holds a reminder whose retry falls into the night until the morning, without counting an attempt', async () => {
    const { clock, sender } = await setUp('2026-05-24T21:58:00+08:00', 1);
    await enqueue(app.db, [reminder('r-1', true)], clock.now());
    await tick();
    expect(sender.calls).toBe(1); // 21:58: tried, failed, retry in 5 minutes → 22:03
    expect((await row('r-1')).attempts).toBe(1);

    clock.set('2026-05-24T22:04:00+08:00');
    await tick();
    expect(sender.calls).toBe(1); // not tried at night
    const held = await row('r-1');
    expect(held.status).toBe('pending');
    expect(held.attempts).toBe(1);
    const morning = new Date('2026-05-25T07:00:00+08:00').getTime();
    expect(held.next).toBeGreaterThanOrEqual(morning);
    expect(held.next).toBeLessThan(morning + 20 * 60_000);

    clock.set('2026-05-25T03:00:00+08:00');
    await tick();
    expect(sender.calls).toBe(1);

    clock.set(new Date(held.next));
    await tick();
    expect(sender.sent).toEqual([{ key: 'r-1', at: new Date(held.next).toISOString() }]);
    expect((await row('r-1')).status).toBe('sent');
  });

  it('holds a reminder that comes due late at night after downtime, but answers chat at once', async () => {
    const { clock, sender } = await setUp('2026-05-24T23:10:00+08:00');
    // Both were due at 21:50, before the server went down.
    const due = new Date('2026-05-24T21:50:00+08:00');
    await enqueue(app.db, [reminder('late-reminder', true)], due);
    await enqueue(app.db, [{ ...reminder('chat-answer', false), reply: { text: '您还差 12 学时。' } }], due);
    await tick();
    expect(sender.sent.map((s) => s.key)).toEqual(['chat-answer']);
    expect((await row('late-reminder')).next).toBeGreaterThanOrEqual(new Date('2026-05-25T07:00:00+08:00').getTime());

    clock.set('2026-05-25T07:30:00+08:00');
    await tick();
    expect(sender.sent.map((s) => s.key)).toEqual(['chat-answer', 'late-reminder']);
  });

  it('sends a reminder by day as soon as it is due', async () => {
    const { clock, sender } = await setUp('2026-05-24T09:00:00+08:00');
    await enqueue(app.db, [reminder('day', true)], clock.now());
    await tick();
    expect(sender.sent).toEqual([{ key: 'day', at: new Date('2026-05-24T09:00:00+08:00').toISOString() }]);
  });
});
