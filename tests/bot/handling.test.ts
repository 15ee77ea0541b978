import { z } from 'zod';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/client.js';
import type { Db } from '../../db/client.js';
import { dialectOf, tables } from '../../db/handle.js';
import { statement } from '../../db/statements.js';
import { defineCommand } from '../../src/bot/command.js';
import type { IncomingMessage } from '../../src/core/messages.js';
import { commands } from '../../commands/index.js';
import { answerCardClick } from '../../src/platforms/feishu/card-callback.js';
import type { CardAction } from '../../src/core/messages.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { closeConnection, onPostgres } from '../helpers/db.js';

/** How the bot claims and handles events: group-committed claims, and slices that commit many events at once. */
let app: TestApp;
afterEach(async () => app.cleanup());

const message = (n: number, text: string, extra: Partial<IncomingMessage> = {}): IncomingMessage => ({
  kind: 'message',
  platform: 'console',
  eventId: `e-${n}`,
  messageId: `m-${n}`,
  accountId: `u${n}`,
  chatId: `console:u${n}`,
  chatType: 'direct',
  text,
  receivedAt: Date.now(),
  replyVia: {},
  ...extra,
});

// Writes a meta row, then fails for "boom": the write must not survive its own failure.
const flaky = defineCommand({
  name: '试验',
  aliases: ['probe'],
  help: () => ({ summary: 'test', usage: '试验 <word>' }),
  positional: ['word'],
  args: z.object({ word: z.string() }),
  allow: 'anyone',
  async run({ db }, { word }) {
    await statement(db, `insert into meta (key, value) values (?, 'x')`).run(`probe:${word}:${Math.random()}`);
    if (word === 'boom') throw new Error('probe failed on purpose');
    return { text: `ok ${word}` };
  },
});

// The same, asynchronously (issue 16): the handler awaits its store calls, and a failure after an await still rolls back
// everything the event wrote, alone.
const awaiting = defineCommand({
  name: '稍后',
  aliases: ['later'],
  help: () => ({ summary: 'test', usage: '稍后 <word>' }),
  positional: ['word'],
  args: z.object({ word: z.string() }),
  allow: 'anyone',
  async run({ db }, { word }) {
    await statement(db, `insert into meta (key, value) values (?, 'x')`).run(`later:${word}`);
    const count = Number(await statement(db, `select count(*) from meta where key like 'later:%'`).pluck().get());
    if (word === 'boom') throw new Error('failed after awaiting');
    return { text: `later ${word} ${count}` };
  },
});

/** A failing commit: every insert into the inbox is refused with 'disk on fire'. */
async function refuseInboxInserts(db: Db): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    await statement(db, `create trigger refuse before insert on inbox begin select raise(abort, 'disk on fire'); end`).run();
    return;
  }
  await statement(db, `create function refuse() returns trigger language plpgsql as $$ begin raise exception 'disk on fire'; end $$`).run();
  await statement(db, `create trigger refuse before insert on inbox for each row execute function refuse()`).run();
}

const pendingEvents = () => app.db.$count(tables(app.db).inbox, eq(tables(app.db).inbox.status, 'pending'));

