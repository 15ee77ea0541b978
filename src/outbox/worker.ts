import { type Db } from '../../db/client.js';
import { inTransaction } from '../../db/statements.js';
import { systemClock, type Clock } from '../clock.js';
import { silentLogger, type Logger } from '../logger.js';
import { dueRows, lazyOutboxMessage, type DueRow, markFailed, markRetry, markSent, newestDueRows, nextDueAt, postpone, type OutboxMessage } from './outbox.js';
import { RateLimiter, type Limit } from './rate-limit.js';
import type { SendResult, Sender } from './sender.js';

const NEWEST_PER_TICK = 5;
/** Send outcomes are written together after this long (one transaction instead of one per message). */
const RECORD_BATCH_MS = 3;
/** Candidates a tick may find blocked by the rate limiter before it stops reading rows. */
const MAX_BLOCKED_PER_TICK = 8;
/** A kick within this long of a look already scheduled waits for that look. */
const KICK_COALESCE_MS = 25;
/** last_error of a message given up after two sends whose outcome is unknown (the report shows it as its reason). */
export const UNKNOWN_TWICE = 'outcome unknown twice (timed out or cut off after the request was sent); not sent again';

export interface OutboxWorkerOptions {
  db: Db;
  senders: readonly Sender[];
  clock?: Clock;
  logger?: Logger;
  maxInFlight?: number;
  maxAttempts?: number;
  /** How often to look for due rows when nothing kicked the worker. */
  pollMs?: number;
  /**
   * Wait before the first retry of a transient failure (a 5xx, a dropped connection). Short by default: the
   * rate limiter already spaces calls, and a broadcast's last window must not wait a whole backoff for one
   * failed call. A platform that keeps failing gets the exponential backoff from the second retry on.
   */
  firstRetryMs?: number;
  /** Backoff base; retry n ≥ 2 waits base·2ⁿ⁻² (jittered), capped at maxBackoffMs. */
  backoffBaseMs?: number;
  maxBackoffMs?: number;
  /**
   * For rows enqueued `quiet` (reminders): null when they may go now, else when quiet hours end for this key.
   * Without it quiet rows are sent like any other.
   */
  quietUntil?: (now: Date, idempotencyKey: string) => Date | null;
}

/**
 * Sends what the outbox holds, within each platform's limits. A row leaves `pending` only when the platform
 * accepted it or refused it for good; a crash mid-send leaves it pending, and the resend carries the same
 * dedupe token so the platform drops the copy.
 */
