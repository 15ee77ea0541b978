/**
 * The app and the CLI open the database the configuration selects (issue 16): with DATABASE_URL a pool on
 * PostgreSQL, migrated at start (three instances starting at once on an empty database too), SQLite's own parts off
 * (WAL checkpointer, scheduled backups; `backup`/`restore` refuse and name pg_dump/pg_restore), files under FILES_DIR,
 * the pool closed by stop(). On a real server: TEST_DATABASE_URL, PG_TEST_SERVER, or a throwaway cluster.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectOf } from '../db/handle.js';
import type { PgDb } from '../db/postgres.js';
import { createXueshi, type Xueshi } from '../src/app.js';
import { runCli } from '../src/cli/main.js';
import { FixedClock } from '../src/clock.js';
import { databaseLabel, loadConfig } from '../src/config.js';
import { exportsDirFor } from '../src/certificates/exports.js';
import { evidenceDirFor } from '../src/declarations/evidence/files.js';
import { bindAccount } from '../src/ledger/accounts.js';
import { silentLogger } from '../src/logger.js';
import { filesDirFor } from '../src/outbox/attachments.js';
import { ConsoleSession } from '../src/platforms/console/session.js';
import { PLATFORM_SETTINGS } from '../src/platforms/settings.js';
import { addTeacher } from './helpers/seed.js';
import { scratchDatabase, testPostgres, withClient, type PgServer } from './helpers/postgres.js';

let server: PgServer | null = null;
let dir: string;
beforeAll(async () => {
  server = await testPostgres();
  dir = mkdtempSync(join(tmpdir(), 'xueshi-app-pg-'));
}, 120_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** The app's settings on PostgreSQL at `url`; DATABASE_PATH names a folder that must never appear. */
const pgConfig = (url: string, extra: Record<string, string> = {}) =>
  loadConfig({ DATABASE_URL: url, DATABASE_PATH: join(dir, 'no-sqlite', 'xueshi.db'), FILES_DIR: join(dir, 'shared'), LOG_LEVEL: 'silent', ...extra }, PLATFORM_SETTINGS);

const openApp = (url: string, extra: Record<string, string> = {}) =>
  createXueshi({ config: pgConfig(url, extra), logger: silentLogger, clock: new FixedClock('2026-11-25T10:00:00+08:00') });

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr') => new Writable({ write: (chunk, _enc, done) => ((out[key] += String(chunk)), done()) });
  const code = await runCli(args, { env: { LOG_LEVEL: 'silent', XUESHI_NOW: '2026-11-25T10:00:00+08:00', ...env }, stdout: sink('stdout'), stderr: sink('stderr') });
  return { code, ...out };
}

