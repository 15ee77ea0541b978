/**
 * Row sources: CSV (UTF-8 with or without BOM, or GBK/GB18030 as Excel on Chinese Windows saves it) and XLSX (first worksheet), both streamed so a file of
 * millions of rows is read with constant memory. Each yields {rowNumber, values, extraCells} where
 * rowNumber is the row as the officer sees it in Excel (header = row 1, blank rows still counted).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { importText } from '../bot/i18n/zh-CN.import.js';
import { csvError, csvSource, MAX_RECORD_BYTES } from './csv-source.js';
import { DEFAULT_IMPORT_LIMITS, type ImportLimits } from './limits.js';
import { workerReader } from './reader-thread.js';
import { TableSource, type RawBatch, type RawReader } from './table-source.js';
import { checkXlsxArchive } from './xlsx-check.js';
export { cellText } from './xlsx-cells.mjs';
import { ImportFileError, type RowSource } from './types.js';

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
          : new ImportFileError(importText.xlsx.unreadable(name, e.message)),
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
    if (code === 'ENOENT') throw new ImportFileError(importText.file.notFound(path));
    if (code === 'EISDIR') throw new ImportFileError(importText.file.isDirectory(path));
    throw new ImportFileError(importText.file.unreadable(path, (e as Error).message));
  }
  if (ext === '.xls' || magic === 'd0cf11e0') {
    throw new ImportFileError(importText.file.oldXls(name));
  }
  if (ext === '.xlsx' || ext === '.xlsm' || magic === '504b0304') return xlsxSource(path, name, opts);
  return csvSource(path, name, opts);
}
