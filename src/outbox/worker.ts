import { transaction } from '../../db/statements.js';
import { systemClock, type Clock } from '../clock.js';
import { silentLogger, type Logger } from '../logger.js';
import { recordOutcome } from './outcome.js';
import { LaneCounts, LookLanes, laneOf, newcomersWaiting, newestLaneHeads, walkLanes } from './lanes.js';
import { dueRows, type DueRow, nextDueAfter, nextDueAt, stillPending } from './store.js';
import type { OutboxMessage } from './outbox.js';
import { formBatch, routeRow } from './route.js';
import { IdleWaiters } from './idle.js';
import { RateLimiter, type Limit } from './rate-limit.js';
import { OutboxClaims } from './claims.js';
import { SharedLimits } from './shared-limits.js';
import { ReadyCalls, type ReadyCall } from './ready-calls.js';
import type { SendResult, Sender } from './sender.js';
import type { OutboxWorkerOptions } from './worker-options.js';
import { type LookStop, KICK_COALESCE_MS, LANE_STEPS, MAX_BLOCKED_PER_TICK, NEWEST_PER_TICK, READY_AHEAD_MS, READY_CALLS, READY_REFILL_AT, RECORD_BATCH_MS } from './worker-tuning.js';

export type { OutboxWorkerOptions } from './worker-options.js';

/**
 * Sends what the outbox holds, within each platform's limits. A row leaves `pending` only when the platform
 * accepted it or refused it for good; a crash mid-send leaves it pending, and the resend carries the same
 * dedupe token so the platform drops the copy.
 */
