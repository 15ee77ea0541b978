import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * DingTalk robot callback authentication. Only the timestamp is signed, not the body, so a valid pair can be
 * replayed with any body for as long as it is fresh: the freshness window is the only replay bound, and
 * duplicates are stopped by the inbox (msgId), not here.
 */

export const SIGN_HEADERS = { timestamp: 'timestamp', sign: 'sign' } as const;

/** DingTalk documents one hour; it also absorbs clock skew between their servers and ours. */
export const MAX_SKEW_MS = 3600_000;

/** base64(HMAC-SHA256(key = appSecret, msg = timestamp + "\n" + appSecret)). */
export function signOf(timestamp: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(`${timestamp}\n${appSecret}`).digest('base64');
}

export interface CallbackCredentials {
  timestamp: string | undefined;
  sign: string | undefined;
  appSecret: string;
  now: Date | number;
  maxSkewMs?: number;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export function verifyCallback(c: CallbackCredentials): VerifyResult {
  if (!c.timestamp || !c.sign) return { ok: false, reason: 'missing timestamp or sign header' };
  // Milliseconds since the epoch; anything else cannot be checked for freshness, so it is refused.
  if (!/^\d{1,15}$/.test(c.timestamp)) return { ok: false, reason: 'timestamp is not a millisecond epoch' };
  const now = typeof c.now === 'number' ? c.now : c.now.getTime();
  const skew = Math.abs(now - Number(c.timestamp));
  if (skew > (c.maxSkewMs ?? MAX_SKEW_MS)) return { ok: false, reason: `timestamp is ${Math.round(skew / 1000)} s away from now` };
  if (!safeEqual(signOf(c.timestamp, c.appSecret), normalizeSign(c.sign))) return { ok: false, reason: 'sign mismatch' };
  return { ok: true };
}

/** Some proxies hand the header on URL-encoded ("%2B" for "+"); base64 itself never contains "%". */
function normalizeSign(sign: string): string {
  if (!sign.includes('%')) return sign.trim();
  try {
    return decodeURIComponent(sign).trim();
  } catch {
    return sign;
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
