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
}

/**
 * Sliding-window log per key. `reserve` either takes a slot on every key at once and returns 0, or takes
 * nothing and returns how long to wait. Keys can also be paused when a platform answers "slow down".
 */
export class RateLimiter {
  private readonly sent = new Map<string, number[]>();
  private readonly pausedUntil = new Map<string, number>();

  reserve(limits: readonly Limit[], now: number): number {
    let wait = 0;
    for (const l of limits) {
      const paused = this.pausedUntil.get(l.key) ?? 0;
      if (paused > now) wait = Math.max(wait, paused - now);
      const log = this.trimmed(l, now);
      if (log.length >= l.limit) wait = Math.max(wait, log[log.length - l.limit] + l.windowMs - now);
    }
    if (wait > 0) return wait;
    for (const l of limits) this.trimmed(l, now).push(now);
    return 0;
  }

  /**
   * Gives back the slots a reservation took (made at `reservedAt`): the platform refused that call as over
   * its limit, so it did not count there and must not count here, or every 429 would cost a slot twice.
   */
  release(limits: readonly Limit[], reservedAt: number): void {
    for (const l of limits) {
      const log = this.sent.get(l.key);
      if (!log) continue;
      const i = log.lastIndexOf(reservedAt);
      if (i >= 0) log.splice(i, 1);
    }
  }

  /**
   * Moves a reservation from when it was taken to when the call was answered. The platform counted the call
   * somewhere in between; counting it at the later end keeps our window from reopening before the platform's
   * does (a burst stamped at one instant reaches the platform spread over several milliseconds, and a minute
   * later we would replay it all at once). Only where the round trip is at most half the window: on a window
   * not much longer than the round trip it would cut the allowed rate instead (then an occasional 429 is
   * cheaper: its slot is released and the pause is exactly what the platform says). On a one-second window this
   * covers round trips up to 500 ms: a busy event loop stretches them well past 100 ms, and counting those at
   * the send let a whole burst reach Feishu before its window had reopened (a 429 storm).
   */
  settle(limits: readonly Limit[], reservedAt: number, answeredAt: number): void {
    if (answeredAt <= reservedAt) return;
    for (const l of limits) {
      if (!l.countAtAnswer && (answeredAt - reservedAt) * 2 > l.windowMs) continue;
      let log = this.sent.get(l.key);
      if (!log) {
        log = [];
        this.sent.set(l.key, log);
      }
      const i = log.lastIndexOf(reservedAt);
      if (i >= 0) log.splice(i, 1);
      // Not found: the round trip outlasted the window and the reservation was trimmed away. The platform
      // counted the call after we did, so it still counts: at the answer.
      else if (!l.countAtAnswer) continue;
      // A millisecond later than the clock says: Date.now() rounds down, and a platform that answers within a
      // millisecond counted the call after the rounded instant.
      const at = answeredAt + 1;
      let j = log.length;
      while (j > 0 && log[j - 1] > at) j--;
      log.splice(j, 0, at);
    }
  }

  pause(key: string, untilMs: number): void {
    this.pausedUntil.set(key, Math.max(untilMs, this.pausedUntil.get(key) ?? 0));
  }

  private trimmed(l: Limit, now: number): number[] {
    let log = this.sent.get(l.key);
    if (!log) {
      log = [];
      this.sent.set(l.key, log);
    }
    let drop = 0;
    while (drop < log.length && log[drop] <= now - l.windowMs) drop++;
    if (drop > 0) log.splice(0, drop);
    return log;
  }
}
