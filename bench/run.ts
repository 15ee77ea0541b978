/**
 * `npm run bench [-- <name>…] [--strict] [--list] [bench options]`
 *
 * Runs every bench file in bench/ (each `*.ts` beside this one that exports `main()`), one after another,
 * each in its own child process (`node --import tsx bench/lib/child.ts bench/<name>.ts`), so memory figures
 * are per bench and one bench's heap or open handles cannot skew the next. Output is passed through as it
 * comes; a summary follows. Options other than --strict/--list are handed to every bench (e.g. --events 5000).
 *
 * Exit code: 1 if a bench crashed (threw, or exited non-zero); with --strict also 1 if any target printed FAIL;
 * 2 for an unknown bench name. Otherwise 0.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isEntry } from './lib/report.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const CHILD = join(BENCH_DIR, 'lib', 'child.ts');

/** Bench files: bench/*.ts except this runner and scratch files (leading _ or .). */
export function discover(dir = BENCH_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && e.name !== 'run.ts' && !/^[_.]/.test(e.name))
    .map((e) => e.name.slice(0, -3))
    .sort();
}

interface Outcome {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  pass: number;
  fail: number;
  failed: string[];
  seconds: number;
  peakRss?: string;
}

/** A checked figure, as bench/lib/report.ts prints it: `name: value (target ≥ x)  PASS`. */
const VERDICT = /^(\S+): .*\(target .*\)\s+(PASS|FAIL)\s*$/;

function runOne(name: string, args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const outcome: Outcome = { name, code: null, signal: null, pass: 0, fail: 0, failed: [], seconds: 0 };
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, join(BENCH_DIR, `${name}.ts`), ...args], {
      cwd: join(BENCH_DIR, '..'),
      env: process.env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let rest = '';
    const scan = (line: string) => {
      const m = VERDICT.exec(line);
      if (m) {
        if (m[2] === 'PASS') outcome.pass++;
        else {
          outcome.fail++;
          outcome.failed.push(m[1]);
        }
      }
      const rss = /^\S+\.bench_process_peak_rss_mib: (.*)$/.exec(line);
      if (rss) outcome.peakRss = rss[1];
    };
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      lines.forEach(scan);
    });
    child.on('close', (code, signal) => {
      if (rest) scan(rest);
      outcome.code = code;
      outcome.signal = signal;
      outcome.seconds = (performance.now() - started) / 1000;
      resolve(outcome);
    });
  });
}

export async function run(argv: string[]): Promise<number> {
  const strict = argv.includes('--strict');
  const available = discover();
  if (argv.includes('--list')) {
    console.log(available.join('\n'));
    return 0;
  }
  // Bench names come first (`npm run bench -- webhook ledger --events 5000`); everything from the first
  // option on is passed to the benches, --strict included (a bench run directly honours it too).
  const firstOption = argv.findIndex((a) => a.startsWith('--'));
  const names = (firstOption < 0 ? argv : argv.slice(0, firstOption)).map((n) => n.replace(/^bench\//, '').replace(/\.ts$/, ''));
  const passOn = firstOption < 0 ? [] : argv.slice(firstOption).filter((a) => a !== '--list');
  const unknown = names.filter((n) => !available.includes(n));
  if (unknown.length > 0) {
    console.error(`unknown bench: ${unknown.join(', ')}. Available: ${available.join(', ')}`);
    return 2;
  }
  const selected = names.length > 0 ? names : available;
  console.log(`benches: ${selected.join(', ')}${passOn.length ? ` (options: ${passOn.join(' ')})` : ''}`);

  const outcomes: Outcome[] = [];
  for (const name of selected) {
    const [one] = loadavg();
    console.log(`\n######## ${name}  (load average ${one.toFixed(2)} on ${cpus().length} CPUs before start)`);
    outcomes.push(await runOne(name, passOn));
  }

  console.log('\n######## bench summary');
  for (const o of outcomes) {
    const crashed = o.code !== 0;
    const status = crashed ? `CRASHED (${o.signal ?? `exit ${o.code}`})` : o.fail > 0 ? 'FAIL' : 'ok';
    console.log(
      `  ${o.name.padEnd(16)} ${status.padEnd(18)} ${String(o.pass).padStart(3)} PASS ${String(o.fail).padStart(3)} FAIL  ` +
        `${o.seconds.toFixed(1).padStart(7)} s${o.peakRss ? `  bench process peak RSS ${o.peakRss}` : ''}`,
    );
    for (const f of o.failed) console.log(`      FAIL ${f}`);
  }
  const crashed = outcomes.filter((o) => o.code !== 0).length;
  const fails = outcomes.reduce((s, o) => s + o.fail, 0);
  console.log(
    `${outcomes.length} bench${outcomes.length === 1 ? '' : 'es'}: ${crashed} crashed, ${fails} target${fails === 1 ? '' : 's'} missed` +
      (fails > 0 && !strict ? ' (exit 0: add --strict to fail on missed targets)' : ''),
  );
  return crashed > 0 || (strict && fails > 0) ? 1 : 0;
}

if (isEntry(import.meta.url)) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
