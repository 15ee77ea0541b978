/** `import teachers|records <file> [--skip-invalid] [--dry-run] [--stats]` */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase, closeDatabase } from '../../db/client.js';
import { importFile } from '../import/file.js';
import { formatRowError } from '../import/rules.js';
import type { ImportResult, RowSource } from '../import/types.js';
import { CliError, EXIT, int, loadApp, parse, seconds, type CliIo } from './context.js';
import { IMPORT_USAGE } from './usage.js';
import { createProgress } from './progress.js';


const LABEL = { teachers: '名册', records: '学时记录' } as const;

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
    throw new CliError(`不认识的导入类型「${kind}」：应为 teachers（名册）或 records（学时记录）。\n用法：${IMPORT_USAGE}`);
  }
  const app = loadApp(io);
  const db = openDatabase(app.config.DATABASE_PATH);
  let source: RowSource | null = null;
  const progress = createProgress(io, { progress: () => source?.progress() ?? { bytesRead: 0, totalBytes: null } }, `导入${LABEL[kind]}`);
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
    closeDatabase(db);
  }

  if (values.stats) {
    const ru = process.resourceUsage();
    const cpu = (ru.userCPUTime + ru.systemCPUTime) / 1000;
    const busy = performance.eventLoopUtilization(elu).utilization;
    const mainCpu = mainThreadCpuMs();
    io.stderr.write(
      `统计：用时 ${seconds(result.elapsedMs)}（进程 CPU ${seconds(cpu)}` +
        `${mainCpu === null ? '' : `，其中主线程 ${seconds(mainCpu)}`}，主线程繁忙 ${Math.round(busy * 100)}%），` +
        `峰值内存（RSS）${(ru.maxRSS / 1024).toFixed(0)} MiB，` +
        `${int(Math.round(result.rows / Math.max(0.001, result.elapsedMs / 1000)))} 行/秒\n`,
    );
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
  const parts = [`共 ${int(r.rows)} 行`, `${would ? '可新增' : '新增'} ${int(r.added)}`];
  if (kind === 'teachers') parts.push(`${would ? '可更新' : '更新'} ${int(r.updated)}`);
  parts.push(`未变 ${int(r.unchanged)}`);
  if (r.skipped > 0) parts.push(`重复 ${int(r.skipped)} 行（与前面的行相同，只算一次）`);
  parts.push(`错误 ${int(r.invalid)} 行`);
  if (kind === 'teachers' && r.committed && (r.extra.leadersGranted || r.extra.leadersRevoked)) {
    parts.push(`学校负责人权限 新授予 ${int(r.extra.leadersGranted ?? 0)}、取消 ${int(r.extra.leadersRevoked ?? 0)}`);
  }
  return parts.join('，');
}

function report(io: CliIo, kind: 'teachers' | 'records', r: ImportResult): number {
  const name = `导入${LABEL[kind]}「${r.file}」`;
  if (r.rejected && r.rows === 0 && r.errorCount > 0 && r.invalid === 0) {
    io.stderr.write(`${name}：表头不符合要求，未导入任何数据。（错误 ${int(r.errorCount)} 处，见上）\n`);
    return EXIT.badInput;
  }
  const counts = `${countsLine(kind, r)}；用时 ${seconds(r.elapsedMs)}`;
  if (r.rejected) {
    io.stderr.write(
      `${name}：${counts}。\n文件有 ${int(r.invalid)} 行错误（见上），${r.dryRun ? '正式导入时会被拒绝' : '未导入任何数据'}。` +
        `请改正后重新导入，或加 --skip-invalid 只导入正确的行。\n`,
    );
    return EXIT.badInput;
  }
  if (r.dryRun) {
    io.stdout.write(`${name}（试运行，未写入数据库）：${counts}。\n`);
    return EXIT.ok;
  }
  const skipped = r.invalid > 0 ? `（已跳过 ${int(r.invalid)} 行错误，见上）` : '';
  io.stdout.write(`${name}完成：${counts}。${skipped}\n`);
  return EXIT.ok;
}
