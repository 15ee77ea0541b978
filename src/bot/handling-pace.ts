/**
 * How the bot shares its one thread between acking requests and handling accepted events.
 *
 * Platforms retry any event not acked within a few seconds, so under a burst acks come first: handling then
 * runs in short slices with long gaps (BURST_SLICE_MS of every BURST_SLICE_MS + BURST_GAP_MS). It still gets
 * through BURST_SLICE_MS / (slice + gap) of the thread — at ~0.3 ms per answer, ~100 events/s, above what the
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
const RATE_WINDOW_MS = 50;

export class HandlingPace {
  private readonly burstPerSecond: number;
  private readonly now: () => number;
  private arrivals = 0;
  private windowStart: number;
  private rate = 0;

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

  sliceMs(): number {
    return this.inBurst() ? BURST_SLICE_MS : CALM_SLICE_MS;
  }

  /** Between slices: a long gap in a burst, otherwise just one turn of the event loop. */
  pause(): Promise<void> {
    return new Promise((resolve) => {
      if (this.inBurst()) setTimeout(resolve, BURST_GAP_MS);
      else setImmediate(resolve);
    });
  }
}
