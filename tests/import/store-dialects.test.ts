/**
 * Every exported function of src/import/store.ts on the dialect of this run (issue 16): SQLite by default,
 * PostgreSQL with TEST_DATABASE_URL. Each runs inside the import's transaction, as src/import/run.ts calls it.
 * Fixtures go in through the query builder (tables(db)); flags come back as booleans, times as Dates, ids and
 * counts as numbers.
 */
import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import { statement, transaction } from '../../db/statements.js';
import * as store from '../../src/import/store.js';
import { closeTestDb, onPostgres, openTestDb } from '../helpers/db.js';

let db: Db;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDb(db));

const T0 = new Date('2026-11-25T02:00:00.123Z');

async function teacher(employeeNo: string, values: { normalGraduate?: boolean | null; homeroom?: boolean; position?: string } = {}): Promise<number> {
  const { teachers } = tables(db);
  const [row] = await db
    .insert(teachers)
    .values({ employeeNo, name: `名${employeeNo}`, school: '一中', policyId: 'laibin', position: values.position ?? '教师', homeroom: values.homeroom ?? false, normalGraduate: values.normalGraduate ?? null })
    .returning({ id: teachers.id });
  return row.id;
}

const importTx = <T>(fn: (tx: Db) => Promise<T>) => transaction(db, fn, { foreignKeys: false });

const leaders = async () => {
  const { roles } = tables(db);
  return (await db.select({ teacherId: roles.teacherId, grantedBy: roles.grantedBy }).from(roles).where(eq(roles.role, 'leader')).orderBy(asc(roles.teacherId), asc(roles.grantedBy)));
};

describe('import store: roster', () => {
  it('allTeachersForImport: every teacher, flags as booleans (null kept)', async () => {
    const a = await teacher('T1', { normalGraduate: true, homeroom: true });
    const b = await teacher('T2', { normalGraduate: false });
    const c = await teacher('T3');
    const rows = await importTx(async (tx) => [...(await store.allTeachersForImport(tx))]);
    expect(rows.sort((x, y) => x.id - y.id)).toEqual([
      { id: a, employee_no: 'T1', name: '名T1', school: '一中', hire_date: null, normal_graduate: true, homeroom: true, position: '教师', policy_id: 'laibin' },
      { id: b, employee_no: 'T2', name: '名T2', school: '一中', hire_date: null, normal_graduate: false, homeroom: false, position: '教师', policy_id: 'laibin' },
      { id: c, employee_no: 'T3', name: '名T3', school: '一中', hire_date: null, normal_graduate: null, homeroom: false, position: '教师', policy_id: 'laibin' },
    ]);
  });

  it('rosterWriter.write: updates, inserts (leaders granted), grants kept once, revokes only its own grants', async () => {
    const kept = await teacher('T1', { position: '校长' });
    const demoted = await teacher('T2', { position: '校长' });
    const byHand = await teacher('T3');
    const { roles, teachers } = tables(db);
    await db.insert(roles).values([
      { teacherId: kept, role: 'leader', grantedBy: 'roster' },
      { teacherId: demoted, role: 'leader', grantedBy: 'roster' },
      { teacherId: byHand, role: 'leader', grantedBy: 'officer' },
    ]);
    const row = (no: string, position: string, normalGraduate: boolean | null, homeroom: boolean): store.TeacherValuesRow => [no, `新${no}`, '二中', '2015-09-01', normalGraduate, homeroom, position, 'otog'];
    const result = await importTx((tx) =>
      store.rosterWriter(tx, 'roster').write(
        {
          updates: [{ id: demoted, values: row('T2', '教师', false, true) }],
          inserts: [
            { values: row('T4', '书记', true, false), leader: true },
            { values: row('T5', '教师', null, true), leader: false },
          ],
          grants: [kept],
          revokes: [demoted, byHand],
        },
        T0,
      ),
    );
    expect(result).toEqual({ granted: 1, revoked: 1 });
    const stored = await db.select().from(teachers).orderBy(asc(teachers.id));
    expect(stored.map((t) => [t.employeeNo, t.name, t.school, t.hireDate, t.normalGraduate, t.homeroom, t.position, t.policyId])).toEqual([
      ['T1', '名T1', '一中', null, null, false, '校长', 'laibin'],
      ['T2', '新T2', '二中', '2015-09-01', false, true, '教师', 'otog'],
      ['T3', '名T3', '一中', null, null, false, '教师', 'laibin'],
      ['T4', '新T4', '二中', '2015-09-01', true, false, '书记', 'otog'],
      ['T5', '新T5', '二中', '2015-09-01', null, true, '教师', 'otog'],
    ]);
    expect(stored[1].updatedAt).toEqual(T0);
    const t4 = stored[3].id;
    expect(await leaders()).toEqual([
      { teacherId: kept, grantedBy: 'roster' },
      { teacherId: byHand, grantedBy: 'officer' },
      { teacherId: t4, grantedBy: 'roster' },
    ]);
  });

  it('rosterWriter.write: an empty batch writes nothing', async () => {
    expect(await importTx((tx) => store.rosterWriter(tx, 'roster').write({ updates: [], inserts: [], grants: [], revokes: [] }, T0))).toEqual({ granted: 0, revoked: 0 });
  });
});

