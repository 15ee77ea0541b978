/**
 * Two instances' outbox workers on one PostgreSQL database (issue 16), each with its own pool and its own Feishu
 * sender, against the fake Feishu OpenAPI that counts every call it admits: each message reaches its teacher
 * exactly once, the two together stay within the app's 50/s and 1000/min (one token bucket in the database,
 * src/outbox/shared-limits.ts), and an instance that died holding claims leaves its rows to the other once the
 * lease has passed, each still delivered once (a row it sent before dying is dropped by Feishu's uuid).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { statement } from '../../db/statements.js';
import { silentLogger } from '../../src/logger.js';
import { dueMessages } from '../../src/outbox/outbox.js';
import type { Sender } from '../../src/outbox/sender.js';
import { claimRows } from '../../src/outbox/store.js';
import { OutboxWorker } from '../../src/outbox/worker.js';
import { FeishuSender } from '../../src/platforms/feishu/send.js';
import { closeConnection, onPostgres } from '../helpers/db.js';
import { RateLimitedPlatform } from '../helpers/fakes/rate-limited-platform.js';
import { confirmedBroadcast, pendingRows, seedRecipients, until } from '../helpers/outbox.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A Feishu sender of its own (an instance's), counting the messages it sends. */
async function instanceSender(fake: RateLimitedPlatform): Promise<{ sender: Sender; sent: () => number }> {
  const feishu = new FeishuSender({ settings: { appId: 'cli_a1b2c3d4e5f60718', appSecret: 'secret', baseUrl: fake.url }, logger: silentLogger });
  await feishu.warmUp();
  let sent = 0;
  const sender: Sender = Object.assign(Object.create(feishu) as FeishuSender, {
    send: (m: Parameters<FeishuSender['send']>[0]) => {
      sent++;
      return feishu.send(m);
    },
  });
  return { sender, sent: () => sent };
}

async function instance(db: Db, fake: RateLimitedPlatform, instanceId: string, leaseMs?: number) {
  const { sender, sent } = await instanceSender(fake);
  const worker = new OutboxWorker({ db, senders: [sender], instanceId, leaseMs, pollMs: 100 });
  cleanups.push(() => worker.stop());
  return { worker, sent };
}

describe.skipIf(!onPostgres())('two instances on one PostgreSQL database (TEST_DATABASE_URL)', () => {
  it('320 recipients through two workers: each delivered once, both together within 50/s and 1000/min', async () => {
    const fake = await RateLimitedPlatform.start({ perSecond: 50, perMinute: 1000 });
    cleanups.push(() => fake.close());
    const s = await seedRecipients(320);
    cleanups.push(() => s.close());
    const other = await s.open();
    cleanups.push(() => closeConnection(other));
    const a = await instance(s.db, fake, 'instance-a');
    const b = await instance(other, fake, 'instance-b');
    const id = await confirmedBroadcast(s);
    a.worker.start();
    b.worker.start();
    await until(async () => (await pendingRows(s.db, `broadcast:${id}`)) === 0, 60_000, 'the broadcast to finish');

    const stats = fake.stats();
    expect(stats).toMatchObject({ uniqueDeliveries: 320, receiversWithDuplicates: 0, duplicatesDropped: 0 });
    // Sent once each: no row went out from both instances (a resend would show as a request beyond the 320).
    expect(a.sent() + b.sent()).toBe(320 + stats.rateLimited);
    expect(Math.min(a.sent(), b.sent()), `a ${a.sent()}, b ${b.sent()}`).toBeGreaterThanOrEqual(320 / 5);
    // The fake admits at most 50 a second: what proves the shared bucket is that it hardly had to refuse (two
    // instances pacing themselves alone would offer it up to 100 a second).
    expect(stats.rateLimited, JSON.stringify(fake.limitedBy)).toBeLessThanOrEqual(3);
    expect(stats.maxInAnySecondWindow).toBeLessThanOrEqual(50);
    expect(stats.maxInAnyMinuteWindow).toBeLessThanOrEqual(1000);
    expect(await statement(s.db, `select count(*)::int as n from outbox where claimed_by is not null or status <> 'sent'`).pluck().get()).toBe(0);
  }, 90_000);

  it('an instance that died holding claims: the other sends its rows once the lease has passed, each delivered once', async () => {
    const fake = await RateLimitedPlatform.start({ perSecond: 50, perMinute: 1000 });
    cleanups.push(() => fake.close());
    const s = await seedRecipients(40);
    cleanups.push(() => s.close());
    const other = await s.open();
    cleanups.push(() => closeConnection(other));
    const id = await confirmedBroadcast(s);

    // The dead instance claimed 12 rows for 3 s, sent 4 of them (Feishu has those) and died before marking any.
    const leaseMs = 3000;
    const rows = (await dueMessages(s.db, new Date(), 100)).slice(0, 12);
    const claimedAt = new Date();
    const claimed = await claimRows(s.db, rows.map((r) => r.id), { by: 'instance-dead', at: claimedAt }, new Date(claimedAt.getTime() + leaseMs));
    expect(claimed.size).toBe(12);
    const dead = await instanceSender(fake);
    for (const m of rows.slice(0, 4)) expect(await dead.sender.send(m)).toMatchObject({ status: 'sent' });

    const b = await instance(other, fake, 'instance-b', leaseMs);
    b.worker.start();
    // Everything else goes; the dead instance's rows wait for their lease.
    await until(async () => (await pendingRows(s.db, `broadcast:${id}`)) === 12, 30_000, 'the unclaimed rows');
    expect(Date.now() - claimedAt.getTime()).toBeLessThan(leaseMs);
    expect(b.sent()).toBe(28);
    await until(async () => (await pendingRows(s.db, `broadcast:${id}`)) === 0, 30_000, 'the dead instance’s rows');
    expect(fake.stats()).toMatchObject({ uniqueDeliveries: 40, receiversWithDuplicates: 0, duplicatesDropped: 4 });
    expect(b.sent()).toBe(40);
    const { sent } = (await statement(s.db, `select count(*)::int as sent from outbox where status = 'sent' and claimed_by is null`).get()) as { sent: number };
    expect(sent).toBe(40);
  }, 90_000);
});
