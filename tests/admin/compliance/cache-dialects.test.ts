/**
 * The compliance cache on the dialect of this run (SQLite by default, PostgreSQL with TEST_DATABASE_URL): after
 * a build it is kept current by catch-ups (the same snapshot object, only the touched teachers recomputed), each
 * standing equal to what the chat's hoursSummary gives; past dates are rebuilt only after a write. On
 * PostgreSQL, a write committed after a later one (lower id and change seq) still reaches the cache.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../../db/client.js';
import { tables } from '../../../db/handle.js';
import { transaction } from '../../../db/statements.js';
import { ComplianceCache } from '../../../src/admin/compliance/cache.js';
import { standingOf, type Snapshot } from '../../../src/admin/compliance/model.js';
import { FixedClock } from '../../../src/clock.js';
import { findTeacherById } from '../../../src/ledger/store.js';
import { hoursSummary } from '../../../src/ledger/summary.js';
import { loadPresets } from '../../../src/policy/presets.js';
import { onPostgres, testDb } from '../../helpers/db.js';
import { addRecord, addTeacher } from '../../helpers/seed.js';

const presets = loadPresets();
const CATEGORY = '校本研修';

async function district(db: Db): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < 6; i++) {
    const id = await addTeacher(db, { employeeNo: `T${i}`, name: `教师${i}`, school: i % 2 ? '一中' : '二中', homeroom: i % 3 === 0 });
    ids.push(id);
    for (let k = 0; k <= i; k++) await addRecord(db, id, { key: `R${i}-${k}`, date: `2026-0${1 + k}-15`, hours: 6 + k, category: CATEGORY });
  }
  return ids;
}

function cacheOn(db: Db) {
  const clock = new FixedClock('2026-11-25T10:00:00+08:00');
  return new ComplianceCache({ db, presets, clock, timeZone: 'Asia/Shanghai' });
}

/** Every standing equals hoursSummary's, and every teacher with a known policy is there. */
async function expectCurrent(db: Db, snapshot: Snapshot): Promise<void> {
  const { teachers } = tables(db);
  const roster = await db.select({ id: teachers.id, policyId: teachers.policyId }).from(teachers);
  expect([...snapshot.teachers.keys()].sort((a, b) => a - b)).toEqual(roster.filter((t) => presets.has(t.policyId)).map((t) => t.id).sort((a, b) => a - b));
  for (const [id, standing] of snapshot.teachers) {
    const teacher = (await findTeacherById(db, id))!;
    expect(standing, `teacher ${id}`).toEqual(standingOf(teacher, await hoursSummary(db, presets, teacher, snapshot.asOf)));
  }
}

async function read(cache: ComplianceCache): Promise<Snapshot> {
  const { snapshot, stale } = await cache.read();
  expect(stale).toBe(false);
  return snapshot!;
}

describe('ComplianceCache on this run’s database', () => {
  it('catches up with new, moved, cancelled and deleted records, new teachers and a policy change, in place', async () => {
    const db = await testDb();
    const ids = await district(db);
    const cache = cacheOn(db);
    const built = await read(cache);
    await expectCurrent(db, built);
    const owedBefore = built.teachers.get(ids[0])!.progress;

    const { records, teachers } = tables(db);
    await addRecord(db, ids[0], { key: 'NEW', date: '2026-11-01', hours: 40, category: CATEGORY });
    await db.update(records).set({ teacherId: ids[2] }).where(eq(records.recordKey, 'R1-0'));
    await db.update(records).set({ cancelledAt: new Date('2026-11-20T00:00:00Z') }).where(eq(records.recordKey, 'R3-1'));
    await db.delete(records).where(eq(records.recordKey, 'R4-4'));
    const added = await addTeacher(db, { employeeNo: 'T9', name: '新教师' });
    await db.update(teachers).set({ policyId: 'no-such-policy' }).where(eq(teachers.id, ids[5]));

    const caught = await read(cache);
    expect(caught).toBe(built);
    expect(caught.teachers.get(ids[0])!.progress).not.toBe(owedBefore);
    expect(caught.teachers.has(added)).toBe(true);
    expect(caught.teachers.has(ids[5])).toBe(false);
    await expectCurrent(db, caught);
    // Nothing written since: the same answer again.
    expect(await read(cache)).toBe(built);
  });

  it('a past date gets a snapshot of its own, kept until something is written', async () => {
    const db = await testDb();
    const ids = await district(db);
    const cache = cacheOn(db);
    const first = (await cache.readAt('2026-03-31')).snapshot!;
    expect(first.asOf).toBe('2026-03-31');
    await expectCurrent(db, first);
    expect((await cache.readAt('2026-03-31')).snapshot).toBe(first);
    await addRecord(db, ids[1], { key: 'MARCH', date: '2026-03-20', hours: 30, category: CATEGORY });
    const second = (await cache.readAt('2026-03-31')).snapshot!;
    expect(second).not.toBe(first);
    await expectCurrent(db, second);
  });
});

describe.skipIf(!onPostgres())('ComplianceCache on PostgreSQL: commits out of order', () => {
  it('a record whose transaction took a lower id but committed later still reaches the dashboard', async () => {
    const db = await testDb();
    const ids = await district(db);
    const cache = cacheOn(db);
    await read(cache);

    let release!: () => void;
    let written!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const wrote = new Promise<void>((resolve) => (written = resolve));
    const slow = transaction(db, async (tx) => {
      await addRecord(tx, ids[0], { key: 'SLOW', date: '2026-11-01', hours: 50, category: CATEGORY });
      written();
      await gate;
    });
    await wrote;
    await addRecord(db, ids[1], { key: 'FAST', date: '2026-11-01', hours: 50, category: CATEGORY });
    const before = await read(cache);
    await expectCurrent(db, before);

    release();
    await slow;
    const after = await read(cache);
    expect(after).toBe(before);
    await expectCurrent(db, after);
  });
});
