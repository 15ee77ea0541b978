import cliProgress from 'cli-progress';
import type { CliIo } from './context.js';
import { int } from './context.js';
import type { RowSource } from '../import/types.js';
import { cliText } from '../bot/i18n/zh-CN.cli.js';

export interface Progress {
  update(rows: number): void;
  /** Print a line (an error report) without garbling the bar. */
  log(line: string): void;
  stop(): void;
}

/**
 * A progress bar on stderr when it is a terminal (bytes of the file read, rows so far); otherwise one
 * plain line every few seconds, so logs of a long cron import show it is alive.
 */
export function createProgress(io: CliIo, source: Pick<RowSource, 'progress'>, label: string): Progress {
  const stderr = io.stderr;
  if (stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: stderr as NodeJS.WritableStream,
        format: cliText.progress.bar(label),
        hideCursor: true,
        clearOnComplete: true,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      bar.start(source.progress().totalBytes ?? 1, 0, { rows: '0' });
    };
    return {
      update(rows) {
        start();
        const p = source.progress();
        bar.update(p.bytesRead, { rows: int(rows) });
      },
      log(line) {
        if (started) stderr.write(`\r\x1b[K${line}\n`);
        else stderr.write(`${line}\n`);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = Date.now();
  return {
    update(rows) {
      const now = Date.now();
      if (now - last < 5000) return;
      last = now;
      const p = source.progress();
      const pct = p.totalBytes ? Math.min(100, Math.round((100 * p.bytesRead) / p.totalBytes)) : null;
      stderr.write(`${cliText.progress.line(label, int(rows), pct)}\n`);
    },
    log(line) {
      stderr.write(`${line}\n`);
    },
    stop() {},
  };
}

/** A bar over a known number of items (certificates); like createProgress, a plain line every few seconds off a terminal. */
export function createCountProgress(io: CliIo, total: number, label: string): Pick<Progress, 'update' | 'stop'> {
  const stderr = io.stderr;
  if (stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: stderr as NodeJS.WritableStream, format: cliText.progress.countBar(label), hideCursor: true, clearOnComplete: true, fps: 5 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { update: (done) => bar.update(done), stop: () => bar.stop() };
  }
  let last = Date.now();
  return {
    update(done) {
      const now = Date.now();
      if (now - last < 5000 && done < total) return;
      last = now;
      stderr.write(`${cliText.progress.countLine(label, int(done), int(total))}\n`);
    },
    stop() {},
  };
}
