import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';

/**
 * Feishu request authentication, as pure functions. The SDK's EventDispatcher hashes a re-serialized body
 * and never checks the verification token, so we do both here, over the bytes exactly as they arrived.
 */

export const SIGNATURE_HEADERS = {
  timestamp: 'x-lark-request-timestamp',
  nonce: 'x-lark-request-nonce',
  signature: 'x-lark-signature',
} as const;

/** Feishu sets no freshness window; an hour refuses replays of captured requests and tolerates clock skew. */
export const MAX_SKEW_MS = 3600_000;

export interface SignedRequest {
  timestamp: string;
  nonce: string;
  signature: string;
  rawBody: string | Uint8Array;
  encryptKey: string;
}

/** hex(SHA-256(timestamp + nonce + encryptKey + rawBody)). */
export function signatureOf(r: Omit<SignedRequest, 'signature'>): string {
  return createHash('sha256').update(r.timestamp + r.nonce + r.encryptKey).update(r.rawBody).digest('hex');
}

export function verifySignature(r: SignedRequest): boolean {
  return safeEqual(signatureOf(r), r.signature.toLowerCase());
}

/**
 * Plaintext v1 card callbacks (the older "card request URL") are signed differently, as both official SDKs
 * check them: hex(SHA-1(timestamp + nonce + verificationToken + rawBody)).
 */
export function cardV1SignatureOf(r: { timestamp: string; nonce: string; verificationToken: string; rawBody: string | Uint8Array }): string {
  return createHash('sha1').update(r.timestamp + r.nonce + r.verificationToken).update(r.rawBody).digest('hex');
}

export function verifyCardV1Signature(r: { timestamp: string; nonce: string; signature: string; verificationToken: string; rawBody: string | Uint8Array }): boolean {
  return safeEqual(cardV1SignatureOf(r), r.signature.toLowerCase());
}

/** Timestamps are Unix seconds; anything unparsable is stale. */
export function isFresh(timestamp: string, now: Date, maxSkewMs = MAX_SKEW_MS): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(now.getTime() - Number(timestamp) * 1000) <= maxSkewMs;
}

export class DecryptError extends Error {}

/** SHA-256 of each Encrypt Key in use (there is one, or two while it is being changed): hashed once, not per event. */
const aesKeys = new Map<string, Buffer>();

function aesKeyOf(encryptKey: string): Buffer {
  let key = aesKeys.get(encryptKey);
  if (!key) {
    key = createHash('sha256').update(encryptKey).digest();
    if (aesKeys.size >= 8) aesKeys.clear();
    aesKeys.set(encryptKey, key);
  }
  return key;
}

/** `{encrypt}` bodies: base64(IV(16) ‖ AES-256-CBC-PKCS7(key = SHA-256(encryptKey), IV, json)). */
export function decrypt(encryptB64: string, encryptKey: string): string {
  const data = Buffer.from(encryptB64, 'base64');
  if (data.length < 32 || data.length % 16 !== 0) throw new DecryptError('encrypted payload has a bad length');
  const key = aesKeyOf(encryptKey);
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, data.subarray(0, 16));
    return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptError('cannot decrypt payload (wrong FEISHU_ENCRYPT_KEY?)');
  }
}

/**
 * Where the verification token sits: `header.token` in v2 (schema 2.0) events, top-level `token` in
 * url_verification and v1 events.
 */
export function tokenOf(payload: Record<string, unknown>): unknown {
  if (payload.schema === '2.0' && isRecord(payload.header)) return payload.header.token;
  return payload.token;
}

/** True when no token is configured, or the payload carries exactly that token. */
export function tokenMatches(expected: string | undefined, payload: Record<string, unknown>): boolean {
  if (!expected) return true;
  const given = tokenOf(payload);
  return typeof given === 'string' && safeEqual(given, expected);
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
