import { afterEach, describe, expect, it, vi } from 'vitest';
import { BURST_GAP_MS, BURST_SLICE_MS, CALM_SLICE_MS, HandlingPace, MAX_BURST_GAP_MS } from '../../src/bot/handling-pace.js';

describe('HandlingPace', () => {
  afterEach(() => vi.useRealTimers());

  const paceAt = () => {
    let now = 0;
    const pace = new HandlingPace({ burstPerSecond: 500, now: () => now });
    return { pace, advance: (ms: number) => (now += ms) };
  };

  it('gives handling long slices while requests are few', () => {
    const { pace, advance } = paceAt();
    for (let i = 0; i < 10; i++) {
      pace.noteArrival(); // 10 in 100 ms = 100/s
      advance(10);
    }
    expect(pace.inBurst()).toBe(false);
    expect(pace.sliceMs()).toBe(CALM_SLICE_MS);
  });

  it('switches to short slices in a burst and back once it is over', () => {
    const { pace, advance } = paceAt();
    for (let i = 0; i < 60; i++) pace.noteArrival(); // 60 in 50 ms = 1,200/s
    advance(50);
    expect(pace.inBurst()).toBe(true);
    expect(pace.sliceMs()).toBe(BURST_SLICE_MS);
    advance(50); // a quiet window
    expect(pace.inBurst()).toBe(false);
  });

  it('pauses a gap in a burst, a single turn otherwise', async () => {
    vi.useFakeTimers();
    const { pace, advance } = paceAt();
    let resumed = false;
    void pace.pause().then(() => (resumed = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(resumed).toBe(true);

    for (let i = 0; i < 100; i++) pace.noteArrival();
    advance(50);
    resumed = false;
    void pace.pause().then(() => (resumed = true));
    await vi.advanceTimersByTimeAsync(BURST_GAP_MS - 1);
    expect(resumed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(resumed).toBe(true);
  });

  it('keeps handling to its share in a burst when a slice runs over its budget', async () => {
    vi.useFakeTimers();
    const { pace, advance } = paceAt();
    for (let i = 0; i < 100; i++) pace.noteArrival();
    advance(50);
    const pauseAfterSlice = async (tookMs: number) => {
      expect(pace.sliceMs()).toBe(BURST_SLICE_MS);
      advance(tookMs); // one event took this long (a slow command, or a CPU shared with other processes)
      for (let i = 0; i < 100; i++) pace.noteArrival(); // the burst goes on
      let resumed = false;
      const started = Date.now();
      void pace.pause().then(() => (resumed = true));
      while (!resumed) await vi.advanceTimersByTimeAsync(1);
      return Date.now() - started;
    };
    // 5 ms of handling is followed by 5 × 29 ms of acks only: still 1 part in 30.
    expect(await pauseAfterSlice(5 * BURST_SLICE_MS)).toBe(5 * BURST_GAP_MS);
    // Within budget: the usual gap.
    expect(await pauseAfterSlice(BURST_SLICE_MS / 2)).toBe(BURST_GAP_MS);
    // A very slow slice still lets handling go on within a second.
    expect(await pauseAfterSlice(500)).toBe(MAX_BURST_GAP_MS);
  });

  it('still leaves handling a share of the thread in a burst', () => {
    // The share must stay above what the platforms let us send (Feishu: 50/s), even at 0.5 ms per event
    // (an hours answer over 40 records costs ~0.3 ms here; the webhook bench prints the drain rate).
    expect((BURST_SLICE_MS / (BURST_SLICE_MS + BURST_GAP_MS)) * (1000 / 0.5)).toBeGreaterThanOrEqual(50);
  });
});
