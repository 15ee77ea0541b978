/**
 * The inbox store on either dialect (issue 16): run as is on SQLite, and with TEST_DATABASE_URL on PostgreSQL.
 * A claim is one insert-or-ignore on the claim key; pending rows come oldest first; done and failed marks stick.
 */
import { describe, expect, it } from 'vitest';
import { tables } from '../../db/handle.js';
import { transaction } from '../../db/statements.js';
import type { IncomingMessage } from '../../src/core/messages.js';
import { claimEvent, claimEvents, isPending, markAttemptFailed, markDone, pendingEvents, pendingRowFor, pruneHandled, redactPayload } from '../../src/inbox/store.js';
import { parsePayload } from '../../src/inbox/inbox.js';
import { useTestDb } from '../helpers/db.js';

const t = useTestDb();

const message = (eventId: string, messageId: string, text = '学时'): IncomingMessage => ({
  kind: 'message',
  platform: 'feishu',
  eventId,
  messageId,
  accountId: 'ou_1',
  chatId: 'oc_1',
  chatType: 'direct',
  text,
  receivedAt: 1_700_000_000_000,
  replyVia: { messageId },
});

describe('inbox store', () => {
  it('claims an event once, by its message id (a redelivery under a new event id too)', async () => {
    expect(await claimEvent(t.db, message('ev1', 'om1'))).toBe(true);
    expect(await claimEvent(t.db, message('ev1', 'om1'))).toBe(false);
    expect(await claimEvent(t.db, message('ev2', 'om1'))).toBe(false);
    expect(await claimEvent(t.db, message('ev3', 'om3'))).toBe(true);
    const pending = await pendingEvents(t.db);
    expect(pending.map((r) => r.eventKey)).toEqual(['feishu:ev1', 'feishu:ev3']);
    expect(parsePayload(pending[0])).toMatchObject({ eventId: 'ev1', text: '学时' });
    expect(pending[0].receivedAt).toBeInstanceOf(Date);
  });

  it('claims a group at once, in order: a key already claimed, or claimed earlier in the group, is a duplicate', async () => {
    expect(await claimEvent(t.db, message('ev0', 'om0'))).toBe(true);
    const group = [
      message('ev1', 'om1'),
      message('ev0', 'om0'), // claimed before the group
      message('ev2', 'om2', 'a \u0000 the platform sent'),
      message('ev1', 'om1'), // the platform's retry, in the same turn
      message('ev9', 'om2'), // om2 again under a new event id
      message('ev3', 'om3'),
    ];
    expect(await claimEvents(t.db, group)).toEqual([true, false, true, false, false, true]);
    const pending = await pendingEvents(t.db);
    expect(pending.map((r) => r.eventKey)).toEqual(['feishu:ev0', 'feishu:ev1', 'feishu:ev2', 'feishu:ev3']);
    expect(parsePayload(pending[2])).toMatchObject({ text: 'a \u0000 the platform sent' });
    expect(await claimEvents(t.db, [])).toEqual([]);
    expect(await claimEvents(t.db, [message('ev3', 'om3')])).toEqual([false]);
  });

  it('claims a group larger than one statement takes, with a duplicate across the boundary', async () => {
    const group = Array.from({ length: 1203 }, (_, i) => message(`ev${i}`, `om${i}`));
    group.push(message('ev5', 'om5'));
    const fresh = await claimEvents(t.db, group);
    expect(fresh.filter(Boolean)).toHaveLength(1203);
    expect(fresh.at(-1)).toBe(false);
    expect((await pendingEvents(t.db, 2000)).map((r) => r.eventKey)).toEqual(group.slice(0, 1203).map((m) => `feishu:${m.eventId}`));
  });

  it('marks rows done or failed, inside a transaction, and forgets a redacted payload', async () => {
    await claimEvent(t.db, message('ev1', 'om1', '我的评价：很好'));
    await claimEvent(t.db, message('ev2', 'om2'));
    const [first, second] = await pendingEvents(t.db);
    expect(await pendingRowFor(t.db, message('ev1', 'om1'))).toMatchObject({ id: first.id, status: 'pending' });
    const at = new Date('2026-12-07T03:00:00Z');
    await transaction(t.db, async (tx) => {
      expect(await isPending(tx, first.id)).toBe(true);
      await redactPayload(tx, message('ev1', 'om1'));
      await markDone(tx, first.id, at);
    });
    await markAttemptFailed(t.db, second.id, 'boom', false, at);
    await markAttemptFailed(t.db, second.id, 'boom again', true, at);
    expect(await isPending(t.db, first.id)).toBe(false);
    expect(await pendingRowFor(t.db, message('ev1', 'om1'))).toBeUndefined();
    const { inbox } = tables(t.db);
    const rows = await t.db.select().from(inbox).orderBy(inbox.id);
    expect(rows.map((r) => [r.status, r.attempts, r.lastError, r.handledAt?.getTime() ?? null])).toEqual([
      ['done', 0, null, at.getTime()],
      ['failed', 2, 'boom again', at.getTime()],
    ]);
    expect(parsePayload(rows[0])).toMatchObject({ eventId: 'ev1', text: '', accountId: '-' });
    expect(await pendingEvents(t.db)).toEqual([]);
  });

  it('a rolled-back transaction leaves the claim pending', async () => {
    await claimEvent(t.db, message('ev1', 'om1'));
    const [row] = await pendingEvents(t.db);
    await expect(
      transaction(t.db, async (tx) => {
        await markDone(tx, row.id, new Date());
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await isPending(t.db, row.id)).toBe(true);
  });

  it('prunes handled rows received before the cut-off, never pending ones', async () => {
    await claimEvent(t.db, message('ev1', 'om1'));
    await claimEvent(t.db, message('ev2', 'om2'));
    const [done] = await pendingEvents(t.db);
    await markDone(t.db, done.id, new Date());
    expect(await pruneHandled(t.db, new Date(Date.now() - 60_000))).toBe(0);
    expect(await pruneHandled(t.db, new Date(Date.now() + 60_000))).toBe(1);
    expect((await pendingEvents(t.db)).map((r) => r.eventKey)).toEqual(['feishu:ev2']);
  });
});
