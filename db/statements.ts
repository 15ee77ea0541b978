import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { Db } from './client.js';
import { DATABASE, dialectOf, POSTGRES } from './handle.js';

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

// ---------------------------------------------------------------------------------------------------------------
// The asynchronous seam (issue 16): the same calls on SQLite and PostgreSQL. The synchronous helpers above go
// once their last callers are converted (tests/structure/async-stores.test.ts lists who is left).

/** SQL text per dialect, for the few statements whose SQL differs (kept side by side in the store file). */
export type SqlText = string | { sqlite: string; postgres: string };

/** A raw SQL statement on either dialect. Placeholders are `?`; `Date` and boolean parameters are bound as each dialect stores them. */
export interface Statement<P extends unknown[], R> {
  get(...params: P): Promise<R | undefined>;
  all(...params: P): Promise<R[]>;
  /** Runs it for its effect: how many rows it changed. */
  run(...params: P): Promise<{ changes: number }>;
  /** The same statement returning each row's first column. */
  pluck<V = unknown>(): Statement<P, V>;
  /** The same statement returning each row as an array of its columns. */
  raw<V extends unknown[] = unknown[]>(): Statement<P, V>;
}

type Mode = 'object' | 'pluck' | 'raw';

/**
 * A statement prepared once per connection and SQL text: on SQLite the cached better-sqlite3 statement (it runs
 * synchronously; the promise is already settled), on PostgreSQL a named statement the driver prepares once per
 * pooled connection.
 */
export function statement<P extends unknown[] = unknown[], R = unknown>(db: Db, sqlText: SqlText): Statement<P, R> {
  return (dialectOf(db) === 'postgres' ? postgresStatement(db, sqlText, 'object') : sqliteStatement(db, sqlText, 'object')) as Statement<P, R>;
}

const textFor = (sqlText: SqlText, dialect: 'sqlite' | 'postgres') => (typeof sqlText === 'string' ? sqlText : sqlText[dialect]);

function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/** Per connection, per mode, by SQL text: the texts are the store files' constants, so a lookup hashes nothing new. */
type StatementCache = Record<Mode, Map<string, Statement<unknown[], unknown>>>;
const sqliteStatements = new WeakMap<Database.Database, StatementCache>();

/** Parameters as SQLite binds them; the same array when nothing needs converting (the usual case: no allocation). */
function sqliteParams(params: unknown[]): unknown[] {
  for (const p of params) if (p instanceof Date || typeof p === 'boolean') return params.map(sqliteValue);
  return params;
}

function sqliteStatement(db: Db, sqlText: SqlText, mode: Mode): Statement<unknown[], unknown> {
  const text = textFor(sqlText, 'sqlite');
  const client = db.$client;
  let cache = sqliteStatements.get(client);
  if (!cache) sqliteStatements.set(client, (cache = { object: new Map(), pluck: new Map(), raw: new Map() }));
  let wrapped = cache[mode].get(text);
  if (wrapped) return wrapped;
  const prepared = client.prepare(text);
  if (mode === 'pluck') prepared.pluck();
  if (mode === 'raw') prepared.raw();
  const bind = sqliteParams;
  wrapped = {
    get: async (...params) => prepared.get(...bind(params)),
    all: async (...params) => prepared.all(...bind(params)),
    run: async (...params) => ({ changes: prepared.run(...bind(params)).changes }),
    pluck: () => sqliteStatement(db, sqlText, 'pluck') as Statement<unknown[], never>,
    raw: () => sqliteStatement(db, sqlText, 'raw') as Statement<unknown[], never>,
  };
  cache[mode].set(text, wrapped);
  return wrapped;
}

/** `?` → `$1, $2 …`, and a name per distinct text (the driver prepares a named statement once per connection). */
const postgresTexts = new Map<string, { name: string; text: string }>();

export function postgresQuery(text: string): { name: string; text: string } {
  let query = postgresTexts.get(text);
  if (!query) {
    let n = 0;
    query = { name: `xs${postgresTexts.size + 1}`, text: text.replace(/\?/g, () => `$${++n}`) };
    postgresTexts.set(text, query);
  }
  return query;
}

/** Where a PostgreSQL handle's queries go: its transaction's client, else its pool. */
export const PG_CLIENT = Symbol('xueshi.pgClient');

function pgClientOf(db: Db): pg.Pool | pg.PoolClient {
  return ((db as unknown as { [PG_CLIENT]?: pg.PoolClient })[PG_CLIENT] ?? db.$client) as unknown as pg.Pool | pg.PoolClient;
}

function postgresStatement(db: Db, sqlText: SqlText, mode: Mode): Statement<unknown[], unknown> {
  const { name, text } = postgresQuery(textFor(sqlText, 'postgres'));
  const rowMode = mode === 'object' ? undefined : 'array';
  const query = (params: unknown[]) => pgClientOf(db).query({ name, text, values: params, ...(rowMode ? { rowMode } : {}) });
  const shape = (rows: unknown[]) => (mode === 'pluck' ? (rows as unknown[][]).map((r) => r[0]) : rows);
  return {
    get: async (...params) => shape((await query(params)).rows)[0],
    all: async (...params) => shape((await query(params)).rows),
    run: async (...params) => ({ changes: (await query(params)).rowCount ?? 0 }),
    pluck: () => postgresStatement(db, sqlText, 'pluck') as Statement<unknown[], never>,
    raw: () => postgresStatement(db, sqlText, 'raw') as Statement<unknown[], never>,
  };
}

