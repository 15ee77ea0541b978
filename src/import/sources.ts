/**
 * Row sources: CSV (UTF-8 with or without BOM, or GBK/GB18030 as Excel on Chinese Windows saves it) and XLSX (first worksheet), both streamed so a file of
 * millions of rows is read with constant memory. Each yields {rowNumber, values, extraCells} where
 * rowNumber is the row as the officer sees it in Excel (header = row 1, blank rows still counted).
 */
import { parse } from 'csv-parse';
import { closeSync, createReadStream, openSync, readSync, statSync, type ReadStream } from 'node:fs';
import { basename, extname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import { toUtf8Stream } from './encoding.mjs';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits } from './limits.js';
import { checkXlsxArchive } from './xlsx-check.js';
export { cellText } from './xlsx-cells.mjs';
import { ImportFileError, type RowSource, type SourceRow } from './types.js';

/** A batch of raw rows; `numbers` gives each row's sheet row number when the reader skips blank rows. */
interface RawBatch {
  rows: string[][];
  numbers?: number[];
}

interface RawReader {
  batches: AsyncIterator<RawBatch>;
  progress(): { bytesRead: number; totalBytes: number | null };
  close(): Promise<void>;
}

const isBlank = (cells: string[]) => cells.every((c) => c === undefined || c === null || String(c).trim() === '');

