/**
 * Backups of the SQLite database (issue 16, item 4): one file per backup, named with the local (Beijing)
 * date and time it was taken, in a folder that keeps the newest `keep` of them. The copy itself is
 * db/backup.ts's (SQLite's online backup API); this file names, places and prunes.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { backupDatabase, type BackupResult } from '../../db/backup.js';
import { dateTimeSecondsIn } from '../time/zone.js';

export interface BackupPlan {
  /** The live database (DATABASE_PATH). */
  dbPath: string;
  dir: string;
  keep: number;
  timeZone: string;
}

export interface BackupOutcome {
  backup: BackupResult;
  /** Older backups deleted to keep `keep`. */
  pruned: string[];
}

/** `backups` beside the database, unless BACKUP_DIR says otherwise. */
export function backupDirFor(config: { DATABASE_PATH: string; BACKUP_DIR?: string }): string {
  return config.BACKUP_DIR ?? join(dirname(config.DATABASE_PATH), 'backups');
}

const stemOf = (dbPath: string) => basename(dbPath, extname(dbPath));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `<stem>-YYYYMMDD-HHMMSS[-n].db`: names sort in the order they were taken. */
const backupPattern = (stem: string) => new RegExp(`^${escape(stem)}-\\d{8}-\\d{6}(-\\d+)?\\.db$`);

/** `20261207-023000`: the local date and time, for file names. */
export function fileStamp(now: Date, timeZone: string): string {
  return dateTimeSecondsIn(now, timeZone).replace(/-/g, '').replace(' ', '-').replace(/:/g, '');
}

/** The file name for a backup taken at `now`: `xueshi-20261207-023000.db` (a second one that second gets `-2`). */
export function backupFileName(dbPath: string, now: Date, timeZone: string, exists: (name: string) => boolean): string {
  const base = `${stemOf(dbPath)}-${fileStamp(now, timeZone)}`;
  let name = `${base}.db`;
  for (let n = 2; exists(name); n++) name = `${base}-${n}.db`;
  return name;
}

/** This database's backups in `dir`, newest first (other files there are not ours and are left alone). */
export function listBackups(dir: string, dbPath: string): string[] {
  const pattern = backupPattern(stemOf(dbPath));
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const order = (name: string) => name.replace(/\.db$/, '').replace(/-(\d+)$/, (_, n: string) => `-${n.padStart(6, '0')}`);
  return names.filter((n) => pattern.test(n)).sort((a, b) => (order(a) < order(b) ? 1 : -1));
}

/** Deletes this database's backups beyond the newest `keep`; returns the names deleted. */
export function pruneBackups(dir: string, dbPath: string, keep: number): string[] {
  const old = listBackups(dir, dbPath).slice(keep);
  for (const name of old) rmSync(join(dir, name), { force: true });
  return old;
}

/** Takes one backup now (consistent while the bot writes), then prunes. */
export async function makeBackup(plan: BackupPlan, now: Date): Promise<BackupOutcome> {
  mkdirSync(plan.dir, { recursive: true });
  const taken = new Set(readdirSync(plan.dir));
  const name = backupFileName(plan.dbPath, now, plan.timeZone, (n) => taken.has(n) || taken.has(`${n}.partial`));
  const backup = await backupDatabase(plan.dbPath, join(plan.dir, name));
  return { backup, pruned: pruneBackups(plan.dir, plan.dbPath, plan.keep) };
}