/** Marks a transaction's handle: how many savepoints are open in it names the next one. */
const TX = Symbol('xueshi.tx');
type TxHandle = Db & { [TX]?: { open: number } };

/**
 * Runs `fn(tx)` in one transaction and commits, or rolls back if it throws. Everything inside uses `tx`, never
 * the outer handle (on PostgreSQL that is another connection). `transaction(tx, …)` inside is a savepoint, so a
 * failing part rolls back alone.
 *
 * SQLite has one connection and one writer: transactions on it take turns through an async lock, so two events
 * never interleave inside one (BEGIN IMMEDIATE takes the write lock up front, as inTransaction does).
 */
export async function transaction<T>(db: Db, fn: (tx: Db) => Promise<T> | T, options: TransactionOptions = {}): Promise<T> {
  const open = (db as TxHandle)[TX];
  if (open) return savepoint(db, open, fn);
  return dialectOf(db) === 'postgres' ? postgresTransaction(db, fn) : sqliteTransaction(db, fn, options);
}

export interface TransactionOptions {
  /**
   * `false`: SQLite skips the per-row foreign-key look-ups for this transaction (bulk imports, whose keys all
   * come from rows they just read). The pragma can only change outside a transaction, so it is switched off
   * under the connection's lock, before BEGIN, and back on after COMMIT or ROLLBACK. PostgreSQL keeps its foreign
   * keys (switching them off needs a superuser); the cost there is one index probe per row.
   */
  foreignKeys?: false;
}

/**
 * A savepoint is named by its depth (sp1 inside the transaction, sp2 inside that…), not by a running count: the
 * names repeat, so on SQLite its three statements are prepared once per connection like any other. Every event
 * of a handling slice opens one (bench/README.md, webhook).
 */
async function savepoint<T>(tx: Db, open: { open: number }, fn: (tx: Db) => Promise<T> | T): Promise<T> {
  const name = `sp${++open.open}`;
  const run =
    dialectOf(tx) === 'postgres'
      ? (sqlText: string) => pgClientOf(tx).query(sqlText)
      : (sqlText: string) => {
          prepared(tx, sqlText).run();
        };
  try {
    await run(`SAVEPOINT ${name}`);
    try {
      const result = await fn(tx);
      await run(`RELEASE ${name}`);
      return result;
    } catch (error) {
      await run(`ROLLBACK TO ${name}`);
      await run(`RELEASE ${name}`);
      throw error;
    }
  } finally {
    open.open--;
  }
}

/** A FIFO lock per SQLite connection; `acquire` resolves with the function that releases it. */
class AsyncLock {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  async acquire(): Promise<() => void> {
    if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.held = true;
    return () => {
      const next = this.waiting.shift();
      if (next) next();
      else this.held = false;
    };
  }
}

const sqliteLocks = new WeakMap<Database.Database, AsyncLock>();

async function sqliteTransaction<T>(db: Db, fn: (tx: Db) => Promise<T> | T, options: TransactionOptions): Promise<T> {
  let lock = sqliteLocks.get(db.$client);
  if (!lock) sqliteLocks.set(db.$client, (lock = new AsyncLock()));
  const release = await lock.acquire();
  const client = db.$client;
  const foreignKeysOff = options.foreignKeys === false && !client.inTransaction && client.pragma('foreign_keys', { simple: true }) === 1;
  try {
    if (foreignKeysOff) client.pragma('foreign_keys = OFF');
    prepared(db, 'BEGIN IMMEDIATE').run();
    const tx = Object.create(db, { [TX]: { value: { open: 0 } }, [DATABASE]: { value: db } }) as TxHandle;
    try {
      const result = await fn(tx);
      prepared(db, 'COMMIT').run();
      return result;
    } catch (error) {
      // An I/O error may already have ended the transaction.
      if (client.inTransaction) prepared(db, 'ROLLBACK').run();
      throw error;
    }
  } finally {
    if (foreignKeysOff) client.pragma('foreign_keys = ON');
    release();
  }
}

async function postgresTransaction<T>(db: Db, fn: (tx: Db) => Promise<T> | T): Promise<T> {
  const pool = db as unknown as { transaction<R>(fn: (tx: unknown) => Promise<R>): Promise<R> };
  return pool.transaction(async (drizzleTx) => {
    const session = (drizzleTx as { session: { client: pg.PoolClient } }).session;
    Object.defineProperties(drizzleTx, {
      [POSTGRES]: { value: true },
      [PG_CLIENT]: { value: session.client },
      [TX]: { value: { open: 0 } },
      [DATABASE]: { value: db },
    });
    return fn(drizzleTx as Db);
  });
}

/** True inside a transaction opened by `transaction` (its handle) or by inTransaction on this connection. */
export function inTransactionHandle(db: Db): boolean {
  return Boolean((db as TxHandle)[TX]) || (dialectOf(db) === 'sqlite' && db.$client.inTransaction);
}
