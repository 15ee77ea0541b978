import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Issue 15: no source file over about 400 lines, so each can be held in one's head. Split by responsibility. */
const MAX_LINES = 400;
const ROOT = join(import.meta.dirname, '..', '..');
const SOURCE = /\.(ts|tsx|mts|mjs)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return SOURCE.test(entry.name) ? [path] : [];
  });
}

/** Lines as `wc -l` counts them. */
const lineCount = (text: string) => text.split('\n').length - 1;

describe('file size', () => {
  it(`no file in src/ or commands/ is over ${MAX_LINES} lines`, () => {
    const files = ['src', 'commands'].flatMap((dir) => sourceFiles(join(ROOT, dir)));
    // A walker that found nothing would pass anything.
    expect(files.length).toBeGreaterThan(150);
    const tooLong = files
      .map((file) => ({ file: relative(ROOT, file), lines: lineCount(readFileSync(file, 'utf8')) }))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `${f.file}: ${f.lines} lines`);
    expect(tooLong).toEqual([]);
  });

  it('counts lines the way wc -l does', () => {
    expect(lineCount('')).toBe(0);
    expect(lineCount('a\n')).toBe(1);
    expect(lineCount('a\nb')).toBe(1);
    expect(lineCount('a\nb\n')).toBe(2);
  });
});
