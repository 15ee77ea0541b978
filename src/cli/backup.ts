/**
 * `backup [--dir D] [--keep N]`: an online copy of the SQLite database, safe while the bot runs.
 * `restore FILE`: puts a backup in DATABASE_PATH's place, only while nothing has the database open.
 * PostgreSQL deployments use pg_dump / pg_restore instead (README).
 */
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { BackupError, inspectBackup, quiesceIfUnused, SIDE_FILES } from '../../db/backup.js';
import { closeDatabase, openDatabase } from '../../db/client.js';
import { backupText } from '../bot/i18n/zh-CN.backup.js';
import { cliText } from '../bot/i18n/zh-CN.cli.js';
import { systemClock } from '../clock.js';
import { databaseChoice, type Config } from '../config.js';
import { backupDirFor, fileStamp, makeBackup } from '../backup/backups.js';
import { CliError, EXIT, loadApp, parse, type CliIo } from './context.js';

const t = backupText;

/** backup and restore copy the SQLite file; PostgreSQL has pg_dump / pg_restore (the message says how). */
function refuseOnPostgres(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_PATH'>, command: 'backup' | 'restore'): void {
  if (databaseChoice(config).dialect === 'postgres') throw new CliError(t.onPostgres[command], EXIT.config);
}

export async function backupCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, { dir: { type: 'string' }, keep: { type: 'string' } }, cliText.usage.backup, { min: 0, max: 0 });
  const app = loadApp(io);
  refuseOnPostgres(app.config, 'backup');
  const keep = values.keep === undefined ? app.config.BACKUP_KEEP : Number(values.keep);
  if (!Number.isInteger(keep) || keep < 1) throw new CliError(t.keepInvalid(String(values.keep)));
  const dbPath = app.config.DATABASE_PATH;
  try {
    // Real time names the file, even under XUESHI_NOW: backups sort and prune by when they were really taken.
    const { backup, pruned } = await makeBackup(
      { dbPath, dir: values.dir ?? backupDirFor(app.config), keep, timeZone: app.config.TIMEZONE },
      systemClock.now(),
    );
    io.stdout.write(`${t.backedUp(backup.path, backup.bytes, backup.ms)}\n`);
    if (pruned.length) io.stdout.write(`${t.pruned(keep, pruned)}\n`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof BackupError && error.reason === 'source_missing') throw new CliError(t.sourceMissing(dbPath), EXIT.config);
    if (error instanceof BackupError) throw new CliError(t.integrityFailed(error.detail));
    throw error;
  }
}

export async function restoreCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parse(args, {}, cliText.usage.restore, { min: 1, max: 1 });
  const app = loadApp(io);
  refuseOnPostgres(app.config, 'restore');
  const from = positionals[0];
  const to = app.config.DATABASE_PATH;
  if (to === ':memory:') throw new CliError(t.restore.inMemory, EXIT.config);
  if (!existsSync(from)) throw new CliError(t.restore.fileMissing(from));
  if (resolve(from) === resolve(to)) throw new CliError(t.restore.sameFile);
  // Check the backup before touching anything.
  const inspection = inspectBackup(from);
  if (!inspection.ok) {
    if (inspection.reason === 'integrity') throw new CliError(t.restore.integrity(from, inspection.detail));
    if (inspection.reason === 'not_xueshi') throw new CliError(t.restore.notXueshi(from));
    throw new CliError(t.restore.notSqlite(from, inspection.detail));
  }
  // The bot (or any command) holding the database open: refuse, change nothing.
  if (existsSync(to) && !quiesceIfUnused(to)) throw new CliError(t.restore.inUse(to));

  // Copy next to the target first, so the swap is two renames on one filesystem.
  const incoming = `${to}.restoring`;
  copyFileSync(from, incoming);
  let aside: string | null = null;
  if (existsSync(to)) {
    const base = `${to}.before-restore-${fileStamp(systemClock.now(), app.config.TIMEZONE)}`;
    aside = base;
    for (let n = 2; existsSync(aside); n++) aside = `${base}-${n}`;
    renameSync(to, aside);
    for (const side of SIDE_FILES) if (existsSync(`${to}${side}`)) renameSync(`${to}${side}`, `${aside}${side}`);
  }
  renameSync(incoming, to);
  // Opening applies any migration the backup predates, as the bot would at start.
  const db = openDatabase(to);
  closeDatabase(db);
  io.stdout.write(`${t.restore.restored(from, to, inspection.teachers)}\n`);
  io.stdout.write(`${aside ? t.restore.keptAside(aside) : t.restore.noOld}\n`);
  rmSync(incoming, { force: true });
  return EXIT.ok;
}
