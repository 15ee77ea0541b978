import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signOf, verifyCallback } from '../../../src/platforms/dingtalk/verify.js';

const secret = 'this-is-the-app-secret';
const now = Date.parse('2026-11-25T10:00:00+08:00');
// Computed independently of the code under test.
const signed = (ts: number | string, key = secret) => createHmac('sha256', key).update(`${ts}\n${key}`).digest('base64');

describe('verifyCallback', () => {
  it('accepts the documented recipe: base64(HMAC-SHA256(secret, timestamp + "\\n" + secret))', () => {
    expect(signOf(String(now), secret)).toBe(signed(now));
    expect(verifyCallback({ timestamp: String(now), sign: signed(now), appSecret: secret, now })).toEqual({ ok: true });
  });

  it('accepts up to an hour of skew either way and refuses beyond it', () => {
    const at = (ts: number) => verifyCallback({ timestamp: String(ts), sign: signed(ts), appSecret: secret, now: new Date(now) });
    expect(at(now - 3600_000).ok).toBe(true);
    expect(at(now + 3600_000).ok).toBe(true);
    expect(at(now - 3600_001)).toMatchObject({ ok: false, reason: expect.stringContaining('away from now') });
    expect(at(now + 3600_001).ok).toBe(false);
  });

  it('refuses a sign made with another secret, or for another timestamp', () => {
    expect(verifyCallback({ timestamp: String(now), sign: signed(now, 'other'), appSecret: secret, now })).toEqual({ ok: false, reason: 'sign mismatch' });
    expect(verifyCallback({ timestamp: String(now), sign: signed(now - 1), appSecret: secret, now }).ok).toBe(false);
    expect(verifyCallback({ timestamp: String(now), sign: signed(now).slice(0, -2), appSecret: secret, now }).ok).toBe(false);
  });

  it('refuses missing headers and non-numeric timestamps', () => {
    expect(verifyCallback({ timestamp: undefined, sign: signed(now), appSecret: secret, now }).ok).toBe(false);
    expect(verifyCallback({ timestamp: String(now), sign: undefined, appSecret: secret, now }).ok).toBe(false);
    expect(verifyCallback({ timestamp: '', sign: '', appSecret: secret, now }).ok).toBe(false);
    const iso = '2026-11-25T02:00:00Z';
    expect(verifyCallback({ timestamp: iso, sign: signed(iso), appSecret: secret, now })).toMatchObject({ ok: false, reason: expect.stringContaining('millisecond') });
  });

  it('tolerates a URL-encoded sign', () => {
    const sign = signed(now);
    expect(verifyCallback({ timestamp: String(now), sign: encodeURIComponent(sign), appSecret: secret, now }).ok).toBe(true);
  });
});
