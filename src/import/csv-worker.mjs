/**
 * The CSV reader thread for big files (see csvWorkerReader in sources.ts). Plain JS (an .mjs file) so it
 * runs the same under node, tsx and vitest without a loader.
 *
 * Most files are plain: no quote character anywhere. For those this thread does not run csv-parse: it
 * finds line ends, decodes whole runs of lines and splits them on the line end and on commas, which is
 * csv-parse's result for lines without quotes (options in sources.ts): a UTF-8 BOM is skipped; the line end
 * is the first CRLF, LF or CR of the file and only that sequence ends a row (a stray CR or LF stays in its
 * cell, to be trimmed later); an empty line is a row with one empty cell; a last line without a line end is
 * a row. Rows are posted as { type: 'rows', rows } batches either way (cell arrays are cheaper for the
 * importer's thread to receive than text is to split there).
 *
 * At the first quote character, the rest of the file — from the start of the line it is in — goes through
 * csv-parse itself, with the line end already found; the line numbers of its errors are counted from the
 * start of the file. A file starting with a UTF-16 BOM goes to csv-parse whole.
 *
 * Encoding: decided from the first SNIFF_BYTES (encoding.mjs): UTF-8, or GBK/GB18030 as Excel on Chinese
 * Windows saves it; runs of complete lines are decoded as such, and csv-parse is given UTF-8.
 *
 * A line longer than options.max_record_size is an error naming its row (CSV_MAX_RECORD_SIZE, as csv-parse
 * says it), so one enormous line can never grow this thread's memory.
 *
 * Flow control: at most MAX_IN_FLIGHT posted messages not yet acknowledged by the importer (which
 * acknowledges them in groups), so a slow consumer bounds this thread's look-ahead and memory.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { decodeText, detectEncoding } from './encoding.mjs';

const MAX_IN_FLIGHT = 16;
const ROWS_PER_BATCH = 512;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const { path, options } = workerData;
const MAX_RECORD = options.max_record_size;
const file = createReadStream(path, { highWaterMark: 256 * 1024 });
const chunks = file[Symbol.asyncIterator]();

let inFlight = 0;
let acked = null;
parentPort.on('message', (consumed) => {
  inFlight -= consumed;
  if (acked && inFlight < MAX_IN_FLIGHT) {
    const resolve = acked;
    acked = null;
    resolve();
  }
});
const post = async (message) => {
  parentPort.postMessage(message);
  if (++inFlight >= MAX_IN_FLIGHT) await new Promise((resolve) => (acked = resolve));
};

let lines = 0; // lines (= rows) posted by the plain path so far
let encoding = null; // decided from the first bytes

/** The error csv-parse gives for a record over max_record_size, for line `line` (1-based). */
function tooLong(line) {
  return Object.assign(new Error(`Max Record Size: record exceed the maximum number of tolerated bytes of ${MAX_RECORD} at line ${line}`), {
    code: 'CSV_MAX_RECORD_SIZE',
    lines: line,
  });
}

