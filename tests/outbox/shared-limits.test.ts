/**
 * The app-wide rate buckets several instances share on PostgreSQL (issue 16, src/outbox/shared-limits.ts): one
 * statement takes tokens under a row lock, so instances taking at the same instant never get more than the bucket
 * holds; and over a simulated busy five minutes of three instances taking in random order, the tokens granted in
 * any span of a limit's window (plus the time a token may wait and its call travel) stay within Feishu's 50/s and
 * 1000/min and DingTalk's 20/s. Times are the callers' clocks (parameters), so the timeline is exact, not slept.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { statement } from '../../db/statements.js';
import pino from 'pino';
import { ARRIVAL_MS, bucketOf, HOLD_MS, SharedLimits } from '../../src/outbox/shared-limits.js';
import { takeTokens } from '../../src/outbox/store.js';
import { closeConnection, onPostgres, testDatabase, type TestDatabase } from '../helpers/db.js';
import { prng } from '../helpers/fakes/rate-limited-platform.js';

const T0 = new Date('2026-12-07T02:00:00.000Z').getTime();

/** The most grants (times, sorted) inside any span of `spanMs`. */
function maxInSpan(times: number[], spanMs: number): number {
  let max = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= spanMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

describe.skipIf(!onPostgres())('shared rate buckets on PostgreSQL (TEST_DATABASE_URL; SQLite runs one process and keeps its in-memory limiter)', () => {
  let place: TestDatabase;
  let pools: Db[];
  beforeEach(async () => {
    place = await testDatabase();
    pools = [await place.open(), await place.open(), await place.open()];
  });
  afterEach(async () => {
    for (const db of pools) await closeConnection(db);
    await place.drop();
  });

  it('instances taking at the same instant never get more than the buckets hold; a call takes from all its buckets alike', async () => {
    const second = { key: 'feishu:app', capacity: 5, perMs: 0.045 };
    // 30 takers on three pools, each wanting 2, all at T0: the bucket (created full) has 5.
    const grants = await Promise.all(Array.from({ length: 30 }, (_, i) => takeTokens(pools[i % 3], [second], 2, new Date(T0))));
    expect(grants.reduce((sum, g) => sum + g.granted, 0)).toBe(5);
    expect(Math.max(...grants.map((g) => g.granted))).toBeLessThanOrEqual(2);
    // Empty: the wait until a token is back (1 / 0.045 per ms).
    expect(grants.find((g) => g.granted === 0)?.waitMs).toBe(23);
    // 100 ms later 4.5 tokens have come back: 4 whole ones, whoever asks.
    const later = await Promise.all(Array.from({ length: 12 }, (_, i) => takeTokens(pools[i % 3], [second], 5, new Date(T0 + 100))));
    expect(later.reduce((sum, g) => sum + g.granted, 0)).toBe(4);
    // A clock behind the others' gives nothing back (refilled_at never moves backwards).
    expect((await takeTokens(pools[0], [second], 5, new Date(T0 + 50))).granted).toBe(0);
    const row = await statement(pools[1], `select tokens, refilled_at as at from rate_buckets where key = ?`).get('feishu:app');
    expect(row).toEqual({ tokens: expect.closeTo(0.5, 6), at: new Date(T0 + 100) });

    // Two buckets at once: as many as the emptier allows, taken from both; none from either when one is empty.
    const minute = { key: 'feishu:app:minute', capacity: 100, perMs: 0.015 };
    expect(await takeTokens(pools[2], [second, minute], 5, new Date(T0 + 200))).toEqual({ granted: 5, waitMs: 0 });
    expect((await takeTokens(pools[0], [second, minute], 5, new Date(T0 + 200))).granted).toBe(0);
    const tokens = await statement(pools[0], `select key, tokens from rate_buckets order by key`).all();
    expect(tokens).toEqual([
      { key: 'feishu:app', tokens: expect.closeTo(0, 6) },
      { key: 'feishu:app:minute', tokens: 95 },
    ]);
  });

  it('three instances over simulated minutes: any window holds at most the limit (Feishu 50/s, 1000/min; DingTalk 20/s)', async () => {
    const feishu = [
      { key: 'feishu:app', limit: 50, windowMs: 1000 },
      { key: 'feishu:app:minute', limit: 1000, windowMs: 60_000 },
    ];
    const dingtalk = [{ key: 'dingtalk:api:oto', limit: 20, windowMs: 1000 }];
    const random = prng(7);
    // Each call takes from all its limits' buckets; every bucket alone, then Feishu's two together as its calls do.
    const runs = [[feishu[0]], [feishu[1]], dingtalk, feishu];
    for (const limits of runs) {
      const buckets = limits.map(bucketOf);
      const granted: number[] = [];
      // Each instance asks every step of its clock (jittered), the three at once: 5 minutes, or 20 s with only 1 s windows.
      const [span, step] = limits.some((l) => l.windowMs >= 60_000) ? [5 * 60_000, 100] : [20_000, 10];
      for (let t = 0; t < span; t += step) {
        const asks = pools.map((db) => ({ db, at: T0 + t + Math.floor(random() * step) }));
        const answers = await Promise.all(asks.map((a) => takeTokens(a.db, buckets, Math.min(5, ...buckets.map((b) => b.capacity)), new Date(a.at))));
        answers.forEach((a, i) => {
          for (let n = 0; n < a.granted; n++) granted.push(asks[i].at);
        });
      }
      await statement(pools[0], `delete from rate_buckets`).run();
      granted.sort((a, b) => a - b);
      const name = limits.map((l) => l.key).join(' + ');
      for (const l of limits) {
        // A token is spent within HOLD_MS of its grant and its call counted within ARRIVAL_MS after that.
        expect(maxInSpan(granted, l.windowMs + HOLD_MS + ARRIVAL_MS), `${name}: ${l.key}`).toBeLessThanOrEqual(l.limit);
      }
      // What the margins cost: the steady rate is at least 65% of the tightest limit's (bucketOf: a tenth as burst, 4%
      // spare).
      const rate = Math.min(...limits.map((l) => l.limit / l.windowMs));
      expect(granted.length, name).toBeGreaterThanOrEqual(Math.floor(0.65 * rate * span));
    }
  }, 300_000);
  it('says so, once a minute, when tokens come back too late to be spent (a slow database stalls the sends)', async () => {
    const logs: { level: number; msg: string; roundTripMs?: number }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    // Each look at the clock is 80 ms later: the answer comes 80 ms after the ask, past HOLD_MS.
    let t = T0;
    const clock = { now: () => new Date((t += 80)) };
    let answers = 0; // token answers received
    const limits = new SharedLimits(pools[0], clock, logger, () => answers++);
    const limit = [{ key: 'feishu:app', limit: 50, windowMs: 1000, shared: true }];
    for (let round = 0; round < 4; round++) {
      // Every look finds no token in hand: those of the last answer came too late and were dropped unspent.
      expect(limits.wait(limit, clock.now().getTime())).toBeGreaterThan(0);
      await expect.poll(() => answers).toBe(round + 1);
    }
    const late = logs.filter((l) => l.msg.includes('too late'));
    expect(late).toHaveLength(1); // the rounds span well under a minute of this clock
    expect(late[0]).toMatchObject({ level: 40, roundTripMs: 80 });
  });
});
