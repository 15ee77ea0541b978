import { describe, expect, it } from 'vitest';
import { RateLimiter, type Limit, type LimitGate } from '../../src/outbox/rate-limit.js';

const perSecond: Limit = { key: 'app', limit: 2, windowMs: 1000 };
const perMinute: Limit = { key: 'app:minute', limit: 3, windowMs: 60_000 };

describe('rate limiter: release and settle', () => {
  it('gives back the slot of a call the platform refused as over its limit', () => {
    const l = new RateLimiter();
    expect(l.reserve([perSecond, perMinute], 0)).toBe(0);
    expect(l.reserve([perSecond, perMinute], 10)).toBe(0);
    l.settle([perSecond, perMinute], 0, 5); // answered at 5: counts at 6
    // The second is not answered yet, so it holds its slot: the next waits for the first to leave the window.
    expect(l.reserve([perSecond, perMinute], 20)).toBe(986);
    l.release([perSecond, perMinute], 10); // the second was refused as over the limit
    expect(l.reserve([perSecond, perMinute], 20)).toBe(0);
    l.settle([perSecond, perMinute], 20, 30);
    // The minute window now holds 6 and 31: one more fits.
    expect(l.reserve([perSecond, perMinute], 1500)).toBe(0);
    l.settle([perSecond, perMinute], 1500, 1510);
    expect(l.reserve([perSecond, perMinute], 1600)).toBe(60_000 + 6 - 1600);
  });

  it('counts a call at its answer when the round trip is short against the window', () => {
    const l = new RateLimiter();
    l.reserve([perMinute], 0);
    l.reserve([perMinute], 0);
    l.reserve([perMinute], 0);
    l.settle([perMinute], 0, 1);
    l.settle([perMinute], 0, 2);
    l.settle([perMinute], 0, 250);
    // Counted at 2, 3 and 251 (each answer, rounded up to the next ms): slots reopen 60 s after those.
    expect(l.reserve([perMinute], 60_001)).toBe(1);
    expect(l.reserve([perMinute], 60_002)).toBe(0);
    expect(l.reserve([perMinute], 60_003)).toBe(0);
    expect(l.reserve([perMinute], 60_004)).toBe(251 - 4);
  });

  it('leaves a short window alone when the round trip is more than half of it', () => {
    const l = new RateLimiter();
    l.reserve([perSecond], 0);
    l.reserve([perSecond], 0);
    l.settle([perSecond], 0, 600);
    expect(l.reserve([perSecond], 1000)).toBe(0);
  });

  it('counts a call answered more than a window after its send at its answer: the platform may have counted it just before', () => {
    const l = new RateLimiter();
    const api: Limit = { key: 'api', limit: 2, windowMs: 1000 };
    l.reserve([api], 0);
    l.reserve([api], 100);
    l.settle([api], 100, 150); // a short one: counted at 151
    l.settle([api], 0, 1300); // counted at 1301, not at 0 (then it would already have left every window)
    expect(l.reserve([api], 1310)).toBe(0); // the short call has left the window: one slot
    expect(l.reserve([api], 1320)).toBe(981); // the long call holds the other until 2301
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

  it('keeps the slot of a call not answered yet, however long its round trip (the platform may count it any time before the answer)', () => {
    const l = new RateLimiter();
    const app: Limit = { key: 'app', limit: 1, windowMs: 1000, countAtAnswer: true };
    l.reserve([app], 0);
    // A window later the call is still out: it may not have reached the platform yet. Nothing is known until its
    // answer, and that cannot reopen the slot sooner than a window after now.
    expect(l.reserve([app], 1100)).toBe(1000);
    expect(l.wait([app], 1400)).toBe(1000);
    l.settle([app], 0, 1500); // answered only now: counted at 1501
    expect(l.reserve([app], 1600)).toBe(901);
    expect(l.reserve([app], 2501)).toBe(0);
  });
});

describe('rate limiter: which limits are full', () => {
  const second: Limit = { key: 'app', limit: 2, windowMs: 1000, shared: true };
  const minute: Limit = { key: 'app:minute', limit: 100, windowMs: 60_000, shared: true };
  const user: Limit = { key: 'user:a', limit: 1, windowMs: 1000 };

  /** A gate with no token now, which records what it was asked about (a shared bucket takes tokens when asked). */
  function emptyGate() {
    const asked: string[][] = [];
    const gate: LimitGate = {
      wait: (limits) => (asked.push(limits.map((l) => l.key)), 25),
      take: () => {},
      giveBack: () => {},
    };
    return { gate, asked };
  }

  it('names the limits full or paused here, without asking the gate', () => {
    const { gate, asked } = emptyGate();
    const l = new RateLimiter(gate);
    l.pause('user:a', 1000); // the platform said "slow down" for this user
    expect(l.fullLimits([second, minute, user], 10)).toEqual([user]);
    expect(asked).toEqual([]);
  });

  it('asks the gate about the whole call only, and names its shared limits when the gate has no token', () => {
    const { gate, asked } = emptyGate();
    const l = new RateLimiter(gate);
    expect(l.fullLimits([second, minute, user], 10)).toEqual([second, minute]);
    // Never about one limit alone: the gate would take tokens from that bucket for a call that never goes.
    expect(asked).toEqual([['app', 'app:minute', 'user:a']]);
  });

  it('names none when the call could go now', () => {
    expect(new RateLimiter().fullLimits([second, minute, user], 0)).toEqual([]);
  });
});
