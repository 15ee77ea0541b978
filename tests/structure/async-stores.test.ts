/**
 * Stores are asynchronous (issue 16): the same store function runs on SQLite and on PostgreSQL, so a store file
 * uses only what both dialects have: the awaited query builder and `statement()` / `transaction()` from
 * db/statements.ts. It may not call what only better-sqlite3 has: the builder's synchronous terminals (`.get()`,
 * `.all()`, `.run()`, `.values()`), the old synchronous helpers (`prepared(`, `preparedOnce(`, `inTransaction(`,
 * `isInTransaction(`), or the connection itself (`$client`). Stores not converted yet are listed in TODO; each
 * stage-2 conversion removes its stores from it, and a listed store that is clean already fails the test, so the
 * list only shrinks.
 *
 * A `statement()` call's `.get(…)`/`.all(…)`/`.run(…)` is asynchronous and allowed. The scan tells them apart by
 * text: a terminal called without arguments must have `statement(` in the same expression (write
 * `statement(db, SQL).all()`, not a statement kept in a variable and called bare); with arguments it can only
 * be a statement's (the builder's terminals take none).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

/** Stores still synchronous, each with who converts it (PG16.md stage 2). Remove yours when it is converted. */
const TODO: Record<string, string> = {
};

interface Rule {
  name: string;
  /** The offending spots in a file's code (their offsets). */
  find(code: string): number[];
}

const offsets = (code: string, pattern: RegExp) => [...code.matchAll(pattern)].map((m) => m.index);

/**
 * The text of the statement a call at `at` belongs to, up to the call: back to the previous `;` or block end, or
 * the `{` of the block it is in; brackets inside the expression (an object of SQL texts) are stepped over.
 */
function expressionBefore(code: string, at: number): string {
  let depth = 0;
  let i = at - 1;
  for (; i >= 0; i--) {
    const c = code[i];
    if (c === ')' || c === ']') depth++;
    else if (c === '(' || c === '[') depth = Math.max(0, depth - 1);
    else if (c === '}') {
      if (depth === 0 && /^\s*\n/.test(code.slice(i + 1, i + 40))) break;
      depth++;
    } else if (c === '{') {
      if (depth === 0) break;
      depth--;
    } else if (c === ';' && depth === 0) break;
  }
  return code.slice(i + 1, at);
}

const RULES: Rule[] = [
  { name: 'prepared( / preparedOnce(', find: (code) => offsets(code, /\bprepared(Once)?\s*[<(]/g) },
  { name: 'inTransaction( / isInTransaction(', find: (code) => offsets(code, /\b(inTransaction|isInTransaction)\s*\(/g) },
  { name: '$client', find: (code) => offsets(code, /\$client\b/g) },
  {
    name: 'synchronous .get() / .all() / .run() / .values()',
    find: (code) => offsets(code, /\.(get|all|run|values)\s*\(\s*\)/g).filter((at) => !/\bstatement\s*[<(]/.test(expressionBefore(code, at))),
  },
];

/** Comments say why, and may name what they explain: look at code only. */
const codeOf = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

function storeFiles(): string[] {
  return readdirSync(join(root, 'src'), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'))
    .filter((f) => /(^|\/)store\.ts$/.test(f) || /\/store\/[^/]+\.ts$/.test(f));
}

const syncUses = (code: string) => RULES.filter((r) => r.find(code).length > 0).map((r) => r.name);

describe('asynchronous stores', () => {
  it('recognises synchronous calls and lets asynchronous ones through (the scan itself works)', () => {
    const sync = [
      'return db.select().from(t).where(x).all();',
      'const row = db.select().from(t).limit(1).get();',
      'db.update(t).set({ a: 1 }).where(x).run();',
      'const ids = db.select({ id: t.id }).from(t).values();',
      "prepared(db, 'select 1').get();",
      "preparedOnce<[number]>(db, sqlText).all(1);",
      'inTransaction(db, () => f(db));',
      'return db.$client.inTransaction;',
      "const q = db.select().from(t)\n    .orderBy(t.id)\n    .all();",
      "if (x) {\n  await statement(db, SQL).run(1);\n}\nreturn db.select().from(t).all();",
    ];
    for (const line of sync) expect(syncUses(codeOf(line)), line).not.toEqual([]);
    const async = [
      'return await db.select().from(t).where(x);',
      "const row = (await statement(db, 'select 1 where a = ?').get(a));",
      "await statement(db, { sqlite: 'select 1', postgres: 'select 1' }).all();",
      "const n = (await statement<[], number>(db, SQL).pluck().get());",
      "await statement(db, SQL).run(id, at);",
      'await db.insert(t).values({ a: 1 }).onConflictDoNothing();',
      "await transaction(db, async (tx) => { await statement(tx, SQL).run(1); });",
      'await db.insert(t).values(rows);',
      "const row = (await statement(db, {\n    sqlite: `select min(a) as at from t`,\n    postgres: `select min(a) as at from t`,\n  }).get());",
      '// db.select().from(t).all() in a comment',
    ];
    for (const line of async) expect(syncUses(codeOf(line)), line).toEqual([]);
  });

  it('finds the store files', () => {
    const files = storeFiles();
    expect(files).toContain('src/inbox/store.ts');
    expect(files.length).toBeGreaterThanOrEqual(15);
    for (const file of Object.keys(TODO)) expect(files, `TODO names ${file}, which is not a store file`).toContain(file);
  });

  it('has stores call only what both dialects have (TODO: not converted yet)', () => {
    const offenders: string[] = [];
    for (const file of storeFiles()) {
      if (file in TODO) continue;
      const found = syncUses(codeOf(readFileSync(join(root, file), 'utf8')));
      if (found.length) offenders.push(`${file}: ${found.join(', ')} (await the query builder, or use statement()/transaction() from db/statements.ts)`);
    }
    expect(offenders).toEqual([]);
  });

  it('has no stale TODO entries (a converted store leaves the list)', () => {
    const clean = Object.keys(TODO).filter((file) => syncUses(codeOf(readFileSync(join(root, file), 'utf8'))).length === 0);
    expect(clean, 'converted: remove these from TODO in tests/structure/async-stores.test.ts').toEqual([]);
  });
});
