/**
 * `npm run bench -- summary`: the hours summary a teacher gets for /hours or 我还差多少学时 (hoursSummary, the
 * ledger's one read per question), timed on SQLite and on PostgreSQL in the same run, each database seeded with
 * 100,000 teachers × 40 records (issue 16). The PostgreSQL server is TEST_DATABASE_URL or PG_TEST_SERVER when set,
 * else a throwaway cluster from Debian's binaries (tests/helpers/postgres.ts); each run makes its own database.
 *
 * Seeding is SQL inside each database (a recursive CTE on SQLite, generate_series on PostgreSQL): the rows come out
 * in export order (pass by pass, so one teacher's 40 rows are spread through the table, as after a real import) and
 * deterministic. bench/ledger.ts covers the import path itself on SQLite. PostgreSQL is ANALYZEd after seeding, as
 * autovacuum would do after a bulk load. Target: p99 < 5 ms on each (the ledger bench's target on SQLite).
 *
 * Options: --teachers 100000 --per-teacher 40 --samples 10000 --dialects sqlite,postgres --quick (10,000 × 40, 2,000 samples).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase, type Db } from '../db/client.js';
import { asDb, dialectOf } from '../db/handle.js';
import { closePostgres, openPostgres, type PgDb } from '../db/postgres.js';
import { statement } from '../db/statements.js';
import { loadPresets } from '../src/policy/presets.js';
import { dateIn } from '../src/time/zone.js';
import { scratchDatabase, testPostgres } from '../tests/helpers/postgres.js';
import { timeHoursSummary } from './lib/hours-summary.js';
import { CATEGORIES } from './lib/ledger-data.js';
import { Reporter, fmt, isEntry, options, runStandalone } from './lib/report.js';

const POLICIES = ['laibin', 'laibin', 'laibin', 'laibin', 'liuzhou', 'liuzhou', 'liuzhou', 'otog', 'otog', 'national', 'houma'];
const HOURS = [1, 1.5, 2, 3, 4, 4.5, 6, 8, 12, 0.5, 2.5, 24];

/** `CASE (expr) % n WHEN 0 THEN v0 …`: picks from a list deterministically by a row number, in either dialect. */
const pick = (expr: string, values: readonly (string | number)[]) =>
  `CASE (${expr}) % ${values.length} ${values.map((v, i) => `WHEN ${i} THEN ${typeof v === 'number' ? v : `'${v}'`}`).join(' ')} END`;

/** Seeds `teachers` teachers (in `schools` schools) and `perTeacher` records each, dated over the 5 years before `today`. */
async function seed(db: Db, o: { teachers: number; perTeacher: number; schools: number; today: string }): Promise<void> {
  const teacherCols = `employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id`;
  const teacherValues = (i: string, hire: string, yes: (c: string) => string) =>
    `${i}, '教师' || ${i}, '第' || (${i} % ${o.schools}) || '学校', ${hire}, ${yes(`${i} % 3 = 0`)}, ${yes(`${i} % 5 = 0`)}, '教师', ${pick(i, POLICIES)}`;
  const recordValues = (k: string, day: string) =>
    `'R' || t.id || '-' || ${k}, t.id, ${day}, ${pick(`t.id + ${k}`, HOURS)}, ${pick(`t.id * 3 + ${k}`, CATEGORIES)}, '', 'import'`;
  const spread = (k: string) => `((t.id * 7919 + ${k} * 104729) % 1825)`;
  await statement(db, {
    sqlite:
      `INSERT INTO teachers (${teacherCols}) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) ` +
      `SELECT ${teacherValues('i', `date(?, '-' || (700 + i % 9000) || ' days')`, (c) => `(${c})`)} FROM n`,
    postgres:
      `INSERT INTO teachers (${teacherCols}) SELECT ${teacherValues('i', `to_char(?::date - (700 + i % 9000), 'YYYY-MM-DD')`, (c) => `(${c})`)} ` +
      `FROM generate_series(1, ?) AS i`,
  }).run(...(dialectOf(db) === 'sqlite' ? [o.teachers, o.today] : [o.today, o.teachers]));
  // Pass by pass (k outer, teachers inner): one teacher's rows land far apart, as in an office's export.
  await statement(db, {
    sqlite:
      `INSERT INTO records (record_key, teacher_id, date, hours, category, project, source) ` +
      `WITH RECURSIVE k(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM k WHERE k + 1 < ?) ` +
      `SELECT ${recordValues('k.k', `date(?, '-' || ${spread('k.k')} || ' days')`)} FROM k CROSS JOIN teachers t ORDER BY k.k, t.id`,
    postgres:
      `INSERT INTO records (record_key, teacher_id, date, hours, category, project, source) ` +
      `SELECT ${recordValues('k', `to_char(?::date - ${spread('k')}, 'YYYY-MM-DD')`)} ` +
      `FROM generate_series(0, ? - 1) AS k CROSS JOIN teachers t ORDER BY k, t.id`,
  }).run(...(dialectOf(db) === 'sqlite' ? [o.perTeacher, o.today] : [o.today, o.perTeacher]));
  await statement(db, 'ANALYZE').run();
}

