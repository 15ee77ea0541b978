import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../src/logger.js';
import type { Db } from './client.js';

/**
 * Moves WAL checkpoints off the serving thread. SQLite's automatic checkpoint runs inside whichever commit
 * crosses 1,000 WAL pages: that commit then copies ~4 MB into the database file and fsyncs it, which held
 * an ack up for ~20 ms and doubled the cost of an inbox claim under a burst. Here a worker thread with its
 * own connection runs a PASSIVE checkpoint (never blocks readers or writers) every `intervalMs`, and the
 * serving connection only checkpoints itself as a backstop, past BACKSTOP_PAGES; the thread runs at the lowest
 * CPU priority, so on a busy machine it never takes the core an ack is waiting for. The backstop matters: a
 * checkpoint on another thread can never catch up with writes that keep coming (each commit lands after it
 * started), so under sustained writes the WAL would only grow; a checkpoint inside the writer's own commit
 * has no such race, and the next write starts the WAL over. If the worker dies, normal automatic checkpoints
 * come back.
 */
export interface CheckpointerOptions {
  intervalMs?: number;
  logger?: Logger;
}

const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/** ~40 MB of WAL: only a sustained stream of writes gets here between two background checkpoints. */
export const BACKSTOP_PAGES = 10_000;
/** The checkpoint thread's nice value (lowest priority). */
export const CHECKPOINT_NICE = 19;

// Plain CommonJS so the thread needs no TypeScript loader, whatever runs the main thread (tsx, vitest, node).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// Background work: on Linux this lowers only this thread, so under a burst the serving thread gets the CPU
// and the checkpoint catches up after (a PASSIVE checkpoint blocks nobody while it waits).
try { require('node:os').setPriority(workerData.nice); } catch {}
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ type: 'checkpoint', result });
  } catch (error) {
    parentPort.postMessage({ type: 'error', error: String(error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') checkpoint();
  if (message === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;

export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

export class BackgroundCheckpointer {
  private worker: Worker | null = null;
  private exited: Promise<void> = Promise.resolve();
  private waiters: { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void }[] = [];
  /** Checkpoints completed by the worker; for tests and health. */
  checkpoints = 0;

  constructor(
    private readonly db: Db,
    private readonly path: string,
    private readonly options: CheckpointerOptions = {},
  ) {}

  start(): void {
    if (this.worker || this.path === ':memory:') return;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path: this.path, intervalMs: this.options.intervalMs ?? 1000, nice: CHECKPOINT_NICE } });
    worker.unref();
    worker.on('message', (message: { type: string; result?: CheckpointResult; error?: string }) => {
      if (message.type === 'checkpoint' && message.result) {
        this.checkpoints++;
        for (const w of this.waiters.splice(0)) w.resolve(message.result);
      } else if (message.type === 'error') {
        this.options.logger?.warn({ error: message.error }, 'background WAL checkpoint failed');
        for (const w of this.waiters.splice(0)) w.reject(new Error(message.error));
      }
    });
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        if (this.worker === worker) {
          // Died rather than stopped: let commits checkpoint again so the WAL cannot grow without bound.
          this.options.logger?.error({ code }, 'WAL checkpoint thread exited; automatic checkpoints restored');
          this.worker = null;
          this.restoreAutocheckpoint();
        }
        for (const w of this.waiters.splice(0)) w.reject(new Error('checkpoint thread exited'));
        resolve();
      }),
    );
    worker.on('error', (error) => this.options.logger?.error({ err: error }, 'WAL checkpoint thread failed'));
    this.worker = worker;
    this.db.$client.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  }

  /** Asks for a checkpoint now and resolves with its outcome (for tests and shutdown). */
  checkpointNow(): Promise<CheckpointResult> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('checkpointer is not running'));
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      worker.postMessage('checkpoint');
    });
  }

  get running(): boolean {
    return this.worker !== null;
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    worker.postMessage('stop');
    await this.exited;
    this.restoreAutocheckpoint();
  }

  private restoreAutocheckpoint(): void {
    // The connection may already be closed (a crash path): then there is nothing to restore.
    if (this.db.$client.open) this.db.$client.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  }
}
