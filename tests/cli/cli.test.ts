/**
 * The officer CLI as operators run it: a child process per command (tsx src/cli/main.ts …) against a
 * real database (tests/helpers/db.ts: a SQLite file in a temp dir, or PostgreSQL), with the clock pinned by XUESHI_NOW.
 */
import ExcelJS from 'exceljs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../db/client.js';
import { statement } from '../../db/statements.js';
import { onPostgres, testDatabase, type TestDatabase } from '../helpers/db.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const fixture = (name: string) => join(root, 'tests', 'fixtures', 'import', name);
let database: TestDatabase;
let dir: string;
beforeAll(async () => {
  // Ends in demo.db on purpose: `demo` would seed it, so it must refuse once real data is in.
  database = await testDatabase({ fileName: 'county-demo.db' });
  dir = database.dir;
});
afterAll(() => database?.drop());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = { ...process.env };
  delete base.DEMO_DATABASE_PATH;
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ['src/cli/main.ts', ...args], {
      cwd: root,
      env: { ...base, ...database.env, XUESHI_NOW: '2026-11-25T10:00:00+08:00', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const query = <T>(sql: string, ...params: unknown[]) => database.use((db) => statement<unknown[], T>(db, sql).get(...params));
/** count(*) of `sql` (a number on SQLite, a string from PostgreSQL). */
const countOf = async (sql: string) => Number(await database.use((db) => statement(db, sql).pluck().get()));
const recordCount = () => countOf('SELECT count(*) FROM records');

// The CLI refuses DATABASE_URL until the data access is asynchronous (issue 16); then this runs on PostgreSQL too.
describe('officer CLI (child process)', { timeout: 60_000 }, () => {
  it('imports the roster', async () => {
    const r = await cli(['import', 'teachers', fixture('teachers.csv')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/导入名册「teachers\.csv」完成：共 3 行，新增 3，更新 0，未变 0，错误 0 行/);
    expect(await query('SELECT role FROM roles r JOIN teachers t ON t.id = r.teacher_id WHERE t.employee_no = ?', 'T003')).toEqual({ role: 'leader' });
  });

  it('imports records; a second run of the same file changes nothing', async () => {
    const first = await cli(['import', 'records', fixture('records.csv')]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/共 5 行，新增 5，未变 0，错误 0 行；用时 [\d.]+ 秒/);
    expect(await recordCount()).toBe(5);

    const second = await cli(['import', 'records', fixture('records.csv')]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/共 5 行，新增 0，未变 5，错误 0 行/);
    expect(await recordCount()).toBe(5);
    expect(await countOf("SELECT count(*) FROM audit_log WHERE action = 'import_records' AND actor = 'cli'")).toBe(2);
  });

  it('hours --json prints exactly the scripted keys', async () => {
    const r = await cli(['hours', 'T001', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(['cycleStart', 'cycleEnd', 'required', 'earned', 'remaining', 'owedThisYear', 'onPace']);
    expect(json).toEqual({
      cycleStart: '2026-01-01',
      cycleEnd: '2030-12-31',
      required: 360,
      earned: 21.5,
      remaining: 338.5,
      owedThisYear: {},
      onPace: false,
    });
  });

  it('officer add grants the role and audits it', async () => {
    const r = await cli(['officer', 'add', 'T002']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('已将 李四（工号 T002，第一中学） 设为培训管理员');
    expect(await query('SELECT role, granted_by FROM roles r JOIN teachers t ON t.id = r.teacher_id WHERE t.employee_no = ? AND role = ?', 'T002', 'officer')).toEqual({
      role: 'officer',
      granted_by: 'cli',
    });
    expect(await countOf("SELECT count(*) FROM audit_log WHERE action = 'grant_role'")).toBe(1);
  });

  it('a bad file: exit 1, every bad row on stderr, nothing written', async () => {
    const r = await cli(['import', 'records', fixture('records-bad.csv')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines.slice(0, 6)).toEqual([
      '第 3 行【工号】：名册中没有工号「T404」，请先导入名册',
      '第 3 行【日期】：「2026-02-30」不是有效的日期（没有这一天）',
      '第 3 行【学时】：「abc」不是数字',
      '第 4 行【学时】：必须大于 0',
      expect.stringMatching(/^第 4 行【类别】：「神秘类别」不是政策 laibin 认可的类别/),
      '第 5 行【编号】：不能为空',
    ]);
    expect(r.stderr).toContain('文件有 3 行错误（见上），未导入任何数据');
    expect(await recordCount()).toBe(5);
    expect(await query('SELECT 1 AS x FROM records WHERE record_key = ?', 'R-1001')).toBeUndefined();
  });

  it('unknown 工号 for hours: Chinese error, exit 1', async () => {
    const r = await cli(['hours', 'T999']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('名册中没有工号「T999」');
  });

  it('demo refuses a database holding real data', async () => {
    // The demo is always a SQLite file of its own (DATABASE_PATH, here ending in demo.db), whatever DATABASE_URL says.
    // On PostgreSQL the roster above went to the server, so put the same real roster into that file first.
    if (onPostgres()) expect((await cli(['import', 'teachers', fixture('teachers.csv')], { DATABASE_URL: '' })).code).toBe(0);
    const r = await cli(['demo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('这个数据库已有真实数据（名册中 3 人），不能写入演示数据');
    const demoRows = "SELECT count(*) FROM teachers WHERE employee_no LIKE 'DEMO%'";
    expect(await countOf(demoRows)).toBe(0);
    if (onPostgres()) {
      const file = openDatabase(database.env.DATABASE_PATH);
      try {
        expect(Number(await statement(file, demoRows).pluck().get())).toBe(0);
      } finally {
        closeDatabase(file);
      }
    }
  });

  it('demo seeds a fresh demo database and says how to chat', async () => {
    const demoPath = join(dir, 'fresh-demo.db');
    // `demo` writes a demo SQLite file of its own, whatever the run's database.
    const r = await cli(['demo'], { DATABASE_PATH: demoPath, DATABASE_URL: '' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`【演示数据】已写入 ${demoPath}`);
    expect(r.stdout).toContain(`DEMO_DATABASE_PATH=${demoPath} npm run demo`);
    // The cast: who is a teacher, a school leader, an officer, and how to become them in the chat.
    expect(r.stdout).toMatch(/学校负责人 DEMO003 .*\/as 校长/);
    expect(r.stdout).toMatch(/培训管理员 DEMO006 .*\/as 管理员/);
  });

  it('an XLSX decompression bomb: refused from the zip directory, exit 1, nothing written, no crash', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('学时');
    ws.addRow(['工号', '日期', '学时', '类别', '项目', '编号']);
    for (let i = 0; i < 40; i++) ws.addRow(['T001', '2026-03-01', 1, '集中培训', `${i}`.padEnd(100_000, '啊'), `BOMB-${i}`]);
    const bomb = join(dir, 'bomb.xlsx');
    await wb.xlsx.writeFile(bomb);
    const before = await recordCount();
    const r = await cli(['import', 'records', bomb]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/xl\/sharedStrings\.xml 压缩了 \d+ 倍（正常表格不超过 150 倍），已拒绝导入/);
    expect(r.stderr).not.toMatch(/heap|FATAL/i);
    expect(await recordCount()).toBe(before);
  });

  it('a configuration error exits 2 with the message', async () => {
    const r = await cli(['hours', 'T001'], { TIMEZONE: 'Mars/Olympus' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TIMEZONE="Mars/Olympus"');
  });
});
