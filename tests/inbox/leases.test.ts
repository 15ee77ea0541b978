/**
 * Inbox leases (issue 16, docs/postgres.md §2): pending events are taken under a lease, so an event an instance
 * accepted and then could not handle (it crashed) is handled by another once the lease ends, exactly once.
 * PostgreSQL: two pools on one database are two instances. SQLite: one process owns the file, so a restarted
 * process takes every pending event at once.
 */
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import { statement, transaction } from '../../db/statements.js';
import { Bot } from '../../src/bot/bot.js';
import { defineCommand } from '../../src/bot/command.js';
import { FixedClock } from '../../src/clock.js';
import type { IncomingMessage } from '../../src/core/messages.js';
import { claimEvent, claimPending, isPending, markDone } from '../../src/inbox/store.js';
import { loadPresets } from '../../src/policy/presets.js';
import { closeConnection, onPostgres, testDatabase, type TestDatabase } from '../helpers/db.js';
import { until } from '../helpers/outbox.js';

const message = (n: number): IncomingMessage => ({
  kind: 'message',
  platform: 'console',
  eventId: `ev-${n}`,
  messageId: `om-${n}`,
  accountId: `u${n}`,
  chatId: `console:u${n}`,
  chatType: 'direct',
  text: `记下 ${n}`,
  receivedAt: 1_765_000_000_000 + n,
  replyVia: {},
});

// Every effect is a meta row keyed by the event's word: a second effect of one event would be a second row.
const note = defineCommand({
  name: '记下',
  aliases: [],
  help: () => ({ summary: 'test', usage: '记下 <word>' }),
  positional: ['word'],
  args: z.object({ word: z.string() }),
  allow: 'anyone',
  async run({ db }, { word }) {
    await statement(db, `insert into meta (key, value) values (?, 'x')`).run(`note:${word}:${Math.random()}`);
    return { text: `ok ${word}` };
  },
});

const presets = loadPresets();

function botOn(db: Db, instanceId: string, clock: FixedClock, leaseMs = 30_000): Bot {
  return new Bot({ db, clock, transportClock: clock, presets, timeZone: 'Asia/Shanghai', defaultPolicy: 'laibin', commands: [note], instanceId, leaseMs });
}

async function effects(db: Db): Promise<string[]> {
  const rows = await statement<[], { key: string }>(db, `select key from meta where key like 'note:%'`).all();
  return rows.map((r) => r.key.split(':')[1]).sort((a, b) => Number(a) - Number(b));
}

async function inboxRows(db: Db) {
  const { inbox } = tables(db);
  return db.select().from(inbox).orderBy(inbox.id);
}

let place: TestDatabase | undefined;
const open: Db[] = [];
const bots: Bot[] = [];

/** `n` connections (pools on PostgreSQL: instances) to one fresh database. */
async function instances(n: number): Promise<Db[]> {
  place = await testDatabase();
  for (let i = 0; i < n; i++) open.push(await place.open());
  return [...open];
}

afterEach(async () => {
  for (const bot of bots.splice(0)) {
    bot.close();
    await bot.drain();
  }
  for (const db of open.splice(0)) await closeConnection(db);
  await place?.drop();
  place = undefined;
});

describe('inbox leases, either dialect', () => {
  it('takes pending events oldest first, under this instance’s lease, and no done ones', async () => {
    const [db] = await instances(1);
    for (const n of [3, 1, 2]) await claimEvent(db, message(n));
    const now = new Date('2026-12-07T06:00:00Z');
    const taken = await claimPending(db, { by: 'a-1', now, ms: 30_000 }, 2);
    // Oldest first by arrival here (the inbox's clock), not by the platform's timestamps.
    expect(taken.map((r) => r.eventKey)).toEqual(['console:ev-3', 'console:ev-1']);
    expect(taken.map((r) => [r.claimedBy, r.claimedUntil?.getTime()])).toEqual([
      ['a-1', now.getTime() + 30_000],
      ['a-1', now.getTime() + 30_000],
    ]);
    await markDone(db, taken[0].id, now);
    expect((await claimPending(db, { by: 'a-1', now, ms: 30_000 }, 10)).map((r) => r.eventKey)).toEqual(['console:ev-1', 'console:ev-2']);
    // The handled row keeps who handled it.
    expect((await inboxRows(db)).map((r) => [r.eventKey, r.status, r.claimedBy])).toEqual([
      ['console:ev-3', 'done', 'a-1'],
      ['console:ev-1', 'pending', 'a-1'],
      ['console:ev-2', 'pending', 'a-1'],
    ]);
  });

  it('the bot handles what it accepted, marks who handled it, and leaves nothing leased and pending', async () => {
    const [db] = await instances(1);
    const clock = new FixedClock('2026-12-07T06:00:00Z');
    const bot = botOn(db, 'a-1', clock);
    bots.push(bot);
    for (let n = 0; n < 20; n++) expect(await bot.accept(message(n))).toBe(true);
    expect(await bot.accept(message(7))).toBe(false);
    await bot.drain();
    expect(await effects(db)).toEqual(Array.from({ length: 20 }, (_, n) => String(n)));
    expect(new Set((await inboxRows(db)).map((r) => `${r.status}:${r.claimedBy}`))).toEqual(new Set(['done:a-1']));
  });
});

