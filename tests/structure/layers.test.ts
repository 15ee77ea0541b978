/**
 * Layers (issue 15; docs/architecture.md, "Layers"): a module imports only from its own layer or the ones below,
 * so the ledger never learns about declarations, a platform adapter can be replaced without touching a feature,
 * and a second database plugs in under the stores. madge reads every import, type-only ones included.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

type Madge = (paths: string[], config: { fileExtensions: string[]; tsConfig: string; baseDir?: string }) => Promise<{ obj(): Record<string, string[]> }>;
// madge ships no type declarations; this is the part of its API used here.
const madge = createRequire(import.meta.url)('madge') as Madge;

/** Lowest first. The first pattern that matches a path names its layer. */
export const LAYERS: ReadonlyArray<readonly [name: string, pattern: RegExp]> = [
  ['ground: words, time, rules, settings', /^src\/(core|time|policy|bot\/i18n)\/|^src\/(clock|logger|config)\.ts$/],
  ['db: schema, client, statements', /^db\//],
  ['records: ledger, inbox, outbox, meta', /^src\/(ledger|inbox|outbox|meta)\//],
  [
    'features and the command API they answer through',
    /^src\/(sessions|deadlines|broadcasts|certificates|declarations|import|admin|surveys|schedule|websignin|backup)\/|^src\/bot\/(command|chat-state|teacher-names|store)\.ts$/,
  ],
  ['bot: router, dispatch, commands', /^src\/bot\/|^commands\//],
  ['adapters: platforms, web pages, CLI', /^src\/(platforms(?!\/console\/(chat|commands|demo|session)\.ts$)|http|cli)\//],
  ['composition: entry points that assemble the app', /^src\/(app|main)\.ts$|^src\/platforms\/console\/(chat|commands|demo|session)\.ts$/],
];

/**
 * Imports that go up a layer today, each with the reason. Only shrinks: a listed import that is gone fails the
 * test until it is taken off, and any upward import not listed fails it.
 */
const KNOWN: Record<string, string> = {};

const ROOT = join(import.meta.dirname, '..', '..');
const layerOf = (file: string) => LAYERS.findIndex(([, pattern]) => pattern.test(file));

describe('layers', () => {
  it('the layer table places a path as docs/architecture.md says', () => {
    const name = (file: string) => LAYERS[layerOf(file)]?.[0].split(':')[0];
    expect(name('src/bot/i18n/zh-CN.sessions.ts')).toBe('ground');
    expect(name('src/ledger/summary.ts')).toBe('records');
    expect(name('src/bot/command.ts')).toBe('features and the command API they answer through');
    expect(name('src/bot/router.ts')).toBe('bot');
    expect(name('commands/hours.ts')).toBe('bot');
    expect(name('src/platforms/feishu/webhook.ts')).toBe('adapters');
    expect(name('src/main.ts')).toBe('composition');
  });

  it('no module imports from a layer above its own', async () => {
    const graph = (await madge(['src', 'commands', 'db'].map((dir) => join(ROOT, dir)), {
      fileExtensions: ['ts', 'tsx'],
      tsConfig: join(ROOT, 'tsconfig.json'),
      baseDir: ROOT,
    })).obj();
    const files = Object.keys(graph);
    expect(files.length).toBeGreaterThan(200);
    expect(files.filter((file) => layerOf(file) < 0), 'every file has a layer').toEqual([]);
    const upward = files.flatMap((file) =>
      graph[file]!.filter((dep) => layerOf(dep) > layerOf(file)).map((dep) => `${file} -> ${dep}`),
    );
    expect(upward.filter((edge) => !(edge in KNOWN))).toEqual([]);
    expect(Object.keys(KNOWN).filter((edge) => !upward.includes(edge)), 'gone: take it off KNOWN').toEqual([]);
  }, 120_000);
});