describe('group-committed claims', () => {
  // One commit per turn on both dialects: a transaction of inserts on SQLite, one insert statement on PostgreSQL.
  it('claims everything sent in one turn together, once per event and once per message', async () => {
    app = await createTestApp();
    const other = await app.openConnection();
    const claimed = () => other.$count(tables(other).inbox);
    try {
      const claims = [
        ...Array.from({ length: 30 }, (_, i) => app.bot.acceptGrouped(message(i, '帮助'))),
        app.bot.acceptGrouped(message(3, '帮助')), // a retry of e-3 in the same turn
        app.bot.acceptGrouped(message(4, '帮助', { eventId: 'e-4-again' })), // m-4 under a new event id
      ];
      // Nothing is committed until the turn ends, so nothing may be acked yet. (A query on SQLite runs before the
      // turn ends; on PostgreSQL its round trip outlasts the turn, so there the rows' one receipt time shows one
      // transaction: now() is the time its transaction began. Not xmin: the app's drain may have marked rows done.)
      if (!onPostgres()) expect(await claimed()).toBe(0);
      const results = await Promise.all(claims);
      expect(results.slice(0, 30)).toEqual(Array.from({ length: 30 }, () => true));
      expect(results.slice(30)).toEqual([false, false]);
      // Resolved means committed: another connection sees every claim.
      expect(await claimed()).toBe(30);
      if (onPostgres()) expect(await other.selectDistinct({ at: tables(other).inbox.receivedAt }).from(tables(other).inbox)).toHaveLength(1);
    } finally {
      await closeConnection(other);
    }

    // A later retry (next turn) is still a duplicate.
    expect(await app.bot.acceptGrouped(message(7, '帮助'))).toBe(false);
  });

  it('fails every claim of a turn when its commit fails, so all of them are retried by the platform', async () => {
    app = await createTestApp();
    await refuseInboxInserts(app.db);
    const claims = [1, 2, 3].map((n) => app.bot.acceptGrouped(message(n, '帮助')));
    for (const c of claims) await expect(c).rejects.toThrow('disk on fire');
    await statement(app.db, { sqlite: `drop trigger refuse`, postgres: `drop trigger refuse on inbox` }).run();
    expect(await app.bot.acceptGrouped(message(1, '帮助'))).toBe(true);
  });
});

describe('handling in slices', () => {
  it('commits the events of a slice together, and a failing one rolls back alone', async () => {
    app = await createTestApp({}, { commands: [...commands, flaky] });
    for (let i = 0; i < 20; i++) await app.bot.accept(message(i, i === 7 ? '试验 boom' : `试验 w${i}`));
    await app.bot.drain();

    const inbox = (await app.db.select().from(tables(app.db).inbox));
    const failed = inbox.find((r) => r.eventKey === 'console:e-7')!;
    // Retried up to maxAttempts (3), then given up with an apology; the others are done.
    expect(failed.status).toBe('failed');
    expect(failed.attempts).toBe(3);
    expect(failed.lastError).toContain('probe failed on purpose');
    expect(inbox.filter((r) => r.status === 'done')).toHaveLength(19);

    const replies = (await app.db.select().from(tables(app.db).outbox));
    expect(replies).toHaveLength(20);
    expect(replies.filter((r) => r.origin === 'console:e-7').map((r) => JSON.parse(r.reply).text)).toEqual([app.bot.t.errors.internal]);
    // The failing command's write was rolled back each time; the 19 others' writes stayed.
    const probes = await statement(app.db, `select key from meta where key like 'probe:%'`).pluck<string>().all();
    expect(probes).toHaveLength(19);
    expect(probes.some((k) => k.startsWith('probe:boom'))).toBe(false);
  });
});

describe('asynchronous handlers', () => {
  it('commit their effect with their reply, and one failing after an await rolls back alone', async () => {
    app = await createTestApp({}, { commands: [...commands, awaiting] });
    for (let i = 0; i < 6; i++) await app.bot.accept(message(i, i === 3 ? '稍后 boom' : `稍后 w${i}`));
    await app.bot.drain();

    const { inbox, outbox } = tables(app.db);
    const rows = await app.db.select().from(inbox).orderBy(inbox.id);
    expect(rows.map((r) => r.status)).toEqual(['done', 'done', 'done', 'failed', 'done', 'done']);
    expect(rows[3]).toMatchObject({ attempts: 3, lastError: expect.stringContaining('failed after awaiting') });
    // Each handler saw the writes of the events before it (one after another), and none of the failed one's, which
    // was tried again after the others and then answered with an apology.
    const replies = await app.db.select().from(outbox).orderBy(outbox.id);
    expect(replies.map((r) => JSON.parse(r.reply).text)).toEqual(['later w0 1', 'later w1 2', 'later w2 3', 'later w4 4', 'later w5 5', app.bot.t.errors.internal]);
    expect(await statement(app.db, `select key from meta where key like 'later:%' order by key`).pluck().all()).toEqual(['later:w0', 'later:w1', 'later:w2', 'later:w4', 'later:w5']);
  });
});

