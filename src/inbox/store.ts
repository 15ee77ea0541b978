import { and, asc, eq, lt, sql } from 'drizzle-orm';
import { type Db } from '../../db/client.js';
import { prepared } from '../../db/statements.js';
import { inbox } from '../../db/schema.js';
import type { InboundEvent } from '../core/messages.js';
import { claimKeyOf, eventKeyOf } from './inbox.js';

export type InboxRow = typeof inbox.$inferSelect;

/**
 * Claims an event with one atomic insert. A retry or a concurrent duplicate loses and gets `false`: it must
 * be acked and dropped.
 */
export function claimEvent(db: Db, event: InboundEvent): boolean {
  const result = prepared(db, `insert into inbox (claim_key, event_key, platform, payload) values (?, ?, ?, ?) on conflict do nothing`).run(
    claimKeyOf(event),
    eventKeyOf(event),
    event.platform,
    JSON.stringify(event),
  );
  return result.changes === 1;
}

/** The still-pending row of an accepted event, if any (by its claim key: indexed). */
export function pendingRowFor(db: Db, event: InboundEvent): InboxRow | undefined {
  return db
    .select()
    .from(inbox)
    .where(and(eq(inbox.claimKey, claimKeyOf(event)), eq(inbox.status, 'pending')))
    .get();
}

export function isPending(db: Db, id: number): boolean {
  return prepared(db, `select 1 from inbox where id = ? and status = 'pending'`).get(id) !== undefined;
}

export function pendingEvents(db: Db, limit = 100): InboxRow[] {
  return db.select().from(inbox).where(eq(inbox.status, 'pending')).orderBy(asc(inbox.receivedAt)).limit(limit).all();
}

export function markDone(db: Db, id: number, at: Date): void {
  db.update(inbox).set({ status: 'done', handledAt: at }).where(eq(inbox.id, id)).run();
}

export function markAttemptFailed(db: Db, id: number, error: string, giveUp: boolean, at: Date): void {
  db.update(inbox)
    .set({
      attempts: sql`${inbox.attempts} + 1`,
      lastError: error.slice(0, 1000),
      ...(giveUp ? { status: 'failed' as const, handledAt: at } : {}),
    })
    .where(eq(inbox.id, id))
    .run();
}

/** Keys are kept long enough to outlast every platform retry (Feishu's last is after ~7 h). */
export function pruneHandled(db: Db, olderThan: Date): number {
  return db
    .delete(inbox)
    .where(and(sql`${inbox.status} != 'pending'`, lt(inbox.receivedAt, olderThan)))
    .run().changes;
}

/**
 * Forgets what a handled event said (an anonymous evaluation's answers): its payload becomes an empty message
 * that still parses, keeping only the platform, the event id and when it came. Runs in the handler's
 * transaction, so the answer and the redaction commit together. `event` may be the message a card click was
 * turned into: its claim key (no message id) is the click's own.
 */
export function redactPayload(db: Db, event: InboundEvent): void {
  const stub: InboundEvent = {
    kind: 'message',
    platform: event.platform,
    eventId: event.eventId,
    accountId: '-',
    chatId: '-',
    chatType: 'direct',
    text: '',
    receivedAt: event.receivedAt,
    replyVia: {},
  };
  prepared(db, `update inbox set payload = ? where claim_key = ?`).run(JSON.stringify(stub), claimKeyOf(event));
}
