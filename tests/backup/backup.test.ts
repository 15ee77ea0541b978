/**
 * Backups and restores of the SQLite database (issue 16, item 4), on real files: `backup` copies online with
 * SQLite's backup API while another process keeps committing, the copy opens and passes integrity_check and holds
 * every row committed before it started; --keep prunes; `restore` refuses while the bot has the database open,
 * refuses a damaged or foreign file, and otherwise swaps the backup in and keeps the old file aside.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../db/client.js';
import { runCli } from '../../src/cli/main.js';
import { createTestApp } from '../helpers/app.js';
import { dateTimeSecondsIn } from '../../src/time/zone.js';
import { onPostgres } from '../helpers/db.js';

let dir: string;
let dbPath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'xueshi-backup-'));
  dbPath = join(dir, 'xueshi.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const sink = (f: (s: string) => void) => new Writable({ write: (c, _e, done) => (f(String(c)), done()) });
  const code = await runCli(args, {
    env: { DATABASE_PATH: dbPath, LOG_LEVEL: 'silent', ...env },
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
  });
  return { code, stdout, stderr };
}

/** A roster of `teachers` with `perTeacher` records each (a few MB), made through the app's migrations. */
function seed(path: string, teachers: number, perTeacher: number): void {
  closeDatabase(openDatabase(path));
  const db = new Database(path);
  db.transaction(() => {
    const t = db.prepare(`insert into teachers (employee_no, name, school, policy_id) values (?, ?, ?, 'laibin')`);
    const r = db.prepare(`insert into records (record_key, teacher_id, date, hours, category, project) values (?, ?, '2026-03-01', 2.5, '师德师风', ?)`);
    for (let i = 0; i < teachers; i++) {
      const id = t.run(`S${i}`, `教师${i}`, `第${i % 40}小学`).lastInsertRowid;
      for (let k = 0; k < perTeacher; k++) r.run(`S${i}-${k}`, id, `县级培训项目第${k}期：课堂教学能力提升专题研修`);
    }
  })();
  db.close();
}

