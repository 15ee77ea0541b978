/**
 * Every exported function of src/admin/compliance/store.ts on the dialect of this run (issue 16): SQLite by
 * default, PostgreSQL with TEST_DATABASE_URL. Rows go in through the query builder, so nothing here is
 * SQLite-only. On PostgreSQL also the case that makes "new rows by id" unsafe there: a transaction that took a
 * lower id (and change seq) commits after one that took a higher one; the catch-up must still see it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../db/client.js';
import { dialectOf, tables } from '../../../db/handle.js';
import { statement, transaction } from '../../../db/statements.js';
import * as store from '../../../src/admin/compliance/store.js';
import type { RecordRaw, TeacherRaw } from '../../../src/admin/compliance/store.js';
import { closeTestDb, onPostgres, openTestDb } from '../../helpers/db.js';
import { addRecord, addTeacher } from '../../helpers/seed.js';

let db: Db;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDb(db));

const record = (teacherId: number, key: string, date = '2026-03-01', hours = 2) => addRecord(db, teacherId, { key, date, hours, category: '校本研修' });
const touched = async (last: store.Marks, now: store.Marks, limit = 100) => [...(await store.touchedTeachers(db, last, now, limit))].sort((a, b) => a - b);

async function cancel(key: string): Promise<void> {
  const { records } = tables(db);
  const { eq } = await import('drizzle-orm');
  await db.update(records).set({ cancelledAt: new Date('2026-03-05T00:00:00Z') }).where(eq(records.recordKey, key));
}

describe('compliance store: marks and what changed since', () => {
  it('marksOf: zeros on an empty database, then the highest ids; a snapshot on PostgreSQL only', async () => {
    const empty = await store.marksOf(db);
    expect(empty).toMatchObject({ maxRecordId: 0, maxTeacherId: 0, maxChangeSeq: 0 });
    expect(empty.snapshot === null).toBe(!onPostgres());
    const a = await addTeacher(db, { employeeNo: 'T1', name: '张建伟' });
    await record(a, 'R1');
    await record(a, 'R2');
    const marks = await store.marksOf(db);
    expect(marks.maxTeacherId).toBe(a);
    expect(marks.maxRecordId).toBeGreaterThanOrEqual(2);
    expect(typeof marks.maxChangeSeq).toBe('number');
    if (onPostgres()) expect(marks.snapshot).toMatch(/^\d+:\d+:/);
    expect(store.sameMarks(marks, { ...marks })).toBe(true);
    // On PostgreSQL the snapshot moves with any write on the server (other databases' too): only SQLite's marks stay put.
    if (!onPostgres()) expect(store.sameMarks(marks, await store.marksOf(db))).toBe(true);
    else expect(store.sameMarks(marks, { ...marks, snapshot: '1:1:' })).toBe(false);
    expect(store.sameMarks(marks, empty)).toBe(false);
  });

  it('touchedTeachers: new teachers, new records, moved, cancelled and deleted records, up to a limit', async () => {
    const a = await addTeacher(db, { employeeNo: 'T1', name: '张建伟' });
    const b = await addTeacher(db, { employeeNo: 'T2', name: '李娜' });
    await record(a, 'R1');
    const m0 = await store.marksOf(db);
    expect(await touched(m0, m0)).toEqual([]);

    const c = await addTeacher(db, { employeeNo: 'T3', name: '王芳' });
    const m1 = await store.marksOf(db);
    expect(await touched(m0, m1)).toEqual([c]);

    await record(b, 'R2');
    const m2 = await store.marksOf(db);
    expect(await touched(m1, m2)).toEqual([b]);

    const { records } = tables(db);
    const { eq } = await import('drizzle-orm');
    await db.update(records).set({ teacherId: c }).where(eq(records.recordKey, 'R1'));
    const m3 = await store.marksOf(db);
    expect(await touched(m2, m3)).toEqual([a, c]);

    await cancel('R2');
    const m4 = await store.marksOf(db);
    expect(await touched(m3, m4)).toEqual([b]);
    await db.delete(records).where(eq(records.recordKey, 'R2'));
    const m5 = await store.marksOf(db);
    expect(await touched(m4, m5)).toEqual([b]);

    expect(await touched(m0, m5)).toEqual([a, b, c]);
    expect((await touched(m0, m5, 1)).length).toBe(1);
  });

  it('teacherReader: one teacher as a TeacherRow (booleans whatever the dialect), null when gone', async () => {
    const { teachers } = tables(db);
    const [{ id: a }] = await db
      .insert(teachers)
      .values({ employeeNo: 'T1', name: '张建伟', school: '一中', hireDate: '2020-09-01', normalGraduate: null, homeroom: true, position: '校长', policyId: 'liuzhou' })
      .returning({ id: teachers.id });
    const b = await addTeacher(db, { employeeNo: 'T2', name: '李娜', normalGraduate: false });
    const byId = store.teacherReader(db);
    expect(await byId(a)).toMatchObject({ id: a, employeeNo: 'T1', name: '张建伟', school: '一中', hireDate: '2020-09-01', normalGraduate: null, homeroom: true, position: '校长', policyId: 'liuzhou' });
    expect(await byId(b)).toMatchObject({ normalGraduate: false, homeroom: false });
    expect(await byId(9999)).toBeNull();
    expect(store.teacherFromRaw([7, 'T7', '周', '二中', null, 1, 0, '教师', 'laibin'] as TeacherRaw)).toMatchObject({ normalGraduate: true, homeroom: false });
    expect(store.teacherFromRaw([7, 'T7', '周', '二中', null, true, false, '教师', 'laibin'] as TeacherRaw)).toMatchObject({ normalGraduate: true, homeroom: false });
  });

  it('writeVersion / writtenSince: only a write to records or the roster counts', async () => {
    const a = await addTeacher(db, { employeeNo: 'T1', name: '张建伟' });
    const v0 = await store.writeVersion(db);
    expect(await store.writtenSince(db, v0)).toBe(false);
    const { auditLog } = tables(db);
    await db.insert(auditLog).values({ actor: 'test', action: 'noop', detail: '{}' });
    expect(await store.writtenSince(db, v0)).toBe(false);
    await record(a, 'R1');
    expect(await store.writtenSince(db, v0)).toBe(true);
    const v1 = await store.writeVersion(db);
    expect(await store.writtenSince(db, v1)).toBe(false);
    const { teachers } = tables(db);
    const { eq } = await import('drizzle-orm');
    await db.update(teachers).set({ name: '张建' }).where(eq(teachers.id, a));
    expect(await store.writtenSince(db, v1)).toBe(true);
  });

  it('pruneChanges: SQLite forgets what was read; PostgreSQL what is older than two days, whoever read it', async () => {
    const a = await addTeacher(db, { employeeNo: 'T1', name: '张建伟' });
    await record(a, 'R1');
    const { records } = tables(db);
    const { eq } = await import('drizzle-orm');
    await db.update(records).set({ hours: 3 }).where(eq(records.recordKey, 'R1'));
    const read = await store.marksOf(db);
    await db.update(records).set({ hours: 4 }).where(eq(records.recordKey, 'R1'));
    const left = async () => Number(await statement(db, 'SELECT count(*) FROM admin_compliance_changes').pluck().get());
    const before = await left();
    expect(before).toBeGreaterThanOrEqual(2);
    if (!onPostgres()) {
      await store.pruneChanges(db, read);
      expect(await left()).toBe(1);
      return;
    }
    await store.pruneChanges(db, await store.marksOf(db));
    expect(await left()).toBe(before);
    await statement(db, 'UPDATE admin_compliance_changes SET at = ? WHERE seq <= ?').run(new Date(Date.now() - 3 * 86_400_000), read.maxChangeSeq);
    await store.pruneChanges(db, read);
    expect(await left()).toBe(1);
  });
});

describe('compliance store: the snapshot a full build reads', () => {
  it('reads marks, roster and active records in one snapshot, pausing between pieces', async () => {
    const a = await addTeacher(db, { employeeNo: 'T1', name: '张建伟', homeroom: true });
    const b = await addTeacher(db, { employeeNo: 'T2', name: '李娜' });
    for (let i = 0; i < 5; i++) await record(a, `A${i}`, `2026-03-0${i + 1}`, 1 + i);
    await record(b, 'B1', '2026-04-01', 2.5);
    await record(b, 'B2', '2026-02-01');
    await cancel('B2');
    await record(b, 'LATE', '2026-12-01');

    const reader = await store.openSnapshotReader(db);
    try {
      expect(reader.separate).toBe(true);
      const marks = await reader.marks();
      // Written after the snapshot was taken: not seen by it.
      const c = await addTeacher(db, { employeeNo: 'T3', name: '王芳' });
      await record(a, 'AFTER', '2026-03-09');
      expect(marks.maxTeacherId).toBe(b);

      const roster: TeacherRaw[] = [];
      await reader.eachTeacher(c, (raw) => roster.push(raw));
      expect(roster.map((r) => store.teacherFromRaw(r)).map((t) => [t.id, t.employeeNo, t.homeroom])).toEqual([
        [a, 'T1', true],
        [b, 'T2', false],
      ]);
      expect(await reader.countRecords()).toBeGreaterThanOrEqual(onPostgres() ? 0 : 8);

      const rows: RecordRaw[] = [];
      const pauses: number[] = [];
      await reader.eachActiveRecord(marks.maxRecordId + 100, '2026-06-30', 2, (r) => rows.push([...r] as RecordRaw), (k) => pauses.push(k));
      expect(rows.map(([, t, date, hours, category]) => [t, date, hours, category]).sort()).toEqual(
        [...[0, 1, 2, 3, 4].map((i) => [a, `2026-03-0${i + 1}`, 1 + i, '校本研修']), [b, '2026-04-01', 2.5, '校本研修']].sort(),
      );
      expect(pauses).toEqual([2, 4, 6]);
      const upToFirst: RecordRaw[] = [];
      const firstId = Number(await statement(db, "SELECT id FROM records WHERE record_key = 'A0'").pluck().get());
      await reader.eachActiveRecord(firstId, '2026-06-30', 100, (r) => upToFirst.push(r), () => undefined);
      expect(upToFirst.length).toBe(1);

      const chunk = await reader.recordChunk(0, marks.maxRecordId, 3);
      expect(chunk.length).toBe(3);
      expect(chunk.map((r) => r[1])).toEqual([a, a, a]);
      expect(chunk[0][5]).toBeNull();
      await reader.finish();
    } finally {
      await reader.close();
    }
    // The main handle sees what was written meanwhile.
    expect((await store.marksOf(db)).maxTeacherId).toBeGreaterThan(b);
  });

  it('close() without finish() gives the connection back (a build that failed halfway)', async () => {
    for (let i = 0; i < 3; i++) {
      const reader = await store.openSnapshotReader(db);
      await reader.marks();
      await reader.close();
    }
    await addTeacher(db, { employeeNo: 'T1', name: '张建伟' });
    expect((await store.marksOf(db)).maxTeacherId).toBeGreaterThan(0);
  });
});

/** A transaction held open until `commit()`: it has written when `written` resolves. */
function heldTransaction(db: Db, write: (tx: Db) => Promise<void>): { written: Promise<void>; commit(): Promise<void> } {
  let release!: () => void;
  let signal!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const written = new Promise<void>((resolve) => (signal = resolve));
  const done = transaction(db, async (tx) => {
    await write(tx);
    signal();
    await gate;
  });
  return {
    written,
    commit: async () => {
      release();
      await done;
    },
  };
}

