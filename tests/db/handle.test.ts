/**
 * The asynchronous data seam (issue 16): `statement`, `transaction` and `tables` behave the same on SQLite and on
 * a real PostgreSQL server, so one store function serves both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase, type Db } from '../../db/client.js';
import { asDb, dialectOf, tables } from '../../db/handle.js';
import { closePostgres, openPostgres, type PgDb } from '../../db/postgres.js';
import { statement, transaction } from '../../db/statements.js';
import { scratchDatabase, testPostgres, type PgServer } from '../helpers/postgres.js';

interface Dialect {
  name: 'sqlite' | 'postgres';
  open(): Promise<Db | null>;
  close(): Promise<void>;
}

let server: PgServer | null = null;
let scratch: { drop(): Promise<void> } | null = null;
let pgDb: PgDb | null = null;
const dir = mkdtempSync(join(tmpdir(), 'xueshi-handle-'));
let sqliteDb: Db | null = null;

const dialects: Dialect[] = [
  {
    name: 'sqlite',
    open: async () => (sqliteDb = openDatabase(join(dir, 'x.db'))),
    close: async () => {
      if (sqliteDb) closeDatabase(sqliteDb);
      rmSync(dir, { recursive: true, force: true });
    },
  },
  {
    name: 'postgres',
    open: async () => {
      server = await testPostgres();
      if (!server) return null;
      const db = await scratchDatabase(server.url);
      scratch = db;
      pgDb = await openPostgres(db.url, { poolSize: 4 });
      return asDb(pgDb);
    },
    close: async () => {
      if (pgDb) await closePostgres(pgDb);
      await scratch?.drop();
      await server?.stop();
    },
  },
];

describe.each(dialects)('the data seam on $name', (dialect) => {
  let db: Db | null = null;
  beforeAll(async () => {
    db = await dialect.open();
  }, 120_000);
  afterAll(() => dialect.close(), 60_000);

  const ready = (ctx: { skip(): void }): Db => {
    if (!db) ctx.skip();
    return db!;
  };

  it('knows its dialect and hands out that dialect’s tables', async (ctx) => {
    const d = ready(ctx);
    expect(dialectOf(d)).toBe(dialect.name);
    const { meta } = tables(d);
    await d.insert(meta).values({ key: 'k1', value: 'v1' }).onConflictDoNothing();
    await d.insert(meta).values({ key: 'k1', value: 'other' }).onConflictDoNothing();
    expect(await d.select().from(meta).where(eq(meta.key, 'k1'))).toEqual([{ key: 'k1', value: 'v1' }]);
  });

  it('runs raw statements with ? placeholders in every mode', async (ctx) => {
    const d = ready(ctx);
    const insert = statement<[string, string]>(d, 'insert into meta (key, value) values (?, ?)');
    expect(await insert.run('a', '1')).toEqual({ changes: 1 });
    await insert.run('b', '2');
    const byKey = statement<[string], { key: string; value: string }>(d, 'select key, value from meta where key = ?');
    expect(await byKey.get('a')).toEqual({ key: 'a', value: '1' });
    expect(await byKey.get('zzz')).toBeUndefined();
    const all = statement<[string, string], { key: string }>(d, 'select key from meta where key in (?, ?) order by key');
    expect(await all.all('a', 'b')).toEqual([{ key: 'a' }, { key: 'b' }]);
    expect(await all.pluck<string>().all('a', 'b')).toEqual(['a', 'b']);
    expect(await all.raw<[string]>().all('a', 'b')).toEqual([['a'], ['b']]);
    // The object-mode statement is unchanged by asking for the others.
    expect(await all.all('a', 'b')).toEqual([{ key: 'a' }, { key: 'b' }]);
    expect(await statement(d, 'delete from meta where key = ?').run('nope')).toEqual({ changes: 0 });
  });

  it('picks the SQL text of its dialect', async (ctx) => {
    const d = ready(ctx);
    const text = statement<[], { n: number | string }>(d, { sqlite: `select 'sqlite' as n`, postgres: `select 'postgres' as n` });
    expect(await text.get()).toEqual({ n: dialect.name });
  });

  it('gives JSON columns back as the JSON text written, a JSON string too', async (ctx) => {
    const d = ready(ctx);
    const { chatState } = tables(d);
    const when = new Date('2026-12-07T01:02:03.456Z');
    const values = ['"第2步"', '{"a":2,"b":[1,"x"]}', '[30,7]', '12', 'null'];
    for (const [i, value] of values.entries()) await d.insert(chatState).values({ platform: 'console', accountId: `u${i}`, key: 'k', value, updatedAt: when });
    const rows = await d.select({ accountId: chatState.accountId, value: chatState.value }).from(chatState).orderBy(chatState.accountId);
    expect(rows.map((r) => JSON.parse(r.value))).toEqual(values.map((v) => JSON.parse(v)));
  });

  it('binds Date and boolean parameters as the dialect stores them', async (ctx) => {
    const d = ready(ctx);
    const { teachers } = tables(d);
    const when = new Date('2026-12-07T01:02:03.456Z');
    await d.insert(teachers).values({ employeeNo: 'T1', name: '张三', school: '一中', policyId: 'p', homeroom: true, createdAt: when });
    const found = await statement<[Date, boolean], { employee_no: string }>(
      d,
      'select employee_no from teachers where created_at = ? and homeroom = ?',
    ).all(when, true);
    expect(found).toEqual([{ employee_no: 'T1' }]);
    const [row] = await d.select().from(teachers).where(eq(teachers.employeeNo, 'T1'));
    expect(row.createdAt).toEqual(when);
    expect(row.homeroom).toBe(true);
  });

  it('commits a transaction, rolls back a failed one, and a failed savepoint alone', async (ctx) => {
    const d = ready(ctx);
    const put = (h: Db, key: string) => statement<[string]>(h, `insert into meta (key, value) values (?, 'x')`).run(key);
    const has = async (key: string) => (await statement<[string]>(d, 'select key from meta where key = ?').get(key)) !== undefined;
    expect(await transaction(d, async (tx) => (await put(tx, 'c1'), 'done'))).toBe('done');
    await expect(
      transaction(d, async (tx) => {
        await put(tx, 'c2');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await transaction(d, async (tx) => {
      await put(tx, 'c3');
      await expect(
        transaction(tx, async (inner) => {
          await put(inner, 'c4');
          throw new Error('inner');
        }),
      ).rejects.toThrow('inner');
      await transaction(tx, (inner) => put(inner, 'c5'));
    });
    expect([await has('c1'), await has('c2'), await has('c3'), await has('c4'), await has('c5')]).toEqual([true, false, true, false, true]);
  });

  it('never interleaves two transactions: the second waits for the first to commit', async (ctx) => {
    const d = ready(ctx);
    const order: string[] = [];
    const counter = statement<[]>(d, `insert into meta (key, value) values ('n', '0') on conflict (key) do nothing`);
    await counter.run();
    const read = statement<[], { value: string }>(d, `select value from meta where key = 'n'`);
    const bump = async (name: string) =>
      transaction(d, async (tx) => {
        // On PostgreSQL the row lock, on SQLite the connection's turn: a read-modify-write stays whole.
        const locked = statement<[], { value: string }>(tx, { sqlite: `select value from meta where key = 'n'`, postgres: `select value from meta where key = 'n' for update` });
        const value = Number((await locked.get())!.value);
        order.push(`${name} read ${value}`);
        await new Promise((r) => setTimeout(r, 20));
        await statement<[string]>(tx, `update meta set value = ? where key = 'n'`).run(String(value + 1));
      });
    await Promise.all([bump('a'), bump('b'), bump('c')]);
    expect((await read.get())!.value).toBe('3');
    expect(order.map((o) => o.split(' ').pop())).toEqual(['0', '1', '2']);
  });
});
