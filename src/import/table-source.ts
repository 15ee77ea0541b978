/** Raw cell arrays → header-keyed rows, whatever the file type; and rows already in memory. */
import type { RowSource, SourceRow } from './types.js';

/** A batch of raw rows; `numbers` gives each row's sheet row number when the reader skips blank rows. */
export interface RawBatch {
  rows: string[][];
  numbers?: number[];
}

export interface RawReader {
  batches: AsyncIterator<RawBatch>;
  progress(): { bytesRead: number; totalBytes: number | null };
  close(): Promise<void>;
}

const isBlank = (cells: string[]) => cells.every((c) => c === undefined || c === null || String(c).trim() === '');

/** Turns raw cell arrays into header-keyed rows. Shared by every file type and by `rowsSource` (tests). */
export class TableSource implements RowSource {
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
