import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** Opens (creating if needed) the SQLite file, tunes it for a bot's many short writes and applies migrations. */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  // WAL + NORMAL is durable across process crashes (only an OS crash can lose the last commits).
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('cache_size = -65536');
  // After a burst the WAL is started over but its file keeps its peak size; cut it back to this.
  sqlite.pragma('journal_size_limit = 67108864');
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder });
  return db;
}

/**
 * A read-only connection of its own to the same file, for a long read that pauses between pieces while the
 * main connection keeps serving (the main connection cannot pause inside an open statement). Null for a
 * database without a file (in memory), which has no second connection.
 */
export function openReader(db: Db): Db | null {
  const file = db.$client.name;
  if (file === ':memory:' || file === '' || db.$client.memory) return null;
  return drizzle(new Database(file, { readonly: true, fileMustExist: true }), { schema }) as Db;
}

export function closeDatabase(db: Db): void {
  db.$client.close();
}

export { schema };

