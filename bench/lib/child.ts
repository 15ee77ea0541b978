/**
 * Runs one bench file in this (fresh) process for bench/run.ts: imports it, calls its exported `main(args)`,
 * and prints the process's peak RSS. Exit 1 if main throws (or the file has no main), else 0.
 *
 *   node --import tsx bench/lib/child.ts bench/webhook.ts [bench options]
 */
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: node --import tsx bench/lib/child.ts <bench file> [options]');
  process.exit(2);
}
const name = basename(file).replace(/\.[cm]?tsx?$/, '');

try {
  const mod = (await import(pathToFileURL(resolve(file)).href)) as { main?: unknown; default?: unknown };
  const main = typeof mod.main === 'function' ? mod.main : typeof mod.default === 'function' ? mod.default : null;
  if (!main) throw new Error(`${file} does not export a main() function`);
  await (main as (args: string[]) => Promise<unknown>)(args);
} catch (error) {
  console.error(`\n${name}: CRASHED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
// resourceUsage().maxRSS is in KiB; this is the bench process itself (servers it forked report their own).
console.log(`${name}.bench_process_peak_rss_mib: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
process.exit(0);
