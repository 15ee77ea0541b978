/** A limit of `limit` sends per `windowMs` on one key (an app, a user, a chat). */
export interface Limit {
  key: string;
  limit: number;
  windowMs: number;
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
