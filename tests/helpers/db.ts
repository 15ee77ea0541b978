/**
 * The database a test runs on (issue 16): one switch for the whole suite. By default a fresh SQLite file in a temp
 * dir; with TEST_DATABASE_URL set (a PostgreSQL server's URL), a fresh PostgreSQL database on that server, cloned
 * from a migrated template (CREATE DATABASE … TEMPLATE: ~0.1 s instead of running every migration per test).
 *
 *   let db: Db; beforeEach(async () => { db = await openTestDb(); }); afterEach(() => closeTestDb(db));
 *   const t = useTestDb();  // the same, registered for you: t.db inside each test
 *   describe.skipIf(onPostgres())('…', …)  // a test SQLite-only by nature, with the reason beside it
 *
 * An app or a child process gets the same database by its environment (testDatabase().env: DATABASE_PATH, and on
 * PostgreSQL DATABASE_URL).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import pg from 'pg';
import { afterEach, beforeEach, onTestFinished } from 'vitest';
import { closeDatabase, openDatabase, type Db } from '../../db/client.js';
import { asDb, dialectOf } from '../../db/handle.js';
import { closePostgres, openPostgres, type PgDb } from '../../db/postgres.js';

/** True when this run's tests use PostgreSQL (TEST_DATABASE_URL is set). */
export function onPostgres(): boolean {
  return Boolean(process.env.TEST_DATABASE_URL);
}

/** A fresh, migrated database a test owns: where it is, how to open it, how to remove it. */
export interface TestDatabase {
  /** A temp dir of its own (the SQLite file, and the files the app keeps beside its database). */
  dir: string;
  /** What an app or a child process needs to use it: DATABASE_PATH always (files go beside it), DATABASE_URL on PostgreSQL. */
  env: { DATABASE_PATH: string; DATABASE_URL?: string };
  /** A new connection to it (a SQLite connection, or a pool on PostgreSQL). */
  open(): Promise<Db>;
  /** Runs `fn` on a connection of its own, closed after (a look at what a CLI run or a child process left). */
  use<T>(fn: (db: Db) => Promise<T> | T): Promise<T>;
  /** Removes it; connections opened by open() must be closed first (closeTestDb does both). */
  drop(): Promise<void>;
}

/**
 * Makes a fresh, migrated database without opening it (for an app or a child process to open). `fileName` names
 * the SQLite file (DATABASE_PATH) when its name matters to the test.
 */
