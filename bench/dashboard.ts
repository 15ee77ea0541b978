/**
 * Dashboard bench: the officer console's compliance dashboard (GET /admin) over 100,000 teachers × 40 records.
 * Builds the dataset straight into SQLite (prepared statements, one transaction), starts the real app over it
 * (createXueshi), signs in with ADMIN_TOKEN, waits for the first (cold) build of the compliance cache, then
 * times GET /admin through the app's fetch handler (full render: cache catch-up, aggregation, HTML). Also times
 * the filtered dashboard, a school page, and the catch-up after a few new records.
 * Target: dashboard.render_ms_p95 < 500.
 *
 *   npx tsx bench/dashboard.ts [--teachers 100000] [--per-teacher 40] [--schools 800] [--requests 20] [--keep]
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase } from '../db/client.js';
import { createXueshi } from '../src/app.js';
import { dateIn } from '../src/time/zone.js';
import { loadConfig } from '../src/config.js';
import { PLATFORM_SETTINGS } from '../src/platforms/settings.js';
import { silentLogger } from '../src/logger.js';
import { CATEGORIES, dayNumber, employeeNo, rng, ymd } from './lib/ledger-data.js';
import { Reporter, fmt, isEntry, options, runStandalone } from './lib/report.js';
import { distribution } from './lib/stats.js';

const POLICIES: [string, number][] = [
  ['laibin', 0.4],
  ['liuzhou', 0.25],
  ['otog', 0.2],
  ['national', 0.1],
  ['houma', 0.05],
];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红玲芬燕春菊凤洁梅琳云莲雪荣爱香月佳嘉琼珍莉晶妍秋锦青倩婷颖露瑶怡丹蓉君琴薇梦岚馨韵悦冰宁欣';
const COUNTIES = ['兴宾区', '象州县', '武宣县', '忻城县', '金秀县', '合山市', '城中区', '鱼峰区', '柳南区', '柳北区'];
const KINDS = ['第一中学', '第二中学', '实验小学', '中心小学', '幼儿园', '初级中学'];
const HOURS = [1, 1.5, 2, 3, 4, 6, 8, 12, 0.5, 2.5];

export interface DatasetOptions {
  teachers: number;
  perTeacher: number;
  schools: number;
  today: string;
  seed?: number;
}

/**
 * Roster and records straight into the database: one transaction, prepared statements. Each teacher gets a
 * diligence factor, so the district has a realistic mix of done, on-pace and behind teachers.
 */
