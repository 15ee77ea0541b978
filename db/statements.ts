import type Database from 'better-sqlite3';
import type { Db } from './client.js';

/**
 * The one place raw SQL meets the SQLite driver. Store files (src/<feature>/store.ts) call these; nothing else
 * reaches `db.$client`, so a second database (issue 16) swaps this file and the stores, not their callers.
 */

const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * A statement prepared once per connection. For the queries on every message's path (claiming an event,
 * finding the caller, the outbox sender, the hours summary): building them through the ORM each time cost more
 * than running them. `.raw()` / `.pluck()` change a statement's mode: every caller of one SQL text must use the
 * same mode.
 */
export function prepared<P extends unknown[] = unknown[], R = unknown>(db: Db, sqlText: string): Database.Statement<P, R> {
  let cache = statementCache.get(db.$client);
  if (!cache) {
    cache = new Map();
    statementCache.set(db.$client, cache);
  }
  let statement = cache.get(sqlText);
  if (!statement) {
    statement = db.$client.prepare(sqlText);
    cache.set(sqlText, statement);
  }
  return statement as unknown as Database.Statement<P, R>;
}

/** A statement prepared for one use (bulk work that builds its SQL, or runs it once): not kept in the cache. */
export function preparedOnce<P extends unknown[] = unknown[], R = unknown>(db: Db, sqlText: string): Database.Statement<P, R> {
  return db.$client.prepare(sqlText) as unknown as Database.Statement<P, R>;
}

/** Runs `fn` in one IMMEDIATE transaction (takes the write lock up front, so concurrent writers queue instead of failing). */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.$client.transaction(fn).immediate();
}

/** True inside a transaction opened by inTransaction (or any other on this connection). */
export function isInTransaction(db: Db): boolean {
  return db.$client.inTransaction;
}