describe('the app on DATABASE_URL (PostgreSQL)', { timeout: 120_000 }, () => {
  it('migrates an empty database, answers a chat turn through the pool, runs no SQLite parts, and stop() ends the pool', async (ctx) => {
    if (!server) ctx.skip();
    const scratch = await scratchDatabase(server!.url);
    let app: Xueshi | undefined;
    try {
      app = await openApp(scratch.url, { BACKUP_CRON: '30 2 * * *' });
      expect(dialectOf(app.db)).toBe('postgres');
      expect(app.checkpointer).toBeNull();
      expect(app.backups).toBeNull();
      await app.start();
      const id = await addTeacher(app.db, { employeeNo: 'T-PG1', name: '王老师', school: '一中', policyId: 'laibin' });
      await bindAccount(app.db, 'console', 'acc-pg', id);
      const reply = (await new ConsoleSession(app, 'acc-pg').send('我是谁')).join('\n');
      expect(reply).toContain('王老师');
      // The event went through PostgreSQL's inbox, not a SQLite file.
      const handled = await withClient(scratch.url, (c) => c.query<{ n: number }>(`select count(*)::int as n from inbox where status = 'done'`));
      expect(handled.rows[0]!.n).toBe(1);
      expect(existsSync(join(dir, 'no-sqlite'))).toBe(false);
      const pool = (app.db as unknown as PgDb).$client;
      await app.stop();
      app = undefined;
      expect(pool.ended).toBe(true);
    } finally {
      await app?.stop();
      await scratch.drop();
    }
  });

  it('three instances starting at once on one empty database migrate it once and all serve', async (ctx) => {
    if (!server) ctx.skip();
    const scratch = await scratchDatabase(server!.url);
    const apps: Xueshi[] = [];
    try {
      const started = await Promise.allSettled([openApp(scratch.url), openApp(scratch.url), openApp(scratch.url)]);
      for (const s of started) if (s.status === 'fulfilled') apps.push(s.value);
      expect(started.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      for (const app of apps) await app.start();
      const applied = await withClient(scratch.url, (c) => c.query<{ n: number; distinct: number }>('select count(*)::int as n, count(distinct hash)::int as distinct from drizzle.__drizzle_migrations'));
      expect(applied.rows[0]!.n).toBeGreaterThan(0);
      expect(applied.rows[0]!.n).toBe(applied.rows[0]!.distinct);
      const id = await addTeacher(apps[0]!.db, { employeeNo: 'T-PG2', name: '李老师', school: '二中', policyId: 'laibin' });
      await bindAccount(apps[0]!.db, 'console', 'acc-pg2', id);
      for (const app of apps) expect((await new ConsoleSession(app, 'acc-pg2').send('我是谁')).join('\n')).toContain('李老师');
    } finally {
      for (const app of apps) await app.stop();
      await scratch.drop();
    }
  });

  it('the CLI opens DATABASE_URL; backup and restore refuse it, naming pg_dump and pg_restore, and touch nothing', async (ctx) => {
    if (!server) ctx.skip();
    const scratch = await scratchDatabase(server!.url);
    try {
      const app = await openApp(scratch.url);
      await addTeacher(app.db, { employeeNo: 'T-PG3', name: '赵老师', school: '三中', policyId: 'laibin' });
      await app.stop();
      const env = { DATABASE_URL: scratch.url, DATABASE_PATH: join(dir, 'no-sqlite', 'xueshi.db') };
      const hours = await cli(['hours', 'T-PG3'], env);
      expect(hours.stderr).toBe('');
      expect(hours.code).toBe(0);
      expect(hours.stdout).toContain('赵老师');
      expect((await cli(['hours', 'T-NONE'], env)).code).toBe(1);

      const backup = await cli(['backup'], env);
      expect(backup.code).toBe(2);
      expect(backup.stderr).toContain('pg_dump --format=custom');
      const restore = await cli(['restore', join(dir, 'some.db')], env);
      expect(restore.code).toBe(2);
      expect(restore.stderr).toContain('pg_restore --no-owner');
      expect(existsSync(join(dir, 'no-sqlite'))).toBe(false);
    } finally {
      await scratch.drop();
    }
  });
});

describe('where the files go', () => {
  it('under FILES_DIR when set (shared storage for several instances), else beside the SQLite database; EVIDENCE_DIR wins for evidence', () => {
    const shared = loadConfig({ DATABASE_URL: 'postgres://u:secret@db:5432/x', FILES_DIR: '/mnt/xueshi' }, PLATFORM_SETTINGS);
    expect([filesDirFor(shared), exportsDirFor(shared), evidenceDirFor(shared)]).toEqual(['/mnt/xueshi/files', '/mnt/xueshi/exports', '/mnt/xueshi/evidence']);
    const local = loadConfig({ DATABASE_PATH: '/srv/x/xueshi.db' }, PLATFORM_SETTINGS);
    expect([filesDirFor(local), exportsDirFor(local), evidenceDirFor(local)]).toEqual(['/srv/x/files', '/srv/x/exports', '/srv/x/evidence']);
    expect(evidenceDirFor(loadConfig({ FILES_DIR: '/mnt/xueshi', EVIDENCE_DIR: '/e' }, PLATFORM_SETTINGS))).toBe('/e');
  });

  it('start-up lines name the database without its password', () => {
    expect(databaseLabel(loadConfig({ DATABASE_URL: 'postgres://u:secret@db:5432/x' }, PLATFORM_SETTINGS))).toBe('postgres://u:***@db:5432/x');
    expect(databaseLabel(loadConfig({ DATABASE_PATH: 'data/a.db' }, PLATFORM_SETTINGS))).toBe('data/a.db');
  });
});