/** Record SLOW for `teacherId`, written in a transaction left open until `commit()`. */
async function heldRecord(teacherId: number) {
  const held = heldTransaction(db, (tx) => addRecord(tx, teacherId, { key: 'SLOW', date: '2026-03-01', hours: 2, category: '校本研修' }));
  await held.written;
  return held;
}

describe.skipIf(!onPostgres())('compliance store on PostgreSQL: transactions commit in any order', () => {
  it('a change that took a lower id and seq but commits later is still seen by the next catch-up', async () => {
    expect(dialectOf(db)).toBe('postgres');
    const early = await addTeacher(db, { employeeNo: 'T1', name: '张建伟' });
    const late = await addTeacher(db, { employeeNo: 'T2', name: '李娜' });
    const m0 = await store.marksOf(db);
    const version = await store.writeVersion(db);

    // `early` takes the lower record id and change seq, and stays open…
    const slow = await heldRecord(early);
    // …while `late` takes higher ones and commits first.
    await addRecord(db, late, { key: 'FAST', date: '2026-03-01', hours: 2, category: '校本研修' });
    const ids = await statement(db, "SELECT record_key, id FROM records WHERE record_key IN ('FAST') ").raw().all();
    expect(ids.length).toBe(1);

    const m1 = await store.marksOf(db);
    expect(await touched(m0, m1)).toEqual([late]);
    await slow.commit();
    const slowId = Number(await statement(db, "SELECT id FROM records WHERE record_key = 'SLOW'").pluck().get());
    expect(slowId).toBeLessThan(Number(ids[0][1]));
    expect(slowId).toBeLessThanOrEqual(m1.maxRecordId);
    const slowSeq = Number(await statement(db, 'SELECT max(seq) FROM admin_compliance_changes WHERE teacher_id = ?').pluck().get(early));
    expect(slowSeq).toBeLessThanOrEqual(m1.maxChangeSeq);

    // By id or by seq alone this is lost: both are below what m1 saw. By snapshot it is not.
    const m2 = await store.marksOf(db);
    expect(await touched(m1, m2)).toEqual([early]);
    expect(await touched(m2, await store.marksOf(db))).toEqual([]);
    expect(await store.writtenSince(db, version)).toBe(true);
  });

  it('writtenSince: a write pending when the version was read counts once it commits', async () => {
    const a = await addTeacher(db, { employeeNo: 'T1', name: '张建伟' });
    const slow = await heldRecord(a);
    const version = await store.writeVersion(db);
    expect(await store.writtenSince(db, version)).toBe(false);
    await slow.commit();
    expect(await store.writtenSince(db, version)).toBe(true);
  });

  it('a snapshot build does not see a transaction still open when it began; the catch-up after it does', async () => {
    const a = await addTeacher(db, { employeeNo: 'T1', name: '张建伟' });
    const slow = await heldRecord(a);
    const reader = await store.openSnapshotReader(db);
    let marks: store.Marks;
    try {
      marks = await reader.marks();
      await slow.commit();
      const rows: RecordRaw[] = [];
      await reader.eachActiveRecord(marks.maxRecordId + 100, '2026-12-31', 100, (r) => rows.push(r), () => undefined);
      expect(rows).toEqual([]);
      await reader.finish();
    } finally {
      await reader.close();
    }
    expect(await touched(marks, await store.marksOf(db))).toEqual([a]);
  });
});
