import { describe, expect, it } from 'vitest';
import { sniffMime } from '../../../src/declarations/evidence/check.js';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniffMime', () => {
  it('knows the five accepted kinds by their first bytes', () => {
    expect(sniffMime(bytes([0xff, 0xd8, 0xff, 0xe1], 'xxxxxxxx'))).toBe('image/jpeg');
    expect(sniffMime(bytes([0x89], 'PNG\r\n\x1a\n', 'IHDR'))).toBe('image/png');
    expect(sniffMime(bytes('GIF87a', 'xxxxxx'))).toBe('image/gif');
    expect(sniffMime(bytes('GIF89a', 'xxxxxx'))).toBe('image/gif');
    expect(sniffMime(bytes('RIFF', [0x24, 0, 0, 0], 'WEBP'))).toBe('image/webp');
    expect(sniffMime(bytes('%PDF-1.4\n%xx'))).toBe('application/pdf');
  });

  it('refuses everything else, whatever it is called', () => {
    expect(sniffMime(bytes('MZ', [0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0]))).toBeNull(); // a Windows program
    expect(sniffMime(bytes('<!DOCTYPE html>'))).toBeNull();
    expect(sniffMime(bytes('<svg xmlns="ht'))).toBeNull();
    expect(sniffMime(bytes('RIFF', [0x24, 0, 0, 0], 'WAVE'))).toBeNull(); // RIFF, but sound
    expect(sniffMime(bytes('PK', [3, 4], 'xxxxxxxx'))).toBeNull(); // a ZIP (or .docx)
    expect(sniffMime(bytes(' %PDF-1.4'))).toBeNull(); // not at the start
    expect(sniffMime(bytes([0xff, 0xd8]))).toBeNull(); // too short to be a JPEG
    expect(sniffMime(Buffer.alloc(0))).toBeNull();
  });
});
