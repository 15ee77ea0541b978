/** `import teachers|records <file> [--skip-invalid] [--dry-run] [--stats]` */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cliText } from '../bot/i18n/zh-CN.cli.js';
import { closeConfiguredDatabase, openConfiguredDatabase } from '../../db/open.js';
import { importFile } from '../import/file.js';
import { formatRowError } from '../import/rules.js';
import type { ImportResult, RowSource } from '../import/types.js';
import { CliError, EXIT, int, loadApp, parse, seconds, type CliIo } from './context.js';
import { IMPORT_USAGE } from './usage.js';
import { createProgress } from './progress.js';


const LABEL = cliText.import.kinds;
const T = cliText.import;

export async function importCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      'skip-invalid': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      stats: { type: 'boolean' },
    },
    IMPORT_USAGE,
    { min: 2, max: 2 },
  );
  const [kind, file] = positionals as [string, string];
  if (kind !== 'teachers' && kind !== 'records') {
    throw new CliError(cliText.withUsage(T.badKind(kind), IMPORT_USAGE));
  }
  const app = loadApp(io);
  const db = await openConfiguredDatabase(app.config);
  let source: RowSource | null = null;
  const progress = createProgress(io, { progress: () => source?.progress() ?? { bytesRead: 0, totalBytes: null } }, T.progress(LABEL[kind]));
  const options = {
    skipInvalid: values['skip-invalid'] === true,
    dryRun: values['dry-run'] === true,
    actor: 'cli',
    onError: (e: Parameters<typeof formatRowError>[0]) => progress.log(formatRowError(e)),
    onProgress: (rows: number) => progress.update(rows),
    progressEvery: 20_000,
    keepErrors: 0,
  };
  const elu = performance.eventLoopUtilization();
  let result: ImportResult;
  try {
    const setting = { presets: app.presets, clock: app.clock, defaultPolicy: app.config.DEFAULT_POLICY, timeZone: app.config.TIMEZONE };
    result = await importFile(db, setting, { ...options, kind, path: file, name: basename(file), onSource: (s) => (source = s) });
  } finally {
    progress.stop();
    await closeConfiguredDatabase(db);
  }

  if (values.stats) {
    const ru = process.resourceUsage();
    const cpu = (ru.userCPUTime + ru.systemCPUTime) / 1000;
    const busy = performance.eventLoopUtilization(elu).utilization;
    const mainCpu = mainThreadCpuMs();
    const rowsPerSecond = int(Math.round(result.rows / Math.max(0.001, result.elapsedMs / 1000)));
    const stats = T.stats(seconds(result.elapsedMs), seconds(cpu), mainCpu === null ? null : seconds(mainCpu), Math.round(busy * 100), (ru.maxRSS / 1024).toFixed(0), rowsPerSecond);
    io.stderr.write(`${stats}\n`);
  }
  return report(io, kind, result);
}

/** CPU time of the main thread alone (Linux /proc; null elsewhere): the floor of the wall time on an idle machine. */
function mainThreadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11], fields[12] = utime, stime (fields 14 and 15 of proc(5)), in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

/**
 * The counts line: every row once (see ImportResult). When nothing was written (a dry run, a rejected
 * file) the good rows are what the import *would* add or update, and the line says so.
 */
export function countsLine(kind: 'teachers' | 'records', r: ImportResult): string {
  const would = !r.committed;
  const c = T.counts;
  const parts = [c.rows(int(r.rows)), c.added(int(r.added), would)];
  if (kind === 'teachers') parts.push(c.updated(int(r.updated), would));
  parts.push(c.unchanged(int(r.unchanged)));
  if (r.skipped > 0) parts.push(c.skipped(int(r.skipped)));
  parts.push(c.invalid(int(r.invalid)));
  if (kind === 'teachers' && r.committed && (r.extra.leadersGranted || r.extra.leadersRevoked)) {
    parts.push(c.leaders(int(r.extra.leadersGranted ?? 0), int(r.extra.leadersRevoked ?? 0)));
  }
  return c.join(parts);
}

function report(io: CliIo, kind: 'teachers' | 'records', r: ImportResult): number {
  const name = T.name(LABEL[kind], r.file);
  if (r.rejected && r.rows === 0 && r.errorCount > 0 && r.invalid === 0) {
    io.stderr.write(`${T.badHeader(name, int(r.errorCount))}\n`);
    return EXIT.badInput;
  }
  const counts = T.timed(countsLine(kind, r), seconds(r.elapsedMs));
  if (r.rejected) {
    io.stderr.write(`${T.rejected(name, counts, int(r.invalid), r.dryRun)}\n`);
    return EXIT.badInput;
  }
  if (r.dryRun) {
    io.stdout.write(`${T.dryRun(name, counts)}\n`);
    return EXIT.ok;
  }
  io.stdout.write(`${T.done(name, counts, r.invalid > 0 ? int(r.invalid) : null)}\n`);
  return EXIT.ok;
}
