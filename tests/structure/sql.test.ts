/**
 * One data-access seam (issue 15, item 2): SQL lives only in a feature's store file (`store.ts`, or files in a
 * `store/` folder) and in db/. Everything else calls store functions, so a second database (issue 16) replaces
 * the stores and db/statements.ts, not their callers. Store files keep SQLite out of their signatures: they do
 * not import the driver.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

/** Raw SQL or the driver under the ORM: the connection, a statement, a SQL template, the shared statement cache. */
const RAW_SQL = [
  { name: '$client', pattern: /\$client\b/, plant: 'db.$client.name' },
  // A driver statement, not a class's own method of that name (`this.prepare(`).
  { name: '.prepare(', pattern: /(?<!\bthis)\.prepare\s*[<(]/, plant: "sqlite.prepare('SELECT 1')" },
  { name: 'sql`', pattern: /\bsql\s*(<[^>]*>)?\s*`/, plant: 'sql<number>`count(*)`' },
  { name: 'prepared(', pattern: /\bprepared(Once)?\s*[<(]/, plant: "prepared<[number]>(db, 'SELECT 1')" },
];

/** Files outside stores that may still hold raw SQL, each with the reason. Keep this list short. */
const ALLOWED: Record<string, string> = {
  'src/admin/auth.ts': 'not moved yet (issue 15 item 2, in progress)',
  'src/admin/compliance/cache.ts': 'not moved yet (issue 15 item 2, in progress)',
  'src/bot/teacher-names.ts': 'not moved yet (issue 15 item 2, in progress)',
  'src/cli/demo-data.ts': 'not moved yet (issue 15 item 2, in progress)',
  'src/cli/officer.ts': 'not moved yet (issue 15 item 2, in progress)',
  'src/import/records.ts': 'not moved yet (issue 15 item 2, in progress)',
  'src/import/run.ts': 'not moved yet (issue 15 item 2, in progress)',
  'src/import/teachers.ts': 'not moved yet (issue 15 item 2, in progress)',
  'src/inbox/inbox.ts': 'not moved yet (issue 15 item 2, in progress)',
  'src/sessions/audience.ts': 'not moved yet (issue 15 item 2, in progress)',
};

/** Store files that may still name SQLite types (a second connection for reading, owned by the store). */
const DRIVER_IN_STORE: Record<string, string> = {
  'src/admin/compliance/store.ts': 'not moved yet (issue 15 item 2, in progress)',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mts)$/.test(e.name) && !e.name.endsWith('.d.mts'))
    .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'));
}

const isStore = (file: string) => /(^|\/)store\.ts$/.test(file) || /\/store\//.test(file);

/** Comments say why, and may name what they explain: look at code only. */
const codeOf = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

const files = [...sourceFiles('src'), ...sourceFiles('commands')];

describe('one data-access seam', () => {
  it('finds the source files (the scan itself works)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.some(isStore)).toBe(true);
    // The pattern list catches what it means to: a planted line of each kind.
    for (const { name, pattern, plant } of RAW_SQL) expect(pattern.test(plant), name).toBe(true);
    expect(RAW_SQL.some((r) => r.pattern.test(codeOf('// db.$client in a comment')))).toBe(false);
    expect(RAW_SQL.some((r) => r.pattern.test('this.prepare(row, at)'))).toBe(false);
  });

  it('has raw SQL only in store files (and db/)', () => {
    const offenders: string[] = [];
    for (const file of files) {
      if (isStore(file) || file in ALLOWED) continue;
      const code = codeOf(readFileSync(join(root, file), 'utf8'));
      const found = RAW_SQL.filter((r) => r.pattern.test(code)).map((r) => r.name);
      if (found.length) offenders.push(`${file}: ${found.join(', ')} (move it into the feature's store.ts)`);
    }
    expect(offenders).toEqual([]);
  });

  it('keeps SQLite types out of store files', () => {
    const offenders = files
      .filter((f) => isStore(f) && !(f in DRIVER_IN_STORE))
      .filter((f) => /from 'better-sqlite3'|Database\.Database|\bRunResult\b/.test(codeOf(readFileSync(join(root, f), 'utf8'))));
    expect(offenders).toEqual([]);
  });

  it('has no stale allowances (each still needs its exception)', () => {
    for (const file of Object.keys(ALLOWED)) {
      const code = codeOf(readFileSync(join(root, file), 'utf8'));
      expect(RAW_SQL.some((r) => r.pattern.test(code)), file).toBe(true);
    }
  });
});
