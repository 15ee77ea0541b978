/** CSV files, streamed: UTF-8 (a BOM is fine) or GBK/GB18030, parsed here or, for big files, on a reader thread. */
import { parse } from 'csv-parse';
import { createReadStream, statSync, type ReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { toUtf8Stream } from './encoding.mjs';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits } from './limits.js';
import { workerReader } from './reader-thread.js';
import { TableSource, type RawBatch, type RawReader } from './table-source.js';
import { ImportFileError, type RowSource } from './types.js';
import { importText } from '../bot/i18n/zh-CN.import.js';

const words = importText.file;

/** Reads everything a Readable (object mode) has buffered as one batch per wake-up. */
async function* drain<T>(stream: Readable, failed: () => Error | null): AsyncGenerator<T[]> {
  let ended = false;
  let error: Error | null = null;
  stream.once('end', () => (ended = true));
  stream.on('error', (e) => (error ??= e));
  for (;;) {
    const items: T[] = [];
    let item: T | null;
    while (items.length < 4096 && (item = stream.read()) !== null) items.push(item);
    if (items.length > 0) {
      yield items;
      continue;
    }
    const err = error ?? failed();
    if (err) throw err;
    if (ended || stream.readableEnded) return;
    await new Promise<void>((resolve) => {
      const wake = () => {
        stream.off('readable', wake);
        stream.off('end', wake);
        stream.off('error', wake);
        stream.off('close', wake);
        resolve();
      };
      stream.on('readable', wake);
      stream.on('end', wake);
      stream.on('error', wake);
      stream.on('close', wake);
    });
    // Destroyed without an error (closed early, e.g. by close()): treat as the end.
    if (stream.destroyed && !error && !failed() && stream.readableLength === 0) return;
  }
}

export function csvError(name: string, error: Error & { code?: string; lines?: number }): ImportFileError {
  if (error instanceof ImportFileError) return error;
  if (error.code === 'ENOENT') return new ImportFileError(words.notFound(name));
  if (error.code === 'EISDIR') return new ImportFileError(words.isDirectory(name));
  if (error.code === 'EACCES') return new ImportFileError(words.noPermission(name));
  if (error.code === 'CSV_MAX_RECORD_SIZE') {
    return new ImportFileError(
      words.lineTooLong(error.lines ?? '?', MAX_RECORD_BYTES / 1024),
    );
  }
  if (error.code?.startsWith('CSV_')) {
    return new ImportFileError(words.csvBroken(error.lines, error.message));
  }
  return new ImportFileError(words.unreadable(name, error.message));
}

// csv-parse options shared by the in-thread and the worker reader. Line ends are detected from the
// first line (CRLF, LF or CR); a stray CR of a mixed file ends up at the end of a cell and is trimmed
// away like any other whitespace.

/**
 * The longest row (in bytes, roughly) a CSV may have. A roster or record row is well under 1 KB; a longer
 * line means the file is not a table (or a quote was never closed), and reading it whole would grow
 * memory with the line.
 */
export const MAX_RECORD_BYTES = 64 * 1024;

const CSV_OPTIONS = {
  bom: true,
  relax_column_count: true,
  relax_quotes: true,
  skip_empty_lines: false,
  max_record_size: MAX_RECORD_BYTES,
} as const;

/** Files at least this big are read on a worker thread, so reading and decoding overlap validation and SQLite. */
export const CSV_WORKER_MIN_BYTES = 8 * 1024 * 1024;

/**
 * CSV, UTF-8 (a BOM is fine) or GBK/GB18030 (detected from the first bytes); quoted cells may span lines. Big files are read on a worker thread
 * (csv-worker.mjs; bounded look-ahead, so memory stays constant); small ones are parsed on this thread.
 */
export function csvSource(path: string, name = basename(path), opts: { worker?: boolean; limits?: ImportLimits } = {}): RowSource {
  return new TableSource(name, () => {
    let totalBytes: number | null = null;
    try {
      totalBytes = statSync(path).size;
    } catch {
      totalBytes = null; // the reader reports ENOENT & co. in Chinese
    }
    const useWorker = opts.worker ?? (totalBytes !== null && totalBytes >= CSV_WORKER_MIN_BYTES);
    return useWorker ? csvWorkerReader(path, name, totalBytes, opts.limits ?? DEFAULT_IMPORT_LIMITS) : csvLocalReader(path, name, totalBytes);
  });
}

function csvLocalReader(path: string, name: string, totalBytes: number | null): RawReader {
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const parser = parse({ ...CSV_OPTIONS, highWaterMark: 4096 } as import('csv-parse').Options);
  const decoder = toUtf8Stream();
  let fileError: Error | null = null;
  const fail = (e: Error) => {
    fileError ??= e;
    parser.destroy(e);
  };
  file.on('error', fail);
  decoder.on('error', fail);
  file.pipe(decoder).pipe(parser);
  async function* batches(): AsyncGenerator<RawBatch> {
    try {
      for await (const rows of drain<string[]>(parser, () => fileError)) yield { rows };
    } catch (e) {
      throw csvError(name, e as Error);
    }
  }
  return {
    batches: batches(),
    progress: () => ({ bytesRead: (file as ReadStream).bytesRead, totalBytes }),
    async close() {
      file.destroy();
      decoder.destroy();
      parser.destroy();
    },
  };
}

/** Rows from the CSV reader thread (csv-worker.mjs). */
function csvWorkerReader(path: string, name: string, totalBytes: number | null, limits: ImportLimits): RawReader {
  return workerReader(new URL('./csv-worker.mjs', import.meta.url), { path, options: CSV_OPTIONS }, totalBytes, limits, (e) => csvError(name, e));
}
