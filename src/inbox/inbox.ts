import { and, asc, eq, lt, sql } from 'drizzle-orm';
import { prepared, type Db } from '../../db/client.js';
import { inbox } from '../../db/schema.js';
import { InboundEventSchema, type InboundEvent } from '../bot/types.js';

export type InboxRow = typeof inbox.$inferSelect;

export function eventKeyOf(event: InboundEvent): string {
  return `${event.platform}:${event.eventId}`;
}

/**
 * Claims an event by its id with one atomic insert. A retry or a concurrent duplicate (same event id, or
 * the same platform message under a new event id) loses and gets `false`: it must be acked and dropped.
 */
export function claimEvent(db: Db, event: InboundEvent): boolean {
  const messageKey = event.kind === 'message' && event.messageId ? `${event.platform}:${event.messageId}` : null;
  const result = prepared(
    db,
    `insert into inbox (event_key, message_key, platform, payload) values (?, ?, ?, ?) on conflict do nothing`,
  ).run(eventKeyOf(event), messageKey, event.platform, JSON.stringify(event));
  return result.changes === 1;
}

export function pendingEvents(db: Db, limit = 100): InboxRow[] {
  return db.select().from(inbox).where(eq(inbox.status, 'pending')).orderBy(asc(inbox.receivedAt)).limit(limit).all();
}

export function parsePayload(row: InboxRow): InboundEvent {
  return InboundEventSchema.parse(JSON.parse(row.payload));
}

export function markDone(db: Db, eventKey: string, at: Date): void {
  db.update(inbox).set({ status: 'done', handledAt: at }).where(eq(inbox.eventKey, eventKey)).run();
}

export function markAttemptFailed(db: Db, eventKey: string, error: string, giveUp: boolean, at: Date): void {
  db.update(inbox)
    .set({
      attempts: sql`${inbox.attempts} + 1`,
      lastError: error.slice(0, 1000),
      ...(giveUp ? { status: 'failed' as const, handledAt: at } : {}),
    })
    .where(eq(inbox.eventKey, eventKey))
    .run();
}

/** Keys are kept long enough to outlast every platform retry (Feishu's last is after ~7 h). */
export function pruneHandled(db: Db, olderThan: Date): number {
  return db
    .delete(inbox)
    .where(and(sql`${inbox.status} != 'pending'`, lt(inbox.receivedAt, olderThan)))
    .run().changes;
}
