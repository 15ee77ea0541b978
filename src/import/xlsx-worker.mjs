/**
 * The XLSX reader thread (see workerReader in sources.ts): exceljs's streaming reader on the first worksheet,
 * rows posted as cell text in batches. It runs on its own thread under a heap limit (resourceLimits), so a
 * workbook that inflates to gigabytes kills this thread only: the importer reports it and the bot lives.
 * Plain JS (an .mjs file) so it runs the same under node, tsx and vitest without a loader.
 *
 * Flow control as in csv-worker.mjs: at most MAX_IN_FLIGHT batches not yet acknowledged by the importer.
 * A row whose text is longer than maxRecordBytes is an error naming the row (as for CSV), so no batch can
 * carry an inflated shared string thousands of times to the importer's thread.
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import ExcelJS from 'exceljs';
import { cellText, useChineseBuiltInFormats } from './xlsx-cells.mjs';

const MAX_IN_FLIGHT = 16;
const ROWS_PER_BATCH = 512;
const { path, maxRecordBytes } = workerData;

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

async function main() {
  useChineseBuiltInFormats();
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  let fileError = null;
  file.on('error', (e) => (fileError = e));
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  let rows = [];
  let numbers = [];
  const flush = async () => {
    if (rows.length === 0) return;
    const message = { type: 'rows', rows, numbers, bytesRead: file.bytesRead };
    rows = [];
    numbers = [];
    await post(message);
  };
  try {
    for await (const sheet of workbook) {
      for await (const events of sheet.parse()) {
        for (const { eventType, value: row } of events) {
          if (eventType !== 'row') continue;
          const values = row.values;
          const cells = [];
          let length = 0;
          for (let c = 1; c < values.length; c++) {
            const v = values[c];
            const needsFmt = typeof v === 'number' || (typeof v === 'object' && v !== null && 'formula' in v);
            const text = cellText(v, needsFmt ? row.getCell(c).numFmt : undefined);
            length += text.length;
            if (length > maxRecordBytes) {
              throw Object.assign(new Error(`row ${row.number} too long`), { code: 'CSV_MAX_RECORD_SIZE', lines: row.number });
            }
            cells.push(text);
          }
          rows.push(cells);
          numbers.push(row.number);
          if (rows.length >= ROWS_PER_BATCH) await flush();
        }
      }
      break; // first worksheet only
    }
    await flush();
  } catch (e) {
    throw fileError ?? e;
  }
  if (fileError) throw fileError;
  parentPort.postMessage({ type: 'end', bytesRead: file.bytesRead });
}

main().catch((e) => {
  parentPort.postMessage({ type: 'error', message: e.message, code: e.code, lines: e.lines });
});
