/**
 * What `学时` says, through the console chat (the same handlers as Feishu and DingTalk), for the demo cast (every
 * preset kind) and for a teacher hired during the cycle: plain Chinese, exact figures, Chinese dates, pace from
 * the hire date; and the monthly pace reminder, which uses the same 进度.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cnDate } from '../../src/bot/i18n/zh-CN.hours.js';
import { seedDemo } from '../../src/cli/demo-data.js';
import { bindAccount } from '../../src/ledger/accounts.js';
import { hoursSummary } from '../../src/ledger/summary.js';
import { findTeacherByEmployeeNo } from '../../src/ledger/store.js';
import { ConsoleSession } from '../../src/platforms/console/session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addRecord, addTeacher } from '../helpers/seed.js';
import { keysLike, tick } from '../helpers/deadlines.js';

let app: TestApp;
afterEach(async () => app?.cleanup());

const TODAY = '2026-11-25';
const fmt = (n: number) => `${Math.round(n * 10) / 10}`;

async function ask(no: string): Promise<string> {
  const teacher = (await findTeacherByEmployeeNo(app.db, no))!;
  await bindAccount(app.db, 'console', `acc-${no}`, teacher.id);
  const [reply] = await new ConsoleSession(app, `acc-${no}`).send('学时');
  return reply;
}

describe('学时 speaks plainly', () => {
  it('for every demo teacher: no notes, ids, English or ISO dates; every figure is the engine’s', async () => {
    app = await createTestApp({}, { now: `${TODAY}T10:00:00+08:00` });
    const seeded = await seedDemo(app.db, app.fixedClock);
    const policies = new Set<string>();
    for (const { employeeNo, name, policyId } of seeded.teachers) {
      policies.add(policyId);
      const reply = await ask(employeeNo);
      const s = await hoursSummary(app.db, app.presets, (await findTeacherByEmployeeNo(app.db, employeeNo))!, TODAY);
      expect(reply.startsWith(`${name}老师，您好。以下是截至2026年11月25日的学时情况：`), reply).toBe(true);
      expect(reply, employeeNo).not.toMatch(/[A-Za-z]/); // no preset ids, English or words like inferred / anchor
      expect(reply, employeeNo).not.toMatch(/\d{4}-\d{2}-\d{2}/);
      expect(reply, employeeNo).not.toMatch(/注：|推定|周期为按文件|未确认|可由管理员调整/);
      for (const note of s.notes) expect(reply).not.toContain(note);
      if (!s.hasNumericRequirement) {
        expect(reply).toContain(`${s.presetName}的培训文件没有规定每位教师要修多少学时，所以无法计算还差多少。您已登记 ${fmt(s.earned)} 学时`);
        continue;
      }
      if (s.required !== null) expect(reply).toContain(`应修 ${s.required} 学时，已修 ${fmt(s.earned)} 学时`);
      if (s.remaining) expect(reply).toContain(`还差 ${fmt(s.remaining)} 学时`);
      if (s.pace && s.remaining) expect(reply).toContain(`应修 ${fmt(s.pace.expected)} 学时，您已修 ${fmt(s.pace.earned)} 学时`);
      expect(/进度落后|落后于进度/.test(reply), employeeNo).toBe(s.onPace === false);
      for (const o of s.obligations.filter((x) => x.owed > 0)) {
        expect(reply).toContain(`· ${o.label}：还差 ${fmt(o.owed)} 学时，${cnDate(o.dueDate)}前完成`);
      }
    }
    expect([...policies].sort()).toEqual(['houma', 'laibin', 'liuzhou', 'otog']);
  });

  it('a teacher hired during the cycle is paced from the hire date, not told they are months behind', async () => {
    app = await createTestApp({}, { now: '2026-09-30T10:00:00+08:00' });
    const onTime = await addTeacher(app.db, { employeeNo: 'T2001', name: '新来', policyId: 'laibin', hireDate: '2026-09-01' });
    await addTeacher(app.db, { employeeNo: 'T2002', name: '老将', policyId: 'laibin', hireDate: '2010-09-01' });
    await addRecord(app.db, onTime, { key: 'N1', date: '2026-09-20', hours: 8, category: '集中培训' });
    await addRecord(app.db, (await findTeacherByEmployeeNo(app.db, 'T2002'))!.id, { key: 'O1', date: '2026-09-20', hours: 8, category: '集中培训' });
    // 2026-09-01…09-30 is 30 of the 1583 days left in the cycle: 360 × 30 / 1583 = 6.8 h due.
    expect((await ask('T2001')).split('\n')).toEqual([
      '新来老师，您好。以下是截至2026年9月30日的学时情况：',
      '本周期（2026年1月1日至2030年12月31日）应修 360 学时，已修 8 学时，还差 352 学时。',
      '进度正常：从您入职的2026年9月1日起按时间平均计算，到2026年9月30日应修 6.8 学时，您已修 8 学时。',
      '培训层次：入格（新教师培训），集中培训30% 跟岗实践70%。',
    ]);
    // Someone in post since the cycle began owes the pace from 2026-01-01: 360 × 273 / 1826 = 53.8.
    expect(await ask('T2002')).toContain('进度落后：按时间平均计算，到2026年9月30日应修 53.8 学时，您已修 8 学时，差 45.8 学时。');
  });

  it('houma and national: says plainly that the documents set no hours', async () => {
    app = await createTestApp({}, { now: `${TODAY}T10:00:00+08:00` });
    await addTeacher(app.db, { employeeNo: 'T3001', name: '侯明', policyId: 'houma' });
    await addTeacher(app.db, { employeeNo: 'T3002', name: '国华', policyId: 'national' });
    expect(await ask('T3001')).toBe(
      '侯明老师，您好。以下是截至2026年11月25日的学时情况：\n侯马市的培训文件没有规定每位教师要修多少学时，所以无法计算还差多少。您已登记 0 学时，请按学校的安排参加培训。',
    );
    expect(await ask('T3002')).toContain('全国（国培计划）的培训文件没有规定每位教师要修多少学时');
  });

  it('the monthly pace reminder goes by the same 进度: not to a new hire on pace since their hire date', async () => {
    app = await createTestApp({}, { now: '2026-10-31T10:00:00+08:00' });
    const hired = await addTeacher(app.db, { employeeNo: 'T4001', name: '新人', policyId: 'laibin', hireDate: '2026-09-01' });
    const veteran = await addTeacher(app.db, { employeeNo: 'T4002', name: '老人', policyId: 'laibin', hireDate: '2010-09-01' });
    for (const [id, key] of [[hired, 'H'], [veteran, 'V']] as const) {
      await bindAccount(app.db, 'console', `acc-${key}`, id);
      // 2026-09-01…11-01: 62 of 1583 days → 14.1 h due for the new hire; 305 of 1826 → 60.1 h for the veteran.
      await addRecord(app.db, id, { key, date: '2026-10-15', hours: 20, category: '集中培训' });
    }
    await tick(app, '2026-11-01 09:30');
    expect((await keysLike(app.db, 'pace:2026-11:'))).toEqual([`pace:2026-11:${veteran}`]);
  });
});