interface Opened {
  db: Db;
  close(): Promise<void>;
}

async function openSqlite(): Promise<Opened> {
  const dir = mkdtempSync(join(tmpdir(), 'xueshi-bench-summary-'));
  const db = openDatabase(join(dir, 'xueshi.db'));
  return {
    db,
    close: async () => {
      closeDatabase(db);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPg(r: Reporter): Promise<Opened | null> {
  const server = await testPostgres();
  if (!server) {
    r.note('PostgreSQL: no server (set TEST_DATABASE_URL or PG_TEST_SERVER, or apt-get install postgresql) — skipped');
    return null;
  }
  const scratch = await scratchDatabase(server.url);
  const pg: PgDb = await openPostgres(scratch.url);
  return {
    db: asDb(pg),
    close: async () => {
      await closePostgres(pg);
      await scratch.drop();
      await server.stop();
    },
  };
}

export async function main(args: string[] = []): Promise<void> {
  const o = options(args);
  const quick = o.has('quick');
  const teachers = o.int('teachers', quick ? 10_000 : 100_000);
  const perTeacher = o.int('per-teacher', 40);
  const samples = o.int('samples', quick ? 2_000 : 10_000);
  const dialects = o.string('dialects', 'sqlite,postgres').split(',');
  const today = dateIn(new Date(), 'Asia/Shanghai');
  const presets = loadPresets();
  const r = new Reporter('summary');
  r.machine('at start');
  r.note(`${fmt(teachers, 0)} teachers × ${perTeacher} records = ${fmt(teachers * perTeacher, 0)} rows per database; ${fmt(samples, 0)} timed summaries each`);
  for (const dialect of dialects) {
    r.section(dialect);
    const opened = dialect === 'postgres' ? await openPg(r) : await openSqlite();
    if (!opened) continue;
    try {
      const t = performance.now();
      await seed(opened.db, { teachers, perTeacher, schools: 800, today });
      r.info(`${dialect}.seed.seconds`, (performance.now() - t) / 1000, 's', 1);
      const count = (table: string) => statement(opened.db, `SELECT count(*) AS n FROM ${table}`).pluck<number>().get().then(Number);
      r.check(`${dialect}.db.records`, await count('records'), { op: '==', value: teachers * perTeacher }, '', 0);
      const ids = (await statement(opened.db, 'SELECT id FROM teachers').pluck<number>().all()).map(Number);
      await timeHoursSummary(r, opened.db, presets, ids, { prefix: `${dialect}.hours_summary`, samples, p99Ms: 5, today });
      r.machine(`after ${dialect}`);
    } finally {
      await opened.close();
    }
  }
  r.summary();
}

if (isEntry(import.meta.url)) void runStandalone(main);
