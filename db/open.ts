import { databaseChoice, type Config } from '../src/config.js';
import { closeDatabase, openDatabase, type Db } from './client.js';
import { asDb, dialectOf } from './handle.js';
import { closePostgres, openPostgres, type PgDb } from './postgres.js';

/**
 * The database the configuration selects (issue 16): a pool on DATABASE_URL (PostgreSQL, db/migrations-pg applied
 * under an advisory lock, so several instances may start at once), else the SQLite file at DATABASE_PATH.
 */
export async function openConfiguredDatabase(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_PATH' | 'DATABASE_POOL_SIZE'>): Promise<Db> {
  const choice = databaseChoice(config);
  if (choice.dialect === 'sqlite') return openDatabase(choice.path);
  return asDb(await openPostgres(choice.url, { poolSize: config.DATABASE_POOL_SIZE }));
}

/** Closes what openConfiguredDatabase opened: the SQLite connection, or the pool (waiting for its clients). */
export async function closeConfiguredDatabase(db: Db): Promise<void> {
  if (dialectOf(db) === 'postgres') await closePostgres(db as unknown as PgDb);
  else closeDatabase(db);
}
