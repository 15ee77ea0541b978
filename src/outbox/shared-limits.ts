/**
 * The platforms' app-wide limits shared by every instance on one PostgreSQL database (issue 16): Feishu counts
 * 50/s and 1000/min per app, not per process, so N instances each pacing itself would send N times too fast.
 * Each shared limit (`Limit.shared`) is a token bucket row in `rate_buckets`; an instance takes a few tokens per
 * round trip, from all the buckets a call needs at once (Feishu's second and minute buckets: one token of each
 * per call), and spends them on its next calls. The in-memory limiter (rate-limit.ts) still paces this
 * instance's own calls; this gate only adds "and the app as a whole has a token".
 *
 * A token bucket lets through at most `capacity + rate × T` in any span T, and a token is spent up to
 * HOLD_MS after it was granted, its call reaching the platform within ARRIVAL_MS after that. So the bucket of a
 * limit of C calls per W is shaped capacity + rate × (W + HOLD_MS + ARRIVAL_MS) ≤ C − spare: any window W the
 * platform sees holds at most C calls, whatever the instances do. What it costs: a steady rate under C/W (Feishu:
 * bursts at about 34/s, long broadcasts at about 14/s, against 50/s and 16.7/s on one SQLite process; DingTalk about
 * 13.6 calls/s against 20/s).
 */
import type { Db } from '../../db/client.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Limit, LimitGate } from './rate-limit.js';
import { takeTokens, type Bucket } from './store.js';

/** Tokens not spent this long after their grant are dropped (a late call could land in a later window). */
export const HOLD_MS = 50;
/**
 * Allowed between a call leaving and the platform counting it: the network, and an instance's or a loaded
 * machine's stalls. At 100 ms, three instances on a busy 2-core machine were once counted 53 in a second.
 */
export const ARRIVAL_MS = 200;
/** Tokens asked for in one round trip, at most (fewer for a small limit: the burst is a tenth of it). */
const WANT = 5;
/** While a round trip for tokens is under way, callers look again this soon (the answer wakes them anyway). */
const FETCHING_WAIT_MS = 5;

/**
 * Calls of a window kept unused (4%, at least one): the shape above is exact, and with nothing spare three instances
 * on a loaded machine were counted 51 in a second once the buckets were no longer drained by probes (e0f20fc). The
 * platform's gateway sees network jitter the same way.
 */
function spareOf(limit: number): number {
  return Math.max(1, Math.ceil(limit * 0.04));
}

/** The bucket for a limit of `limit` calls per `windowMs`: a tenth of it as burst, the rest but a spare few spread over the window. */
export function bucketOf(l: Pick<Limit, 'key' | 'limit' | 'windowMs'>): Bucket {
  const capacity = Math.max(1, Math.floor(l.limit / 10));
  return { key: l.key, capacity, perMs: (l.limit - spareOf(l.limit) - capacity) / (l.windowMs + HOLD_MS + ARRIVAL_MS) };
}

/** Tokens in hand for one set of buckets (a call needs one token of each). */
interface Allowance {
  buckets: Bucket[];
  tokens: number;
  grantedAt: number;
  fetching: boolean;
  /** No token before this (a bucket was empty): when the next round trip is worth making. */
  retryAt: number;
}

export class SharedLimits implements LimitGate {
  /** By the call's shared limit keys, joined. */
  private readonly allowances = new Map<string, Allowance>();
  private lastLateWarning = -Infinity;

  /** `onTokens`: tokens came in (the worker sends what waited for them). */
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onTokens: () => void,
  ) {}

  wait(limits: readonly Limit[], now: number): number {
    const a = this.allowanceOf(limits, now);
    if (!a || a.tokens > 0) return 0;
    if (!a.fetching && now >= a.retryAt) void this.fetch(a);
    return a.fetching ? FETCHING_WAIT_MS : Math.max(1, a.retryAt - now);
  }

  take(limits: readonly Limit[], now: number): void {
    const a = this.allowanceOf(limits, now);
    if (a) a.tokens--;
  }

  /** A call that did not go (or was refused as over the limit) gives its token back, while it is fresh. */
  giveBack(limits: readonly Limit[], now: number): void {
    const a = this.allowanceOf(limits, now);
    if (a && now - a.grantedAt <= HOLD_MS) a.tokens++;
  }

  private allowanceOf(limits: readonly Limit[], now: number): Allowance | null {
    const shared = limits.filter((l) => l.shared);
    if (shared.length === 0) return null;
    const key = shared.map((l) => l.key).join('|');
    let a = this.allowances.get(key);
    if (!a) {
      a = { buckets: shared.map(bucketOf), tokens: 0, grantedAt: 0, fetching: false, retryAt: 0 };
      this.allowances.set(key, a);
    }
    if (a.tokens > 0 && now - a.grantedAt > HOLD_MS) a.tokens = 0;
    return a;
  }

  /**
   * Tokens that arrive after HOLD_MS are dropped unspent (a call on them could break the platform's window), so a
   * database answering that slowly stops this instance's sends until it is fast again: say so, once a minute.
   */
  private warnIfLate(a: Allowance, roundTripMs: number): void {
    if (roundTripMs <= HOLD_MS) return;
    const now = this.clock.now().getTime();
    if (now - this.lastLateWarning < 60_000) return;
    this.lastLateWarning = now;
    this.logger.warn(
      { keys: a.buckets.map((b) => b.key), roundTripMs, holdMs: HOLD_MS },
      'outbox: shared rate-limit tokens came back too late to be used (slow database); sends wait until it answers faster',
    );
  }

  private async fetch(a: Allowance): Promise<void> {
    a.fetching = true;
    try {
      const asked = this.clock.now();
      const want = Math.min(WANT, ...a.buckets.map((b) => b.capacity));
      const { granted, waitMs } = await takeTokens(this.db, a.buckets, want, asked);
      const at = asked.getTime();
      if (granted > 0) {
        a.tokens = granted;
        a.grantedAt = at;
        this.warnIfLate(a, this.clock.now().getTime() - at);
      } else a.retryAt = at + Math.max(1, waitMs);
    } catch (error) {
      this.logger.error({ err: error, keys: a.buckets.map((b) => b.key) }, 'outbox: taking shared rate-limit tokens failed');
      a.retryAt = this.clock.now().getTime() + 1000;
    } finally {
      a.fetching = false;
    }
    this.onTokens();
  }
}
