import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/**
 * Online backups of the SQLite file with SQLite's backup API (issue 16, item 4), and the checks a restore makes.
 * The copy runs on a worker thread with its own connection, in one backup step: that step reads one snapshot
 * (WAL mode lets the bot keep committing meanwhile, and a step that copies everything is never restarted by
 * those commits), and the serving thread is not held while megabytes are copied. The copy is then checked
 * (PRAGMA integrity_check), set to a self-contained rollback-journal file, and only then given its name.
 */

export interface BackupResult {
  path: string;
  bytes: number;
  pages: number;
  ms: number;
}

// Plain CommonJS so the thread needs no TypeScript loader (as db/checkpointer.ts).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
// Background work, as the checkpoint thread: on Linux this lowers only this thread, so the bot's own work comes first.
try { require('node:os').setPriority(19); } catch {}
const Database = require(workerData.driver);
(async () => {
  const started = Date.now();
  const source = new Database(workerData.source, { fileMustExist: true });
  let pages = 0;
  try {
    source.pragma('busy_timeout = 5000');
    // The first step only measures; returning the whole count makes the next step copy every page at once.
    const done = await source.backup(workerData.partial, { progress: ({ totalPages }) => { pages = totalPages; return 0x7fffffff; } });
    pages = done.totalPages;
  } finally {
    source.close();
  }
  const copy = new Database(workerData.partial, { fileMustExist: true });
  let check;
  try {
    copy.pragma('journal_mode = DELETE');
    check = copy.pragma('integrity_check', { simple: false }).map((r) => r.integrity_check);
  } finally {
    copy.close();
  }
  parentPort.postMessage({ pages, check, ms: Date.now() - started, bytes: fs.statSync(workerData.partial).size });
})().catch((error) => parentPort.postMessage({ error: String(error && error.message || error) }));
`;

export class BackupError extends Error {
  constructor(
    readonly reason: 'source_missing' | 'integrity',
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

/**
 * Copies the live database at `source` to `dest` (which must not exist), consistent as of one instant, while
 * other connections keep writing. `dest` appears only once the copy is complete and passed integrity_check.
 */
export async function backupDatabase(source: string, dest: string): Promise<BackupResult> {
  if (!existsSync(source)) throw new BackupError('source_missing', source);
  const partial = `${dest}.partial`;
  rmSync(partial, { force: true });
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const result = await new Promise<{ pages: number; check: string[]; ms: number; bytes: number }>((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, source, partial } });
    worker.once('message', (m: { error?: string; pages: number; check: string[]; ms: number; bytes: number }) => (m.error ? reject(new Error(m.error)) : resolve(m)));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`backup thread exited (${code})`)));
  }).catch((error: unknown) => {
    rmSync(partial, { force: true });
    throw error;
  });
  if (result.check.join('\n') !== 'ok') {
    rmSync(partial, { force: true });
    throw new BackupError('integrity', result.check.join('\n'));
  }
  renameSync(partial, dest);
  return { path: dest, bytes: result.bytes, pages: result.pages, ms: result.ms };
}

/** What a file offered for restore is: a sound Xueshi database, or why not. */
export type BackupInspection = { ok: true; teachers: number; migrations: number } | { ok: false; reason: 'not_sqlite' | 'not_xueshi' | 'integrity'; detail: string };

/** Opens `path` read-only and checks it is an SQLite database that passes integrity_check and holds Xueshi's tables. */
export function inspectBackup(path: string): BackupInspection {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('schema_version');
  } catch (error) {
    return { ok: false, reason: 'not_sqlite', detail: (error as Error).message };
  }
  try {
    const check = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (check.join('\n') !== 'ok') return { ok: false, reason: 'integrity', detail: check.slice(0, 5).join('\n') };
    const tables = new Set((db.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[]).map((r) => r.name));
    if (!tables.has('__drizzle_migrations') || !tables.has('teachers')) return { ok: false, reason: 'not_xueshi', detail: [...tables].join(', ') };
    const teachers = (db.prepare('select count(*) as n from teachers').get() as { n: number }).n;
    const migrations = (db.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }).n;
    return { ok: true, teachers, migrations };
  } catch (error) {
    return { ok: false, reason: 'not_sqlite', detail: (error as Error).message };
  } finally {
    db.close();
  }
}

/**
 * True when no other connection (the bot, a CLI command) has the database at `path` open. If none has, any
 * WAL left by a crash is folded into the file first, so the file alone holds every committed row.
 */
export function quiesceIfUnused(path: string): boolean {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    try {
      db.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
      throw error;
    }
    db.exec('COMMIT');
    db.pragma('wal_checkpoint(TRUNCATE)');
    return true;
  } finally {
    db.close();
  }
}

/** The SQLite side files that belong with a database file. */
export const SIDE_FILES = ['-wal', '-shm'] as const;
