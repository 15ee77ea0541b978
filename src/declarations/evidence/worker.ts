/**
 * Downloads pending evidence outside any event transaction, like the outbox worker sends: claim a few due rows
 * (each under a lease), fetch each from its platform, check and store it, and record the outcome in one short
 * transaction. A failed download is tried again with backoff; a crash mid-download leaves the row pending, due
 * again when its lease ends, and its temp file is swept at the next start.
 */
import { type Db } from '../../../db/client.js';
import { transaction } from '../../../db/statements.js';
import { systemClock, type Clock } from '../../clock.js';
import { silentLogger, type Logger } from '../../logger.js';
import { messagesFor } from '../../bot/i18n/index.js';
import { enqueue } from '../../outbox/store.js';
import { IdleWaiters } from '../../outbox/idle.js';
import { flagEvidenceDuplicates } from '../service.js';
import { keep, receive, sweepIncoming, type Received } from './files.js';
import type { ResourceSource } from './source.js';
import { evidenceRegistrations } from './register.js';
import { claimDue, markRejected, markRetry, markStored, nextDueAt, type EvidenceRow } from './store.js';

export interface EvidenceWorkerOptions {
  db: Db;
  sources: readonly ResourceSource[];
  /** EVIDENCE_DIR (see evidenceDirFor). */
  dir: string;
  /** MAX_EVIDENCE_BYTES. */
  maxBytes: number;
  /** Transport time: leases, retries, timeouts. */
  clock?: Clock;
  logger?: Logger;
  /** A rejection notice was queued in the outbox. */
  onEnqueued?: () => void;
  pollMs?: number;
  maxInFlight?: number;
  /** Tries before a download that keeps failing is given up (and the teacher told). */
  maxAttempts?: number;
  backoffBaseMs?: number;
  maxBackoffMs?: number;
  /** A whole download must finish within this. */
  timeoutMs?: number;
  /** How long a claim holds a row: longer than timeoutMs, so a live download is never taken twice. */
  leaseMs?: number;
}

type Outcome =
  | { kind: 'stored'; received: Extract<Received, { ok: true }> }
  | { kind: 'rejected'; reason: string; size: number | null }
  | { kind: 'retry'; error: string };

const t = messagesFor('zh-CN').declarations.evidence;

export class EvidenceWorker {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly sources = new Map<string, ResourceSource>();
  private readonly platforms: string[];
  private readonly inFlight = new Set<Promise<void>>();
  /** Downloads under way, cut short by stop(). */
  private readonly downloads = new Set<AbortController>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly idle: IdleWaiters;
  private registrationsSeen = 0;
  private looking = false;
  private lookAgain = false;
  /** A look is set to run at once (a kick, or a look asked for during one): not idle until it has run. */
  private lookDue = false;

  constructor(private readonly options: EvidenceWorkerOptions) {
    for (const s of options.sources) this.sources.set(s.platform, s);
    this.platforms = [...this.sources.keys()];
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.idle = new IdleWaiters(() => this.isIdle(), this.logger);
  }

  start(): void {
    this.running = true;
    sweepIncoming(this.options.dir, this.clock.now().getTime(), this.leaseMs);
    this.kick();
  }