describe('import store: records', () => {
  const rec = (key: string, teacherId: number, hours = 2): store.RecordRow => ({ key, teacherId, date: '2026-03-01', hours, category: '集中培训', project: `p-${key}` });

  it('rosterKeys and maxRecordId', async () => {
    const a = await teacher('T1');
    const b = await teacher('T2');
    await importTx(async (tx) => {
      expect([...(await store.rosterKeys(tx))].sort((x, y) => x[0] - y[0])).toEqual([
        [a, 'T1', 'laibin'],
        [b, 'T2', 'laibin'],
      ]);
      expect(await store.maxRecordId(tx)).toBe(0);
    });
    const { records } = tables(db);
    const [r] = await db.insert(records).values({ recordKey: 'S1', teacherId: a, date: '2026-01-01', hours: 1, category: '集中培训' }).returning({ id: records.id });
    expect(await importTx((tx) => store.maxRecordId(tx))).toBe(r.id);
  });

  it('recordWriter.insert: new rows get ids; a 编号 stored before, repeated in the batch or in an earlier batch meets its stored record', async () => {
    const a = await teacher('T1');
    const { records } = tables(db);
    const [s1] = await db.insert(records).values({ recordKey: 'S1', teacherId: a, date: '2026-01-05', hours: 3, category: '网络研修', project: 'old' }).returning({ id: records.id });
    const createdAt = new Date('2026-11-25T01:00:00.000Z');
    const [first, second] = await importTx(async (tx) => {
      const writer = store.recordWriter(tx, createdAt);
      const one = await writer.insert([rec('K1', a), rec('S1', a, 9), rec('K2', a), rec('K1', a, 5)]);
      const two = await writer.insert([rec('K2', a), rec('K3', a)]);
      return [one, two];
    });
    const ids = await db.select({ id: records.id, key: records.recordKey }).from(records);
    const idOf = (key: string) => ids.find((r) => r.key === key)!.id;
    expect(first).toEqual([
      idOf('K1'),
      { id: s1.id, teacher_id: a, date: '2026-01-05', hours: 3, category: '网络研修', project: 'old' },
      idOf('K2'),
      { id: idOf('K1'), teacher_id: a, date: '2026-03-01', hours: 2, category: '集中培训', project: 'p-K1' },
    ]);
    expect(second).toEqual([{ id: idOf('K2'), teacher_id: a, date: '2026-03-01', hours: 2, category: '集中培训', project: 'p-K2' }, idOf('K3')]);
    const k1 = (await db.select().from(records).where(eq(records.recordKey, 'K1')))[0];
    expect(k1).toMatchObject({ source: 'import', createdAt, hours: 2, cancelledAt: null });
  });

  it('recordWriter.insert: a batch larger than one statement (SQLite 64 rows, PostgreSQL 10,000) with conflicts spread through it', async () => {
    const a = await teacher('T1');
    const b = await teacher('T2');
    const rows = Array.from({ length: 10_130 }, (_, i) => rec(`K${i % 10_100}`, i % 2 ? a : b, 1 + (i % 3)));
    const fates = await importTx((tx) => store.recordWriter(tx, T0).insert(rows));
    const { records } = tables(db);
    const stored = new Map((await db.select({ id: records.id, key: records.recordKey }).from(records)).map((r) => [r.key, r.id]));
    expect(stored.size).toBe(10_100);
    fates.forEach((fate, i) => {
      if (i < 10_100) expect(fate).toBe(stored.get(rows[i].key));
      else expect(fate).toEqual({ id: stored.get(rows[i].key), teacher_id: rows[i - 10_100].teacherId, date: '2026-03-01', hours: rows[i - 10_100].hours, category: '集中培训', project: `p-${rows[i].key}` });
    });
  });

  it('dropRecordIndexes: SQLite drops the secondary indexes and rebuilds them as they were; PostgreSQL keeps them (null)', async () => {
    const list = () =>
      statement(db, {
        sqlite: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' ORDER BY name",
        postgres: "SELECT indexname AS name, indexdef AS sql FROM pg_indexes WHERE tablename = 'records' ORDER BY indexname",
      }).all();
    const before = await list();
    await importTx(async (tx) => {
      const rebuild = await store.dropRecordIndexes(tx);
      if (onPostgres()) {
        expect(rebuild).toBeNull();
        return;
      }
      const during = (await statement(tx, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records'").pluck().all()) as string[];
      expect(during).not.toContain('records_teacher_date');
      expect(during).toContain('records_record_key');
      await rebuild!();
    });
    expect(await list()).toEqual(before);
  });

  it('the import transaction: foreign keys unchecked on SQLite only, and back on afterwards', async () => {
    const insertOrphan = (tx: Db) => store.recordWriter(tx, T0).insert([rec('X1', 9999)]);
    if (onPostgres()) {
      await expect(importTx(insertOrphan)).rejects.toThrow(/foreign key/);
    } else {
      await importTx(insertOrphan);
      expect(await statement(db, 'PRAGMA foreign_keys').pluck().get()).toBe(1);
      await expect(transaction(db, (tx) => store.recordWriter(tx, T0).insert([rec('X2', 9999)]))).rejects.toThrow(/FOREIGN KEY/);
    }
  });
});
