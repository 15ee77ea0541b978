/**
 * tests/helpers/db.ts, the one switch between SQLite and PostgreSQL for the suite (issue 16): each test gets a
 * fresh, migrated database of the run's dialect, its own, and closing removes it. On PostgreSQL the databases are
 * cloned from a template that processes starting at once build once, and a half-built template is built again.
 */
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectOf, tables } from '../../db/handle.js';
import { statement } from '../../db/statements.js';
import { testPostgres, withClient, type PgServer } from '../helpers/postgres.js';
import { buildTemplate, closeConnection, closeTestDb, onPostgres, openTestDb, testDatabase, testDatabaseOf, useTestDb } from '../helpers/db.js';

const teacher = (no: string) => ({ employeeNo: no, name: `教师${no}`, school: '一中', policyId: 'laibin' });

describe('a test database', () => {
  const t = useTestDb();

  it('is of the run’s dialect, migrated and empty', async () => {
    expect(dialectOf(t.db)).toBe(onPostgres() ? 'postgres' : 'sqlite');
    const { teachers, outbox } = tables(t.db);
    expect(await t.db.select().from(teachers)).toEqual([]);
    expect(await t.db.select().from(outbox)).toEqual([]);
    const { id } = (await t.db.insert(teachers).values(teacher('T001')).returning({ id: teachers.id }))[0]!;
    expect((await t.db.select().from(teachers))[0]).toMatchObject({ id, employeeNo: 'T001' });
  });

  it('is the test’s own: another one does not see its rows, and a second connection does', async () => {
    const { teachers } = tables(t.db);
    await t.db.insert(teachers).values(teacher('T002'));
    const other = await openTestDb();
    try {
      expect(await other.select().from(tables(other).teachers)).toEqual([]);
    } finally {
      await closeTestDb(other);
    }
    const again = await testDatabaseOf(t.db).open();
    try {
      expect((await again.select({ no: teachers.employeeNo }).from(tables(again).teachers)).map((r) => r.no)).toEqual(['T002']);
    } finally {
      await closeConnection(again);
    }
  });

  it('raw SQL through statement() reaches it on either dialect', async () => {
    await statement(t.db, `insert into teachers (employee_no, name, school, policy_id) values (?, ?, ?, ?)`).run('T003', '王五', '二中', 'laibin');
    expect(await statement(t.db, 'select count(*) as n from teachers').pluck().get()).toBe(onPostgres() ? '1' : 1);
  });
});

describe('closing a test database', () => {
  it('removes it: the SQLite file and dir, or the PostgreSQL database', async () => {
    const place = await testDatabase();
    const db = await place.open();
    await closeConnection(db);
    await place.drop();
    expect(existsSync(place.dir)).toBe(false);
    if (place.env.DATABASE_URL) await expect(connect(place.env.DATABASE_URL)).rejects.toThrow(/does not exist/);
  });

  it('twice is harmless', async () => {
    const db = await openTestDb();
    await closeTestDb(db);
    await closeTestDb(db);
  });
});

const connect = (url: string) => withClient(url, async () => undefined);

// On the suite's server, or the one CI gives the PostgreSQL-only checks (PG_TEST_SERVER), or a throwaway cluster.
describe('the PostgreSQL template', () => {
  let pgServer: PgServer | null = null;
  let server = '';
  const name = `xueshi_tpl_selftest_${process.pid}`;
  beforeAll(async () => {
    pgServer = await testPostgres();
    server = pgServer?.url ?? '';
  }, 120_000);
  afterAll(async () => {
    if (!pgServer) return;
    await withServer(async (c) => {
      await c.query(`ALTER DATABASE ${name} IS_TEMPLATE false`).catch(() => undefined);
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
    await pgServer.stop();
  });

  const withServer = <T>(fn: (c: pg.Client) => Promise<T>) => withClient(server, fn);
  const inTemplate = () => {
    const url = new URL(server);
    url.pathname = `/${name}`;
    return url.toString();
  };

  it('is built once when several start at once, and a half-built one is built again', async (ctx) => {
    if (!pgServer) ctx.skip();
    // A process killed mid-build leaves a database that is not marked a template yet.
    await withServer((c) => c.query(`CREATE DATABASE ${name}`));
    // Separate connections, so each waits on the advisory lock like another vitest worker would.
    const built = await Promise.all([1, 2, 3].map(() => buildTemplate(server, name)));
    expect(built.filter(Boolean)).toHaveLength(1);
    const row = await withServer((c) => c.query<{ datistemplate: boolean }>('SELECT datistemplate FROM pg_database WHERE datname = $1', [name]));
    expect(row.rows).toEqual([{ datistemplate: true }]);
    const tablesIn = await withClient(inTemplate(), async (c) => (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`)).rows[0]!.n);
    expect(tablesIn).toBeGreaterThan(20);
  }, 60_000);
});
