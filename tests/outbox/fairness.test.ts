/**
 * One recipient's rate limit must not hold back anyone else's messages. Two officers with thousands of approval
 * cards queued are held to Feishu's 5 messages a second each; a teacher's reply enqueued behind them still goes
 * at once, and every card still arrives exactly once. The real FeishuSender against the fake that enforces
 * Feishu's limits (50/s and 1,000/min per app, 5/s per user); both run 20× faster in time (every window ÷ 20),
 * so the 2,000 cards take ~10 s instead of 200 s — the order of events is the same, only the clock is quicker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dialectOf } from '../../db/handle.js';
import { statement } from '../../db/statements.js';
import type { Reply } from '../../src/core/messages.js';
import { silentLogger } from '../../src/logger.js';
import type { OutboxMessage } from '../../src/outbox/outbox.js';
import { enqueue } from '../../src/outbox/store.js';
import { OutboxWorker } from '../../src/outbox/worker.js';
import { FeishuSender } from '../../src/platforms/feishu/send.js';
import { RateLimitedPlatform } from '../helpers/fakes/rate-limited-platform.js';
import { seedRecipients, until } from '../helpers/outbox.js';

const TIME_SCALE = 20;
const OFFICERS = ['ou_officer0', 'ou_officer1'];
const CARDS = 2000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** The real sender, its windows shortened by the same factor as the fake's. */
class ScaledFeishuSender extends FeishuSender {
  override limitsFor(message: OutboxMessage) {
    return super.limitsFor(message).map((l) => ({ ...l, windowMs: l.windowMs / TIME_SCALE }));
  }
}

const card = (i: number): Reply => ({
  text: `学时申报待审批 #${i}`,
  card: { title: '学时申报待审批', sections: [{ lines: [`申报 #${i}：24 学时 集中培训`] }], buttons: [{ label: '通过', value: { command: '审批', id: String(i) } }] },
});

