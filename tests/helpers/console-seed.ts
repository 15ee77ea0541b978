/**
 * A small, realistic district for console tests and screenshots: 8 schools, ~220 teachers on four presets,
 * each school with its own diligence so the dashboard shows a real mix of done / on pace / behind.
 * Deterministic (seeded); written in one transaction, a few multi-row statements, on either dialect.
 */
import type { Db } from '../../db/client.js';
import { grantRole } from '../../src/ledger/roles.js';
import { statement, transaction } from '../../db/statements.js';

export const SCHOOLS: [string, number, number][] = [
  // name, teachers, diligence (1 ≈ exactly on pace)
  ['第一中学', 38, 1.25],
  ['第二中学', 34, 0.95],
  ['实验小学', 32, 1.1],
  ['城东小学', 26, 0.7],
  ['城西初级中学', 30, 0.85],
  ['民族中学', 22, 0.55],
  ['中心幼儿园', 18, 1.35],
  ['职业技术学校', 20, 0.8],
];

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红玲芬燕春菊凤洁梅琳云雪荣佳嘉琼珍晶妍秋锦倩婷颖瑶怡丹蓉琴薇岚馨悦宁欣';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rows per insert statement: 1000 × 8 parameters stays under SQLite's 32766 and PostgreSQL's 65535. */
const BATCH = 1000;
const batches = <T>(rows: T[]): T[][] => Array.from({ length: Math.ceil(rows.length / BATCH) }, (_, i) => rows.slice(i * BATCH, (i + 1) * BATCH));
/** `(?, ?, …), (?, ?, …)…`: a placeholder per value of each row. */
const tuples = (rows: unknown[][]) => rows.map((r) => `(${r.map(() => '?').join(', ')})`).join(', ');

export interface District {
  officerId: number;
  /** teacher id of the first leader of each school. */
  leaders: Map<string, number>;
  teachers: number;
  records: number;
}

/**
 * Seeds the roster and records as of `today` (YYYY-MM-DD, within 2026). Officer T9000 周主任 (第一中学) gets
 * the officer role; the first teacher of every school is its leader.
 */
export async function seedDistrict(db: Db, today = '2026-11-25', seed = 11): Promise<District> {
  const rand = rng(seed);
  const year = Number(today.slice(0, 4));
  const dayOfYear = (Date.parse(`${today}T00:00:00Z`) - Date.parse(`${year}-01-01T00:00:00Z`)) / 86_400_000;
  const leaders = new Map<string, number>();
  let n = 0;
  let records = 0;
  let officerId = 0;
  const categories = ['师德师风', '校本研修', '集中培训', '网络研修'];
  // Drawn first, written after in a few multi-row statements: a round trip per row made the seed take seconds on
  // PostgreSQL under load (and every console test seeds a district).
  const roster: unknown[][] = [['T9000', '周主任', '第一中学', '2008-09-01', true, false, '教师', 'laibin']];
  const rows: unknown[][] = [];
  for (const [k, [date, hours, category]] of ([['2026-03-12', 24, '集中培训'], ['2026-06-20', 30, '网络研修'], ['2026-09-10', 12, '师德师风']] as const).entries()) {
    rows.push([`SEED-T9000-${k}`, 'T9000', date, hours, category, `${category}专题培训`]);
  }
  const leaderNos = new Map<string, string>();
  for (const [school, count, diligence] of SCHOOLS) {
    for (let i = 0; i < count; i++) {
      n++;
      const no = `T${String(n).padStart(4, '0')}`;
      const name = SURNAMES[Math.floor(rand() * SURNAMES.length)] + GIVEN[Math.floor(rand() * GIVEN.length)] + (rand() < 0.5 ? GIVEN[Math.floor(rand() * GIVEN.length)] : '');
      const p = rand();
      const policy = p < 0.7 ? 'laibin' : p < 0.85 ? 'liuzhou' : p < 0.95 ? 'otog' : 'houma';
      const hire = `${2000 + Math.floor(rand() * 24)}-09-01`;
      const position = i === 0 ? '校长' : '教师';
      roster.push([no, name, school, hire, rand() < 0.75, rand() < 0.3, position, policy]);
      if (i === 1) leaderNos.set(school, no);
      // Each year's hours ≈ the yearly share of the cycle × the school's diligence × a personal spread (this
      // year only up to today), so some teachers are ahead of pace, many behind, a few done (3-year otog cycle).
      const personal = diligence * (0.5 + rand() * 1.05);
      const perYear = policy === 'otog' ? 128 : 72;
      for (const y of [year - 2, year - 1, year]) {
        const days = y === year ? dayOfYear : 365;
        const target = perYear * personal * (days / 365);
        let got = 0;
        for (let k = 0; got < target && k < 40; k++) {
          const hours = [2, 3, 4, 6, 8, 12][Math.floor(rand() * 6)];
          const date = new Date(Date.UTC(y, 0, 1 + Math.floor(rand() * Math.max(1, days - 1)))).toISOString().slice(0, 10);
          const category = k === 0 && rand() < 0.85 ? '师德师风' : k === 1 && rand() < 0.75 ? '校本研修' : categories[Math.floor(rand() * categories.length)];
          rows.push([`SEED-${no}-${y}-${k}`, no, date, hours, category, `${category}专题培训`]);
          got += hours;
        }
      }
    }
  }
  records = rows.length;
  const ids = new Map<string, number>();
  await transaction(db, async (tx) => {
    for (const batch of batches(roster)) {
      const sql = `INSERT INTO teachers (employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id) VALUES ${tuples(batch)} RETURNING id, employee_no AS "no"`;
      for (const t of await statement<unknown[], { id: number; no: string }>(tx, sql).all(...batch.flat())) ids.set(t.no, t.id);
    }
    for (const batch of batches(rows)) {
      const withIds = batch.map(([key, no, ...rest]) => [key, ids.get(no as string), ...rest]);
      await statement(tx, `INSERT INTO records (record_key, teacher_id, date, hours, category, project) VALUES ${tuples(batch)}`).run(...withIds.flat());
    }
  });
  officerId = ids.get('T9000')!;
  for (const [school, no] of leaderNos) leaders.set(school, ids.get(no)!);
  await grantRole(db, officerId, 'officer', 'seed');
  for (const id of leaders.values()) await grantRole(db, id, 'leader', 'seed');
  return { officerId, leaders, teachers: n, records };
}
