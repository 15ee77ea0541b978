import type { Db } from '../../db/client.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { RetryPolicy } from './outcome.js';
import type { Sender } from './sender.js';

/** What the outbox worker (worker.ts) sends with, and how. */
export interface OutboxWorkerOptions extends RetryPolicy {
  db: Db;
  senders: readonly Sender[];
  clock?: Clock;
  logger?: Logger;
  maxInFlight?: number;
  /** How often to look for due rows when nothing kicked the worker. */
  pollMs?: number;
  /**
   * For rows enqueued `quiet` (reminders): null when they may go now, else when quiet hours end for this key.
   * Without it quiet rows are sent like any other.
   */
  quietUntil?: (now: Date, idempotencyKey: string) => Date | null;
  /** This instance among several on one PostgreSQL database (config INSTANCE_ID): who holds the rows it claims. */
  instanceId?: string;
  /** How long a claim holds its rows before another instance may take them (claims.ts DEFAULT_LEASE_MS). */
  leaseMs?: number;
}