async function main() {
  let pending = null; // bytes after the last complete line
  let delimiter = null; // '\r\n', '\n' or '\r', once seen
  let started = false;
  for (;;) {
    const step = await chunks.next();
    const eof = step.done === true;
    let buf = eof ? pending ?? Buffer.alloc(0) : pending ? Buffer.concat([pending, step.value]) : step.value;
    pending = null;
    if (!started) {
      encoding = detectEncoding(buf, eof);
      if (encoding === null) {
        pending = buf;
        continue;
      }
      started = true;
      if (encoding === 'utf16le' || encoding === 'utf16be') return fallback(buf, null, true);
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    if (buf.indexOf(QUOTE) !== -1) return fallback(buf, delimiter, lines === 0);
    if (delimiter === null) {
      let i = 0;
      while (i < buf.length && buf[i] !== LF && buf[i] !== CR) i++;
      if (i === buf.length || (buf[i] === CR && i + 1 === buf.length && !eof)) {
        // No line end yet (or a CR that may be the start of a CRLF): wait for more, unless this is all.
        if (!eof) {
          if (buf.length > MAX_RECORD) throw tooLong(1);
          pending = buf;
          continue;
        }
      } else {
        delimiter = buf[i] === LF ? '\n' : buf[i + 1] === LF ? '\r\n' : '\r';
      }
    }
    let end = -1; // where the last complete line's line end starts
    if (delimiter !== null) {
      end = delimiter === '\r\n' ? buf.lastIndexOf('\r\n') : buf.lastIndexOf(delimiter === '\n' ? LF : CR);
    }
    if (end !== -1) {
      await postLines(decodeText(buf.subarray(0, end), encoding), delimiter);
      buf = buf.subarray(end + delimiter.length);
    }
    if (eof) {
      // A last line without a line end is a row; an empty remainder is not.
      if (buf.length > 0) await postLines(decodeText(buf, encoding), delimiter ?? '\n');
      parentPort.postMessage({ type: 'end', bytesRead: file.bytesRead });
      return;
    }
    if (buf.length > MAX_RECORD) throw tooLong(lines + 1);
    pending = buf.length > 0 ? buf : null;
  }
}

/** Complete lines (without their last line end) → rows of cells, ROWS_PER_BATCH per message. */
async function postLines(text, delimiter) {
  const all = text.split(delimiter);
  for (let i = 0; i < all.length; i++) if (all[i].length > MAX_RECORD) throw tooLong(lines + i + 1);
  lines += all.length;
  for (let start = 0; start < all.length; start += ROWS_PER_BATCH) {
    const end = Math.min(all.length, start + ROWS_PER_BATCH);
    const rows = new Array(end - start);
    for (let i = start; i < end; i++) rows[i - start] = all[i].split(',');
    await post({ type: 'rows', rows, bytesRead: file.bytesRead });
  }
}

/** The rest of the file, from `buf` (the start of a line) on, through csv-parse. */
async function fallback(buf, delimiter, fromStart) {
  const offset = lines;
  const parser = parse(fromStart ? options : { ...options, bom: false, ...(delimiter ? { record_delimiter: delimiter } : {}) });
  // csv-parse reads UTF-8 and UTF-16LE itself; GB18030 and UTF-16BE reach it as UTF-8.
  const decoder = encoding === 'gb18030' || encoding === 'utf16be' ? iconv.getDecoder(encoding) : null;
  let rows = [];
  let failure = null;
  const done = new Promise((resolve) => {
    parser.on('error', (e) => {
      failure ??= e;
      resolve();
    });
    parser.on('end', resolve);
  });
  const flush = async () => {
    if (rows.length === 0) return;
    const batch = rows;
    rows = [];
    await post({ type: 'rows', rows: batch, bytesRead: file.bytesRead });
  };
  // Pull rows as they come (paused mode), posting a batch at a time and waiting for acknowledgements.
  const reading = (async () => {
    for await (const row of parser) {
      rows.push(row);
      if (rows.length >= ROWS_PER_BATCH) await flush();
    }
    await flush();
  })().catch((e) => (failure ??= e));
  const write = async (bytes) => {
    const chunk = decoder ? Buffer.from(decoder.write(bytes), 'utf8') : bytes;
    if (!parser.write(chunk)) await Promise.race([once(parser, 'drain'), done]);
  };
  if (buf.length > 0) await write(buf);
  for (;;) {
    if (failure) break;
    const step = await chunks.next();
    if (step.done) break;
    await write(step.value);
  }
  if (!failure) parser.end();
  await reading;
  await done;
  if (failure) throw shift(failure, offset);
  parentPort.postMessage({ type: 'end', bytesRead: file.bytesRead });
}

/** csv-parse counted lines from where it started; count them from the start of the file. */
function shift(error, offset) {
  if (offset === 0 || typeof error.lines !== 'number') return error;
  const shifted = new Error(String(error.message).replace(/\bat line (\d+)/g, (_, n) => `at line ${Number(n) + offset}`));
  return Object.assign(shifted, { code: error.code, lines: error.lines + offset });
}

main().catch((e) => {
  parentPort.postMessage({ type: 'error', message: e.message, code: e.code, lines: e.lines });
});
