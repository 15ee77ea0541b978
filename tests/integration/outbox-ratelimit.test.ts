import { describe, expect, it } from 'vitest';
import { RateLimiter, type Limit } from '../../src/outbox/rate-limit.js';

const perSecond: Limit = { key: 'app', limit: 2, windowMs: 1000 };
const perMinute: Limit = { key: 'app:minute', limit: 3, windowMs: 60_000 };

describe('rate limiter: release and settle', () => {
  it('gives back the slot of a call the platform refused as over its limit', () => {
    const l = new RateLimiter();
    expect(l.reserve([perSecond, perMinute], 0)).toBe(0);
    expect(l.reserve([perSecond, perMinute], 10)).toBe(0);
    expect(l.reserve([perSecond, perMinute], 20)).toBe(980);
    l.release([perSecond, perMinute], 10);
    expect(l.reserve([perSecond, perMinute], 20)).toBe(0);
    // The minute window now holds 0, 20: one more fits.
    expect(l.reserve([perSecond, perMinute], 1500)).toBe(0);
    expect(l.reserve([perSecond, perMinute], 1600)).toBe(60_000 - 1600);
  });

  it('counts a call at its answer when the round trip is short against the window', () => {
    const l = new RateLimiter();
    l.reserve([perMinute], 0);
    l.reserve([perMinute], 0);
    l.reserve([perMinute], 0);
    l.settle([perMinute], 0, 250);
    // The first slot reopens 60 s after the answer, not after the reservation.
    expect(l.reserve([perMinute], 60_001)).toBe(0);
    expect(l.reserve([perMinute], 60_002)).toBe(0);
    expect(l.reserve([perMinute], 60_003)).toBe(251 - 3); // the answer, rounded up to the next ms
  });

  it('leaves a short window alone when the round trip is more than half of it', () => {
    const l = new RateLimiter();
    l.reserve([perSecond], 0);
    l.reserve([perSecond], 0);
    l.settle([perSecond], 0, 600);
    expect(l.reserve([perSecond], 1000)).toBe(0);
  });
});

describe('rate limiter: exact windows', () => {
  it('counts a call at its answer on a one-second window when the round trip is long (a busy event loop), so no burst lands early', () => {
    const l = new RateLimiter();
    l.reserve([perSecond], 0);
    l.reserve([perSecond], 0);
    l.settle([perSecond], 0, 300);
    l.settle([perSecond], 0, 320);
    expect(l.reserve([perSecond], 1000)).toBe(301);
    expect(l.reserve([perSecond], 1301)).toBe(0);
  });

  it('always counts at the answer for a limit marked countAtAnswer', () => {
    const l = new RateLimiter();
    const user: Limit = { key: 'user', limit: 1, windowMs: 1000, countAtAnswer: true };
    l.reserve([user], 0);
    l.settle([user], 0, 900);
    expect(l.reserve([user], 1800)).toBe(101);
  });

  it('counts a call at its answer even when its reservation had already left the window (a round trip longer than the window)', () => {
    const l = new RateLimiter();
    const app: Limit = { key: 'app', limit: 1, windowMs: 1000, countAtAnswer: true };
    l.reserve([app], 0);
    expect(l.reserve([app], 1100)).toBe(0); // the reservation is trimmed away; this one takes the slot
    l.release([app], 1100);
    l.settle([app], 0, 1500); // the first call was answered only now: the platform counted it after 0
    expect(l.reserve([app], 1600)).toBe(901);
  });
});