export class OutboxWorker {
  private readonly senders = new Map<string, Sender>();
  private readonly limiter: RateLimiter;
  /** On PostgreSQL rows are claimed before a call, and app-wide limits shared with every instance (shared-limits.ts). */
  private readonly claims: OutboxClaims;
  /** Calls blocked by a rate limit, built and waiting for their slot (rows held here are not in inFlight). */
  private readonly ready = new ReadyCalls(READY_CALLS);
  private readyTimer: NodeJS.Timeout | null = null;
  private lastLook: LookStop = 'pageEnd';
  /** Rows being sent or waiting for their outcome to be written. */
  private readonly inFlight = new Set<number>();
  /** Rows in calls not answered yet, per lane: the lane's next row waits for the answer (a recipient's order). */
  private readonly unanswered = new LaneCounts();
  /** Lanes a look skipped because a row of theirs was out: a look follows that row's answer. */
  private readonly lanesWaiting = new Set<string>();
  /** Where the next walk over the lanes starts (each look walks a few; every lane is reached in turn). */
  private laneCursor = '';
  /** When the oldest due row the last look read fell due: rows due after it are newcomers (a chat reply). */
  private backlogSince = -Infinity;
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
  /** A look asked for while one was under way (where reads wait on a server; a SQLite look never yields). */
  private tickAgain = false;
  /** Rows whose outcome was written during a look, which may have read them as pending: not sent again. */
  private readonly settledDuringLook = new Set<number>();
  private readonly idle: IdleWaiters;
  private outcomes: { message: OutboxMessage; result: SendResult; at: Date }[] = [];
  private recordTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: OutboxWorkerOptions) {
    for (const s of options.senders) this.senders.set(s.platform, s);
    this.maxBatch = Math.max(1, ...options.senders.map((s) => (s.sendBatch ? s.maxBatch ?? 1 : 1)));
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.idle = new IdleWaiters(() => this.isIdle(), this.logger);
    this.claims = new OutboxClaims(options.db, this.logger, options.instanceId, options.leaseMs);
    this.limiter = new RateLimiter(this.claims.enabled ? new SharedLimits(options.db, this.clock, this.logger, () => this.armReady()) : undefined);
  }

  start(): void {
    this.running = true;
    this.kick();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.readyTimer) clearTimeout(this.readyTimer);
    this.readyTimer = null;
    this.ready.clear();
    this.lanesWaiting.clear();
    // A look under way (its reads wait on a PostgreSQL server) ends before stop resolves: it must route no row after.
    while (this.ticking || this.inFlight.size > 0) await new Promise((r) => setTimeout(r, 10));
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
    return this.idle.wait();
  }

  private async isIdle(): Promise<boolean> {
    if (this.inFlight.size > 0) return false;
    const due = await nextDueAt(this.options.db);
    return !due || due.getTime() > this.clock.now().getTime();
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextTickAt = performance.now() + Math.max(0, delayMs);
    this.timer = setTimeout(() => void this.tick(), Math.max(0, delayMs));
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    this.tickAgain = false;
    this.settledDuringLook.clear();
    let nextWake = this.options.pollMs ?? 1000;
    try {
      const now = this.clock.now().getTime();
      // Calls held ready go first, in their order, where their slots are free.
      await this.sendReady(now);
      nextWake = Math.min(nextWake, await this.lookAtRows(now));
      // Rows due now but held back by a rate limit are covered by the limiter's wait; looking again every
      // millisecond until then only burns the CPU the sends need (and delays their answers).
      const due = await nextDueAfter(this.options.db, new Date(now));
      if (due) nextWake = Math.min(nextWake, due.getTime() - now);
    } catch (error) {
      this.logger.error({ err: error }, 'outbox tick failed');
    } finally {
      this.ticking = false;
    }
    this.armReady();
    this.schedule(this.tickAgain ? 0 : nextWake);
    await this.idle.check();
  }

  /**
   * Reads due rows and, for each, sends its call if a slot is free, else builds it and holds it ready (up to
   * ReadyCalls' capacity). Fair between recipients: a row blocked by a limit holds its lane and the lanes the
   * limit covers for the rest of the look, and when held lanes fill the rows read, the look walks on lane by lane
   * (src/outbox/lanes.ts). Each lane sends one row at a time, oldest first. Returns when to look again at the latest.
   */
  private async lookAtRows(now: number): Promise<number> {
    const { db } = this.options;
    const maxInFlight = this.options.maxInFlight ?? 20;
    const at = new Date(now);
    const free = maxInFlight - this.callsInFlight;
    if (free <= 0) {
      this.lastLook = 'callsFull';
      return 5;
    }
    // Rows being sent or held ready are still pending in the table: read past them, enough for the free call
    // slots and for the calls that may be built ahead.
    const page = this.inFlight.size + this.ready.rows + Math.min((free * 5 + this.ready.capacity - this.ready.size) * this.maxBatch, 1000);
    const fifo = await dueRows(db, at, page, this.claims.instanceId);
    const moreThanRead = fifo.length >= page;
    // A full page, or calls held ready for the limiter, mean a backlog (a broadcast): then the lanes of the most
    // recently due rows go first too, so a chat reply is not queued behind thousands of rows. Without one, strictly
    // oldest first.
    const backlog = moreThanRead || this.ready.size > 0;
    const lanes = new LookLanes(this.busyLanes(), this.claims.instanceId, this.claims.enabled);
    this.backlogSince = fifo[0]?.nextAttemptAt ?? -Infinity;
    const urgent = backlog ? await newestLaneHeads(db, at, NEWEST_PER_TICK, lanes, this.backlogSince) : [];
    const candidates = [...urgent.map((u) => u.head), ...fifo];
    const seen = new Set<number>();
    let blocked = 0;
    let walked = false;
    let nextWake = Infinity;
    for (let index = 0; ; index++) {
      if (index >= candidates.length || (!walked && blocked >= MAX_BLOCKED_PER_TICK)) {
        // The rows read are used up and some lanes were held (they may hold thousands of rows more): the oldest
        // row of each lane beyond, a lane at a time, so other recipients' rows go now.
        if (walked || !(lanes.heldAny || lanes.skippedAny) || (!moreThanRead && blocked < MAX_BLOCKED_PER_TICK)) break;
        walked = true;
        index = candidates.length;
        const walk = await walkLanes(db, at, this.laneCursor, LANE_STEPS, lanes);
        this.laneCursor = walk.next;
        candidates.push(...walk.rows);
        if (index >= candidates.length) break;
      }
      if (!this.running) break;
      if (this.callsInFlight >= maxInFlight) {
        this.lastLook = 'callsFull';
        return Math.min(nextWake, 5);
      }
      const row = candidates[index];
      if (this.taken(row.id) || seen.has(row.id)) continue;
      const lane = laneOf(row);
      if (lanes.skips(lane)) {
        if (lanes.busy.has(lane)) this.lanesWaiting.add(lane);
        continue;
      }
      seen.add(row.id);
      const prepared = await routeRow(this.options, this.senders, row, this.claims.lease(at));
      if (!prepared) continue;
      const { sender, message, limits } = prepared;
      const wait = this.limiter.wait(limits, now);
      // A lane of the newest few in a backlog (a chat reply) goes ahead of calls held ready for a broadcast.
      const urgentDueAt = index < urgent.length ? urgent[index].dueAt : undefined;
      if (wait > 0 && urgentDueAt === undefined && (wait > READY_AHEAD_MS || this.ready.full)) {
        nextWake = Math.min(nextWake, Math.max(1, wait - READY_AHEAD_MS));
        this.lastLook = this.ready.full ? 'readyFull' : 'limited';
        // Its lane waits, and so do the lanes a full limit covers (all of an app's on an app-wide limit).
        const full = this.limiter.fullLimits(limits, now);
        if (!lanes.hold(lane, full)) blocked++;
        continue;
      }
      // A quiet row (a reminder) joins a call only when it may go now, as it would on its own.
      const taken = (r: DueRow) =>
        this.taken(r.id) || seen.has(r.id) || lanes.skips(laneOf(r)) || (r.quiet === 1 && this.options.quietUntil?.(at, r.idempotencyKey) != null);
      const { batch, cut } = await formBatch(db, sender, message, candidates, index + 1, taken);
      for (const m of batch) seen.add(m.id);
      // The page ends inside this call (it holds the last row read): a later look, reading past it, builds it whole.
      // Only then, and only while other calls move the page on: waiting on short calls stalled whole backlogs.
      if (cut && moreThanRead && !walked && batch.some((m) => m.id === fifo.at(-1)?.id) && (this.callsInFlight > 0 || this.ready.size > 0)) continue;
      for (const m of batch) lanes.busy.add(m.lane!);
      // Reserved only now: forming the batch (reads on PostgreSQL) may have let a ready call take the slot `wait` saw.
      if (wait > 0 || this.limiter.reserve(limits, now) > 0) {
        // Built now, sent the moment its slot frees (armReady), without another look at the table.
        this.ready.add({ sender, limits, batch, urgentDueAt });
        continue;
      }
      this.call(sender, batch, limits, now);
    }
    if (!lanes.heldAny) this.lastLook = moreThanRead ? 'pageEnd' : 'done';
    return nextWake;
  }

  /** A row being sent, held ready, or settled since this look read it. */
  private taken(id: number): boolean {
    return this.inFlight.has(id) || this.ready.holds(id) || this.settledDuringLook.has(id);
  }

  /** Lanes with a row out (held ready, or sent and not answered yet): their next row waits. */
  private busyLanes(): Set<string> {
    const busy = new Set(this.unanswered.lanes());
    for (const lane of this.ready.lanes()) busy.add(lane);
    return busy;
  }

  /** Wakes dispatchReady when the first ready call's slot frees. Called again whenever an answer re-times the slots. */
  private armReady(): void {
    if (this.readyTimer) clearTimeout(this.readyTimer);
    this.readyTimer = null;
    // With every call slot taken, the next answer re-arms it (deliver).
    if (!this.running || this.ready.size === 0 || this.callsInFlight >= (this.options.maxInFlight ?? 20)) return;
    const now = this.clock.now().getTime();
    let wait = Infinity;
    for (const call of this.ready.each()) wait = Math.min(wait, this.limiter.wait(call.limits, now));
    this.readyTimer = setTimeout(() => void this.dispatchReady(), wait);
  }

  /** Sends the ready calls whose slots are free now, in order; asks for a look at the table when few are left. */
  private async dispatchReady(): Promise<void> {
    this.readyTimer = null;
    if (!this.running) return;
    let newcomers = false;
    try {
      const now = this.clock.now();
      await this.sendReady(now.getTime());
      // Rows enqueued without a kick (by the CLI, another process) still get the newest rows' lane.
      newcomers = await newcomersWaiting(this.options.db, now, NEWEST_PER_TICK, this.backlogSince, this.busyLanes(), this.claims.instanceId);
    } catch (error) {
      this.logger.error({ err: error }, 'outbox: sending ready calls failed');
    }
    if (newcomers || (this.ready.size <= READY_REFILL_AT && this.lastLook !== 'done' && this.lastLook !== 'limited')) this.kick();
    this.armReady();
  }

  private async sendReady(now: number): Promise<void> {
    const maxInFlight = this.options.maxInFlight ?? 20;
    let calls = this.callsInFlight;
    const due = this.ready.takeWhile((call) => {
      if (calls >= maxInFlight) return 'stop';
      if (this.limiter.reserve(call.limits, now) > 0) return 'keep';
      calls++;
      return 'take';
    });
    // Out of the ready queue: in flight (their calls counted) while their rows are checked against the table.
    this.callsInFlight += due.length;
    for (const call of due) for (const m of call.batch) this.inFlight.add(m.id);
    for (const call of due) await this.send(call, now);
  }

  /** A ready call, in flight, whose slot was reserved at `reservedAt`: its rows may have been cancelled since read. */
  private async send(call: ReadyCall, reservedAt: number): Promise<void> {
    let batch: OutboxMessage[];
    try {
      // A claim (PostgreSQL) checks that rows are still pending itself.
      const pending = this.claims.enabled ? null : await stillPending(this.options.db, call.batch.map((m) => m.id));
      batch = call.batch.filter((m) => !pending || pending.has(m.id));
    } catch (error) {
      batch = [];
      this.logger.error({ err: error }, 'outbox: could not check ready rows; a later look reads them again');
    }
    this.callsInFlight--;
    for (const m of call.batch) if (!batch.includes(m)) this.inFlight.delete(m.id);
    if (batch.length === 0) {
      // Its slot goes unused: give it back, or it would stay taken for good.
      this.limiter.release(call.limits, reservedAt, this.clock.now().getTime());
      return;
    }
    this.call(call.sender, batch, call.limits, reservedAt);
  }

  /** Makes the platform call for rows whose slot is reserved (at `reservedAt`). */
  private call(sender: Sender, batch: OutboxMessage[], limits: readonly Limit[], reservedAt: number): void {
    for (const m of batch) {
      this.inFlight.add(m.id);
      this.unanswered.add(m.lane!);
    }
    this.callsInFlight++;
    void this.deliver(sender, batch, limits, reservedAt);
  }

  private async deliver(sender: Sender, call: OutboxMessage[], limits: readonly Limit[], reservedAt: number): Promise<void> {
    const batch = await this.claimed(call, limits, reservedAt);
    if (batch.length === 0) return;
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
      this.limiter.release(limits, reservedAt, answeredAt.getTime());
      // Paused now, not when the outcome is written: a tick in between would send into the full window again.
      if (overLimit.retryAfterMs) this.limiter.pause(overLimit.pauseKey!, answeredAt.getTime() + overLimit.retryAfterMs);
    } else this.limiter.settle(limits, reservedAt, answeredAt.getTime());
    // The platform has these rows now (or refused them): each lane's next row may follow. The rows themselves stay
    // in flight until their outcome is written, so no look sends them again.
    let laneFreed = false;
    for (const m of batch) {
      this.unanswered.remove(m.lane!);
      if (this.lanesWaiting.delete(m.lane!)) laneFreed = true;
    }
    if (laneFreed) this.kick();
    // The answer fixes when its slot reopens, and frees a call slot: time the ready calls by it.
    this.armReady();
    // Outcomes are written a few at a time, in one transaction (a commit each made SQLite checkpoint and fsync every
    // few hundred sends). The row stays in flight until written; a crash before leaves it pending, resent with its token.
    batch.forEach((message, i) => this.outcomes.push({ message, result: results[i], at: answeredAt }));
    this.recordTimer ??= setTimeout(() => void this.recordOutcomes(), RECORD_BATCH_MS);
  }

  /** The rows of a call this instance holds (PostgreSQL: claims.ts); the others leave it, and an empty call frees its slot. */
  private async claimed(call: OutboxMessage[], limits: readonly Limit[], reservedAt: number): Promise<OutboxMessage[]> {
    const batch = await this.claims.claim(call, this.clock.now());
    if (batch.length === call.length) return batch;
    for (const m of call) {
      if (batch.includes(m)) continue;
      this.inFlight.delete(m.id);
      this.unanswered.remove(m.lane!);
    }
    if (batch.length === 0) {
      this.callsInFlight--;
      this.limiter.release(limits, reservedAt, this.clock.now().getTime());
      this.armReady();
    }
    return batch;
  }

  private async recordOutcomes(): Promise<void> {
    this.recordTimer = null;
    const batch = this.outcomes;
    this.outcomes = [];
    try {
      await transaction(this.options.db, async (tx) => {
        for (const o of batch) await recordOutcome(tx, o, this.options, this.limiter, this.logger, this.claims.lease(o.at));
      });
    } catch (error) {
      this.logger.error({ err: error, rows: batch.length }, 'outbox: recording send outcomes failed; the rows stay pending');
    } finally {
      for (const o of batch) this.inFlight.delete(o.message.id);
      if (this.ticking) for (const o of batch) this.settledDuringLook.add(o.message.id);
      // Rows due again (retries), or a call slot free for rows the last look could not send: look again. Otherwise
      // a look would only re-read rows that wait for the limiter (their look is timed) or are in flight already.
      const retry = batch.some((o) => o.result.status === 'retry');
      if (retry || this.lastLook === 'callsFull' || this.lastLook === 'pageEnd') this.kick();
      else await this.idle.check();
    }
  }
}
