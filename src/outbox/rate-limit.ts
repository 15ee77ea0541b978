/** A limit of `limit` sends per `windowMs` on one key (an app, a user, a chat). */
export interface Limit {
  key: string;
  limit: number;
  windowMs: number;
  /**
   * Always count a call at its answer, however long the round trip (see RateLimiter.settle). For limits that
   * rarely bind (5 per second to one user), where the certainty is worth more than the rate.
   */
  countAtAnswer?: boolean;
  /**
   * The lanes (outbox.lane) every row of which this limit applies to: one lane (`feishu:user:ou_…`), or all lanes
   * with a prefix ending in ':' (`feishu:` for an app-wide limit). While it is full the worker skips those lanes'
   * rows without looking at each (src/outbox/lanes.ts). Leave it out when some rows of a lane may avoid the limit.
   */
  lanes?: string;
  /**
   * The platform counts this limit for the whole app, not per process: with several instances on one PostgreSQL
   * database their calls share one token bucket for it (shared-limits.ts). Per-recipient limits are not shared:
   * one instance at a time sends to a recipient (outbox claims).
   */
  shared?: boolean;
}

/** A second say over calls, beside this process's windows: the buckets all instances share (shared-limits.ts). */
export interface LimitGate {
  /** How long, at least, until a call under these limits may go (0: now). */
  wait(limits: readonly Limit[], now: number): number;
  take(limits: readonly Limit[], now: number): void;
  giveBack(limits: readonly Limit[], now: number): void;
}

/**
 * Sliding-window log per key, kept so that our window can never hold fewer calls than the platform's does.
 *
 * The platform counts a call when it arrives: some instant between our send and its answer, which we cannot
 * see. So a call holds a slot from its reservation until its answer ("open"), however long that takes — it may
 * still be on its way, and a slot freed early would let the next window's burst land beside it — and from then
 * on it counts at its answer, the latest instant the platform can have counted it. The window therefore reopens
 * exactly `windowMs` after the answer that closed it, never sooner; how fast the next call goes after that is
 * the worker's business (src/outbox/worker.ts keeps it ready).
 *
 * `reserve` either takes a slot on every key at once and returns 0, or takes nothing and returns how long to
 * wait at least. Keys can also be paused when a platform answers "slow down".
 */
export class RateLimiter {
  /** When calls were counted (their answers), oldest first. */
  private readonly counted = new Map<string, number[]>();
  /** Reservation times of calls not answered yet. */
  private readonly open = new Map<string, number[]>();
  private readonly pausedUntil = new Map<string, number>();

  constructor(private readonly gate?: LimitGate) {}

  reserve(limits: readonly Limit[], now: number): number {
    const wait = this.wait(limits, now);
    if (wait > 0) return wait;
    for (const l of limits) listOf(this.open, l.key).push(now);
    this.gate?.take(limits, now);
    return 0;
  }

  /** How long, at least, until `reserve` could take a slot on every key (0: now). Takes nothing. */
  wait(limits: readonly Limit[], now: number): number {
    let wait = 0;
    for (const l of limits) wait = Math.max(wait, this.localWait(l, now));
    // Asked only when this process could go now: asking starts a round trip for tokens.
    return wait > 0 || !this.gate ? wait : this.gate.wait(limits, now);
  }

  /**
   * Which of a call's limits keep it waiting now: those full or paused here, else (when the gate has no token for
   * the call) its shared ones. The gate is asked about the call's limits as a whole only: asked about one of them
   * alone it would take tokens for a call that never goes (a Feishu broadcast on PostgreSQL spent its minute
   * bucket's burst that way, and slowed to the minute's rate after a second).
   */
  fullLimits(limits: readonly Limit[], now: number): Limit[] {
    const full = limits.filter((l) => this.localWait(l, now) > 0);
    if (full.length > 0 || !this.gate || this.gate.wait(limits, now) === 0) return full;
    return limits.filter((l) => l.shared);
  }

  private localWait(l: Limit, now: number): number {
    const paused = this.pausedUntil.get(l.key) ?? 0;
    return Math.max(paused > now ? paused - now : 0, this.waitFor(l, now));
  }

  /**
   * The earliest a slot on `l` can be free, from `now` (0: free now). With every slot held by open calls, an
   * answer is needed first, and then a whole window: `windowMs` is the least it can be (the answer re-times it).
   */
  private waitFor(l: Limit, now: number): number {
    const counted = this.trimmed(l, now);
    const held = counted.length + (this.open.get(l.key)?.length ?? 0);
    if (held < l.limit) return 0;
    const mustLeave = held - l.limit; // index of the counted call whose leaving frees a slot
    return mustLeave < counted.length ? counted[mustLeave] + l.windowMs - now : l.windowMs;
  }

  /**
   * Gives back the slots a reservation took (made at `reservedAt`): the platform refused that call as over
   * its limit, so it did not count there and must not count here, or every 429 would cost a slot twice.
   */
  release(limits: readonly Limit[], reservedAt: number, now = reservedAt): void {
    for (const l of limits) removeOne(this.open.get(l.key), reservedAt);
    this.gate?.giveBack(limits, now);
  }

  /**
   * The call reserved at `reservedAt` was answered at `answeredAt`: it counts at the answer. Except, for a limit
   * not marked countAtAnswer, when the round trip was more than half the window but not more than the whole
   * window: on a window not much longer than the round trip, counting at the answer would cut the allowed rate,
   * and an occasional refusal is cheaper (its slot is released and the pause is exactly what the platform says);
   * it counts at the send, and so still counts here until a window after the send, past its answer. A call answered
   * more than a window after its send would count nowhere after its answer, while the platform may have counted it
   * just before: with other calls filling the window meanwhile (a steady pace on PostgreSQL's shared buckets) the
   * next call was refused. Such a call is rare; it counts at the answer.
   */
  settle(limits: readonly Limit[], reservedAt: number, answeredAt: number): void {
    for (const l of limits) {
      removeOne(this.open.get(l.key), reservedAt);
      const roundTrip = answeredAt - reservedAt;
      const atAnswer = l.countAtAnswer || roundTrip * 2 <= l.windowMs || roundTrip > l.windowMs;
      // A millisecond later than the clock says: Date.now() rounds down, and a platform that answers within a
      // millisecond counted the call after the rounded instant.
      const at = atAnswer ? Math.max(answeredAt, reservedAt) + 1 : reservedAt;
      const log = listOf(this.counted, l.key);
      let j = log.length;
      while (j > 0 && log[j - 1] > at) j--;
      log.splice(j, 0, at);
    }
  }

  pause(key: string, untilMs: number): void {
    this.pausedUntil.set(key, Math.max(untilMs, this.pausedUntil.get(key) ?? 0));
  }

  private trimmed(l: Limit, now: number): number[] {
    const log = listOf(this.counted, l.key);
    let drop = 0;
    while (drop < log.length && log[drop] <= now - l.windowMs) drop++;
    if (drop > 0) log.splice(0, drop);
    return log;
  }
}

function listOf(map: Map<string, number[]>, key: string): number[] {
  let list = map.get(key);
  if (!list) {
    list = [];
    map.set(key, list);
  }
  return list;
}

function removeOne(list: number[] | undefined, value: number): void {
  if (!list) return;
  const i = list.lastIndexOf(value);
  if (i >= 0) list.splice(i, 1);
}
