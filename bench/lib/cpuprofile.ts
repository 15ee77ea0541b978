/**
 * Summarises a V8 .cpuprofile (from `--cpu-prof` or a bench's `--cpu-prof` option): self and inclusive
 * time per function, as a share of the busy (non-idle) time.
 *
 *   npx tsx bench/lib/cpuprofile.ts <file.cpuprofile> [--top 40] [--match src/] [--under 'receive src/platforms']
 *
 * --under keeps only the samples whose stack passes through a function whose label contains that text.
 */
import { readFileSync } from 'node:fs';
import { isEntry, options } from './report.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function summariseProfile(profile: Profile, top = 40, match?: string, under?: string): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^file:\/\//, '').replace(/^.*?\/(node_modules|src|commands|db|bench|tests)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;

  const timeAt = new Map<number, number>();
  profile.samples.forEach((id, i) => timeAt.set(id, (timeAt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  const stackHas = (id: number, text: string) => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) if (label(byId.get(cur)!).includes(text)) return true;
    return false;
  };
  for (const [id, t] of timeAt) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') {
      idle += t;
      continue;
    }
    // --under: only the samples taken inside that function (its callees' share of it).
    if (under && !stackHas(id, under)) continue;
    busy += t;
    self.set(label(node), (self.get(label(node)) ?? 0) + t);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + t);
    }
  }
  const list = (m: Map<string, number>) =>
    [...m]
      .filter(([l]) => !match || l.includes(match))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([l, t]) => `${((100 * t) / busy).toFixed(1).padStart(6)}%  ${(t / 1000).toFixed(0).padStart(6)} ms  ${l}`)
      .join('\n');
  return [
    `busy ${(busy / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms (shares below are of busy time)`,
    '--- self time',
    list(self),
    '--- inclusive time',
    list(inclusive),
  ].join('\n');
}

if (isEntry(import.meta.url)) {
  const args = process.argv.slice(2);
  const o = options(args);
  const file = args.find((a) => !a.startsWith('--') && a.endsWith('.cpuprofile'));
  if (!file) {
    console.error('usage: npx tsx bench/lib/cpuprofile.ts <file.cpuprofile> [--top 40] [--match src/] [--under text]');
    process.exit(1);
  }
  const match = o.string('match', '');
  console.log(summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile, o.int('top', 40), match || undefined, o.string('under', '') || undefined));
}
