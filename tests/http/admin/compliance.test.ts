/**
 * The dashboard's compliance cache gives exactly what the chat's `学时` answer gives (hoursSummary per teacher),
 * and the record merging that makes a 100,000-teacher pass fast changes nothing the engine computes.
 */
import { describe, expect, it } from 'vitest';
import { boundariesFor, mergeWithin } from '../../../src/admin/compliance/merge.js';
import { ComplianceCache } from '../../../src/admin/compliance/cache.js';
import { standingOf } from '../../../src/admin/compliance/model.js';
import { FixedClock } from '../../../src/clock.js';
import { hoursSummary } from '../../../src/ledger/summary.js';
import { findTeacherById } from '../../../src/ledger/store.js';
import { toProfile } from '../../../src/ledger/teachers.js';
import { summarize, type CreditRecord, type TeacherProfile } from '../../../src/policy/engine.js';
import { loadPresets } from '../../../src/policy/presets.js';
import { seedDistrict } from '../../helpers/console-seed.js';
import { testDb } from '../../helpers/db.js';

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES = ['师德师风', '师德', '校本研修', '集中培训', '网络研修', '远程培训', '跟岗实践', '班主任培训', '校长培训', '新教师培训', '神秘类别'];
const ymd = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);

describe('mergeWithin', () => {
  it('leaves every engine result unchanged, for every preset, role and date', () => {
    const presets = loadPresets();
    const rand = rng(42);
    let compared = 0;
    let before = 0;
    let after = 0;
    for (let i = 0; i < 1500; i++) {
      const preset = [...presets.values()][i % presets.size];
      const asOf = ymd(Math.floor(17_500 + rand() * 4000)); // 2017 … 2028
      const hire = rand() < 0.1 ? null : ymd(Math.floor(Number(Date.parse(asOf)) / 86_400_000 - rand() * 900 - (rand() < 0.5 ? 0 : 5000)));
      const teacher: TeacherProfile = {
        employeeNo: `T${i}`,
        name: '测试',
        school: '一中',
        hireDate: hire,
        normalGraduate: rand() < 0.2 ? null : rand() < 0.6,
        homeroom: rand() < 0.3,
        position: rand() < 0.1 ? '校长' : '教师',
        policyId: preset.id,
      };
      const records: CreditRecord[] = [];
      const n = Math.floor(rand() * 60);
      for (let k = 0; k < n; k++) {
        const date = rand() < 0.02 ? '2026-02-30' : ymd(Math.floor(Date.parse(asOf) / 86_400_000 - rand() * 2500 + 30));
        const hours = rand() < 0.02 ? -1 : Math.round(rand() * 2400) / 100;
        records.push({ date, hours, category: CATEGORIES[Math.floor(rand() * CATEGORIES.length)] });
      }
      const whole = summarize(teacher, records, preset, asOf);
      const fewer = mergeWithin(records, boundariesFor(preset, hire, asOf));
      before += records.length;
      after += fewer.length;
      const merged = summarize(teacher, fewer, preset, asOf);
      // Counts of records left out (in the notes and `uncounted`) are per record, which merging changes by design.
      const { notes: _a, uncounted: _c, ...w } = whole;
      const { notes: _b, uncounted: _d, ...m } = merged;
      expect(m, `${preset.id} ${asOf} hire ${hire}`).toEqual(w);
      expect(standingOf({ id: i, school: '一中', policyId: preset.id }, merged)).toEqual(standingOf({ id: i, school: '一中', policyId: preset.id }, whole));
      compared++;
    }
    expect(compared).toBe(1500);
    expect(after).toBeLessThan(before * 0.6);
  });
});

describe('ComplianceCache', () => {
  it('builds the same standings as hoursSummary per teacher, and follows the clock to a new day', async () => {
    const db = await testDb();
    const presets = loadPresets();
    await seedDistrict(db);
    const clock = new FixedClock('2026-11-25T10:00:00+08:00');
    const cache = new ComplianceCache({ db, presets, clock, timeZone: 'Asia/Shanghai' });
    const check = async (asOf: string) => {
      const { snapshot, stale } = await cache.read();
      expect(stale).toBe(false);
      expect(snapshot!.asOf).toBe(asOf);
      for (const [id, standing] of snapshot!.teachers) {
        const teacher = (await findTeacherById(db, id))!;
        expect(standing).toEqual(standingOf(teacher, await hoursSummary(db, presets, teacher, asOf)));
      }
      return snapshot!;
    };
    const first = await check('2026-11-25');
    expect(first.teachers.size).toBe(221);
    clock.set('2027-01-02T09:00:00+08:00');
    const next = await check('2027-01-02');
    expect(next).not.toBe(first);
    // Nothing changed: the same snapshot object, no rebuild.
    expect((await cache.read()).snapshot).toBe(next);
    expect(toProfile((await findTeacherById(db, 1))!).employeeNo).toBe('T9000');
  });
});