export async function testDatabase(options: { fileName?: string } = {}): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'xueshi-db-'));
  const path = join(dir, options.fileName ?? 'xueshi.db');
  const server = process.env.TEST_DATABASE_URL;
  if (!server) {
    copyFileSync(sqliteTemplate(), path);
    return withUse({
      dir,
      env: { DATABASE_PATH: path },
      open: async () => openDatabase(path),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    });
  }
  const url = await cloneTemplate(server);
  return withUse({
    dir,
    env: { DATABASE_PATH: path, DATABASE_URL: url },
    // Cloned from the migrated template: nothing to migrate (the template was opened with the migrations).
    open: async () => asDb(await openPostgres(url, { poolSize: 4, migrate: false })),
    async drop() {
      await dropDatabase(server, databaseName(url));
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

function withUse(place: Omit<TestDatabase, 'use'>): TestDatabase {
  return {
    ...place,
    async use(fn) {
      const db = await place.open();
      try {
        return await fn(db);
      } finally {
        await closeConnection(db);
      }
    },
  };
}

const owned = new WeakMap<Db, TestDatabase>();

/** A fresh, migrated database, open; closeTestDb(db) closes and removes it. */
export async function openTestDb(): Promise<Db> {
  const place = await testDatabase();
  const db = await place.open();
  owned.set(db, place);
  return db;
}

/** Closes a database from openTestDb and removes it. Safe to call twice. */
export async function closeTestDb(db: Db | undefined): Promise<void> {
  const place = db && owned.get(db);
  if (!db || !place) return;
  owned.delete(db);
  await closeConnection(db);
  await place.drop();
}

/** Closes one connection from TestDatabase.open() (either dialect), leaving the database. */
export async function closeConnection(db: Db): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    const pool = (db as unknown as PgDb).$client;
    // DROP … WITH (FORCE) may end a connection the pool is still closing: that is expected, not an error.
    pool.on('error', () => undefined);
    await closePostgres(db as unknown as PgDb);
  }
  else closeDatabase(db);
}

/** The TestDatabase an open handle from openTestDb lives in (to reopen it, or pass its env to a child process). */
export function testDatabaseOf(db: Db): TestDatabase {
  const place = owned.get(db);
  if (!place) throw new Error('not a database from openTestDb');
  return place;
}

/** Registers beforeEach/afterEach: a fresh database for every test, as `t.db`. */
export function useTestDb(): { readonly db: Db } {
  let current: Db | undefined;
  beforeEach(async () => {
    current = await openTestDb();
  });
  afterEach(async () => {
    await closeTestDb(current);
    current = undefined;
  });
  return {
    get db() {
      if (!current) throw new Error('useTestDb: the database exists only inside a test');
      return current;
    },
  };
}

/**
 * A database for the running test only (call it inside the test body): closed and removed when the test ends.
 * For helpers that hand a test a database of its own (fixtures' memoryDb and the like).
 */
export async function testDb(): Promise<Db> {
  const db = await openTestDb();
  onTestFinished(() => closeTestDb(db));
  return db;
}

/**
 * Whether a transaction is open on `db` (one a failed call should have ended): SQLite's connection says so; on
 * PostgreSQL a transaction holds a pooled connection, so a connection still checked out is one left open.
 */
export function transactionOpen(db: Db): boolean {
  if (dialectOf(db) === 'sqlite') return db.$client.inTransaction;
  const pool = (db as unknown as PgDb).$client;
  return pool.totalCount > pool.idleCount;
}

/** The database part of an app's config, for a child process (the CLI, a second bot) to reach the same database. */
export function databaseEnv(config: { DATABASE_PATH: string; DATABASE_URL?: string }): Record<string, string> {
  return config.DATABASE_URL ? { DATABASE_PATH: config.DATABASE_PATH, DATABASE_URL: config.DATABASE_URL } : { DATABASE_PATH: config.DATABASE_PATH };
}

// ---- SQLite: one migrated file per process, copied per test (a copy takes ~1 ms; migrating ~70 ms) ----

let sqliteTemplatePath: string | undefined;

function sqliteTemplate(): string {
  if (sqliteTemplatePath) return sqliteTemplatePath;
  const dir = mkdtempSync(join(tmpdir(), 'xueshi-db-template-'));
  const path = join(dir, 'template.db');
  // Closing checkpoints the WAL into the file and removes it: the one file is the whole migrated database.
  closeDatabase(openDatabase(path));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  sqliteTemplatePath = path;
  return path;
}

// ---- PostgreSQL: one migrated template per server and migration set, cloned per test ----

const migrationsFolder = fileURLToPath(new URL('../../db/migrations-pg', import.meta.url));

/**
 * The template's name carries a digest of db/migrations-pg: a checkout with other migrations (another branch, a
 * new migration) gets its own template instead of cloning a stale one, and never rebuilds one another run uses.
 */
function templateName(): string {
  const digest = createHash('sha256');
  for (const file of readdirSync(migrationsFolder, { recursive: true, encoding: 'utf8' }).sort()) {
    if (!file.endsWith('.sql') && !file.endsWith('_journal.json')) continue;
    digest.update(file).update(readFileSync(join(migrationsFolder, file)));
  }
  return `xueshi_tpl_${digest.digest('hex').slice(0, 16)}`;
}

/** Databases this helper makes are named xueshi_t_<pid>_<n>: a later run removes those of dead processes. */
const PREFIX = 'xueshi_t_';
/** The advisory lock (on the server URL's database) under which one process at a time builds a template. */
const TEMPLATE_LOCK = 0x78737470; // "xstp"

const maintenance = new Map<string, pg.Pool>();
const templates = new Map<string, Promise<string>>();
let created = 0;

/** One small pool per process and server, on the server URL's own database, for CREATE/DROP DATABASE; it lets the process exit. */
function maintenancePool(server: string): pg.Pool {
  let pool = maintenance.get(server);
  if (!pool) {
    pool = new pg.Pool({ connectionString: server, max: 2, idleTimeoutMillis: 2_000, allowExitOnIdle: true });
    // An idle connection's server may stop (a throwaway cluster a test file ends): the pool drops that connection;
    // without a listener its error would be an uncaught exception that fails the run.
    pool.on('error', () => undefined);
    maintenance.set(server, pool);
  }
  return pool;
}

function withDatabase(server: string, name: string): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

async function cloneTemplate(server: string): Promise<string> {
  let template = templates.get(server);
  if (!template) {
    template = ensureTemplate(server);
    templates.set(server, template);
    template.catch(() => templates.delete(server));
  }
  const source = await template;
  const name = `${PREFIX}${process.pid}_${++created}`;
  await maintenancePool(server).query(`CREATE DATABASE ${name} TEMPLATE ${source} STRATEGY FILE_COPY`);
  return withDatabase(server, name);
}

async function ensureTemplate(server: string): Promise<string> {
  const name = templateName();
  await buildTemplate(server, name);
  return name;
}

/**
 * Builds template `name` on `server` unless it is ready; true when this call built it. Vitest runs test files in
 * several processes at once: they queue on an advisory lock, the first builds, the rest find it ready. A template
 * is ready once marked IS_TEMPLATE (the last step), so one left half-built by a killed process is built again.
 */
export async function buildTemplate(server: string, name: string): Promise<boolean> {
  const client = await maintenancePool(server).connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    await dropLeftovers(client);
    const found = await client.query<{ ready: boolean }>('SELECT datistemplate AS ready FROM pg_database WHERE datname = $1', [name]);
    if (found.rows[0]?.ready) return false;
    if (found.rows.length) await client.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
    const migrated = await openPostgres(withDatabase(server, name), { poolSize: 1 });
    await closePostgres(migrated);
    await client.query(`ALTER DATABASE ${name} IS_TEMPLATE true`);
    return true;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]).catch(() => undefined);
    client.release();
  }
}

/** Test databases left by processes that died before dropping them (a killed run). */
async function dropLeftovers(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${PREFIX}%`]);
  for (const { datname } of rows) {
    const pid = Number(datname.slice(PREFIX.length).split('_')[0]);
    if (pid && !alive(pid)) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function dropDatabase(server: string, name: string): Promise<void> {
  await maintenancePool(server).query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/**
 * A column as text, for `like` on either dialect: JSON kept as text on SQLite is jsonb on PostgreSQL, which has no
 * `like` (and prints `{"a": 2}`, with spaces: match on a value's words, not on the JSON's punctuation).
 */
export function asText(column: SQLWrapper): SQL<string> {
  return sql<string>`cast(${column} as text)`;
}
