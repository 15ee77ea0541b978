import { AESCipher } from '@larksuiteoapi/node-sdk';
import { describe, expect, it } from 'vitest';
import { DecryptError, decrypt, isFresh, signatureOf, tokenMatches, verifySignature } from '../../../src/platforms/feishu/verify.js';
import { ENCRYPT_KEY, challenge, encrypt, messageEvent, signatureHeaders } from '../../helpers/fakes/feishu-sign.js';

describe('verifySignature', () => {
  const now = new Date('2026-11-25T02:00:00Z');

  function signed(rawBody: string, key = ENCRYPT_KEY) {
    const h = signatureHeaders(rawBody, { now, key });
    return { timestamp: h['X-Lark-Request-Timestamp'], nonce: h['X-Lark-Request-Nonce'], signature: h['X-Lark-Signature'], rawBody, encryptKey: ENCRYPT_KEY };
  }

  it('matches a known vector: hex sha256(timestamp + nonce + key + body)', () => {
    // echo -n '1700000000abcdefkeybody' | sha256sum
    const expected = '8b82bdb084c78b67a8e19f53a2c1fd4f9408bd790dbc6932f877866d4b52f0ac';
    expect(signatureOf({ timestamp: '1700000000', nonce: 'abcdef', encryptKey: 'key', rawBody: 'body' })).toBe(expected);
    expect(verifySignature({ timestamp: '1700000000', nonce: 'abcdef', encryptKey: 'key', rawBody: Buffer.from('body'), signature: expected })).toBe(true);
  });

  it('accepts Feishu-signed bodies and refuses a wrong key, a changed body or a changed nonce', () => {
    const body = JSON.stringify({ encrypt: encrypt(messageEvent()) });
    expect(verifySignature(signed(body))).toBe(true);
    expect(verifySignature(signed(body, 'other-key'))).toBe(false);
    expect(verifySignature({ ...signed(body), rawBody: body.replace('"encrypt"', '"encrypt" ') })).toBe(false);
    expect(verifySignature({ ...signed(body), nonce: 'other' })).toBe(false);
    expect(verifySignature({ ...signed(body), signature: 'short' })).toBe(false);
  });

  it('hashes the raw bytes, not a re-serialization (the SDK quirk)', () => {
    // Spacing and \\u escapes survive JSON.parse but not JSON.stringify: only the raw bytes verify.
    const raw = '{ "encrypt" : "\\u0061bc" }';
    const s = signed(raw);
    expect(verifySignature(s)).toBe(true);
    expect(verifySignature({ ...s, rawBody: JSON.stringify(JSON.parse(raw)) })).toBe(false);
    expect(verifySignature({ ...s, rawBody: new TextEncoder().encode(raw) })).toBe(true);
  });

  it('accepts the signature in upper case hex', () => {
    const s = signed('{}');
    expect(verifySignature({ ...s, signature: s.signature.toUpperCase() })).toBe(true);
  });
});

describe('decrypt', () => {
  it('reverses Feishu encryption (random IV ‖ AES-256-CBC with key sha256(encryptKey))', () => {
    const event = messageEvent({ text: '学时 中文 ✓' });
    expect(JSON.parse(decrypt(encrypt(event), ENCRYPT_KEY))).toEqual(event);
  });

  it('agrees with the SDK’s AESCipher on the same ciphertext', () => {
    const ciphertext = encrypt(challenge('c1'));
    expect(decrypt(ciphertext, ENCRYPT_KEY)).toBe(new AESCipher(ENCRYPT_KEY).decrypt(ciphertext));
  });

  it('throws DecryptError for a wrong key or a mangled payload', () => {
    const ciphertext = encrypt(messageEvent());
    expect(() => decrypt(ciphertext, 'wrong-key')).toThrow(DecryptError);
    expect(() => decrypt('c2hvcnQ=', ENCRYPT_KEY)).toThrow(DecryptError);
    expect(() => decrypt(ciphertext.slice(0, -8), ENCRYPT_KEY)).toThrow(DecryptError);
  });
});

describe('isFresh', () => {
  const now = new Date('2026-11-25T02:00:00Z');
  const secs = (ms: number) => String(Math.floor(ms / 1000));

  it('accepts up to an hour either way and refuses beyond', () => {
    expect(isFresh(secs(now.getTime()), now)).toBe(true);
    expect(isFresh(secs(now.getTime() - 3600_000), now)).toBe(true);
    expect(isFresh(secs(now.getTime() - 3601_000), now)).toBe(false);
    expect(isFresh(secs(now.getTime() + 3601_000), now)).toBe(false);
  });

  it('refuses timestamps that are not Unix seconds', () => {
    expect(isFresh('', now)).toBe(false);
    expect(isFresh('17e8', now)).toBe(false);
    expect(isFresh(String(now.getTime()), now)).toBe(false); // milliseconds: far in the future
  });
});

describe('tokenMatches', () => {
  it('reads header.token in v2 events and the top-level token otherwise', () => {
    expect(tokenMatches('tok', { schema: '2.0', header: { token: 'tok' } })).toBe(true);
    expect(tokenMatches('tok', { schema: '2.0', header: { token: 'bad' }, token: 'tok' })).toBe(false);
    expect(tokenMatches('tok', { type: 'url_verification', token: 'tok' })).toBe(true);
    expect(tokenMatches('tok', { type: 'url_verification' })).toBe(false);
  });

  it('passes everything when no token is configured', () => {
    expect(tokenMatches(undefined, { schema: '2.0', header: {} })).toBe(true);
  });
});
