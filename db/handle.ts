import type { Db } from './client.js';
import type { PgDb } from './postgres.js';
import * as schema from './schema.js';
import * as schemaPg from './schema.pg.js';

/**
 * One database handle for both dialects (issue 16). drizzle has no dialect-neutral query builder, so `Db` stays
 * typed as the SQLite database and its tables: that is where store code gets its query-builder types. On
 * PostgreSQL the same value is a node-postgres drizzle database (a pool, or one transaction's client) and
 * `tables(db)` hands out the PostgreSQL tables; tests/db/schema-dialects.test.ts proves both schemas give the
 * same row types. What only SQLite's driver has (`.get()`, `.all()`, `.run()`, `.values()`, `$client`) is
 * therefore not used outside db/ (tests/structure/async-stores.test.ts): stores await the builder, or use
 * `statement()` for raw SQL.
 */
export type Dialect = 'sqlite' | 'postgres';

/** Set on every PostgreSQL handle (asDb, and each transaction's): a property read, not a prototype walk, per call. */
export const POSTGRES = Symbol('xueshi.postgres');

type Tagged = { [POSTGRES]?: true };

export function dialectOf(db: Db): Dialect {
  return (db as Tagged)[POSTGRES] ? 'postgres' : 'sqlite';
}

/** Set on a transaction's handle: the database it was opened on. */
export const DATABASE = Symbol('xueshi.database');

/**
 * The database a handle belongs to: itself, or the database a transaction's handle was opened on. For state kept
 * per database in memory (a WeakMap keyed by it), which a handler, holding its event's transaction, must find too.
 */
export function databaseOf(db: Db): Db {
  return (db as { [DATABASE]?: Db })[DATABASE] ?? db;
}

/** The tables both schemas define (schema.ts also exports enum constants, which are not tables). */
export type Tables = { [K in keyof typeof schemaPg & keyof typeof schema]: (typeof schema)[K] };

/** The tables of db's dialect, typed as the SQLite ones (same row types; see the note at the top). */
export function tables(db: Db): Tables {
  return (dialectOf(db) === 'postgres' ? schemaPg : schema) as unknown as Tables;
}

/** A PostgreSQL database as the handle every store takes. */
export function asDb(pg: PgDb): Db {
  (pg as unknown as Tagged)[POSTGRES] = true;
  return pg as unknown as Db;
}
