/**
 * Ledger bench: 100,000 teachers × 40 records (4,000,000 rows). Generates a roster and a records CSV,
 * imports both through the real CLI (a child process, timed, peak RSS measured), then times hoursSummary for
 * 10,000 random teachers. Targets: records import < 60 s with peak RSS < 1 GiB; hoursSummary p99 < 5 ms.
 * Imports stream in constant memory: the same import of a quarter of the rows (1,000,000) into a fresh
 * database must peak within 25 % of the full one's RSS (--flat-rows 0 skips it).
 * --postgres <server url> runs the same on PostgreSQL (issue 16): the CLI gets DATABASE_URL of a database made
 * for the run on that server (dropped at the end).
 *
 *   npx tsx bench/ledger.ts [--teachers 100000] [--per-teacher 40] [--samples 10000] [--schools 800]
 *                           [--flat-rows 1000000] [--random-keys] [--postgres postgres://…] [--keep] [--strict]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { closeConfiguredDatabase, openConfiguredDatabase } from '../db/open.js';
import { dialectOf } from '../db/handle.js';
import { statement } from '../db/statements.js';
import { dateIn } from '../src/time/zone.js';
import { loadPresets } from '../src/policy/presets.js';
import { timeHoursSummary } from './lib/hours-summary.js';
import { writeRecords, writeRoster } from './lib/ledger-data.js';
import { runMeasured, type RunResult } from './lib/proc.js';
import { Reporter, fmt, isEntry, options, runStandalone } from './lib/report.js';
import { mib } from './lib/stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function main(args: string[] = []): Promise<void> {
  const o = options(args);
  const teachers = o.int('teachers', 100_000);
  const perTeacher = o.int('per-teacher', 40);
  const samples = o.int('samples', 10_000);
  const schools = o.int('schools', 800);
  const randomKeys = o.has('random-keys');
  const flatRows = o.int('flat-rows', 1_000_000);
  const server = o.string('postgres', '');
  const r = new Reporter(server ? 'ledger-postgres' : 'ledger');
  const dir = mkdtempSync(join(tmpdir(), 'xueshi-bench-ledger-'));
  const made: BenchDatabase[] = [];
  const database = async (name: string) => {
    const d = await benchDatabase(dir, name, server);
    made.push(d);
    return d;
  };
  const roster = join(dir, 'roster.csv');
  const records = join(dir, 'records.csv');
  const today = dateIn(new Date(), 'Asia/Shanghai');
  const rows = teachers * perTeacher;

  try {
    const db = await database('xueshi');
    r.machine('at start');
    r.section('generate');
    r.note(
      `${fmt(teachers, 0)} teachers in ${fmt(schools, 0)} schools (presets laibin/liuzhou/otog/national/houma), ${perTeacher} records each = ` +
        `${fmt(rows, 0)} rows, dated over the 5 years before ${today}, in export order (pass by pass, so a teacher's rows are ` +
        `spread through the file); 编号 ${randomKeys ? 'hash-like (random index order)' : 'sequential'}. Temp dir ${dir}; ` +
        `database ${server ? 'PostgreSQL (a fresh database on --postgres)' : 'SQLite'}`,
    );
    let t = performance.now();
    const rosterBytes = await writeRoster(roster, { teachers, schools, today });
    const recordBytes = await writeRecords(records, { teachers, perTeacher, today, randomKeys });
    r.info('generate.seconds', (performance.now() - t) / 1000, 's', 1);
    r.info('generate.roster_mib', mib(rosterBytes), 'MiB', 1);
    r.info('generate.records_mib', mib(recordBytes), 'MiB', 0);

    // --stats: the CLI also prints its main thread's CPU, the floor of the wall time on a quiet machine.
    const cli = (kind: 'teachers' | 'records', file: string, target = db): Promise<RunResult> =>
      runMeasured(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'import', kind, file, '--stats'], {
        cwd: ROOT,
        env: { ...target.env, LOG_LEVEL: 'silent', DEFAULT_POLICY: 'laibin', TIMEZONE: 'Asia/Shanghai' },
        onStderrLine: (line) => line.trim() && console.log(`  | ${line}`),
        onStdoutLine: (line) => line.trim() && console.log(`  | ${line}`),
      });
    const failIfBad = (what: string, res: RunResult) => {
      if (res.code !== 0) {
        throw new Error(`${what} exited with ${res.code ?? res.signal}:\n${res.stderr.split('\n').slice(-20).join('\n')}`);
      }
    };

    r.section(`import teachers (node --import tsx src/cli/main.ts import teachers roster.csv)`);
    const tr = await cli('teachers', roster);
    failIfBad('import teachers', tr);
    r.info('import_teachers.seconds', tr.wallMs / 1000, 's', 1);
    if (tr.cpuSeconds !== null) r.info('import_teachers.cpu_seconds', tr.cpuSeconds, 's', 1);
    r.info('import_teachers.peak_rss_mib', tr.peakRss === null ? 'n/a' : fmt(mib(tr.peakRss), 0), `MiB (${tr.rssSource})`);

    r.section(`import records (node --import tsx src/cli/main.ts import records records.csv)`);
    const rr = await cli('records', records);
    failIfBad('import records', rr);
    r.check('import_records.seconds', rr.wallMs / 1000, { op: '<', value: 60 }, 's', 1);
    r.info('import_records.rows_per_s', rows / (rr.wallMs / 1000), 'rows/s', 0);
    if (rr.cpuSeconds !== null) {
      // CPU of all the CLI's threads (main + CSV parser worker); well below wall time means it waited for a CPU or the disk.
      r.info('import_records.cpu_seconds', rr.cpuSeconds, `s (${fmt((100 * rr.cpuSeconds) / (rr.wallMs / 1000), 0)}% of wall time)`, 1);
    }
    if (rr.peakRss === null) r.info('import_records.peak_rss_mib', 'n/a (no /usr/bin/time and no /proc)');
    else r.check('import_records.peak_rss_mib', mib(rr.peakRss), { op: '<', value: 1024 }, 'MiB', 0);
    r.note(`peak RSS from ${rr.rssSource}; wall time includes node + tsx start-up (about 1–3 s)`);

    const perTeacherFlat = Math.round(flatRows / teachers);
    if (perTeacherFlat >= 1 && perTeacherFlat < perTeacher && rr.peakRss !== null) {
      // Constant memory: peak RSS must not grow with the rows. The same import of fewer rows, fresh database.
      const small = teachers * perTeacherFlat;
      r.section(`constant memory: ${fmt(small, 0)} vs ${fmt(rows, 0)} rows (same CLI import, fresh database)`);
      const smallDb = await database('flat');
      const smallRecords = join(dir, 'records-small.csv');
      await writeRecords(smallRecords, { teachers, perTeacher: perTeacherFlat, today, randomKeys });
      failIfBad('import teachers (small)', await cli('teachers', roster, smallDb));
      const sr = await cli('records', smallRecords, smallDb);
      failIfBad('import records (small)', sr);
      rmSync(smallRecords, { force: true });
      if (sr.peakRss === null) r.info('import_records_small.peak_rss_mib', 'n/a');
      else {
        r.info('import_records_small.peak_rss_mib', mib(sr.peakRss), `MiB (${fmt(small, 0)} rows)`, 0);
        r.info('import_records.peak_rss_mib ', mib(rr.peakRss), `MiB (${fmt(rows, 0)} rows)`, 0);
        r.check('import_records.rss_growth_pct', (100 * (rr.peakRss - sr.peakRss)) / sr.peakRss, { op: '<', value: 25 }, `% more memory for ${fmt(rows / small, 1)}× the rows`, 0);
      }
    }

    r.section(`hoursSummary for ${fmt(samples, 0)} random teachers`);
    const handle = await openConfiguredDatabase({ DATABASE_PATH: db.env.DATABASE_PATH ?? '', DATABASE_URL: db.env.DATABASE_URL, DATABASE_POOL_SIZE: 2 });
    try {
      const count = async (table: string) => Number(await statement(handle, `SELECT count(*) FROM ${table}`).pluck().get());
      r.check('db.teachers', await count('teachers'), { op: '==', value: teachers }, '', 0);
      r.check('db.records', await count('records'), { op: '==', value: rows }, '', 0);
      const size =
        dialectOf(handle) === 'postgres'
          ? Number(await statement(handle, 'SELECT pg_database_size(current_database())').pluck().get())
          : ['', '-wal'].reduce((s, suffix) => {
              try {
                return s + statSync(db.env.DATABASE_PATH + suffix).size;
              } catch {
                return s;
              }
            }, 0);
      r.info('db.size_mib', mib(size), 'MiB', 0);

      const ids = (await statement(handle, 'SELECT id FROM teachers').pluck().all()) as number[];
      await timeHoursSummary(r, handle, loadPresets(), ids, { prefix: 'hours_summary', samples, p99Ms: 5, today });
    } finally {
      await closeConfiguredDatabase(handle);
    }
    r.machine('at end');
    r.summary();
  } finally {
    if (o.has('keep')) console.log(`  # kept ${dir}${server ? ` and databases ${made.map((d) => d.name).join(', ')}` : ''}`);
    else {
      for (const d of made) await d.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

interface BenchDatabase {
  name: string;
  /** What the CLI is given: DATABASE_PATH (SQLite) or DATABASE_URL (PostgreSQL). */
  env: { DATABASE_PATH?: string; DATABASE_URL?: string };
  drop(): Promise<void>;
}

/** A SQLite file in the temp dir, or a fresh database on the PostgreSQL server at `server`. */
async function benchDatabase(dir: string, name: string, server: string): Promise<BenchDatabase> {
  if (!server) return { name, env: { DATABASE_PATH: join(dir, `${name}.db`) }, drop: async () => undefined };
  const dbName = `xueshi_bench_${name}_${process.pid}`;
  const onServer = async (sqlText: string) => {
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    try {
      await admin.query(sqlText);
    } finally {
      await admin.end();
    }
  };
  await onServer(`CREATE DATABASE ${dbName}`);
  const url = new URL(server);
  url.pathname = `/${dbName}`;
  return { name: dbName, env: { DATABASE_URL: url.toString() }, drop: () => onServer(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`) };
}

if (isEntry(import.meta.url)) void runStandalone(main);
