import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { asciiDigits } from '../core/text.js';

/**
 * Sign-in codes. A rotating code is TOTP-like: six digits from HMAC-SHA256(session secret, 30-second step).
 * The current and the previous step are accepted (a teacher reading the projector while it turns over,
 * a slow phone network); older steps are "expired", which lets us tell a stale code from a wrong one.
 */
export const STEP_MS = 30_000;
/** How far back a code still counts as "expired" rather than "wrong": 4 hours of steps. */
export const EXPIRED_LOOKBACK_STEPS = (4 * 3600_000) / STEP_MS;

export function stepOf(ms: number): number {
  return Math.floor(ms / STEP_MS);
}

export function rotatingCode(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha256', secret).update(counter).digest();
  // RFC 4226 dynamic truncation.
  const offset = mac[mac.length - 1] & 0x0f;
  const n = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

export type CodeFreshness = 'current' | 'previous' | 'expired';

/**
 * How a typed code relates to a rotating session at `nowMs`: valid now (current or previous step), valid
 * earlier (expired, looking back no further than `sinceMs`), or null (never this session's code).
 */
export function matchRotating(secret: string, code: string, nowMs: number, sinceMs: number): CodeFreshness | null {
  const now = stepOf(nowMs);
  if (safeEqual(rotatingCode(secret, now), code)) return 'current';
  if (safeEqual(rotatingCode(secret, now - 1), code)) return 'previous';
  const oldest = Math.max(stepOf(sinceMs), now - EXPIRED_LOOKBACK_STEPS);
  for (let step = now - 2; step >= oldest; step--) {
    if (rotatingCode(secret, step) === code) return 'expired';
  }
  return null;
}

/** Milliseconds until the rotating code changes. */
export function msUntilNextStep(nowMs: number): number {
  return STEP_MS - (nowMs % STEP_MS);
}

/** A fresh per-session secret: seeds the rotating code and, hashed apart, the projector link key. */
export function newSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** A random static code when the officer asks for one without choosing it. */
export function randomStaticCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** The key in the projector link. Derived, so the code seed itself never leaves the server. */
export function projectorKey(secret: string): string {
  return createHmac('sha256', secret).update('projector-link').digest('base64url').slice(0, 24);
}

export function projectorKeyMatches(secret: string, given: string | undefined | null): boolean {
  return typeof given === 'string' && given.length > 0 && safeEqual(projectorKey(secret), given);
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Full-width digits and spaces, as phones type them: "１２３ ４５６" → "123456". */
export function normaliseCode(raw: string): string {
  return asciiDigits(raw)
    .replace(/[\s\-_.·]/g, '');
}