const count = (path: string, sql: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

/**
 * Another process writing as the bot does: each transaction adds a teacher and one record of theirs, stamped
 * with the time of the commit, as fast as it can; it prints a line after each hundred commits.
 */
function startWriter(path: string): ChildProcess {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const source = `
    const Database = require(${JSON.stringify(driver)});
    const db = new Database(${JSON.stringify(path)});
    db.pragma('busy_timeout = 5000');
    const t = db.prepare("insert into teachers (employee_no, name, school, policy_id) values (?, 'w', 'w', 'laibin')");
    const r = db.prepare("insert into records (record_key, teacher_id, date, hours, category, created_at) values (?, ?, '2026-03-01', 1, 'w', ?)");
    const pair = db.transaction((n) => { const id = t.run('W' + n).lastInsertRowid; r.run('W' + n, id, Date.now()); });
    let n = 0;
    const loop = () => { for (let i = 0; i < 20; i++) pair(n++); if (n % 100 === 0) process.stdout.write(n + '\\n'); setImmediate(loop); };
    loop();`;
  return spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
}

const waitForLines = (child: ChildProcess, lines: number) =>
  new Promise<void>((resolve, reject) => {
    let seen = 0;
    child.stdout!.on('data', (d: Buffer) => {
      seen += String(d).split('\n').filter(Boolean).length;
      if (seen >= lines) resolve();
    });
    child.once('exit', (code) => reject(new Error(`writer exited (${code})`)));
  });

// Backup and restore copy the SQLite file (SQLite's backup API); PostgreSQL is backed up with pg_dump (README).
describe.skipIf(onPostgres())('npm run cli -- backup', { timeout: 120_000 }, () => {
  it('copies online while another process keeps committing: the copy is whole and holds every earlier commit', async () => {
    seed(dbPath, 2_000, 30);
    const writer = startWriter(dbPath);
    try {
      await waitForLines(writer, 3);
      const before = count(dbPath, 'select max(id) as n from records');
      const started = Date.now();
      const r = await cli(['backup']);
      const ended = Date.now();
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      // The writer committed while the backup ran: it was never stopped or blocked.
      const during = count(dbPath, `select count(*) as n from records where created_at > ${started} and created_at < ${ended}`);
      expect(during).toBeGreaterThan(0);

      const files = readdirSync(join(dir, 'backups'));
      expect(files).toHaveLength(1);
      // Named with the Beijing date and time it was taken.
      const stamp = (ms: number) => dateTimeSecondsIn(ms, 'Asia/Shanghai').replace(/-/g, '').replace(' ', '-').replace(/:/g, '');
      expect(files[0] >= `xueshi-${stamp(started - 1000)}.db` && files[0] <= `xueshi-${stamp(ended + 1000)}.db`, files[0]).toBe(true);
      expect(r.stdout).toContain(join(dir, 'backups', files[0]));
      expect(r.stdout).toContain('完整性检查通过');

      const copy = new Database(join(dir, 'backups', files[0]), { readonly: true });
      try {
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
        expect(copy.pragma('foreign_key_check')).toEqual([]);
        // Every record committed before the backup began is in it; each of the writer's pairs is whole.
        expect((copy.prepare('select count(*) as n from records where id <= ?').get(before) as { n: number }).n).toBe(before);
        expect((copy.prepare(`select count(*) as n from teachers t left join records r on r.record_key = t.employee_no where t.employee_no like 'W%' and r.id is null`).get() as { n: number }).n).toBe(0);
        expect((copy.prepare(`select count(*) as n from records where record_key like 'S%'`).get() as { n: number }).n).toBe(60_000);
      } finally {
        copy.close();
      }
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('keeps the newest --keep backups of this database and leaves other files alone', async () => {
    seed(dbPath, 10, 1);
    const backups = join(dir, 'out');
    await cli(['backup', '--dir', backups]);
    writeFileSync(join(backups, 'xueshi-20200101-000000.db'), 'old');
    writeFileSync(join(backups, 'xueshi-20210101-000000.db'), 'old');
    writeFileSync(join(backups, 'notes.txt'), 'mine');
    writeFileSync(join(backups, 'other-20200101-000000.db'), 'another database');
    const r = await cli(['backup', '--dir', backups, '--keep', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('已删除较早的备份：xueshi-20210101-000000.db、xueshi-20200101-000000.db');
    const left = readdirSync(backups).sort();
    expect(left).toHaveLength(4);
    expect(left.slice(0, 2)).toEqual(['notes.txt', 'other-20200101-000000.db']);
    // The two just taken (the second in the same second as the first gets -2, or a later second).
    expect(left.slice(2).every((f) => /^xueshi-20\d{6}-\d{6}(-2)?\.db$/.test(f) && f > 'xueshi-2025')).toBe(true);

    expect((await cli(['backup', '--keep', '0'])).code).toBe(1);
    expect((await cli(['backup'], { DATABASE_PATH: join(dir, 'missing.db') })).code).toBe(2);
  });
});

describe.skipIf(onPostgres())('npm run cli -- restore', { timeout: 120_000 }, () => {
  it('refuses while the bot has the database open, and changes nothing', async () => {
    const app = await createTestApp();
    try {
      const path = app.config.DATABASE_PATH;
      await cli(['backup', '--dir', join(app.dir, 'b')], { DATABASE_PATH: path });
      const [file] = readdirSync(join(app.dir, 'b'));
      const bytes = readFileSync(path);
      const r = await cli(['restore', join(app.dir, 'b', file)], { DATABASE_PATH: path });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('正在使用中');
      expect(r.stderr).toContain('请先停止学时助手');
      expect(readFileSync(path).equals(bytes)).toBe(true);
      expect(readdirSync(app.dir).filter((f) => f.includes('before-restore'))).toEqual([]);
    } finally {
      await app.cleanup();
    }
  });

  it('puts the backup in place once the bot is stopped, and keeps the old file aside', async () => {
    seed(dbPath, 100, 2);
    await cli(['backup', '--dir', join(dir, 'b')]);
    const [file] = readdirSync(join(dir, 'b'));
    // Work done after the backup, then the bot is killed: its WAL, left behind, holds that last commit.
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const bot = spawn(process.execPath, ['-e', `
      const db = new (require(${JSON.stringify(driver)}))(${JSON.stringify(dbPath)});
      db.pragma('journal_mode = WAL');
      db.pragma('wal_autocheckpoint = 0');
      db.prepare("insert into teachers (employee_no, name, school, policy_id) values ('LATE', '后来', '第一小学', 'laibin')").run();
      process.stdout.write('1\\n');
      setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await waitForLines(bot, 1);
    bot.kill('SIGKILL');
    await new Promise((r) => bot.once('exit', r));
    expect(existsSync(`${dbPath}-wal`)).toBe(true);

    const r = await cli(['restore', join(dir, 'b', file)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('名册 100 人');
    expect(count(dbPath, 'select count(*) as n from teachers')).toBe(100);
    expect(count(dbPath, `select count(*) as n from teachers where employee_no = 'LATE'`)).toBe(0);
    const aside = readdirSync(dir).filter((f) => /^xueshi\.db\.before-restore-\d{8}-\d{6}$/.test(f));
    expect(aside).toHaveLength(1);
    expect(r.stdout).toContain(aside[0]);
    // The old database, whole, with the row written after the backup.
    expect(count(join(dir, aside[0]), `select count(*) as n from teachers where employee_no = 'LATE'`)).toBe(1);
    const restored = openDatabase(dbPath);
    expect(restored.$client.pragma('integrity_check', { simple: true })).toBe('ok');
    closeDatabase(restored);
  });

  it('refuses a damaged backup, a file that is not a Xueshi database and a missing one, and changes nothing', async () => {
    seed(dbPath, 300, 20);
    await cli(['backup', '--dir', join(dir, 'b')]);
    const [file] = readdirSync(join(dir, 'b'));
    const damaged = join(dir, 'damaged.db');
    const bytes = readFileSync(join(dir, 'b', file));
    // Scribble over pages in the middle of the file (b-tree pages of records), keeping the header intact.
    for (let i = 40 * 4096; i < 60 * 4096; i++) bytes[i] = (i * 7919) & 0xff;
    writeFileSync(damaged, bytes);
    const foreign = join(dir, 'foreign.db');
    const other = new Database(foreign);
    other.exec('create table t (x)');
    other.close();
    const before = readFileSync(dbPath);

    const bad = await cli(['restore', damaged]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('未做任何改动');
    const notOurs = await cli(['restore', foreign]);
    expect(notOurs.code).toBe(1);
    expect(notOurs.stderr).toContain('不是学时助手的数据库');
    const memory = await cli(['restore', join(dir, 'b', file)], { DATABASE_PATH: ':memory:' });
    expect(memory.code).toBe(2);
    expect(memory.stderr).toContain(':memory:');
    expect(existsSync(':memory:')).toBe(false);
    const missing = await cli(['restore', join(dir, 'nope.db')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('找不到备份文件');
    expect(readFileSync(dbPath).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('before-restore'))).toEqual([]);
  });
});
