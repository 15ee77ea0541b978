import { z } from 'zod';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/client.js';
import { defineCommand } from '../../src/bot/command.js';
import type { IncomingMessage } from '../../src/bot/types.js';
import { commands } from '../../commands/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

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
  run({ db }, { word }) {
    db.$client.prepare(`insert into meta (key, value) values (?, 'x')`).run(`probe:${word}:${Math.random()}`);
    if (word === 'boom') throw new Error('probe failed on purpose');
    return { text: `ok ${word}` };
  },
});

describe('group-committed claims', () => {
  it('claims everything sent in one turn together, once per event and once per message', async () => {
    app = await createTestApp();
    const other = new Database(app.config.DATABASE_PATH, { readonly: true });
    const claims = [
      ...Array.from({ length: 30 }, (_, i) => app.bot.acceptGrouped(message(i, '帮助'))),
      app.bot.acceptGrouped(message(3, '帮助')), // a retry of e-3 in the same turn
      app.bot.acceptGrouped(message(4, '帮助', { eventId: 'e-4-again' })), // m-4 under a new event id
    ];
    // Nothing is committed until the turn ends, so nothing may be acked yet.
    expect(other.prepare('select count(*) from inbox').pluck().get()).toBe(0);
    const results = await Promise.all(claims);
    expect(results.filter(Boolean)).toHaveLength(30);
    expect(results.slice(30)).toEqual([false, false]);
    // Resolved means committed: another connection sees every claim.
    expect(other.prepare('select count(*) from inbox').pluck().get()).toBe(30);
    other.close();

    // A later retry (next turn) is still a duplicate.
    expect(await app.bot.acceptGrouped(message(7, '帮助'))).toBe(false);
  });

  it('fails every claim of a turn when its commit fails, so all of them are retried by the platform', async () => {
    app = await createTestApp();
    app.db.$client.exec(`create trigger refuse before insert on inbox begin select raise(abort, 'disk on fire'); end`);
    const claims = [1, 2, 3].map((n) => app.bot.acceptGrouped(message(n, '帮助')));
    for (const c of claims) await expect(c).rejects.toThrow('disk on fire');
    app.db.$client.exec(`drop trigger refuse`);
    expect(await app.bot.acceptGrouped(message(1, '帮助'))).toBe(true);
  });
});

describe('handling in slices', () => {
  it('commits the events of a slice together, and a failing one rolls back alone', async () => {
    app = await createTestApp({}, { commands: [...commands, flaky] });
    for (let i = 0; i < 20; i++) app.bot.accept(message(i, i === 7 ? '试验 boom' : `试验 w${i}`));
    await app.bot.drain();

    const inbox = app.db.select().from(schema.inbox).all();
    const failed = inbox.find((r) => r.eventKey === 'console:e-7')!;
    // Retried up to maxAttempts (3), then given up with an apology; the others are done.
    expect(failed.status).toBe('failed');
    expect(failed.attempts).toBe(3);
    expect(failed.lastError).toContain('probe failed on purpose');
    expect(inbox.filter((r) => r.status === 'done')).toHaveLength(19);

    const replies = app.db.select().from(schema.outbox).all();
    expect(replies).toHaveLength(20);
    expect(replies.filter((r) => r.origin === 'console:e-7').map((r) => JSON.parse(r.reply).text)).toEqual([app.bot.t.errors.internal]);
    // The failing command's write was rolled back each time; the 19 others' writes stayed.
    const probes = app.db.$client.prepare(`select key from meta where key like 'probe:%'`).pluck().all() as string[];
    expect(probes).toHaveLength(19);
    expect(probes.some((k) => k.startsWith('probe:boom'))).toBe(false);
  });
});
