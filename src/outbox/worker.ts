import type { Db } from '../../db/client.js';
import { systemClock, type Clock } from '../clock.js';
import { silentLogger, type Logger } from '../logger.js';
import { dueMessages, markFailed, markRetry, markSent, nextDueAt, type OutboxMessage } from './outbox.js';
import { RateLimiter } from './rate-limit.js';
import type { SendResult, Sender } from './sender.js';

export interface OutboxWorkerOptions {
  db: Db;
  senders: readonly Sender[];
  clock?: Clock;
  logger?: Logger;
  maxInFlight?: number;
  maxAttempts?: number;
  /** How often to look for due rows when nothing kicked the worker. */
  pollMs?: number;
  /** Backoff base; attempt n waits base·2ⁿ (jittered), capped at maxBackoffMs. */
  backoffBaseMs?: number;
  maxBackoffMs?: number;
}

/**
 * Sends what the outbox holds, within each platform's limits. A row leaves `pending` only when the platform
 * accepted it or refused it for good; a crash mid-send leaves it pending, and the resend carries the same
 * dedupe token so the platform drops the copy.
 */
export class OutboxWorker {
  private readonly senders = new Map<string, Sender>();
  private readonly limiter = new RateLimiter();
  private readonly inFlight = new Set<number>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private ticking = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: OutboxWorkerOptions) {
    for (const s of options.senders) this.senders.set(s.platform, s);
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

  /** Something was enqueued: look now rather than at the next poll. */
  kick(): void {
    if (!this.running) return;
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
    this.timer = setTimeout(() => this.tick(), Math.max(0, delayMs));
  }

  private tick(): void {
    if (this.ticking || !this.running) return;
    this.ticking = true;
    let nextWake = this.options.pollMs ?? 1000;
    try {
      const maxInFlight = this.options.maxInFlight ?? 20;
      const now = this.clock.now().getTime();
      const candidates = dueMessages(this.options.db, new Date(now), maxInFlight * 5);
      for (const message of candidates) {
        if (this.inFlight.size >= maxInFlight) {
          nextWake = Math.min(nextWake, 5);
          break;
        }
        if (this.inFlight.has(message.id)) continue;
        const sender = this.senders.get(message.platform);
        if (!sender) {
          markFailed(this.options.db, message.id, `no sender for platform ${message.platform}`);
          continue;
        }
        const wait = this.limiter.reserve(sender.limitsFor(message), now);
        if (wait > 0) {
          nextWake = Math.min(nextWake, wait);
          continue;
        }
        this.inFlight.add(message.id);
        void this.deliver(sender, message);
      }
      const due = nextDueAt(this.options.db);
      if (due) nextWake = Math.min(nextWake, Math.max(1, due.getTime() - now));
    } catch (error) {
      this.logger.error({ err: error }, 'outbox tick failed');
    } finally {
      this.ticking = false;
    }
    this.schedule(nextWake);
    this.notifyIfIdle();
  }

  private async deliver(sender: Sender, message: OutboxMessage): Promise<void> {
    let result: SendResult;
    try {
      result = await sender.send(message);
    } catch (error) {
      result = { status: 'retry', error: String(error) };
    }
    try {
      this.record(message, result);
    } finally {
      this.inFlight.delete(message.id);
      this.kick();
    }
  }

  private record(message: OutboxMessage, result: SendResult): void {
    const { db } = this.options;
    const now = this.clock.now();
    if (result.status === 'sent') {
      markSent(db, message.id, now, result.platformMessageId);
      return;
    }
    const attempts = message.attempts + 1;
    if (result.status === 'failed' || attempts >= (this.options.maxAttempts ?? 10)) {
      markFailed(db, message.id, result.error);
      this.logger.warn({ id: message.id, platform: message.platform, error: result.error, attempts }, 'outbox message failed for good');
      return;
    }
    if (result.pauseKey && result.retryAfterMs) this.limiter.pause(result.pauseKey, now.getTime() + result.retryAfterMs);
    const delay = result.retryAfterMs ?? this.backoff(attempts);
    markRetry(db, message.id, result.error, new Date(now.getTime() + delay));
    this.logger.info({ id: message.id, platform: message.platform, error: result.error, retryInMs: delay }, 'outbox send will be retried');
  }

  private backoff(attempts: number): number {
    const base = this.options.backoffBaseMs ?? 1000;
    const capped = Math.min(this.options.maxBackoffMs ?? 60_000, base * 2 ** (attempts - 1));
    return Math.round(capped * (0.8 + Math.random() * 0.4));
  }

  private notifyIfIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
