/**
 * How the bot shares its one thread between acking requests and handling accepted events.
 *
 * Platforms retry any event not acked within a few seconds, so under a burst acks come first: handling then
 * runs in short slices with long gaps (BURST_SLICE_MS of every BURST_SLICE_MS + BURST_GAP_MS). A slice always
 * handles at least one event and commits after its budget, so it can run over (a slow command, or a CPU shared
 * with other processes: 5 ms instead of 1); the gap after it grows in proportion, so handling never takes more
 * than that share of the thread during a burst. It still gets through BURST_SLICE_MS / (slice + gap) of the thread — at ~0.3 ms per answer, ~100 events/s, above what the
 * platforms let us send (Feishu: 50 messages/s per app) — so the backlog it leaves is only what could not have
 * been sent yet anyway; it clears within seconds once the burst is over.
 * Below the burst rate handling runs in longer slices, yielding between them so a new request waits at most
 * one slice.
 */
export interface HandlingPaceOptions {
  /** Arrivals per second from which acks take priority. */
  burstPerSecond?: number;
  now?: () => number;
}

export const BURST_SLICE_MS = 1;
export const BURST_GAP_MS = 29;
export const CALM_SLICE_MS = 4;
/** The longest gap after an overlong slice: handling slows down in a burst but never stops. */
export const MAX_BURST_GAP_MS = 1000;
const RATE_WINDOW_MS = 50;

export class HandlingPace {
  private readonly burstPerSecond: number;
  private readonly now: () => number;
  private arrivals = 0;
  private windowStart: number;
  private rate = 0;
  private sliceStartedAt: number | null = null;

  constructor(options: HandlingPaceOptions = {}) {
    this.burstPerSecond = options.burstPerSecond ?? 500;
    this.now = options.now ?? (() => performance.now());
    this.windowStart = this.now();
  }

  noteArrival(): void {
    this.arrivals++;
  }

  /** True while requests arrive faster than burstPerSecond (measured over the last window). */
  inBurst(): boolean {
    const now = this.now();
    const elapsed = now - this.windowStart;
    if (elapsed >= RATE_WINDOW_MS) {
      this.rate = (this.arrivals * 1000) / elapsed;
      this.arrivals = 0;
      this.windowStart = now;
    }
    return this.rate >= this.burstPerSecond;
  }

  /** A slice's time budget; called as the slice starts, so pause() knows how long it really took. */
  sliceMs(): number {
    this.sliceStartedAt = this.now();
    return this.inBurst() ? BURST_SLICE_MS : CALM_SLICE_MS;
  }

  /**
   * Between slices: in a burst a gap of BURST_GAP_MS per BURST_SLICE_MS the slice took (at least BURST_GAP_MS),
   * otherwise just one turn of the event loop.
   */
  pause(): Promise<void> {
    const took = this.sliceStartedAt === null ? 0 : this.now() - this.sliceStartedAt;
    this.sliceStartedAt = null;
    return new Promise((resolve) => {
      if (this.inBurst()) setTimeout(resolve, burstGapAfter(took));
      else setImmediate(resolve);
    });
  }
}

/** The gap after a slice that took `tookMs` in a burst: keeps handling at BURST_SLICE_MS : BURST_GAP_MS. */
export function burstGapAfter(tookMs: number): number {
  return Math.min(MAX_BURST_GAP_MS, Math.max(BURST_GAP_MS, Math.ceil((tookMs * BURST_GAP_MS) / BURST_SLICE_MS)));
}
