/**
 * `hours <工号> --as-of D [--json]` through the real CLI entry (runCli in-process for the matrix, and once as the
 * child process an operator runs): on D only records dated on or before D exist — records later in the same year
 * and in later years of the same cycle change nothing, for every preset; owedThisYear is about D's year.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statement } from '../../db/statements.js';
import { runCli } from '../../src/cli/main.js';
import { testDatabase, type TestDatabase } from '../helpers/db.js';
import { addRecord, addTeacher } from '../helpers/seed.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let database: TestDatabase;
const env = () => ({ ...database.env, XUESHI_NOW: '2026-11-25T10:00:00+08:00', LOG_LEVEL: 'silent', TIMEZONE: 'Asia/Shanghai' });
const D = '2024-06-15';

type Rec = [date: string, hours: number, category: string];
/** Per preset: a teacher, records on or before D, and records after D (same year, same school year, later years of the cycle). */
const cases: { no: string; policyId: string; before: Rec[]; after: Rec[]; json: Record<string, unknown> }[] = [
  {
    no: 'T-LB',
    policyId: 'laibin',
    before: [['2022-05-01', 100, '集中培训'], [D, 20, '网络研修']],
    after: [['2024-06-16', 10, '集中培训'], ['2024-08-01', 30, '网络研修'], ['2025-04-01', 40, '校本研修'], ['2025-12-31', 5, '师德师风']],
    // 2021-01-01…2024-06-15 is 1262 of the cycle's 1826 days: 248.8 h due, 120 earned.
    json: { cycleStart: '2021-01-01', cycleEnd: '2025-12-31', required: 360, earned: 120, remaining: 240, owedThisYear: {}, onPace: false },
  },
  {
    no: 'T-OT',
    policyId: 'otog',
    before: [['2024-02-01', 30, '集中培训']],
    after: [['2024-08-01', 100, '集中培训'], ['2024-12-31', 10, '网络研修'], ['2025-03-01', 120, '集中培训'], ['2026-05-01', 50, '集中培训']],
    json: { cycleStart: '2024-01-01', cycleEnd: '2026-12-31', required: 360, earned: 30, remaining: 330, owedThisYear: { 年度总学时: 90 }, onPace: false },
  },
  {
    no: 'T-LZ',
    policyId: 'liuzhou',
    before: [['2022-03-01', 200, '集中培训'], ['2023-10-01', 4, '校本研修'], ['2024-05-01', 3, '师德师风']],
    after: [['2024-07-01', 6, '校本研修'], ['2024-11-01', 7, '师德师风'], ['2025-02-01', 20, '集中培训']],
    json: { cycleStart: '2021-01-01', cycleEnd: '2025-12-31', required: 360, earned: 207, remaining: 153, owedThisYear: { 师德师风: 7, 校本研修: 6 }, onPace: false },
  },
  {
    no: 'T-HM',
    policyId: 'houma',
    before: [['2024-03-01', 12, '集中培训']],
    after: [['2024-09-01', 8, '集中培训'], ['2025-03-01', 8, '集中培训']],
    json: { cycleStart: null, cycleEnd: null, required: null, earned: 12, remaining: null, owedThisYear: {}, onPace: null },
  },
  {
    no: 'T-NA',
    policyId: 'national',
    before: [['2023-03-01', 6, '师德师风'], ['2024-03-01', 12, '集中培训']],
    after: [['2024-09-01', 8, '集中培训'], ['2025-03-01', 8, '集中培训']],
    json: { cycleStart: null, cycleEnd: null, required: null, earned: 18, remaining: null, owedThisYear: {}, onPace: null },
  },
];

function seed(which: 'before' | 'after'): Promise<void> {
  return database.use(async (db) => {
    for (const c of cases) {
      const id =
        which === 'before'
          ? await addTeacher(db, { employeeNo: c.no, name: `教师${c.no.slice(2)}`, policyId: c.policyId, hireDate: '2010-09-01' })
          : (await statement<[string]>(db, 'SELECT id FROM teachers WHERE employee_no = ?').pluck<number>().get(c.no))!;
      for (const [i, [date, hours, category]] of c[which].entries()) await addRecord(db, id, { key: `${c.no}-${which}-${i}`, date, hours, category });
    }
  });
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const code = await runCli(args, { env: env(), stdout: out, stderr: err });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  database = await testDatabase();
  await seed('before');
});
afterAll(() => database?.drop());

describe('hours --as-of: the state on that date', { timeout: 30_000 }, () => {
  it('for every preset, the figures of D; records dated after D (same year, later years of the cycle) change nothing', async () => {
    const first = new Map<string, unknown>();
    for (const c of cases) {
      const r = await cli(['hours', c.no, '--as-of', D, '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout), c.policyId).toEqual(c.json);
      first.set(c.no, r.stdout);
    }
    await seed('after');
    for (const c of cases) {
      const r = await cli(['hours', c.no, '--as-of', D, '--json']);
      expect(r.stdout, c.policyId).toBe(first.get(c.no));
    }
    // The later records are there: asked for today they count.
    const today = JSON.parse((await cli(['hours', 'T-OT', '--json'])).stdout);
    expect(today.earned).toBe(30 + 100 + 10 + 120 + 50);
  });

  it('the text answer speaks of D, in plain Chinese', async () => {
    const r = await cli(['hours', 'T-LB', '--as-of', D]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toEqual([
      '教师LB老师，您好。以下是截至2024年6月15日的学时情况：',
      '本周期（2021年1月1日至2025年12月31日）应修 360 学时，已修 120 学时，还差 240 学时。',
      '进度落后：按时间平均计算，到2024年6月15日应修 248.8 学时，您已修 120 学时，差 128.8 学时。',
      '培训层次：定格（中级培训），集中培训50% 跟岗实践50%。',
    ]);
  });

  // The CLI refuses DATABASE_URL until the data access is asynchronous (issue 16); then this runs on PostgreSQL too.
  it('as an operator runs it: npm run cli -- hours T-LB --as-of 2024-06-15 --json (child process)', async () => {
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    const run = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(tsx, ['src/cli/main.ts', 'hours', 'T-LB', '--as-of', D, '--json'], { cwd: root, env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(cases[0].json);
  });
});
