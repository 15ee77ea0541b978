/**
 * How every bench prints its figures, so `bench/run.ts` (and a reader) can scan them:
 *
 *   webhook.throughput_ratio: 0.93 (target ≥ 0.8)  PASS
 *   webhook.ours.events_per_s: 4,321
 *
 * A missed target prints FAIL and the bench carries on; only a crash is an error. Run a bench file directly
 * (`npx tsx bench/webhook.ts [--strict]`) or through `npm run bench -- webhook`.
 */
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';

export type Op = '<' | '<=' | '>' | '>=' | '==';
const OP_TEXT: Record<Op, string> = { '<': '<', '<=': '≤', '>': '>', '>=': '≥', '==': '=' };

export interface Target {
  op: Op;
  value: number;
}

interface Outcome {
  key: string;
  line: string;
  pass: boolean;
}

/** Every checked figure of this process, for the closing summary and for --strict. */
const outcomes: Outcome[] = [];

export function fmt(value: number, digits?: number): string {
  if (!Number.isFinite(value)) return String(value);
  const d = digits ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3);
  return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

function meets(value: number, t: Target): boolean {
  switch (t.op) {
    case '<':
      return value < t.value;
    case '<=':
      return value <= t.value;
    case '>':
      return value > t.value;
    case '>=':
      return value >= t.value;
    case '==':
      return value === t.value;
  }
}

export class Reporter {
  constructor(readonly bench: string) {}

  /** A figure without a target. */
  info(key: string, value: number | string, unit = '', digits?: number): void {
    const v = typeof value === 'number' ? fmt(value, digits) : value;
    console.log(`${this.bench}.${key}: ${v}${unit ? ` ${unit}` : ''}`);
  }

  /** A figure with a target: prints PASS or FAIL and remembers the outcome. */
  check(key: string, value: number, target: Target, unit = '', digits?: number): boolean {
    const pass = meets(value, target);
    const u = unit ? ` ${unit}` : '';
    const line = `${this.bench}.${key}: ${fmt(value, digits)}${u} (target ${OP_TEXT[target.op]} ${fmt(target.value, digits)}${u})  ${pass ? 'PASS' : 'FAIL'}`;
    console.log(line);
    outcomes.push({ key: `${this.bench}.${key}`, line, pass });
    return pass;
  }

  /** A free-text line (method, caveat), indented so it cannot be mistaken for a figure. */
  note(text: string): void {
    for (const line of text.split('\n')) console.log(`  # ${line}`);
  }

  /** The machine's state: on a shared 2-core box, figures taken under load are not comparable. */
  machine(when: string): void {
    const [one, five] = loadavg();
    const n = cpus().length;
    const busy = one > n * 0.75 ? ` — BUSY: other work competes for the ${n} CPUs, figures are pessimistic` : '';
    this.note(`machine ${when}: ${n} CPUs, load average ${one.toFixed(2)} (1 min) / ${five.toFixed(2)} (5 min)${busy}`);
  }

  section(title: string): void {
    console.log(`\n== ${this.bench}: ${title}`);
  }

  /** The closing summary of this bench: every checked figure, then the count. */
  summary(): { pass: number; fail: number } {
    const mine = outcomes.filter((o) => o.key.startsWith(`${this.bench}.`));
    const fail = mine.filter((o) => !o.pass).length;
    console.log(`\n== ${this.bench}: summary`);
    for (const o of mine) console.log(`  ${o.pass ? 'PASS' : 'FAIL'}  ${o.key}`);
    console.log(`${this.bench}: ${mine.length - fail}/${mine.length} targets met${fail ? `, ${fail} FAIL` : ''}`);
    return { pass: mine.length - fail, fail };
  }
}

export function failedChecks(): number {
  return outcomes.filter((o) => !o.pass).length;
}

/** Minimal `--name value` / `--flag` parsing for bench options. */
export function options(args: readonly string[]) {
  const get = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    if (i >= 0 && i + 1 < args.length && !args[i + 1].startsWith('--')) return args[i + 1];
    const eq = args.find((a) => a.startsWith(`--${name}=`));
    return eq?.slice(name.length + 3);
  };
  return {
    has: (name: string) => args.includes(`--${name}`),
    string: (name: string, fallback: string) => get(name) ?? fallback,
    int: (name: string, fallback: number) => {
      const v = get(name);
      if (v === undefined) return fallback;
      const n = Number(v.replace(/[_,]/g, ''));
      if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${v}`);
      return n;
    },
  };
}

/** True when `moduleUrl` is the file node was asked to run (not imported by run.ts's child runner). */
export function isEntry(moduleUrl: string): boolean {
  return Boolean(process.argv[1]) && moduleUrl === pathToFileURL(process.argv[1]).href;
}

/**
 * Runs a bench's main() as a program: a throw exits 1; with --strict a FAIL exits 1 too. Call it only when
 * the file is the entry (`if (isEntry(import.meta.url)) void runStandalone(main)`).
 */
export async function runStandalone(main: (args: string[]) => Promise<unknown>): Promise<void> {
  const args = process.argv.slice(2);
  try {
    await main(args);
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  }
  process.exit(args.includes('--strict') && failedChecks() > 0 ? 1 : 0);
}