describe('outbox: a rate-limited recipient does not hold back others', () => {
  it('2,000 cards to two officers at 5/s each: a teacher’s reply enqueued behind them arrives within 2 s; all 2,001 arrive exactly once', async () => {
    const fake = await RateLimitedPlatform.start({ timeScale: TIME_SCALE });
    cleanups.push(() => fake.close());
    const s = await seedRecipients(0);
    cleanups.push(() => s.close());
    const sender = new ScaledFeishuSender({ settings: { appId: 'cli_a1b2c3d4e5f60718', appSecret: 'secret', baseUrl: fake.url }, logger: silentLogger });
    await sender.warmUp();
    const worker = new OutboxWorker({ db: s.db, senders: [sender] });
    cleanups.push(() => worker.stop());
    worker.start();

    const cardTo = (i: number) => ({ platform: 'feishu' as const, target: { type: 'user' as const, accountId: OFFICERS[i % 2] }, reply: card(i), idempotencyKey: `approval:${i}` });
    await enqueue(s.db, Array.from({ length: CARDS / 2 }, (_, i) => cardTo(i)), new Date());
    worker.kick();
    // The office keeps approving while the teacher talks: cards keep coming before and after the reply, faster
    // than the officers' limits let them out (300 a second against 2 × 5 per 50 ms), as when the queue built up.
    await new Promise((r) => setTimeout(r, 300));
    const reply = { platform: 'feishu' as const, target: { type: 'user' as const, accountId: 'ou_teacher' }, reply: { text: '已收到您的申报' }, idempotencyKey: 'reply:teacher' };
    let next = CARDS / 2;
    // The reply is not among the few newest rows when the worker next looks: more approvals committed meanwhile.
    await enqueue(s.db, [reply], new Date());
    const enqueuedAt = performance.now();
    for (let k = 0; k < 4; k++) await enqueue(s.db, [cardTo(next++), cardTo(next++)], new Date());
    worker.kick();
    const more = setInterval(() => {
      if (next >= CARDS) return;
      void enqueue(s.db, Array.from({ length: Math.min(6, CARDS - next) }, () => cardTo(next++)), new Date()).then(() => worker.kick());
    }, 20);
    cleanups.push(() => clearInterval(more));

    await until(() => fake.deliveries.has('ou_teacher'), 10_000, 'the teacher’s reply');
    const waited = performance.now() - enqueuedAt;
    const cardsLeft = CARDS - (fake.deliveries.get(OFFICERS[0]) ?? 0) - (fake.deliveries.get(OFFICERS[1]) ?? 0);
    expect(waited, `the reply waited ${Math.round(waited)} ms with ${cardsLeft} cards still queued`).toBeLessThan(2000);
    expect(cardsLeft).toBeGreaterThan(CARDS / 4); // it did not simply wait for the cards to drain

    await until(() => next >= CARDS && (fake.deliveries.get(OFFICERS[0]) ?? 0) + (fake.deliveries.get(OFFICERS[1]) ?? 0) >= CARDS, 60_000, 'every card');
    await worker.whenIdle();
    const stats = fake.stats();
    expect(stats.uniqueDeliveries).toBe(CARDS + 1);
    expect(fake.deliveries.get('ou_teacher')).toBe(1);
    for (const officer of OFFICERS) {
      const texts = fake.contents.get(officer)!;
      expect(new Set(texts).size, officer).toBe(CARDS / 2);
    }
    // Per recipient in the order enqueued.
    for (const officer of OFFICERS) {
      const numbers = fake.contents.get(officer)!.map((t) => Number(/#(\d+)/.exec(t)![1]));
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
    expect(fake.limitedBy.user + fake.limitedBy.second + fake.limitedBy.minute).toBeLessThanOrEqual(CARDS / 100);
    expect(Number(await statement(s.db, `select count(*) from outbox where status <> 'sent'`).pluck().get())).toBe(0);
  }, 90_000);

  it('a row whose target cannot be read (not JSON, or not a target) is failed with its reason; the rows behind it are sent', async () => {
    const fake = await RateLimitedPlatform.start();
    cleanups.push(() => fake.close());
    const s = await seedRecipients(0);
    cleanups.push(() => s.close());
    const sender = new FeishuSender({ settings: { appId: 'cli_a1b2c3d4e5f60718', appSecret: 'secret', baseUrl: fake.url }, logger: silentLogger });
    // Written by something other than enqueue (an old release, a hand edit): no lane can be read from them.
    const writeBad = (key: string, target: string) =>
      statement(s.db, `insert into outbox (idempotency_key, platform, target, reply, next_attempt_at) values (?, 'feishu', ?, '{"text":"x"}', ?)`).run(
        key,
        target,
        new Date(Date.now() - 1000),
      );
    const bad = ['bad-shape'];
    await writeBad('bad-shape', '{"type":"user"}');
    if (dialectOf(s.db) === 'sqlite') {
      await writeBad('bad', 'not json');
      bad.push('bad');
    } else {
      // PostgreSQL refuses such a row outright: the lane is computed through target::jsonb.
      await expect(writeBad('bad', 'not json')).rejects.toThrow(/invalid input syntax for type json/);
    }
    await enqueue(s.db, [{ platform: 'feishu', target: { type: 'user', accountId: 'ou_teacher' }, reply: { text: '已收到' }, idempotencyKey: 'good' }], new Date());
    const worker = new OutboxWorker({ db: s.db, senders: [sender] });
    cleanups.push(() => worker.stop());
    worker.start();
    await until(() => fake.deliveries.get('ou_teacher') === 1, 5000, 'the good row');
    for (const key of bad) {
      const row = (await statement<[string], { status: string; error: string; lane: string | null }>(s.db, `select status, last_error as error, lane from outbox where idempotency_key = ?`).get(key))!;
      expect(row, key).toMatchObject({ status: 'failed', lane: null });
      expect(row.error, key).toMatch(/unreadable outbox row/);
    }
  });
});