export class OutboxWorker {
  private readonly senders = new Map<string, Sender>();
  private readonly limiter = new RateLimiter();
  /** Rows being sent or waiting for their outcome to be written. */
  private readonly inFlight = new Set<number>();
  /** Platform calls under way (a batch is one call for many rows): what maxInFlight limits. */
  private callsInFlight = 0;
  /** The most rows any sender puts in one call. */
  private readonly maxBatch: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | null = null;
  private nextTickAt = 0;
  private running = false;
  private ticking = false;
  private idleWaiters: (() => void)[] = [];
  private outcomes: { message: OutboxMessage; result: SendResult; at: Date }[] = [];
  private recordTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: OutboxWorkerOptions) {
    for (const s of options.senders) this.senders.set(s.platform, s);
    this.maxBatch = Math.max(1, ...options.senders.map((s) => (s.sendBatch ? s.maxBatch ?? 1 : 1)));
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
  }

  start(): void {
    this.running = true;
    this.kick();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.inFlight.size > 0) await new Promise((r) => setTimeout(r, 10));
  }

  /**
   * Something was enqueued: look now rather than at the next poll — unless a look is due within
   * KICK_COALESCE_MS anyway (typically the rate limiter's next free slot). Under a burst the bot kicks after
   * every slice it handles and every batch of outcomes; each extra look re-read rows the limiter was holding.
   */
  kick(): void {
    if (!this.running) return;
    if (this.timer && this.nextTickAt - performance.now() <= KICK_COALESCE_MS) return;
    this.schedule(0);
  }

  /** Resolves when nothing is in flight and no pending row is due (tests, graceful shutdown). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    if (this.inFlight.size > 0) return false;
    const due = nextDueAt(this.options.db);
    return !due || due.getTime() > this.clock.now().getTime();
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextTickAt = performance.now() + Math.max(0, delayMs);
    this.timer = setTimeout(() => this.tick(), Math.max(0, delayMs));
  }

  private tick(): void {
    if (this.ticking || !this.running) return;
    this.ticking = true;
    let nextWake = this.options.pollMs ?? 1000;
    try {
      const { db } = this.options;
      const maxInFlight = this.options.maxInFlight ?? 20;
      const now = this.clock.now().getTime();
      const at = new Date(now);
      const free = maxInFlight - this.callsInFlight;
      if (free <= 0) {
        nextWake = Math.min(nextWake, 5);
      } else {
        // Rows being sent are still pending in the table: fetch enough to see past them.
        const page = this.inFlight.size + Math.min(free * 5 * this.maxBatch, 1000);
        const fifo = dueRows(db, at, page);
        // A full page means a backlog (a broadcast): then the most recently due rows go first too, so a chat
        // reply is not queued behind thousands of rows. Without one, strictly oldest first.
        const backlog = fifo.length >= page;
        const candidates = backlog ? [...newestDueRows(db, at, NEWEST_PER_TICK), ...fifo] : fifo;
        const seen = new Set<number>();
        let blocked = 0;
        for (let index = 0; index < candidates.length; index++) {
          const row = candidates[index];
          if (this.callsInFlight >= maxInFlight) {
            nextWake = Math.min(nextWake, 5);
            break;
          }
          if (this.inFlight.has(row.id) || seen.has(row.id)) continue;
          seen.add(row.id);
          const heldUntil = row.quiet ? this.options.quietUntil?.(at, row.idempotencyKey) : null;
          if (heldUntil) {
            // A reminder retried, or sent late after downtime, into the night: it waits for the morning.
            postpone(db, row.id, heldUntil);
            continue;
          }
          const sender = this.senders.get(row.platform);
          if (!sender) {
            markFailed(db, row.id, `no sender for platform ${row.platform}`);
            continue;
          }
          let message: OutboxMessage;
          try {
            message = lazyOutboxMessage(db, row);
          } catch (error) {
            // One unreadable row must not stop every tick after it.
            markFailed(db, row.id, `unreadable outbox row: ${String(error)}`);
            continue;
          }
          const limits = sender.limitsFor(message);
          const wait = this.limiter.reserve(limits, now);
          if (wait > 0) {
            nextWake = Math.min(nextWake, wait);
            // Usually an app-wide limit: the rest would wait too, so stop reading rows.
            if (++blocked >= MAX_BLOCKED_PER_TICK) break;
            continue;
          }
          const batch = this.batchFrom(sender, message, candidates, index + 1, seen);
          for (const m of batch) this.inFlight.add(m.id);
          this.callsInFlight++;
          void this.deliver(sender, batch, limits, now);
        }
      }
      // Rows due now but held back by a rate limit are covered by the limiter's wait above; looking again every
      // millisecond until then only burns the CPU the sends need (and delays their answers).
      const due = nextDueAt(db);
      if (due && due.getTime() > now) nextWake = Math.min(nextWake, due.getTime() - now);
    } catch (error) {
      this.logger.error({ err: error }, 'outbox tick failed');
    } finally {
      this.ticking = false;
    }
    this.schedule(nextWake);
    this.notifyIfIdle();
  }

  /**
   * The message, plus the later candidates its sender can carry in the same call (same batch key: one route and
   * one reply, e.g. a broadcast's rows to DingTalk users), up to the sender's maximum. They share one rate-limit
   * slot, because they are one call.
   */
  private batchFrom(sender: Sender, first: OutboxMessage, candidates: readonly DueRow[], from: number, seen: Set<number>): OutboxMessage[] {
    const max = sender.maxBatch ?? 1;
    if (!sender.sendBatch || max <= 1) return [first];
    const key = sender.batchKeyOf?.(first) ?? null;
    if (key === null) return [first];
    const batch = [first];
    for (let i = from; i < candidates.length && batch.length < max; i++) {
      const row = candidates[i];
      // Quiet rows are left to the one-by-one path, which knows when they may go.
      if (row.platform !== sender.platform || row.quiet || this.inFlight.has(row.id) || seen.has(row.id)) continue;
      let message: OutboxMessage;
      try {
        message = lazyOutboxMessage(this.options.db, row);
      } catch {
        continue; // the one-by-one path fails it with its reason
      }
      if (sender.batchKeyOf!(message) !== key || batch.some((m) => sameTarget(m, message))) continue;
      seen.add(row.id);
      batch.push(message);
    }
    return batch;
  }

  private async deliver(sender: Sender, batch: OutboxMessage[], limits: readonly Limit[], reservedAt: number): Promise<void> {
    let results: SendResult[];
    try {
      results = batch.length === 1 ? [await sender.send(batch[0])] : await sender.sendBatch!(batch);
      if (results.length !== batch.length) throw new Error(`sender answered ${results.length} results for ${batch.length} messages`);
    } catch (error) {
      results = batch.map(() => ({ status: 'retry', error: String(error) }));
    } finally {
      this.callsInFlight--;
    }
    // Refused as over the limit: the platform did not count the call, so neither do we. Otherwise it counted
    // somewhere between sending and answering: count it at the answer.
    const answeredAt = this.clock.now();
    const overLimit = results.find((r) => r.status === 'retry' && r.pauseKey);
    if (overLimit?.status === 'retry') {
      this.limiter.release(limits, reservedAt);
      // Paused now, not when the outcome is written: a tick in between would send into the full window again.
      if (overLimit.retryAfterMs) this.limiter.pause(overLimit.pauseKey!, answeredAt.getTime() + overLimit.retryAfterMs);
    } else this.limiter.settle(limits, reservedAt, answeredAt.getTime());
    // Outcomes are written a few at a time, in one transaction: a commit per message made SQLite checkpoint
    // (and fsync) every few hundred sends, stalling the event loop for tens of milliseconds each time. The row
    // stays in flight until written, so no tick picks it up again meanwhile; a crash before the write leaves it
    // pending, and the resend carries the same dedupe token.
    batch.forEach((message, i) => this.outcomes.push({ message, result: results[i], at: answeredAt }));
    this.recordTimer ??= setTimeout(() => this.recordOutcomes(), RECORD_BATCH_MS);
  }

  private recordOutcomes(): void {
    this.recordTimer = null;
    const batch = this.outcomes;
    this.outcomes = [];
    try {
      inTransaction(this.options.db, () => {
        for (const o of batch) this.record(o.message, o.result, o.at);
      });
    } catch (error) {
      this.logger.error({ err: error, rows: batch.length }, 'outbox: recording send outcomes failed; the rows stay pending');
    } finally {
      for (const o of batch) this.inFlight.delete(o.message.id);
      this.kick();
    }
  }

  private record(message: OutboxMessage, result: SendResult, now: Date): void {
    const { db } = this.options;
    if (result.status === 'sent') {
      markSent(db, message.id, now, result.platformMessageId);
      return;
    }
    const attempts = message.attempts + 1;
    const unknown = result.status === 'retry' && result.outcomeUnknown === true;
    if (unknown && (message.unknownOutcomes ?? 0) >= 1) {
      // Two requests may both have been delivered already; a third could only add another copy.
      markFailed(db, message.id, `${UNKNOWN_TWICE}: ${result.error}`, true);
      this.logger.warn({ id: message.id, platform: message.platform, error: result.error, attempts }, 'outbox message outcome unknown twice; not sent again');
      return;
    }
    if (result.status === 'failed' || attempts >= (this.options.maxAttempts ?? 10)) {
      markFailed(db, message.id, result.error, unknown);
      this.logger.warn({ id: message.id, platform: message.platform, error: result.error, attempts }, 'outbox message failed for good');
      return;
    }
    if (result.pauseKey && result.retryAfterMs) this.limiter.pause(result.pauseKey, now.getTime() + result.retryAfterMs);
    const delay = result.retryAfterMs ?? this.backoff(attempts);
    markRetry(db, message.id, result.error, new Date(now.getTime() + delay), unknown);
    if (unknown) this.logger.warn({ id: message.id, platform: message.platform, error: result.error }, 'outbox send outcome unknown (may have been delivered); trying once more');
    this.logger.info({ id: message.id, platform: message.platform, error: result.error, retryInMs: delay }, 'outbox send will be retried');
  }

  private backoff(attempts: number): number {
    if (attempts <= 1) return this.options.firstRetryMs ?? 0;
    const base = this.options.backoffBaseMs ?? 1000;
    const capped = Math.min(this.options.maxBackoffMs ?? 60_000, base * 2 ** (attempts - 2));
    return Math.round(capped * (0.8 + Math.random() * 0.4));
  }

  private notifyIfIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

function sameTarget(a: OutboxMessage, b: OutboxMessage): boolean {
  return JSON.stringify(a.target) === JSON.stringify(b.target);
}