describe('when handling cannot proceed', () => {

  // SQLite's database-wide write lock held by another process; PostgreSQL locks rows.
  it.skipIf(onPostgres())('retries a drain that failed on a locked database, without waiting for another event', async () => {
    app = await createTestApp();
    app.db.$client.pragma('busy_timeout = 50');
    await app.bot.accept(message(1, '帮助'));
    // Then another process (an import) takes the write lock before the event is handled.
    const other = new Database(app.config.DATABASE_PATH);
    other.exec('begin immediate');
    app.bot.schedule();
    await new Promise((r) => setTimeout(r, 300));
    expect(await pendingEvents()).toBe(1);
    other.exec('commit');
    other.close();
    await expect.poll(pendingEvents, { timeout: 3_000, interval: 50 }).toBe(0);
  });

  // SQLite only by design: PostgreSQL handles no slices (each event commits alone, docs/postgres.md §1), so no
  // error there takes other events' work with it; and it has no RAISE(ROLLBACK) that ends the whole transaction.
  it.skipIf(onPostgres())('stops a slice whose whole transaction was rolled back, failing none of its events, and retries', async () => {
    app = await createTestApp({}, { commands: [...commands, flaky] });
    app.db.$client.exec(
      `create trigger whole_rollback before insert on outbox when new.reply like '%w-rollback%' begin select raise(rollback, 'disk full'); end`,
    );
    for (let i = 0; i < 5; i++) await app.bot.accept(message(i, i === 2 ? '试验 w-rollback' : `试验 w${i}`));
    app.bot.schedule();
    await new Promise((r) => setTimeout(r, 300));
    // The slice with e-2 rolled back as a whole and nobody is blamed: no attempt counted, nothing failed, and
    // e-2 and everything after it still pending (rows before it may have committed in an earlier slice).
    expect(await pendingEvents()).toBeGreaterThanOrEqual(3);
    expect(app.db.$client.prepare(`select status from inbox where event_key = 'console:e-2'`).pluck().get()).toBe('pending');
    expect(app.db.$client.prepare(`select sum(attempts) from inbox`).pluck().get()).toBe(0);
    expect(app.db.$client.prepare(`select count(*) from inbox where status = 'failed'`).pluck().get()).toBe(0);
    app.db.$client.exec('drop trigger whole_rollback');
    await expect.poll(pendingEvents, { timeout: 3_000, interval: 50 }).toBe(0);
    expect((await app.db.select().from(tables(app.db).outbox))).toHaveLength(5);
  });
});

describe('card clicks', () => {
  it('are answered ahead of a backlog, and handled once', async () => {
    // Nothing may drain the backlog behind the test's back: the start's drain pass ends first (on PostgreSQL it is
    // still asking for rows when the first events arrive, and would chase them), and the lease watcher's pass
    // (PostgreSQL, every half lease) is ten minutes away.
    app = await createTestApp({ INBOX_LEASE_MS: '600000' });
    await app.bot.drain();
    for (let i = 0; i < 300; i++) await app.bot.accept(message(i, '帮助'));
    const click: CardAction = { kind: 'card_action', platform: 'console', eventId: 'click-1', accountId: 'u-click', value: { command: '帮助' }, receivedAt: Date.now() };
    const answer = (await answerCardClick(app.bot, click, await app.bot.accept(click))) as { toast?: { content: string } };
    expect(answer.toast?.content).toContain('学时助手可以帮您');
    expect(await pendingEvents()).toBeGreaterThanOrEqual(299);

    await app.bot.drain();
    expect((await app.db.select().from(tables(app.db).outbox).where(eq(tables(app.db).outbox.origin, 'console:click-1')))).toHaveLength(1);
  });
});
