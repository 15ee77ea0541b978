/**
 * Backups on a schedule inside the running bot (BACKUP_CRON, BACKUP_DIR, BACKUP_KEEP), and the database choice in
 * the configuration (DATABASE_URL selects PostgreSQL; tests/app.test.ts starts the app and the CLI on it).
 */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { databaseChoice, loadConfig } from '../../src/config.js';
import { PLATFORM_SETTINGS } from '../../src/platforms/settings.js';
import { audit } from '../../src/ledger/audit.js';
import { createTestApp } from '../helpers/app.js';
import { onPostgres } from '../helpers/db.js';

// Scheduled backups copy the SQLite file; on PostgreSQL the app schedules none (pg_dump is the operator's, README).
describe.skipIf(onPostgres())('scheduled backups in the running bot', { timeout: 60_000 }, () => {
  it('backs up at the clock’s Beijing time while the bot writes, and keeps BACKUP_KEEP of them', async () => {
    const transport = new FixedClock('2026-12-07T02:30:00+08:00');
    const app = await createTestApp({ BACKUP_CRON: '30 2 * * *', BACKUP_KEEP: '2' }, { transportClock: transport });
    try {
      expect(app.backups).not.toBeNull();
      expect(app.backups!.armed).toBe(false); // a FixedClock arms no cron: the test drives it
      for (let i = 0; i < 3000; i++) await audit(app.db, 'test', 'seed', { i, pad: 'x'.repeat(200) });
      const committedBefore = (app.db.$client.prepare('select max(id) as n from audit_log').get() as { n: number }).n;

      // The bot keeps writing on its own connection while the backup runs on its thread.
      let writes = 0;
      let writing = true;
      const writer = (async () => {
        while (writing) {
          await audit(app.db, 'test', 'during', { n: writes++ });
          await new Promise((r) => setImmediate(r));
        }
      })();
      const first = await app.backups!.run();
      const writesDuring = writes;
      writing = false;
      await writer;
      expect(first).not.toBeNull();
      expect(writesDuring).toBeGreaterThan(0);
      const dir = join(app.dir, 'backups');
      expect(first!.backup.path).toBe(join(dir, 'xueshi-20261207-023000.db'));
      const copy = new Database(first!.backup.path, { readonly: true });
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect((copy.prepare('select count(*) as n from audit_log where id <= ?').get(committedBefore) as { n: number }).n).toBe(committedBefore);
      copy.close();

      transport.advance(24 * 3600_000);
      await app.backups!.run();
      transport.advance(24 * 3600_000);
      const third = await app.backups!.run();
      expect(third!.pruned).toEqual(['xueshi-20261207-023000.db']);
      expect(readdirSync(dir).sort()).toEqual(['xueshi-20261208-023000.db', 'xueshi-20261209-023000.db']);
    } finally {
      await app.cleanup();
    }
  });

  it('runs on BACKUP_CRON with the real clock, into BACKUP_DIR', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'xueshi-backups-')), 'elsewhere');
    const app = await createTestApp({ BACKUP_CRON: '* * * * * *', BACKUP_DIR: dir });
    try {
      expect(app.backups!.armed).toBe(true);
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && !(existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.db')))) await new Promise((r) => setTimeout(r, 100));
      expect(readdirSync(dir).filter((f) => /^xueshi-\d{8}-\d{6}(-\d+)?\.db$/.test(f)).length).toBeGreaterThan(0);
    } finally {
      await app.cleanup();
    }
    expect(app.backups!.armed).toBe(false);
    rmSync(dirname(dir), { recursive: true, force: true });
  });

  it('refuses a BACKUP_CRON that is not a cron expression', () => {
    expect(() => loadConfig({ BACKUP_CRON: 'every night' }, PLATFORM_SETTINGS)).toThrow(/BACKUP_CRON.*不是有效的 cron 表达式/s);
    expect(() => loadConfig({ BACKUP_KEEP: '0' }, PLATFORM_SETTINGS)).toThrow(/BACKUP_KEEP/);
  });
});

describe('DATABASE_URL', () => {
  it('selects PostgreSQL for postgres:// and postgresql://, SQLite without it, and refuses other schemes', () => {
    expect(databaseChoice(loadConfig({}, PLATFORM_SETTINGS))).toEqual({ dialect: 'sqlite', path: 'data/xueshi.db' });
    expect(databaseChoice(loadConfig({ DATABASE_URL: 'postgres://u:p@db.example:5432/xueshi' }, PLATFORM_SETTINGS))).toEqual({ dialect: 'postgres', url: 'postgres://u:p@db.example:5432/xueshi' });
    expect(databaseChoice(loadConfig({ DATABASE_URL: 'postgresql://db/xueshi' }, PLATFORM_SETTINGS)).dialect).toBe('postgres');
    expect(databaseChoice(loadConfig({ DATABASE_URL: '  ' }, PLATFORM_SETTINGS)).dialect).toBe('sqlite');
    expect(() => loadConfig({ DATABASE_URL: 'mysql://db/xueshi' }, PLATFORM_SETTINGS)).toThrow(/DATABASE_URL="mysql:\/\/db\/xueshi": DATABASE_URL 应以 postgres:\/\/ 或 postgresql:\/\/ 开头/);
    expect(() => loadConfig({ DATABASE_URL: 'data/xueshi.db' }, PLATFORM_SETTINGS)).toThrow(/DATABASE_PATH/);
  });
});
