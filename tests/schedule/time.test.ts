import { describe, expect, it } from 'vitest';
import { inQuietHours, jitterMs, quietHoursEnd, sendTimeFor } from '../../src/schedule/time.js';
import { localParts, zonedInstant } from '../../src/time/zone.js';

const bj = (s: string) => new Date(`${s.replace(' ', 'T')}+08:00`);

describe('wall-clock time in the configured zone', () => {
  it('turns a Beijing date and time into the instant, and back', () => {
    expect(zonedInstant('2026-05-31', '09:00', 'Asia/Shanghai')).toEqual(new Date('2026-05-31T01:00:00Z'));
    expect(zonedInstant('2026-01-01', '00:30', 'Asia/Shanghai')).toEqual(new Date('2025-12-31T16:30:00Z'));
    expect(localParts(new Date('2025-12-31T16:30:00Z'), 'Asia/Shanghai')).toEqual({ date: '2026-01-01', hour: 0, minute: 30, second: 0 });
  });

  it('handles a zone with daylight saving time', () => {
    // New York: 09:00 is 13:00Z in summer and 14:00Z in winter.
    expect(zonedInstant('2026-07-01', '09:00', 'America/New_York')).toEqual(new Date('2026-07-01T13:00:00Z'));
    expect(zonedInstant('2026-12-01', '09:00', 'America/New_York')).toEqual(new Date('2026-12-01T14:00:00Z'));
  });
});

describe('quiet hours 22:00–07:00', () => {
  it('knows what is inside', () => {
    expect(inQuietHours(bj('2026-03-01 21:59'), 'Asia/Shanghai')).toBe(false);
    expect(inQuietHours(bj('2026-03-01 22:00'), 'Asia/Shanghai')).toBe(true);
    expect(inQuietHours(bj('2026-03-02 03:00'), 'Asia/Shanghai')).toBe(true);
    expect(inQuietHours(bj('2026-03-02 07:00'), 'Asia/Shanghai')).toBe(false);
    expect(inQuietHours(bj('2026-03-01 13:00'), 'Asia/Shanghai', { start: '12:00', end: '14:00' })).toBe(true);
  });

  it('ends at the next 07:00, across a month end', () => {
    expect(quietHoursEnd(bj('2026-03-31 23:10'), 'Asia/Shanghai')).toEqual(bj('2026-04-01 07:00'));
    expect(quietHoursEnd(bj('2026-04-01 05:00'), 'Asia/Shanghai')).toEqual(bj('2026-04-01 07:00'));
  });
});

describe('send time of a scheduled message', () => {
  it('is its due time plus a jitter fixed by the key, never on the round minute', () => {
    const due = bj('2026-03-02 09:00');
    const a = sendTimeFor('reminder:1:一中:7#t1', due, due, 'Asia/Shanghai');
    expect(sendTimeFor('reminder:1:一中:7#t1', due, due, 'Asia/Shanghai')).toEqual(a);
    expect(a.getTime() - due.getTime()).toBeGreaterThanOrEqual(60_000);
    expect(a.getTime() - due.getTime()).toBeLessThan(30 * 60_000);
    const spread = new Set(Array.from({ length: 200 }, (_, i) => Math.floor(jitterMs(`k${i}`, 30 * 60_000) / 60_000)));
    expect(spread.size).toBeGreaterThan(20);
    const onTheMinute = Array.from({ length: 200 }, (_, i) => jitterMs(`k${i}`, 30 * 60_000) % 60_000 === 0).filter(Boolean);
    expect(onTheMinute.length).toBeLessThan(3);
  });

  it('counts from now when the due time has passed, and waits for 07:00 when that falls in quiet hours', () => {
    const due = bj('2026-03-01 09:00');
    const late = sendTimeFor('k', due, bj('2026-03-01 15:00'), 'Asia/Shanghai');
    expect(late.getTime()).toBeGreaterThan(bj('2026-03-01 15:01').getTime());
    const night = sendTimeFor('k', due, bj('2026-03-01 23:30'), 'Asia/Shanghai');
    expect(night.getTime()).toBeGreaterThan(bj('2026-03-02 07:00').getTime());
    expect(night.getTime()).toBeLessThan(bj('2026-03-02 07:20').getTime());
  });
});
