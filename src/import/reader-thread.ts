import { Worker } from 'node:worker_threads';
import type { ImportLimits } from './limits.js';
import type { RawBatch, RawReader } from './table-source.js';
import { ImportFileError } from './types.js';
import { importText } from '../bot/i18n/zh-CN.import.js';

/** Must divide the workers' MAX_IN_FLIGHT (16) so a worker never waits for an ack that is not sent. */
const ACK_EVERY = 4;

type WorkerMessage =
  | { type: 'rows'; rows: string[][]; numbers?: number[]; bytesRead: number }
  | { type: 'end'; bytesRead: number }
  | { type: 'error'; message: string; code?: string; lines?: number; outOfMemory?: boolean };

export type WorkerError = Error & { code?: string; lines?: number };

/**
 * Rows from a reader thread (csv-worker.mjs, xlsx-worker.mjs), a batch per message, acknowledged in groups.
 * The thread runs under a heap limit: if a file makes it run out, only it dies (ERR_WORKER_OUT_OF_MEMORY)
 * and the import fails with a clear message; the process and the bot go on.
 */
export function workerReader(
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
    if (code !== 0) push({ type: 'error', message: importText.reader.crashed(code) });
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
          importText.reader.outOfMemory(limits.readerMemoryMb),
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
