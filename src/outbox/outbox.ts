import { createHash } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { TargetSchema, type Reply, type Target } from '../core/messages.js';
import { laneOf } from './lanes.js';
import { dueRows, replyOf, type DueRow } from './store.js';


export interface OutboxMessage {
  id: number;
  platform: string;
  target: Target;
  reply: Reply;
  idempotencyKey: string;
  /** A short, platform-safe dedupe token derived from the key (Feishu `uuid` takes ≤ 50 chars). */
  dedupeToken: string;
  attempts: number;
  /** Earlier attempts whose outcome is unknown (see SendResult.outcomeUnknown). */
  unknownOutcomes?: number;
  /** The recipient's queue (outbox.lane), for rows read by the worker. */
  lane?: string;
}

export function dedupeTokenOf(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
}

export async function dueMessages(db: Db, now: Date, limit: number): Promise<OutboxMessage[]> {
  const messages: OutboxMessage[] = [];
  for (const row of await dueRows(db, now, limit)) messages.push(toOutboxMessage({ ...row, reply: await replyOf(db, row.id) }));
  return messages;
}

/** Reads a row's JSON; throws on a row that cannot be a message. */
export function toOutboxMessage(
  row: Pick<DueRow, 'id' | 'platform' | 'target' | 'idempotencyKey' | 'attempts'> & { unknownOutcomes?: number; reply: string | Reply },
): OutboxMessage {
  return {
    unknownOutcomes: row.unknownOutcomes ?? 0,
    id: row.id,
    platform: row.platform,
    target: TargetSchema.parse(JSON.parse(row.target)),
    reply: typeof row.reply === 'string' ? (JSON.parse(row.reply) as Reply) : row.reply,
    idempotencyKey: row.idempotencyKey,
    dedupeToken: dedupeTokenOf(row.idempotencyKey),
    attempts: row.attempts,
  };
}

/**
 * A due row as the worker routes it: its target is read first (a bad one throws before the reply is read, and the
 * worker fails that row), then its reply (the due rows a look reads carry none); the dedupe token is computed when
 * first used, by the sender, for the rows that get sent.
 */
export async function routedOutboxMessage(db: Db, row: DueRow): Promise<OutboxMessage> {
  const target = TargetSchema.parse(JSON.parse(row.target));
  const reply = await replyOf(db, row.id);
  let token: string | undefined;
  return {
    id: row.id,
    platform: row.platform,
    target,
    reply,
    idempotencyKey: row.idempotencyKey,
    attempts: row.attempts,
    unknownOutcomes: row.unknownOutcomes,
    lane: laneOf(row),
    get dedupeToken() {
      return (token ??= dedupeTokenOf(row.idempotencyKey));
    },
  };
}
