import type Database from 'better-sqlite3';
import type pg from 'pg';
import { openReader, type Db } from './client.js';
import { dialectOf } from './handle.js';
import { PG_CLIENT, postgresQuery, type SqlText } from './statements.js';

/**
 * One long, consistent read that pauses between pieces while the rest of the app keeps using the database (the
 * compliance cache's full build over millions of records; its SQL stays in src/admin/compliance/store.ts).
 *
 * - SQLite with a file: a read-only connection of its own inside one read transaction; rows are iterated
 *   synchronously within a piece (an await per row over 4 M rows would cost seconds), pausing between pieces.
 * - SQLite without a file (in memory): no second connection; reads run on the main connection and never pause
 *   inside a statement (`separate` is false: the caller reads big tables in id ranges instead).
 * - PostgreSQL: one pooled client in a REPEATABLE READ READ ONLY transaction; `eachRow` goes through a
 *   server-side cursor, a FETCH per piece.
 */
export interface ReadSnapshot {
  /** A handle whose statement() calls run inside the snapshot. */
  readonly db: Db;
  /** False when the snapshot is only the main connection (SQLite in memory): no pausing inside a statement. */
  readonly separate: boolean;
  /**
   * Calls `onRow` with every row of `sqlText` (as an array of its columns), pausing after every `every` rows
   * (after `onPause(rowsSoFar)`). Resolves with the number of rows.
   */
  eachRow<R extends unknown[]>(sqlText: SqlText, params: unknown[], every: number, onRow: (row: R) => void, onPause?: (rowsSoFar: number) => void): Promise<number>;
  /** Ends the read transaction once everything needed is read. */
  finish(): Promise<void>;
  /** Ends the read transaction if still open and gives the connection back. */
  close(): Promise<void>;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function openReadSnapshot(db: Db): Promise<ReadSnapshot> {
  return dialectOf(db) === 'postgres' ? openPostgresSnapshot(db) : openSqliteSnapshot(db);
}

const textOf = (sqlText: SqlText, dialect: 'sqlite' | 'postgres') => (typeof sqlText === 'string' ? sqlText : sqlText[dialect]);

function openSqliteSnapshot(db: Db): ReadSnapshot {
  const own = openReader(db);
  const reader = own ?? db;
  const client: Database.Database = reader.$client;
  if (own) client.exec('BEGIN');
  return {
    db: reader,
    separate: own !== null,
    eachRow: async (sqlText, params, every, onRow, onPause) => {
      const rows = client.prepare(textOf(sqlText, 'sqlite')).raw().iterate(...params) as IterableIterator<never>;
      let k = 0;
      if (!own) {
        for (const row of rows) {
          onRow(row);
          k++;
        }
        return k;
      }
      for (const row of rows) {
        onRow(row);
        if (++k % every === 0) {
          onPause?.(k);
          await yieldToLoop();
        }
      }
      return k;
    },
    finish: async () => {
      if (own) client.exec('COMMIT');
    },
    close: async () => {
      if (!own) return;
      if (client.inTransaction) client.exec('ROLLBACK');
      client.close();
    },
  };
}

async function openPostgresSnapshot(db: Db): Promise<ReadSnapshot> {
  const client = await (db.$client as unknown as pg.Pool).connect();
  let open = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    open = true;
  } catch (error) {
    client.release();
    throw error;
  }
  let cursors = 0;
  let released = false;
  return {
    db: Object.create(db, { [PG_CLIENT]: { value: client } }) as Db,
    separate: true,
    eachRow: async (sqlText, params, every, onRow, onPause) => {
      const cursor = `xs_snapshot_${++cursors}`;
      await client.query({ text: `DECLARE ${cursor} NO SCROLL CURSOR FOR ${postgresQuery(textOf(sqlText, 'postgres')).text}`, values: params });
      let k = 0;
      for (;;) {
        const { rows } = await client.query<never>({ text: `FETCH ${every} FROM ${cursor}`, rowMode: 'array' });
        for (const row of rows) onRow(row);
        k += rows.length;
        if (rows.length < every) break;
        onPause?.(k);
      }
      await client.query(`CLOSE ${cursor}`);
      return k;
    },
    finish: async () => {
      if (!open) return;
      open = false;
      await client.query('COMMIT');
    },
    close: async () => {
      if (released) return;
      released = true;
      try {
        if (open) await client.query('ROLLBACK');
        client.release();
      } catch (error) {
        // A connection that cannot even roll back is not given back to the pool: it is closed.
        client.release(error instanceof Error ? error : true);
      } finally {
        open = false;
      }
    },
  };
}
