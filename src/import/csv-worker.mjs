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
 * Flow control: at most MAX_IN_FLIGHT posted messages not yet acknowledged by the importer (which
 * acknowledges them in groups), so a slow consumer bounds this thread's look-ahead and memory.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { parse } from 'csv-parse';

const MAX_IN_FLIGHT = 16;
const ROWS_PER_BATCH = 512;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
/** A line still without its end after this many bytes (not a CSV of rows, or one huge cell) goes to csv-parse. */
const LONG_LINE = 4 * 1024 * 1024;

const { path, options } = workerData;
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
      if (buf.length < 3 && !eof) {
        pending = buf;
        continue;
      }
      started = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      else if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) return fallback(buf, null, true);
    }
    if (buf.indexOf(QUOTE) !== -1) return fallback(buf, delimiter, lines === 0);
    if (delimiter === null) {
      let i = 0;
      while (i < buf.length && buf[i] !== LF && buf[i] !== CR) i++;
      if (i === buf.length || (buf[i] === CR && i + 1 === buf.length && !eof)) {
        // No line end yet (or a CR that may be the start of a CRLF): wait for more, unless this is all.
        if (!eof) {
          if (buf.length > LONG_LINE) return fallback(buf, null, true);
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
      await postLines(buf.toString('utf8', 0, end), delimiter);
      buf = buf.subarray(end + delimiter.length);
    }
    if (eof) {
      // A last line without a line end is a row; an empty remainder is not.
      if (buf.length > 0) await postLines(buf.toString('utf8'), delimiter ?? '\n');
      parentPort.postMessage({ type: 'end', bytesRead: file.bytesRead });
      return;
    }
    if (buf.length > LONG_LINE) return fallback(buf, delimiter, false);
    pending = buf.length > 0 ? buf : null;
  }
}

/** Complete lines (without their last line end) → rows of cells, ROWS_PER_BATCH per message. */
async function postLines(text, delimiter) {
  const all = text.split(delimiter);
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
  const write = async (chunk) => {
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
