/**
 * One data-access seam (issue 15, item 2): SQL lives only in a feature's store file (`store.ts`, or files in a
 * `store/` folder) and in db/. That means raw SQL and the ORM's query builder alike (`db.select()…from()`,
 * `db.insert(t).values()`, operators from drizzle-orm). Everything else calls store functions, so a second
 * database (issue 16) replaces the stores and db/, not their callers. Store files keep SQLite out of their
 * signatures: they do not import the driver.
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

/**
 * The ORM's query builder: a select chain reaching `.from(`, an insert's `.values(`, an update's `.set(`, a
 * delete's `.where(`/`.run(`, the relational `db.query.<table>.find…`, `$count`, and any value imported from
 * drizzle-orm (its operators: eq, and, sql …; a type-only import is fine). `Map.delete(k)` and the like do not
 * chain these, so they do not match.
 */
const QUERY_BUILDER = [
  { name: '.select(…).from(', pattern: /\.select(Distinct)?\s*\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)\s*\.from\s*\(/, plant: 'db\n  .select({ n: count(), hours: sum(records.hours) })\n  .from(records)' },
  { name: '.insert(…).values(', pattern: /\.insert\s*\(\s*[\w.]+\s*\)\s*\.values\s*\(/, plant: 'tx.insert(auditLog).values({ actor })' },
  { name: '.update(…).set(', pattern: /\.update\s*\(\s*[\w.]+\s*\)\s*\.set\s*\(/, plant: 'db.update(inbox)\n    .set({ status })' },
  { name: '.delete(…).where(', pattern: /\.delete\s*\(\s*[\w.]+\s*\)\s*\.(where|run|returning)\s*\(/, plant: 'db.delete(schema.roles).where(x)' },
  { name: 'db.query.', pattern: /\.query\.\w+\.find(First|Many)\s*\(/, plant: 'db.query.teachers.findFirst({})' },
  { name: '.$count(', pattern: /\.\$count\s*\(/, plant: 'db.$count(records)' },
  { name: "from 'drizzle-orm'", pattern: /^import\s+(?!type\b)[^;]*from\s+'drizzle-orm[^']*'/m, plant: "import { and, eq } from 'drizzle-orm';" },
];

const DATA_ACCESS = [...RAW_SQL, ...QUERY_BUILDER];

/** Files outside stores that may still reach the database directly, each with the reason. Keep this list empty. */
const ALLOWED: Record<string, string> = {};

/** Store files that may still name SQLite types. Keep this list empty: a second database implements the same signatures. */
const DRIVER_IN_STORE: Record<string, string> = {};

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
    for (const { name, pattern, plant } of DATA_ACCESS) expect(pattern.test(plant), name).toBe(true);
    expect(DATA_ACCESS.some((r) => r.pattern.test(codeOf('// db.$client in a comment')))).toBe(false);
    expect(DATA_ACCESS.some((r) => r.pattern.test('this.prepare(row, at)'))).toBe(false);
    // Look-alikes that are not queries: a Map's delete, a type-only import, a DOM-ish select.
    for (const innocent of ['seen.delete(key);', "import type { SQL } from 'drizzle-orm';", 'form.select(); list.from = 1;', 'cache.set(k, v).delete(k)']) {
      expect(DATA_ACCESS.filter((r) => r.pattern.test(innocent)).map((r) => r.name), innocent).toEqual([]);
    }
  });

  it('has raw SQL and query-builder calls only in store files (and db/)', () => {
    const offenders: string[] = [];
    for (const file of files) {
      if (isStore(file) || file in ALLOWED) continue;
      const code = codeOf(readFileSync(join(root, file), 'utf8'));
      const found = DATA_ACCESS.filter((r) => r.pattern.test(code)).map((r) => r.name);
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
      expect(DATA_ACCESS.some((r) => r.pattern.test(code)), file).toBe(true);
    }
  });
});
