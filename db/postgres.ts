import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import * as schemaPg from './schema.pg.js';

/**
 * PostgreSQL through node-postgres (`pg`) and its Pool (issue 16): the app and the CLI open it when DATABASE_URL is
 * set (db/open.ts).
 */
export type PgDb = NodePgDatabase<typeof schemaPg> & { $client: pg.Pool };

const migrationsFolder = fileURLToPath(new URL('./migrations-pg', import.meta.url));

/** Any constant both instances agree on: the advisory lock that lets one instance at a time migrate. */
const MIGRATION_LOCK = 0x78756573; // "xues"

export interface PostgresOptions {
  /** Connections this instance may hold (pg's default is 10). */
  poolSize?: number;
  /** Apply db/migrations-pg first (default). Off only for a database known to be migrated: tests clone a migrated template. */
  migrate?: boolean;
}

/**
 * Opens a pool on `url` and applies db/migrations-pg. Several instances may start at once: each waits for a
 * session advisory lock, so one migrates and the others then find nothing left to do.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<PgDb> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  if (options.migrate === false) return drizzle(pool, { schema: schemaPg }) as PgDb;
  try {
    const client = await pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await migrate(drizzle(client, { schema: schemaPg }), { migrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
  return drizzle(pool, { schema: schemaPg }) as PgDb;
}

/**
 * Ends the pool. `end()` resolves once every client is told to close, before their sockets are gone; a server that
 * ends such a connection meanwhile (a restart, a dropped database) makes it emit an error nobody is left to handle,
 * which would crash the process on its way out. Errors after this point are expected, so they are ignored.
 */
export async function closePostgres(db: PgDb): Promise<void> {
  db.$client.on('error', () => undefined);
  await db.$client.end();
}

export { schemaPg };
