/** How the worker turns due rows into platform calls: which sender and limits a row has, and which rows share a call. */
import type { Db } from '../../db/client.js';
import { routedOutboxMessage, type OutboxMessage } from './outbox.js';
import { markFailed, postpone, type DueRow, type Lease } from './store.js';
import type { Limit } from './rate-limit.js';
import type { Sender } from './sender.js';

export interface Routing {
  db: Db;
  /** For rows enqueued `quiet` (reminders): null when they may go now, else when quiet hours end for this key. */
  quietUntil?: (now: Date, idempotencyKey: string) => Date | null;
}

/** The row's sender, message and limits; null when the row cannot go now (postponed to the morning, or failed). */
export async function routeRow(
  { db, quietUntil }: Routing,
  senders: ReadonlyMap<string, Sender>,
  row: DueRow,
  lease: Lease,
): Promise<{ sender: Sender; message: OutboxMessage; limits: readonly Limit[] } | null> {
  const at = lease.at;
  const heldUntil = row.quiet ? quietUntil?.(at, row.idempotencyKey) : null;
  if (heldUntil) {
    // A reminder retried, or sent late after downtime, into the night: it waits for the morning.
    await postpone(db, row.id, heldUntil, lease);
    return null;
  }
  const sender = senders.get(row.platform);
  if (!sender) {
    await markFailed(db, row.id, `no sender for platform ${row.platform}`, false, lease);
    return null;
  }
  let message: OutboxMessage;
  try {
    message = await routedOutboxMessage(db, row);
  } catch (error) {
    // One unreadable row must not stop every tick after it.
    await markFailed(db, row.id, `unreadable outbox row: ${String(error)}`, false, lease);
    return null;
  }
  return { sender, message, limits: sender.limitsFor(message) };
}

/**
 * The message, plus the later candidates its sender can carry in the same call (same batch key: one route and one
 * reply, e.g. a broadcast's rows to DingTalk users), up to the sender's maximum, skipping rows `taken` (in flight,
 * held, behind an older row of their recipient's, or quiet rows in quiet hours). They share one rate-limit slot, because they are one call.
 * Candidates from index `from` on. `cut`: the candidates ran out before the batch was full.
 */
export async function formBatch(
  db: Db,
  sender: Sender,
  first: OutboxMessage,
  candidates: readonly DueRow[],
  from: number,
  taken: (row: DueRow) => boolean,
): Promise<{ batch: OutboxMessage[]; cut: boolean }> {
  const max = sender.maxBatch ?? 1;
  if (!sender.sendBatch || max <= 1) return { batch: [first], cut: false };
  const key = sender.batchKeyOf?.(first) ?? null;
  if (key === null) return { batch: [first], cut: false };
  const batch = [first];
  const targets = new Set([JSON.stringify(first.target)]);
  for (let i = from; i < candidates.length && batch.length < max; i++) {
    const row = candidates[i];
    // `taken` also says when a quiet row may not go now (the one-by-one path then postpones it).
    if (row.platform !== sender.platform || taken(row)) continue;
    let message: OutboxMessage;
    try {
      message = await routedOutboxMessage(db, row);
    } catch {
      continue; // the one-by-one path fails it with its reason
    }
    const target = JSON.stringify(message.target);
    if (sender.batchKeyOf!(message) !== key || targets.has(target)) continue;
    targets.add(target);
    batch.push(message);
  }
  return { batch, cut: batch.length < max };
}
