/**
 * Which text encoding a CSV is in, decided from its first bytes so the rest can stream. Plain JS (an .mjs
 * file) because the CSV reader thread (csv-worker.mjs) uses it too, without a TypeScript loader.
 *
 * Excel on Chinese Windows saves "CSV (逗号分隔)" in GBK (GB18030 is its superset); "CSV UTF-8" carries a BOM.
 * So: a BOM says UTF-8 (or UTF-16); otherwise bytes that are valid UTF-8 are UTF-8 (ASCII is both); anything
 * else is read as GB18030. GBK/GB18030 never use the bytes of CR, LF, '"' or ',' inside a character (trail
 * bytes are 0x30–0x39 or ≥ 0x40), so a reader may find line ends and quotes in the raw bytes either way.
 */
import { isUtf8 } from 'node:buffer';
import { Transform } from 'node:stream';
import iconv from 'iconv-lite';

/** Bytes looked at before deciding (the first read of every reader is at least this big). */
export const SNIFF_BYTES = 64 * 1024;

/** `buf` without a multi-byte UTF-8 character cut off at its end (the next chunk has the rest of it). */
function withoutCutCharacter(buf) {
  const n = buf.length;
  for (let back = 1; back <= Math.min(4, n); back++) {
    const b = buf[n - back];
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? buf.subarray(0, n - back) : buf;
  }
  return buf;
}

/**
 * 'utf8' | 'utf16le' | 'utf16be' | 'gb18030' for a file starting with `head`; null when more bytes are
 * needed (fewer than SNIFF_BYTES and not the whole file).
 */
export function detectEncoding(head, wholeFile) {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf8';
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf16be';
  if (head.length < SNIFF_BYTES && !wholeFile) return null;
  return isUtf8(wholeFile ? head : withoutCutCharacter(head)) ? 'utf8' : 'gb18030';
}

/** Decodes complete text (no character cut at the end) of a non-UTF-8 encoding. */
export function decodeText(buf, encoding) {
  return encoding === 'utf8' ? buf.toString('utf8') : iconv.decode(buf, encoding);
}

/**
 * A byte stream → UTF-8 bytes (for csv-parse). UTF-8 and UTF-16LE pass through untouched (csv-parse reads
 * their BOMs itself); GB18030 and UTF-16BE are decoded. Holds back at most SNIFF_BYTES until it decides.
 */
export function toUtf8Stream(onEncoding) {
  let head = [];
  let headBytes = 0;
  let decoder = null; // null: pass through
  let decided = false;
  const decide = (self, wholeFile) => {
    const buf = Buffer.concat(head, headBytes);
    head = [];
    const encoding = detectEncoding(buf, wholeFile);
    if (encoding === null) {
      head = [buf];
      return;
    }
    decided = true;
    onEncoding?.(encoding);
    if (encoding === 'gb18030' || encoding === 'utf16be') decoder = iconv.getDecoder(encoding);
    emit(self, buf);
  };
  const emit = (self, chunk) => {
    if (!decoder) return self.push(chunk);
    const text = decoder.write(chunk);
    if (text) self.push(Buffer.from(text, 'utf8'));
  };
  return new Transform({
    transform(chunk, _encoding, callback) {
      if (decided) emit(this, chunk);
      else {
        head.push(chunk);
        headBytes += chunk.length;
        decide(this, false);
      }
      callback();
    },
    flush(callback) {
      if (!decided) decide(this, true);
      const rest = decoder?.end();
      if (rest) this.push(Buffer.from(rest, 'utf8'));
      callback();
    },
  });
}
