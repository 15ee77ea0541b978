/**
 * Certificates bench: the officers' batch export (`certificates <学校> --out DIR`) of a school of 2,000 teachers
 * with 40 records each over the last five years. The roster and records go straight into SQLite (prepared
 * statements, one transaction); the export runs through the real CLI in a child process
 * (`node --import tsx src/cli/main.ts certificates …`), timed, with its peak RSS from `/usr/bin/time -v` (or
 * VmHWM). A school of a quarter the size is exported first in its own process: memory flat in the number of
 * teachers means the two peaks are about equal. Output checked: one ZIP entry per teacher, one certificate row
 * per teacher.
 * Targets: certificates.total_s < 60 (2,000 teachers); certificates.peak_rss_ratio ≤ 1.25 (2,000 vs 500).
 *
 *   npx tsx bench/certificates.ts [--teachers 2000] [--per-teacher 40] [--keep]
 */
import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yauzl from 'yauzl';
import { closeDatabase, openDatabase } from '../db/client.js';
import { CATEGORIES, dayNumber, employeeNo, rng, ymd } from './lib/ledger-data.js';
import { runMeasured } from './lib/proc.js';
import { Reporter, fmt, isEntry, options, runStandalone } from './lib/report.js';
import { mib } from './lib/stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TODAY = '2026-11-25';
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红玲芬燕春菊凤洁梅琳云莲雪荣爱香月佳嘉琼珍莉晶';
const HOURS = [1, 1.5, 2, 3, 4, 6, 8, 12, 0.5, 2.5];

/** Two schools: `big` teachers in 兴宾区第一中学, a quarter of that in 兴宾区实验小学; `perTeacher` records each. */
function buildDataset(path: string, big: number, perTeacher: number): void {
  closeDatabase(openDatabase(path)); // create and migrate
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  const rand = rng(11);
  const last = dayNumber(TODAY) - 1;
  const first = last - 5 * 365;
  const addTeacher = sqlite.prepare(
    "insert into teachers (employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id, created_at) values (?, ?, ?, '2012-09-01', 1, 0, '教师', 'laibin', ?)",
  );
  const addRecord = sqlite.prepare("insert into records (record_key, teacher_id, date, hours, category, project, source, created_at) values (?, ?, ?, ?, ?, ?, 'import', ?)");
  const now = Date.now();
  sqlite.transaction(() => {
    const schools: [string, number][] = [
      ['兴宾区第一中学', big],
      ['兴宾区实验小学', Math.round(big / 4)],
    ];
    let n = 0;
    for (const [school, count] of schools) {
      for (let i = 0; i < count; i++, n++) {
        const name = SURNAMES[Math.floor(rand() * SURNAMES.length)] + GIVEN[Math.floor(rand() * GIVEN.length)] + (rand() < 0.5 ? GIVEN[Math.floor(rand() * GIVEN.length)] : '');
        const id = Number(addTeacher.run(employeeNo(n), name, school, now).lastInsertRowid);
        for (let r = 0; r < perTeacher; r++) {
          const day = first + Math.floor(rand() * (last - first));
          addRecord.run(`R${n}-${r}`, id, ymd(day), HOURS[Math.floor(rand() * HOURS.length)], CATEGORIES[Math.floor(rand() * CATEGORIES.length)], `培训项目${(r % 17) + 1}`, now);
        }
      }
    }
  })();
  sqlite.close();
}

function zipEntries(path: string): Promise<number> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      resolve(zip.entryCount);
      zip.close();
    }),
  );
}

export async function main(args: string[] = []): Promise<void> {
  const opt = options(args);
  const big = opt.int('teachers', 2000);
  const perTeacher = opt.int('per-teacher', 40);
  const r = new Reporter('certificates');
  r.machine('at start');
  const dir = mkdtempSync(join(tmpdir(), 'xueshi-bench-certs-'));
  const database = join(dir, 'bench.db');
  try {
    r.section(`dataset: ${fmt(big, 0)} + ${fmt(Math.round(big / 4), 0)} teachers × ${perTeacher} records`);
    const t0 = performance.now();
    buildDataset(database, big, perTeacher);
    r.info('dataset_build_s', (performance.now() - t0) / 1000);
    const exportSchool = async (school: string, out: string) => {
      const res = await runMeasured(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'certificates', school, '--out', out], {
        cwd: ROOT,
        env: { DATABASE_PATH: database, LOG_LEVEL: 'silent', XUESHI_NOW: `${TODAY}T10:00:00+08:00`, OFFICE_NAME: '来宾市兴宾区教师发展中心', PUBLIC_BASE_URL: 'https://xueshi.example.cn' },
        onStdoutLine: (line) => line.trim() && console.log(`  | ${line}`),
      });
      if (res.code !== 0) throw new Error(`export of ${school} failed (exit ${res.code}): ${res.stderr.slice(-2000)}`);
      const zip = readdirSync(out).find((f) => f.endsWith('.zip'))!;
      return { ...res, entries: await zipEntries(join(out, zip)), zipBytes: statSync(join(out, zip)).size };
    };

    r.section(`export of a school of ${fmt(Math.round(big / 4), 0)} (memory baseline)`);
    const small = await exportSchool('兴宾区实验小学', join(dir, 'small'));
    r.info('small.total_s', small.wallMs / 1000);
    r.info('small.peak_rss_mib', mib(small.peakRss ?? 0));

    r.section(`export of a school of ${fmt(big, 0)}`);
    const full = await exportSchool('兴宾区第一中学', join(dir, 'full'));
    r.check('entries', full.entries, { op: '==', value: big }, '', 0);
    r.check('total_s', full.wallMs / 1000, { op: '<', value: 60 }, 's');
    r.info('per_certificate_ms', full.wallMs / big, 'ms (total / teachers, start-up included)');
    // The marginal cost: the difference between the two exports over the difference in teachers (start-up cancels).
    r.info('marginal_per_certificate_ms', (full.wallMs - small.wallMs) / (big - Math.round(big / 4)), 'ms');
    r.info('zip_mib', mib(full.zipBytes));
    r.info('peak_rss_mib', mib(full.peakRss ?? 0), `MiB (${full.rssSource})`);
    r.check('peak_rss_ratio', (full.peakRss ?? 0) / (small.peakRss ?? 1), { op: '<=', value: 1.25 });
    r.note(`peak RSS ${fmt(mib(small.peakRss ?? 0))} MiB for ${fmt(Math.round(big / 4), 0)} teachers, ${fmt(mib(full.peakRss ?? 0))} MiB for ${fmt(big, 0)}: flat if about equal`);
    const db = new Database(database, { readonly: true });
    r.check('certificates_recorded', (db.prepare('select count(*) as n from certificates').get() as { n: number }).n, { op: '==', value: big + Math.round(big / 4) }, '', 0);
    db.close();
    r.summary();
  } finally {
    if (!opt.has('keep')) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}`);
  }
}

if (isEntry(import.meta.url)) void runStandalone(main);
