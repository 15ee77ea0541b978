import { describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/cli/demo-data.js';
import { DataKindError, dataKind, markRealData } from '../../src/meta/data-kind.js';
import { FixedClock } from '../../src/clock.js';
import { hoursSummary } from '../../src/ledger/summary.js';
import { findTeacherByEmployeeNo } from '../../src/ledger/store.js';
import { count, presets, seedRoster } from '../fixtures/import/helpers.js';
import { statement } from '../../db/statements.js';
import { testDb } from '../helpers/db.js';

const clock = new FixedClock('2026-11-25T10:00:00+08:00');

describe('demo data', () => {
  it('seeds a labelled demo roster with records in the current cycle', async () => {
    const db = await testDb();
    const seeded = await seedDemo(db, clock);
    expect(seeded.employeeNo).toBe('DEMO001');
    expect(await dataKind(db)).toBe('demo');
    const rows = await statement(db, 'SELECT employee_no, name, school, policy_id FROM teachers ORDER BY employee_no').all() as {
      employee_no: string;
      name: string;
      school: string;
      policy_id: string;
    }[];
    expect(rows).toHaveLength(6);
    for (const t of rows) {
      expect(t.employee_no).toMatch(/^DEMO\d{3}$/);
      expect(t.name).toMatch(/^演示/);
      expect(t.school).toMatch(/^演示/);
    }
    expect(new Set(rows.map((t) => t.school)).size).toBe(2);
    expect(new Set(rows.map((t) => t.policy_id))).toEqual(new Set(['laibin', 'otog', 'liuzhou', 'houma']));
    const maxDate = await statement(db, 'SELECT max(date) FROM records').pluck().get();
    expect(maxDate! <= '2026-11-25').toBe(true);

    const summary = async (no: string) => hoursSummary(db, presets, (await findTeacherByEmployeeNo(db, no))!, '2026-11-25');
    expect((await summary('DEMO001')).pace?.onPace).toBe(true);
    expect((await summary('DEMO002')).pace?.onPace).toBe(false);
    expect((await summary('DEMO005')).obligations.some((o) => o.key === 'induction' && o.required === 120 && o.owed > 0)).toBe(true);
    expect((await summary('DEMO003')).obligations.some((o) => o.key === 'role:principal')).toBe(true);
    const roles = await statement(db, 'SELECT t.employee_no, r.role FROM roles r JOIN teachers t ON t.id = r.teacher_id ORDER BY 1').all();
    expect(roles).toEqual([
      { employee_no: 'DEMO003', role: 'leader' },
      { employee_no: 'DEMO006', role: 'officer' },
    ]);
  });

  it('re-seeding is idempotent (records replaced, not duplicated)', async () => {
    const db = await testDb();
    const first = await seedDemo(db, clock);
    const again = await seedDemo(db, new FixedClock('2026-12-20T10:00:00+08:00'));
    expect(await count(db, 'teachers')).toBe(6);
    expect(await count(db, 'records')).toBe(again.records);
    expect(first.records).toBeGreaterThan(0);
  });

  it('refuses a database with real data (roster or data_kind=real)', async () => {
    const db = await testDb();
    await seedRoster(db);
    await expect(seedDemo(db, clock)).rejects.toThrow(DataKindError);
    await expect(seedDemo(db, clock)).rejects.toThrow(/已有真实数据（名册中 3 人）/);

    const marked = await testDb();
    await markRealData(marked);
    await expect(seedDemo(marked, clock)).rejects.toThrow(/不能写入演示数据/);
    expect(await count(marked, 'teachers')).toBe(0);
  });

  it('markRealData refuses the demo database', async () => {
    const db = await testDb();
    await seedDemo(db, clock);
    await expect(markRealData(db)).rejects.toThrow(/这是演示数据库/);
    expect(await dataKind(db)).toBe('demo');
  });
});
