/**
 * src/schedule/store.ts on the run's database (issue 16): the pace reminder's walk over the roster, on SQLite
 * and, with TEST_DATABASE_URL, on PostgreSQL (a teacher's opt-out is a boolean on both, null when never set).
 */
import { describe, expect, it } from 'vitest';
import { upsertRemindersOff } from '../../src/deadlines/store.js';
import { teachersWithPrefsAfter } from '../../src/schedule/store.js';
import { onPostgres, useTestDb } from '../helpers/db.js';
import { seedTeacher } from '../helpers/roster-seed.js';

describe(`the scheduler store on ${onPostgres() ? 'PostgreSQL' : 'SQLite'}`, () => {
  const t = useTestDb();

  it('walks teachers in id order after an id, a chunk at a time, with their reminder preference', async () => {
    const db = t.db;
    const ids: number[] = [];
    for (const no of ['T1', 'T2', 'T3', 'T4', 'T5']) ids.push((await seedTeacher(db, { employeeNo: no })).id);
    await upsertRemindersOff(db, ids[1], true, new Date('2026-03-01T00:00:00Z'));
    await upsertRemindersOff(db, ids[2], false, new Date('2026-03-01T00:00:00Z'));
    const first = await teachersWithPrefsAfter(db, 0, 3);
    expect(first.map((r) => [r.teacher.id, r.off])).toEqual([
      [ids[0], null],
      [ids[1], true],
      [ids[2], false],
    ]);
    expect(first[0].teacher).toMatchObject({ employeeNo: 'T1', policyId: 'laibin', homeroom: false });
    expect(first[0].teacher.createdAt).toBeInstanceOf(Date);
    const rest = await teachersWithPrefsAfter(db, first[2].teacher.id, 3);
    expect(rest.map((r) => r.teacher.employeeNo)).toEqual(['T4', 'T5']);
    expect(await teachersWithPrefsAfter(db, ids[4], 3)).toEqual([]);
  });
});
