import { and, asc, eq, lte, sql } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { outbox } from '../../db/schema.js';
import { TargetSchema, type Outgoing, type Reply, type Target } from '../bot/types.js';

export type OutboxRow = typeof outbox.$inferSelect;

export interface OutboxMessage {
  id: number;
  platform: string;
  target: Target;
  reply: Reply;
  idempotencyKey: string;
  /** A short, platform-safe dedupe token derived from the key (Feishu `uuid` takes ≤ 50 chars). */
  dedupeToken: string;
  attempts: number;
}

export function dedupeTokenOf(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
}

/** Adds messages to the outbox; a key seen before is ignored, so re-running the producer sends nothing twice. */
export function enqueue(db: Db, messages: readonly Outgoing[], now: Date): number {
  let added = 0;
  for (const m of messages) {
    added += db
      .insert(outbox)
      .values({
        idempotencyKey: m.idempotencyKey,
        platform: m.platform,
        target: JSON.stringify(m.target),
        reply: JSON.stringify(m.reply),
        origin: m.origin ?? null,
        nextAttemptAt: now,
      })
      .onConflictDoNothing()
      .run().changes;
  }
  return added;
}

export function dueMessages(db: Db, now: Date, limit: number): OutboxMessage[] {
  return db
    .select()
    .from(outbox)
    .where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now)))
    .orderBy(asc(outbox.nextAttemptAt), asc(outbox.id))
    .limit(limit)
    .all()
    .map(toMessage);
}

export function nextDueAt(db: Db): Date | null {
  const row = db
    .select({ at: sql<number>`min(${outbox.nextAttemptAt})` })
    .from(outbox)
    .where(eq(outbox.status, 'pending'))
    .get();
  return row?.at ? new Date(row.at) : null;
}

function toMessage(row: OutboxRow): OutboxMessage {
  return {
    id: row.id,
    platform: row.platform,
    target: TargetSchema.parse(JSON.parse(row.target)),
    reply: JSON.parse(row.reply) as Reply,
    idempotencyKey: row.idempotencyKey,
    dedupeToken: dedupeTokenOf(row.idempotencyKey),
    attempts: row.attempts,
  };
}

export function markSent(db: Db, id: number, at: Date, platformMessageId?: string): void {
  db.update(outbox)
    .set({ status: 'sent', sentAt: at, platformMessageId: platformMessageId ?? null, attempts: sql`${outbox.attempts} + 1` })
    .where(eq(outbox.id, id))
    .run();
}

export function markRetry(db: Db, id: number, error: string, nextAttemptAt: Date): void {
  db.update(outbox)
    .set({ lastError: error.slice(0, 1000), nextAttemptAt, attempts: sql`${outbox.attempts} + 1` })
    .where(eq(outbox.id, id))
    .run();
}

export function markFailed(db: Db, id: number, error: string): void {
  db.update(outbox)
    .set({ status: 'failed', lastError: error.slice(0, 1000), attempts: sql`${outbox.attempts} + 1` })
    .where(eq(outbox.id, id))
    .run();
}
