/**
 * The platforms' traits (src/core/platform-traits.ts) are declared by src/platforms/registry.ts when it loads.
 * Every entry point that can reach a trait (an invitation, a teacher's address) must load the registry too, or
 * the trait read fails at run time: the app, and each CLI subcommand that queues chat messages. The registry
 * pulls in the platform SDKs, so a subcommand that sends nothing (`hours`) is not made to load it.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

type Madge = (paths: string[], config: { fileExtensions: string[]; tsConfig: string; baseDir?: string }) => Promise<{ obj(): Record<string, string[]> }>;
// madge ships no type declarations; this is the part of its API used here.
const madge = createRequire(import.meta.url)('madge') as Madge;

const ROOT = join(import.meta.dirname, '..', '..');
const TRAITS = 'src/core/platform-traits.ts';
const REGISTRY = 'src/platforms/registry.ts';

function reach(graph: Record<string, string[]>, from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...(graph[file] ?? []));
  }
  return seen;
}

describe('entry points load the platform registry', () => {
  it('the app and every CLI module that reaches a platform trait also load the registry', async () => {
    const graph = (await madge([join(ROOT, 'src')], { fileExtensions: ['ts', 'tsx'], tsConfig: join(ROOT, 'tsconfig.json'), baseDir: ROOT })).obj();
    const entries = Object.keys(graph).filter((file) => file === 'src/app.ts' || (file.startsWith('src/cli/') && file !== 'src/cli/main.ts'));
    const reaching = entries.filter((file) => reach(graph, file).has(TRAITS));
    expect(reaching).toContain('src/app.ts');
    expect(reaching).toContain('src/cli/sessions.ts');
    expect(reaching.filter((file) => !reach(graph, file).has(REGISTRY))).toEqual([]);
    // Those that send nothing stay light.
    expect(reach(graph, 'src/cli/hours.ts').has(REGISTRY)).toBe(false);
  }, 120_000);
});
