/**
 * The console for a past date (查询日期, ?asOf=), through the real HTTP app: the dashboard, a school's page, a teacher's
 * page and both exports show the state on that date — only records dated on or before it — with the one 进度
 * (paced from the later of the cycle start and the hire date) and 落后过半 meaning under half of that pace.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hoursSummary } from '../../../src/ledger/summary.js';
import { findTeacherById } from '../../../src/ledger/store.js';
import type { TestApp } from '../../helpers/app.js';
import { addRecord, addTeacher } from '../../helpers/seed.js';
import { get, signInWithToken, startAdmin, type Signed } from '../../helpers/admin.js';

const D = '2024-06-15';
const SCHOOL = '回溯中学';
let app: TestApp;
let s: Signed;
let ids: { slow: number; far: number; hired: number };

beforeEach(async () => {
  app = await startAdmin({}, '2026-11-25T10:00:00+08:00');
  const t = async (no: string, name: string, hireDate = '2010-09-01') => await addTeacher(app.db, { employeeNo: no, name, school: SCHOOL, policyId: 'laibin', hireDate });
  ids = { slow: await t('T1001', '甲老师'), far: await t('T1002', '乙老师'), hired: await t('T1003', '丙老师', '2024-05-01') };
  const r = async (id: number, key: string, date: string, hours: number) => await addRecord(app.db, id, { key, date, hours, category: '集中培训' });
  // On D (laibin 2021–2025, 248.8 h due by D at an even pace from 2021-01-01):
  await r(ids.slow, 'A1', '2024-03-01', 150); // 150 / 248.8 = 60 %: behind
  await r(ids.far, 'B1', '2024-05-01', 60); // 60 / 248.8 = 24 %: 落后过半
  await r(ids.hired, 'C1', '2024-05-20', 30); // hired 2024-05-01: 360 × 46 / 610 = 27.1 due, 30 earned: on pace
  // After D, in the same year and the next year of the cycle: none of it exists on D.
  await r(ids.far, 'B2', '2024-07-01', 300);
  await r(ids.slow, 'A2', '2025-03-01', 200);
  await r(ids.hired, 'C2', '2024-12-01', 5);
  s = await signInWithToken(app);
});
afterEach(async () => app.cleanup());

const page = async (path: string) => {
  const res = await get(app, path, s.cookie);
  expect(res.status, path).toBe(200);
  return res.text();
};
const kpi = (html: string, label: string) => Number(new RegExp(`${label}</div><div class="value">(\\d+)<`).exec(html)![1]);
const stat = (html: string, label: string) => Number(new RegExp(`<div class="v"[^>]*>(\\d+)</div><div class="l">${label}</div>`).exec(html)![1]);
const csv = async (path: string) => (await page(path)).replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(','));
const filter = `school=${encodeURIComponent(SCHOOL)}`;

describe('console as of a past date', () => {
  it('dashboard: the standings of D, 落后过半 = under half of the even pace', async () => {
    const html = await page(`/admin?${filter}&asOf=${D}`);
    expect(html).toContain(`正在查看 ${D} 当天的情况`);
    expect(html).toContain(`value="${D}"`);
    expect(kpi(html, '进度落后')).toBe(2);
    expect(kpi(html, '进度正常')).toBe(1);
    expect(kpi(html, '已完成')).toBe(0);
    expect(stat(html, '落后过半的教师')).toBe(1);
    // Links keep the date.
    expect(html).toContain(`/admin/schools/${encodeURIComponent(SCHOOL)}?asOf=${D}`);
    // Today (cycle 2026–2030, nothing earned in it yet) is another picture.
    const today = await page(`/admin?${filter}`);
    expect(today).not.toContain('正在查看');
    expect(kpi(today, '进度落后')).toBe(3);
    expect(stat(today, '落后过半的教师')).toBe(3);
  });

  it('a school, a teacher and both exports for D agree with the engine on D', async () => {
    const school = await page(`/admin/schools/${encodeURIComponent(SCHOOL)}?asOf=${D}`);
    const rowOf = (name: string) => new RegExp(`<tr>(?:(?!</tr>).)*${name}(?:(?!</tr>).)*</tr>`, 's').exec(school)![0];
    for (const [id, name, earned, pct] of [
      [ids.slow, '甲老师', '150', '60%'],
      [ids.far, '乙老师', '60', '24%'],
      [ids.hired, '丙老师', '30', '111%'],
    ] as const) {
      const summary = await hoursSummary(app.db, app.presets, (await findTeacherById(app.db, id))!, D);
      expect(`${Math.round(summary.progress! * 100)}%`).toBe(pct);
      const row = rowOf(name);
      expect(row).toContain(`<td class="num">${earned}</td>`);
      expect(row).toContain(`>${pct}<`);
      expect(row).toContain(`/admin/teachers/${id}?asOf=${D}`);
    }

    const teacher = await page(`/admin/teachers/${ids.far}?asOf=${D}`);
    expect(teacher).toContain('2024-05-01');
    expect(teacher).not.toContain('2024-07-01'); // the record after D did not exist yet
    expect(teacher).toContain('>24%<');

    const hired = await page(`/admin/teachers/${ids.hired}?asOf=${D}`);
    expect(hired).toContain('<div class="v">27.1</div><div class="l">按进度应修（自入职日 2024-05-01 起算）</div>');

    const compliance = await csv(`/admin/exports/compliance.csv?asOf=${D}`);
    const row = compliance.find((r) => r[0] === SCHOOL)!;
    expect(row.slice(1, 6)).toEqual(['3', '0', '1', '2', '0']);

    const overdue = await csv(`/admin/exports/overdue.csv?asOf=${D}`);
    expect(overdue.slice(1).map((r) => [r[0], r[4], r[6], r[7]])).toEqual([
      ['T1001', '150', '248.8', '98.8'],
      ['T1002', '60', '248.8', '188.8'],
    ]);
  });

  it('a record written after the past view was built shows at once', async () => {
    expect(kpi(await page(`/admin?${filter}&asOf=${D}`), '进度正常')).toBe(1);
    await addRecord(app.db, ids.far, { key: 'B0', date: '2024-01-10', hours: 200, category: '集中培训' });
    expect(kpi(await page(`/admin?${filter}&asOf=${D}`), '进度正常')).toBe(2);
  });

  it('a bad or future date is refused in words, and today is shown', async () => {
    const bad = await page(`/admin?asOf=2024-02-30`);
    expect(bad).toContain('查询日期「2024-02-30」无法识别');
    const future = await page(`/admin?asOf=2027-01-01`);
    expect(future).toContain('查询日期「2027-01-01」晚于今天（2026-11-25）');
    const res = await get(app, '/admin/exports/overdue.csv?asOf=nope', s.cookie);
    expect(res.status).toBe(400);
  });
});