export function buildDataset(path: string, o: DatasetOptions): { teachers: number; records: number } {
  closeDatabase(openDatabase(path)); // create and migrate
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = OFF');
  sqlite.pragma('cache_size = -262144');
  // The (teacher, date) index is built once at the end (one sort) rather than row by row (random inserts).
  sqlite.exec('DROP INDEX records_teacher_date');
  const rand = rng(o.seed ?? 7);
  const last = dayNumber(o.today) - 1;
  const first = last - 5 * 365;
  const school = (i: number) => `${COUNTIES[i % COUNTIES.length]}${Math.floor(i / COUNTIES.length) + 1}${KINDS[i % KINDS.length]}`;
  const insertTeacher = sqlite.prepare(
    `INSERT INTO teachers (id, employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertRecord = sqlite.prepare(
    `INSERT INTO records (record_key, teacher_id, date, hours, category, project, source, created_at) VALUES (?, ?, ?, ?, ?, ?, 'import', 0)`,
  );
  let records = 0;
  sqlite.transaction(() => {
    const principal = new Set<number>();
    for (let i = 0; i < o.teachers; i++) {
      const s = Math.floor(rand() * o.schools);
      const name = SURNAMES[Math.floor(rand() * SURNAMES.length)] + GIVEN[Math.floor(rand() * GIVEN.length)] + (rand() < 0.6 ? GIVEN[Math.floor(rand() * GIVEN.length)] : '');
      const hire = rand() < 0.06 ? last - Math.floor(rand() * 700) : first - 3650 + Math.floor(rand() * 3650 * 3);
      let position = '教师';
      if (!principal.has(s)) {
        principal.add(s);
        position = '校长';
      }
      let p = rand();
      let policy = POLICIES[0][0];
      for (const [id, share] of POLICIES) {
        if ((p -= share) < 0) {
          policy = id;
          break;
        }
      }
      insertTeacher.run(i + 1, employeeNo(i), name, school(s), ymd(Math.min(hire, last)), rand() < 0.7 ? 1 : 0, rand() < 0.3 ? 1 : 0, position, policy);
    }
    // Records in export order (pass by pass), so one teacher's rows are spread through the table.
    const diligence = Float64Array.from({ length: o.teachers }, () => 0.35 + rand() * 1.3);
    const span = (last - first) / o.perTeacher;
    for (let pass = 0; pass < o.perTeacher; pass++) {
      for (let t = 0; t < o.teachers; t++) {
        const date = ymd(Math.min(last, first + Math.floor(pass * span + rand() * span)));
        const category = CATEGORIES[Math.floor(rand() * (rand() < 0.1 ? CATEGORIES.length : 4))];
        const hours = HOURS[Math.floor(rand() * HOURS.length)] * diligence[t] * 2;
        records++;
        insertRecord.run(`B${String(records).padStart(10, '0')}`, t + 1, date, Math.round(hours * 2) / 2, category, `${date.slice(0, 4)}年${category}`);
      }
    }
  })();
  sqlite.exec('CREATE INDEX `records_teacher_date` ON `records` (`teacher_id`,`date`)');
  sqlite.exec('ANALYZE');
  sqlite.close();
  return { teachers: o.teachers, records };
}

export async function main(args: string[] = []): Promise<void> {
  const o = options(args);
  const teachers = o.int('teachers', 100_000);
  const perTeacher = o.int('per-teacher', 40);
  const schools = o.int('schools', 800);
  const requests = o.int('requests', 20);
  const r = new Reporter('dashboard');
  const dir = mkdtempSync(join(tmpdir(), 'xueshi-bench-dashboard-'));
  const path = join(dir, 'xueshi.db');
  const today = dateIn(new Date(), 'Asia/Shanghai');
  const token = 'bench-admin-token-0123456789abcdef';
  let app: Awaited<ReturnType<typeof createXueshi>> | null = null;
  try {
    r.machine('at start');
    r.section('dataset');
    let t = performance.now();
    const built = buildDataset(path, { teachers, perTeacher, schools, today });
    r.info('dataset.seconds', (performance.now() - t) / 1000, 's', 1);
    r.note(`${fmt(built.teachers, 0)} teachers in ${fmt(schools, 0)} schools (laibin/liuzhou/otog/national/houma), ${fmt(built.records, 0)} records; temp dir ${dir}`);

    app = await createXueshi({ config: loadConfig({ DATABASE_PATH: path, LOG_LEVEL: 'silent', ADMIN_TOKEN: token }, PLATFORM_SETTINGS), logger: silentLogger });
    const http = app.http;
    const login = await http.request('/admin/login', {
      method: 'POST',
      body: new URLSearchParams({ token }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    if (login.status !== 303 || !cookie) throw new Error(`login failed: ${login.status}`);
    const get = async (url: string) => {
      const started = performance.now();
      const res = await http.request(url, { headers: { cookie } });
      const body = await res.text();
      const ms = performance.now() - started;
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body.slice(0, 200)}`);
      return { ms, bytes: body.length };
    };

    r.section('cold');
    // The first request starts the day's build and shows a "calculating" page until it is done (it refreshes
    // itself); poll like that page does until the dashboard itself comes back.
    t = performance.now();
    const cpu = process.cpuUsage();
    let polls = 0;
    for (;;) {
      const res = await http.request('/admin', { headers: { cookie } });
      const html = await res.text();
      polls++;
      if (res.status !== 200) throw new Error(`/admin: ${res.status}`);
      if (html.includes('各校情况')) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    r.info('cold_build_ms', performance.now() - t, 'ms', 0);
    const used = process.cpuUsage(cpu);
    r.info('cold_build_cpu_ms', (used.user + used.system) / 1000, 'ms', 0);
    r.note(`first dashboard after start (${polls} polls): one pass over every record and the policy engine for every teacher, once per day, in the background`);

    r.section('warm');
    const samples: number[] = [];
    let bytes = 0;
    for (let i = 0; i < requests; i++) {
      const one = await get('/admin');
      samples.push(one.ms);
      bytes = one.bytes;
    }
    const d = distribution(samples);
    r.info('render_ms_p50', d.p50, 'ms', 1);
    r.info('page_kib', bytes / 1024, 'KiB', 0);
    // Prints `dashboard.render_ms_p95: X (target < 500)  PASS|FAIL` (milliseconds).
    r.check('render_ms_p95', percentile95(samples), { op: '<', value: 500 });

    const policyRun: number[] = [];
    for (let i = 0; i < Math.max(5, requests / 4); i++) policyRun.push((await get('/admin?policy=laibin')).ms);
    r.info('filtered_ms_p50', distribution(policyRun).p50, 'ms', 1);
    const schoolName = `${COUNTIES[3]}1${KINDS[3]}`;
    const schoolRun: number[] = [];
    for (let i = 0; i < 5; i++) schoolRun.push((await get(`/admin/schools/${encodeURIComponent(schoolName)}`)).ms);
    r.info('school_page_ms_p50', distribution(schoolRun).p50, 'ms', 1);

    // A few new credits (a training session's sign-ins) and one cancellation: the next render catches up.
    const db = app.db.$client;
    db.prepare(`INSERT INTO records (record_key, teacher_id, date, hours, category, project, source) VALUES ('bench-new-1', 1, ?, 3, '师德师风', 'bench', 'session')`).run(today);
    db.prepare(`UPDATE records SET cancelled_at = 1, cancel_reason = 'bench' WHERE teacher_id = 2 AND id = (SELECT min(id) FROM records WHERE teacher_id = 2)`).run();
    const after = await get('/admin');
    r.info('after_change_ms', after.ms, 'ms', 1);
  } finally {
    if (app) await app.stop();
    if (!o.has('keep')) rmSync(dir, { recursive: true, force: true });
  }
  r.summary();
}

function percentile95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)];
}

if (isEntry(import.meta.url)) void runStandalone(main);
