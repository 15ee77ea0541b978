/**
 * The scheduler removes files past FILES_RETENTION_DAYS, on a clock the test moves: sent reply attachments and
 * ones no row names (data/files), the terminal's copies (data/files/console) and the console's exports
 * (data/exports). An attachment a pending or failed outbox row still names stays whatever its age, until that
 * row is sent; files that are not ours (no hash name) are never touched. Real SQLite file, real outbox rows.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { statement } from '../../db/statements.js';
import { loadConfig } from '../../src/config.js';
import { PLATFORM_SETTINGS } from '../../src/platforms/settings.js';
import { storeAttachment } from '../../src/outbox/attachments.js';
import { enqueue, markFailed, markSent } from '../../src/outbox/store.js';
import { fileRetentionFor, type FileRetention } from '../../src/outbox/prune-files.js';
import { exportsDirFor } from '../../src/certificates/exports.js';
import { loadPresetsFor } from '../../src/policy/for-config.js';
import { runSchedulerTick } from '../../src/schedule/tick.js';
import type { FileAttachment } from '../../src/core/messages.js';
import { closeTestDb, openTestDb } from '../helpers/db.js';

const DAY = 24 * 3600_000;
const T0 = new Date('2026-11-25T02:00:00Z');
let dir: string;
let db: Db;
let files: FileRetention;
const config = () => loadConfig({ DATABASE_PATH: join(dir, 'xueshi.db'), LOG_LEVEL: 'silent', FILES_RETENTION_DAYS: '7' }, PLATFORM_SETTINGS);

/** A file last written `daysBefore` days before T0. */
function age(path: string, daysBefore: number): void {
  const at = new Date(T0.getTime() - daysBefore * DAY);
  utimesSync(path, at, at);
}

let n = 0;
/** Stores an attachment and queues a message naming it; returns the file and its row id. */
async function queued(daysOld: number): Promise<{ file: FileAttachment; id: number; path: string }> {
  n++;
  const file = storeAttachment(files.filesDir, Buffer.from(`%PDF-1.7 certificate ${n}`), `学时证明-${n}.pdf`, 'application/pdf');
  await enqueue(db, [{ platform: 'feishu', target: { type: 'user', accountId: `ou_${n}` }, reply: { text: '学时证明', file }, idempotencyKey: `prune-${n}` }], T0);
  const id = (await statement<[string]>(db, `select id from outbox where idempotency_key = ?`).pluck<number>().get(`prune-${n}`))!;
  const path = join(files.filesDir, file.sha256);
  age(path, daysOld);
  return { file, id, path };
}

const tick = (at: Date) =>
  runSchedulerTick({ db, presets: loadPresetsFor(config()), timeZone: 'Asia/Shanghai', transportNow: () => at, files }, at);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xueshi-prune-'));
  db = await openTestDb();
  files = fileRetentionFor(config(), exportsDirFor(config()))!;
});
afterAll(async () => {
  await closeTestDb(db);
  rmSync(dir, { recursive: true, force: true });
});

describe('file pruning by the scheduler', () => {
  it('takes its folders and retention from the configuration (data/files, data/exports, FILES_RETENTION_DAYS)', async () => {
    expect(files).toEqual({ filesDir: join(dir, 'files'), exportsDir: join(dir, 'exports'), retentionMs: 7 * DAY });
    expect(fileRetentionFor(loadConfig({ DATABASE_PATH: join(dir, 'x.db') }, PLATFORM_SETTINGS), join(dir, 'exports'))!.retentionMs).toBe(7 * DAY);
    expect(fileRetentionFor(loadConfig({ DATABASE_PATH: join(dir, 'x.db'), FILES_RETENTION_DAYS: '30' }, PLATFORM_SETTINGS), join(dir, 'exports'))!.retentionMs).toBe(30 * DAY);
    expect(() => loadConfig({ DATABASE_PATH: join(dir, 'x.db'), FILES_RETENTION_DAYS: '0' }, PLATFORM_SETTINGS)).toThrow(/FILES_RETENTION_DAYS/);
  });

  it('removes what is past the retention and not awaited by an unsent message; keeps the rest until it is', async () => {
    const sentOld = await queued(8);
    await markSent(db, sentOld.id, T0);
    const sentRecent = await queued(6);
    await markSent(db, sentRecent.id, T0);
    const pendingOld = await queued(30);
    const failedOld = await queued(30);
    await markFailed(db, failedOld.id, 'feishu: 230002 bot not in chat');
    const orphan = join(files.filesDir, 'a'.repeat(64));
    writeFileSync(orphan, 'left by a crash before its row committed');
    age(orphan, 9);
    const notOurs = join(files.filesDir, 'README.txt');
    writeFileSync(notOurs, 'an operator note');
    age(notOurs, 100);
    mkdirSync(join(files.filesDir, 'console'), { recursive: true });
    const oldCopy = join(files.filesDir, 'console', '学时证明-old.pdf');
    const newCopy = join(files.filesDir, 'console', '学时证明-new.pdf');
    writeFileSync(oldCopy, 'x');
    writeFileSync(newCopy, 'y');
    age(oldCopy, 10);
    age(newCopy, 1);
    mkdirSync(files.exportsDir, { recursive: true });
    const oldZip = join(files.exportsDir, '学时证明-第一中学-2026-11-10-abc.zip');
    const newZip = join(files.exportsDir, '学时证明-第一中学-2026-11-24-def.zip');
    writeFileSync(oldZip, 'zip');
    writeFileSync(newZip, 'zip');
    age(oldZip, 15);
    age(newZip, 1);

    const first = await tick(T0);
    expect(first.errors).toBe(0);
    expect(first.prunedFiles).toBe(4); // the old sent attachment, the orphan, the old copy, the old export
    expect(existsSync(sentOld.path)).toBe(false);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(oldCopy)).toBe(false);
    expect(existsSync(oldZip)).toBe(false);
    for (const kept of [sentRecent.path, pendingOld.path, failedOld.path, notOurs, newCopy, newZip]) expect(existsSync(kept)).toBe(true);

    // Two days on, the recent one has passed its 7 days; the copy and export of yesterday have not.
    const later = new Date(T0.getTime() + 2 * DAY);
    expect((await tick(later)).prunedFiles).toBe(1);
    expect(existsSync(sentRecent.path)).toBe(false);
    expect(existsSync(pendingOld.path)).toBe(true);
    expect(existsSync(failedOld.path)).toBe(true);

    // Once the pending message is sent, its file goes at the next tick; the failed one still waits for a resend.
    await markSent(db, pendingOld.id, later);
    expect((await tick(later)).prunedFiles).toBe(1);
    expect(existsSync(pendingOld.path)).toBe(false);
    expect(existsSync(failedOld.path)).toBe(true);
    expect(existsSync(notOurs)).toBe(true);
  });

  it('is a no-op without a files setting (an in-memory database) and when the folders do not exist yet', async () => {
    expect(fileRetentionFor(loadConfig({ DATABASE_PATH: ':memory:' }, PLATFORM_SETTINGS), join(dir, 'exports'))).toBeUndefined();
    const r = await runSchedulerTick(
      { db, presets: loadPresetsFor(config()), timeZone: 'Asia/Shanghai', transportNow: () => T0, files: { filesDir: join(dir, 'none'), exportsDir: join(dir, 'none2'), retentionMs: DAY } },
      T0,
    );
    expect(r.errors).toBe(0);
    expect(r.prunedFiles).toBe(0);
  });
});
