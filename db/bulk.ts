import type Database from 'better-sqlite3';
import type { Db } from './client.js';
import { dialectOf } from './handle.js';

/**
 * Synchronous SQLite statements for bulk loops (the imports: millions of rows). An awaited call per row costs a
 * microtask hop and a promise each, seconds over 4 million rows, so a store's SQLite half runs a whole batch of
 * rows through these plain calls and awaits once per batch. The SQL text stays in the store file; only the
 * driver lives here. The PostgreSQL halves batch with `statement()` instead (one round trip per batch).
 */
export interface SqliteBulkStatement<P extends unknown[] = unknown[], R = unknown> {
  get(...params: P): R | undefined;
  iterate(...params: P): IterableIterator<R>;
  /** Rows changed, and the rowid of the last row inserted (consecutive for a multi-row INSERT of new rows). */
  run(...params: P): { changes: number; lastId: number };
}

function clientOf(db: Db): Database.Database {
  if (dialectOf(db) !== 'sqlite') throw new Error('sqliteBulk: a SQLite handle only');
  return db.$client;
}

/**
 * A statement prepared for one bulk job (not kept in the connection's cache: bulk SQL is built per job, e.g. a
 * multi-row INSERT). `mode`: rows as objects, as arrays of their columns (`raw`), or their first column (`pluck`).
 */
export function sqliteBulk<P extends unknown[] = unknown[], R = unknown>(
  db: Db,
  sqlText: string,
  mode: 'object' | 'raw' | 'pluck' = 'object',
): SqliteBulkStatement<P, R> {
  const prepared = clientOf(db).prepare(sqlText);
  if (mode === 'raw') prepared.raw();
  if (mode === 'pluck') prepared.pluck();
  return {
    get: (...params) => prepared.get(...params) as R | undefined,
    iterate: (...params) => prepared.iterate(...params) as IterableIterator<R>,
    run: (...params) => {
      const info = prepared.run(...params);
      return { changes: info.changes, lastId: Number(info.lastInsertRowid) };
    },
  };
}

/** Runs SQL text without parameters (DDL such as dropping and rebuilding an index) on a SQLite handle. */
export function sqliteExec(db: Db, sqlText: string): void {
  clientOf(db).exec(sqlText);
}