describe.skipIf(onPostgres())('inbox leases on SQLite (one process owns the file)', () => {
  it('a restarted process takes the events a crashed one held, at once, each handled once', async () => {
    const [db] = await instances(1);
    for (let n = 0; n < 5; n++) await claimEvent(db, message(n));
    const clock = new FixedClock('2026-12-07T06:00:00Z');
    // The crashed process took them a moment ago: its lease has 30 s left.
    await claimPending(db, { by: 'host-111', now: clock.now(), ms: 30_000 }, 10);
    const bot = botOn(db, 'host-222', clock);
    bots.push(bot);
    await bot.drain();
    expect(await effects(db)).toEqual(['0', '1', '2', '3', '4']);
    expect(new Set((await inboxRows(db)).map((r) => `${r.status}:${r.claimedBy}`))).toEqual(new Set(['done:host-222']));
  });
});

describe.skipIf(!onPostgres())('inbox leases on PostgreSQL: two pools are two instances', () => {
  it('concurrent claims by many instances on two pools split the pending events: none taken twice, none left', async () => {
    const [a, b] = await instances(2);
    for (let n = 0; n < 60; n++) await claimEvent(n % 2 ? a : b, message(n));
    const now = new Date('2026-12-07T06:00:00Z');
    // 16 claimers of 5 rows at once (one drain at a time per instance: each claimer is an instance of its own).
    const rounds = await Promise.all(Array.from({ length: 16 }, (_, i) => claimPending(i % 2 ? a : b, { by: `i${i}`, now, ms: 30_000 }, 5)));
    const taken = rounds.flat();
    expect(taken).toHaveLength(60);
    expect(new Set(taken.map((r) => r.id)).size).toBe(60);
    const rows = await inboxRows(a);
    for (const row of rows) expect(row.claimedBy, row.eventKey).toBe(taken.find((t) => t.id === row.id)!.claimedBy);
    expect(new Set(rows.map((r) => r.claimedBy)).size).toBeGreaterThanOrEqual(12);
  });

  it('another instance’s live lease is left alone; once it ends the rows are taken over', async () => {
    const [a, b] = await instances(2);
    for (let n = 0; n < 4; n++) await claimEvent(a, message(n));
    const now = new Date('2026-12-07T06:00:00Z');
    expect(await claimPending(a, { by: 'a', now, ms: 30_000 }, 3)).toHaveLength(3);
    // b sees only the one row nobody holds.
    expect((await claimPending(b, { by: 'b', now: new Date(now.getTime() + 29_999), ms: 30_000 }, 10)).map((r) => r.eventKey)).toEqual(['console:ev-3']);
    // a renews its own lease.
    expect(await claimPending(a, { by: 'a', now: new Date(now.getTime() + 1_000), ms: 30_000 }, 10)).toHaveLength(3);
    // a says no more: 30 s after its last claim, b takes its rows (and keeps its own).
    const later = new Date(now.getTime() + 31_000);
    expect((await claimPending(b, { by: 'b', now: later, ms: 30_000 }, 10)).map((r) => r.eventKey)).toEqual([
      'console:ev-0',
      'console:ev-1',
      'console:ev-2',
      'console:ev-3',
    ]);
    expect(await claimPending(a, { by: 'a', now: later, ms: 30_000 }, 10)).toEqual([]);
  });

  it('a row taken over while its first holder still handles it: the second waits on the row and finds it done', async () => {
    const [a, b] = await instances(2);
    await claimEvent(a, message(1));
    const [row] = await claimPending(a, { by: 'a', now: new Date('2026-12-07T06:00:00Z'), ms: 30_000 }, 1);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const first = transaction(a, async (tx) => {
      expect(await isPending(tx, row.id)).toBe(true);
      order.push('a checked');
      await held;
      await markDone(tx, row.id, new Date());
      order.push('a done');
    });
    await until(() => order.length === 1, 5_000, 'a to lock the row');
    const second = transaction(b, async (tx) => {
      const pending = await isPending(tx, row.id);
      order.push(`b found pending=${pending}`);
      return pending;
    });
    // b is blocked on a's row lock, not answered from before a's change.
    await new Promise((r) => setTimeout(r, 200));
    expect(order).toEqual(['a checked']);
    release();
    await first;
    expect(await second).toBe(false);
    expect(order).toEqual(['a checked', 'a done', 'b found pending=false']);
  });

  it('events an instance accepted and then died holding are handled once by another after the lease, with no new event to wake it', async () => {
    const [a, b] = await instances(2);
    const clock = new FixedClock('2026-12-07T06:00:00Z');
    // Instance a acks 6 events, takes 4 of them, and is killed before handling any.
    const dead = botOn(a, 'a', clock, 1_000);
    for (let n = 0; n < 6; n++) expect(await dead.accept(message(n))).toBe(true);
    await claimPending(a, { by: 'a', now: clock.now(), ms: 1_000 }, 4);
    // A platform retry reaching b is a duplicate: acked, no effect.
    const bot = botOn(b, 'b', clock, 1_000);
    bots.push(bot);
    expect(await bot.accept(message(2))).toBe(false);
    await bot.drain();
    // b handled the two nobody held, and left a's leased ones alone.
    expect(await effects(b)).toEqual(['4', '5']);
    bot.watchLeases();
    clock.advance(1_001);
    await until(async () => (await effects(b)).length === 6, 10_000, 'b to take over the dead instance’s events');
    expect(await effects(b)).toEqual(['0', '1', '2', '3', '4', '5']);
    const rows = await inboxRows(b);
    expect(rows.map((r) => [r.status, r.claimedBy])).toEqual(Array.from({ length: 6 }, () => ['done', 'b']));
    const { outbox } = tables(b);
    expect(await b.select({ key: outbox.idempotencyKey }).from(outbox)).toHaveLength(6);
  });
});
