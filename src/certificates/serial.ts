/**
 * Certificate serials: 80 random bits written in RFC 4648 base32 (16 characters, A–Z and 2–7), shown in groups of
 * four. Unguessable, so the public verify page cannot be walked; no check digit is needed because an unknown
 * serial simply is not found.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const SERIAL_PATTERN = /^[A-Z2-7]{16}$/;

export function newSerial(random: (n: number) => Buffer = randomBytes): string {
  const bytes = random(10);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 15; i >= 0; i--) out += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return out;
}

/** ABCD-EFGH-… for print; normalise() accepts that back (and lower case, spaces). */
export const groupSerial = (s: string) => s.match(/.{1,4}/g)!.join('-');
export const normaliseSerial = (s: string) => s.toUpperCase().replace(/[\s-]/g, '');