  /**
   * Stops claiming and cuts the downloads under way short (a stalled one would hold shutdown up to its timeout);
   * their rows are released to be tried again at once by the next start.
   */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.lookDue = false;
    for (const c of this.downloads) c.abort(new Error('stopped while downloading'));
    await Promise.allSettled([...this.inFlight]);
  }

  /** Something was registered: look now. */
  kick(): void {
    if (this.running) this.schedule(0);
  }

  /**
   * After events were handled: look now only if one of them registered evidence. The bot calls this after
   * every slice it commits; under a burst of ordinary messages a look each time (two queries) was a cost the
   * acks paid for nothing. Rows due later are found by the regular poll.
   */
  kickIfRegistered(): void {
    const registered = evidenceRegistrations(this.options.db);
    if (registered === this.registrationsSeen) return;
    this.registrationsSeen = registered;
    this.kick();
  }

  /** Resolves when nothing is being downloaded and no pending row is due (tests, shutdown). */
  whenIdle(): Promise<void> {
    return this.idle.wait();
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? Math.max(120_000, this.timeoutMs * 2);
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 60_000;
  }

  private async isIdle(): Promise<boolean> {
    if (this.inFlight.size > 0 || this.looking || this.lookDue) return false;
    const due = await nextDueAt(this.options.db, this.platforms);
    return !due || due.getTime() > this.clock.now().getTime();
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.lookDue = delayMs <= 0;
    this.timer = setTimeout(() => void this.tick(), Math.max(0, delayMs));
  }

  private async tick(): Promise<void> {
    this.timer = null;
    this.lookDue = false;
    // One look at a time: a kick during a look's database round trips waits for it (two looks would each count
    // the same free slots and claim past maxInFlight).
    if (this.looking) {
      this.lookAgain = true;
      return;
    }
    this.looking = true;
    let wake = this.options.pollMs ?? 1000;
    try {
      const free = (this.options.maxInFlight ?? 4) - this.inFlight.size;
      const now = this.clock.now();
      if (free > 0) {
        // In a transaction of its own: on SQLite a write outside one would land in whichever event's transaction
        // is open on the connection at that moment, and be rolled back with it.
        const claimed = await transaction(this.options.db, (tx) => claimDue(tx, this.platforms, now, new Date(now.getTime() + this.leaseMs), free));
        for (const row of claimed) {
          const job = this.process(row).finally(() => {
            this.inFlight.delete(job);
            this.kick();
          });
          this.inFlight.add(job);
        }
      }
      const due = await nextDueAt(this.options.db, this.platforms);
      if (due) wake = Math.min(wake, Math.max(1, due.getTime() - now.getTime()));
    } catch (error) {
      this.logger.error({ err: error }, 'evidence tick failed');
    } finally {
      this.looking = false;
    }
    if (this.lookAgain) {
      this.lookAgain = false;
      wake = 0;
    }
    this.schedule(wake);
    await this.idle.check();
  }

  private async process(row: EvidenceRow): Promise<void> {
    const outcome = await this.download(row);
    try {
      await this.record(row, outcome);
    } catch (error) {
      // The row keeps its lease and is taken again when it ends; a stored file is found by its hash then.
      this.logger.error({ err: error, evidenceId: row.id }, 'evidence: recording the outcome failed');
    }
  }

  private async download(row: EvidenceRow): Promise<Outcome> {
    const source = this.sources.get(row.platform)!;
    const controller = new AbortController();
    this.downloads.add(controller);
    const timer = setTimeout(() => controller.abort(new Error(`download took over ${this.timeoutMs} ms`)), this.timeoutMs);
    try {
      const opened = await source.open({ messageId: row.messageId, key: row.platformKey, kind: row.kind }, controller.signal);
      if (!opened.ok) return opened.permanent ? { kind: 'rejected', reason: t.refusedByPlatform, size: null } : { kind: 'retry', error: opened.error };
      const { maxBytes, dir } = this.options;
      if (opened.size !== undefined && opened.size > maxBytes) {
        controller.abort();
        return { kind: 'rejected', reason: t.tooBig(maxBytes), size: opened.size };
      }
      const received = await receive(opened.body, { dir, maxBytes });
      if (received.ok) return { kind: 'stored', received };
      const reason = received.reason === 'too_big' ? t.tooBig(maxBytes) : received.reason === 'empty' ? t.empty : t.badType;
      return { kind: 'rejected', reason, size: received.reason === 'too_big' ? null : received.size };
    } catch (error) {
      return { kind: 'retry', error: controller.signal.aborted ? String(controller.signal.reason) : String(error) };
    } finally {
      clearTimeout(timer);
      this.downloads.delete(controller);
    }
  }

  private async record(row: EvidenceRow, outcome: Outcome): Promise<void> {
    const { db } = this.options;
    const now = this.clock.now();
    if (outcome.kind === 'stored') {
      keep(this.options.dir, outcome.received);
      const { sha256, size, mime } = outcome.received;
      await transaction(db, async (tx) => {
        const stored = await markStored(tx, row.id, { sha256, size, mime }, now);
        // Already part of a declaration (the download finished after submission): flag the same file elsewhere
        // now. Before submission the core checks the hashes itself when the declaration takes the file.
        if (stored?.declarationId) await flagEvidenceDuplicates(tx, stored.declarationId, [sha256]);
      });
      this.logger.info({ evidenceId: row.id, size, mime }, 'evidence stored');
      return;
    }
    if (outcome.kind === 'retry' && (!this.running || row.attempts < (this.options.maxAttempts ?? 6))) {
      const delay = this.running ? this.backoff(row.attempts) : 0;
      await transaction(db, (tx) => markRetry(tx, row.id, outcome.error, new Date(now.getTime() + delay)));
      this.logger.info({ evidenceId: row.id, error: outcome.error, attempts: row.attempts, retryInMs: delay }, 'evidence download will be retried');
      return;
    }
    const reason = outcome.kind === 'rejected' ? outcome.reason : t.downloadFailed;
    const size = outcome.kind === 'rejected' ? outcome.size : null;
    let told = false;
    await transaction(db, async (tx) => {
      if (!(await markRejected(tx, row.id, reason, size))) return;
      told = (await enqueue(tx, [rejectionNotice(row, reason)], now)) > 0;
    });
    this.logger.warn({ evidenceId: row.id, reason, error: outcome.kind === 'retry' ? outcome.error : undefined }, 'evidence rejected');
    if (told) this.options.onEnqueued?.();
  }

  /** Retry n waits base·2ⁿ⁻¹ (jittered), capped. */
  private backoff(attempts: number): number {
    const base = this.options.backoffBaseMs ?? 5_000;
    const capped = Math.min(this.options.maxBackoffMs ?? 10 * 60_000, base * 2 ** Math.max(0, attempts - 1));
    return Math.round(capped * (0.8 + Math.random() * 0.4));
  }

}

/** Told to the sender, where they sent it from; once per file. */
function rejectionNotice(row: EvidenceRow, reason: string) {
  return {
    platform: row.platform,
    target: { type: 'user' as const, accountId: row.accountId },
    reply: { text: t.rejected(row.kind, row.fileName, reason), tone: 'warning' as const },
    idempotencyKey: `evidence:${row.id}:rejected`,
    origin: `evidence:${row.id}`,
  };
}