/** Turns raw cell arrays into header-keyed rows. Shared by every file type and by `rowsSource` (tests). */
class TableSource implements RowSource {
  private reader: RawReader | null = null;
  private batch: RawBatch = { rows: [] };
  private pos = 0;
  private counter = 0;
  private headerCells: string[] | null | undefined;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly open: () => RawReader,
  ) {}

  private raw(): RawReader {
    this.reader ??= this.open();
    return this.reader;
  }

  /** Next raw row with its row number, or null at the end of the table. */
  private async next(): Promise<{ n: number; cells: string[] } | null> {
    while (this.pos >= this.batch.rows.length) {
      const step = await this.raw().batches.next();
      if (step.done) return null;
      this.batch = step.value;
      this.pos = 0;
    }
    const i = this.pos++;
    const n = this.batch.numbers ? this.batch.numbers[i] : ++this.counter;
    return { n, cells: this.batch.rows[i] };
  }

  async header(): Promise<string[] | null> {
    if (this.headerCells !== undefined) return this.headerCells;
    for (;;) {
      const row = await this.next();
      if (!row) return (this.headerCells = null);
      if (!isBlank(row.cells)) {
        const cells = row.cells.map((c) => String(c ?? '').trim());
        while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
        return (this.headerCells = cells);
      }
    }
  }

  /** Data rows a batch at a time (what the reader delivered), so a consumer awaits per batch, not per row. */
  async *batches(): AsyncGenerator<SourceRow[]> {
    const header = await this.header();
    if (!header) return;
    const width = header.length;
    try {
      for (;;) {
        const out: SourceRow[] = [];
        while (this.pos < this.batch.rows.length) {
          const i = this.pos++;
          const rowNumber = this.batch.numbers ? this.batch.numbers[i] : ++this.counter;
          const cells = this.batch.rows[i];
          const values: Record<string, string> = {};
          let any = false;
          for (let c = 0; c < width; c++) {
            const v = cells[c];
            const s = v === undefined || v === null ? '' : String(v).trim();
            if (s !== '') any = true;
            values[header[c]] = s;
          }
          let extraCells = 0;
          for (let c = width; c < cells.length; c++) {
            const v = cells[c];
            if (v !== undefined && v !== null && String(v).trim() !== '') extraCells++;
          }
          if (any || extraCells > 0) out.push({ rowNumber, values, extraCells }); // else: a blank row
        }
        if (out.length > 0) yield out;
        const step = await this.raw().batches.next();
        if (step.done) return;
        this.batch = step.value;
        this.pos = 0;
      }
    } finally {
      await this.close();
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SourceRow> {
    for await (const batch of this.batches()) yield* batch;
  }

  progress() {
    return this.reader ? this.reader.progress() : { bytesRead: 0, totalBytes: null };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.reader?.close();
  }
}

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

function csvError(name: string, error: Error & { code?: string; lines?: number }): ImportFileError {
  if (error instanceof ImportFileError) return error;
  if (error.code === 'ENOENT') return new ImportFileError(`找不到文件：${name}`);
  if (error.code === 'EISDIR') return new ImportFileError(`${name} 是一个目录，不是文件`);
  if (error.code === 'EACCES') return new ImportFileError(`没有权限读取文件：${name}`);
  if (error.code === 'CSV_MAX_RECORD_SIZE') {
    return new ImportFileError(
      `第 ${error.lines ?? '?'} 行太长，超过单行上限 ${MAX_RECORD_BYTES / 1024} KB：文件可能不是表格，或某处引号没有成对。`,
    );
  }
  if (error.code?.startsWith('CSV_')) {
    const where = error.lines ? `第 ${error.lines} 行附近` : '';
    return new ImportFileError(`CSV 格式错误${where ? `（${where}）` : ''}：${error.message}。请检查引号是否成对。`);
  }
  return new ImportFileError(`无法读取 ${name}：${error.message}`);
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

/** Must divide the workers' MAX_IN_FLIGHT (16) so a worker never waits for an ack that is not sent. */
const ACK_EVERY = 4;

type WorkerMessage =
  | { type: 'rows'; rows: string[][]; numbers?: number[]; bytesRead: number }
  | { type: 'end'; bytesRead: number }
  | { type: 'error'; message: string; code?: string; lines?: number; outOfMemory?: boolean };

type WorkerError = Error & { code?: string; lines?: number };

/** Rows from the CSV reader thread (csv-worker.mjs). */
function csvWorkerReader(path: string, name: string, totalBytes: number | null, limits: ImportLimits): RawReader {
  return workerReader(new URL('./csv-worker.mjs', import.meta.url), { path, options: CSV_OPTIONS }, totalBytes, limits, (e) => csvError(name, e));
}

/**
 * Rows from a reader thread (csv-worker.mjs, xlsx-worker.mjs), a batch per message, acknowledged in groups.
 * The thread runs under a heap limit: if a file makes it run out, only it dies (ERR_WORKER_OUT_OF_MEMORY)
 * and the import fails with a clear message; the process and the bot go on.
 */
function workerReader(
  script: URL,
  workerData: unknown,
  totalBytes: number | null,
  limits: ImportLimits,
  toError: (e: WorkerError) => ImportFileError,
): RawReader {
  const worker = new Worker(script, {
    execArgv: [],
    workerData,
    resourceLimits: { maxOldGenerationSizeMb: limits.readerMemoryMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(4, limits.readerMemoryMb / 8)) },
  });
  let bytesRead = 0;
  let consumed = 0;
  const queue: WorkerMessage[] = [];
  let wake: (() => void) | null = null;
  const push = (m: WorkerMessage) => {
    queue.push(m);
    wake?.();
    wake = null;
  };
  worker.on('message', push);
  worker.on('error', (e: WorkerError) => push({ type: 'error', message: e.message, outOfMemory: e.code === 'ERR_WORKER_OUT_OF_MEMORY' }));
  worker.on('exit', (code) => {
    if (code !== 0) push({ type: 'error', message: `CSV 读取线程异常退出（${code}）` });
  });
  async function* batches(): AsyncGenerator<RawBatch> {
    for (;;) {
      if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const m = queue.shift()!;
      if (m.type === 'rows') {
        bytesRead = m.bytesRead;
        // Acknowledge consumed batches in groups (each message costs a thread wake-up): the worker
        // keeps at most MAX_IN_FLIGHT batches of look-ahead, so memory stays bounded.
        if (++consumed === ACK_EVERY) {
          worker.postMessage(consumed);
          consumed = 0;
        }
        yield { rows: m.rows, numbers: m.numbers };
      } else if (m.type === 'end') {
        bytesRead = m.bytesRead;
        return;
      } else if (m.outOfMemory) {
        throw new ImportFileError(
          `读取文件时超出内存上限（${limits.readerMemoryMb} MB），已停止，未导入任何数据：文件解压后过大，不像正常的表格。` +
            `请确认文件无误，或拆分后分别导入。`,
        );
      } else {
        throw toError(Object.assign(new Error(m.message), { code: m.code, lines: m.lines }));
      }
    }
  }
  return {
    batches: batches(),
    progress: () => ({ bytesRead, totalBytes }),
    async close() {
      await worker.terminate();
    },
  };
}

/**
 * XLSX, first worksheet only; date cells (also formula results formatted as dates) become YYYY-MM-DD. The
 * zip's directory is checked first (no inflating an absurd workbook), then the workbook is parsed on a
 * reader thread with a heap limit (xlsx-worker.mjs), so a bomb that lies about its sizes kills that thread
 * only and the import fails with a clear message.
 */
export function xlsxSource(path: string, name = basename(path), opts: { limits?: ImportLimits } = {}): RowSource {
  const limits = opts.limits ?? DEFAULT_IMPORT_LIMITS;
  return new TableSource(name, () => {
    let totalBytes: number | null = null;
    try {
      totalBytes = statSync(path).size;
    } catch {
      totalBytes = null;
    }
    let reader: RawReader | null = null;
    let closed = false;
    async function* batches(): AsyncGenerator<RawBatch> {
      await checkXlsxArchive(path, name, limits);
      if (closed) return;
      reader = workerReader(new URL('./xlsx-worker.mjs', import.meta.url), { path, maxRecordBytes: MAX_RECORD_BYTES }, totalBytes, limits, (e) =>
        e.code === 'CSV_MAX_RECORD_SIZE'
          ? csvError(name, e)
          : new ImportFileError(`无法读取 XLSX 文件 ${name}：${e.message}。请确认文件是 Excel 2007 及以后的 .xlsx 格式。`),
      );
      yield* { [Symbol.asyncIterator]: () => reader!.batches };
    }
    return {
      batches: batches(),
      progress: () => reader?.progress() ?? { bytesRead: 0, totalBytes },
      async close() {
        closed = true;
        await reader?.close();
      },
    };
  });
}

/** Rows already in memory (tests, the admin console's pasted tables). The first row is the header. */
export function rowsSource(name: string, rows: string[][]): RowSource {
  return new TableSource(name, () => {
    let done = false;
    return {
      batches: {
        async next() {
          if (done) return { done: true, value: undefined };
          done = true;
          return { done: false, value: { rows } };
        },
      },
      progress: () => ({ bytesRead: done ? 1 : 0, totalBytes: 1 }),
      async close() {},
    };
  });
}

/**
 * Picks the reader by extension (of the path, else of `typeHint`), falling back to the file's first bytes;
 * refuses old .xls clearly.
 */
export function openSource(path: string, name = basename(path), opts: { limits?: ImportLimits; typeHint?: string } = {}): RowSource {
  // An upload's temp file may have no extension: the officer's file name then says what it is.
  const ext = (extname(path) || extname(opts.typeHint ?? '')).toLowerCase();
  let magic = '';
  try {
    const fd = openSync(path, 'r');
    const buf = Buffer.alloc(4);
    readSync(fd, buf, 0, 4, 0);
    closeSync(fd);
    magic = buf.toString('hex');
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new ImportFileError(`找不到文件：${path}`);
    if (code === 'EISDIR') throw new ImportFileError(`${path} 是一个目录，不是文件`);
    throw new ImportFileError(`无法读取 ${path}：${(e as Error).message}`);
  }
  if (ext === '.xls' || magic === 'd0cf11e0') {
    throw new ImportFileError(`不支持旧版 Excel（.xls）文件 ${name}：请在 Excel 中“另存为” .xlsx 或 “CSV UTF-8（逗号分隔）”。`);
  }
  if (ext === '.xlsx' || ext === '.xlsm' || magic === '504b0304') return xlsxSource(path, name, opts);
  return csvSource(path, name, opts);
}
