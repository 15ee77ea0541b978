import { describe, expect, it } from 'vitest';
import {
  cycleFor,
  evenPace,
  isFarBehind,
  isPrincipal,
  summarize,
  teachingYears,
  type CreditRecord,
  type TeacherProfile,
} from '../../src/policy/engine.js';
import { loadPresets } from '../../src/policy/presets.js';

const presets = loadPresets();
const P = (id: string) => presets.get(id)!;

const teacher = (over: Partial<TeacherProfile> = {}): TeacherProfile => ({
  employeeNo: 'T001',
  name: '王老师',
  school: '第一中学',
  hireDate: '2010-09-01',
  normalGraduate: true,
  homeroom: false,
  position: '教师',
  policyId: 'otog',
  ...over,
});
const rec = (date: string, hours: number, category = '集中培训'): CreditRecord => ({ date, hours, category });

describe('cycleFor', () => {
  it('otog: documented round 2018-01-01…2020-12-31, first and last day', () => {
    const first = { start: '2018-01-01', end: '2020-12-31', index: 0, inferred: false };
    expect(cycleFor(P('otog'), '2018-01-01')).toEqual(first);
    expect(cycleFor(P('otog'), '2020-12-31')).toEqual(first);
  });

  it('otog: the day after rolls into the inferred next round, and the one after that', () => {
    expect(cycleFor(P('otog'), '2021-01-01')).toEqual({ start: '2021-01-01', end: '2023-12-31', index: 1, inferred: true });
    expect(cycleFor(P('otog'), '2023-12-31')).toEqual({ start: '2021-01-01', end: '2023-12-31', index: 1, inferred: true });
    expect(cycleFor(P('otog'), '2024-01-01')).toEqual({ start: '2024-01-01', end: '2026-12-31', index: 2, inferred: true });
  });

  it('no cycle before the document’s first round', () => {
    expect(cycleFor(P('otog'), '2017-12-31')).toBeNull();
  });

  it('laibin / liuzhou: 2021–2025 (dates inferred), then 2026–2030', () => {
    for (const id of ['laibin', 'liuzhou']) {
      expect(cycleFor(P(id), '2021-01-01')).toEqual({ start: '2021-01-01', end: '2025-12-31', index: 0, inferred: true });
      expect(cycleFor(P(id), '2025-12-31')).toEqual({ start: '2021-01-01', end: '2025-12-31', index: 0, inferred: true });
      expect(cycleFor(P(id), '2026-01-01')).toEqual({ start: '2026-01-01', end: '2030-12-31', index: 1, inferred: true });
    }
  });

  it('houma / national have no cycle', () => {
    expect(cycleFor(P('houma'), '2024-05-01')).toBeNull();
    expect(cycleFor(P('national'), '2024-05-01')).toBeNull();
  });

  it('a non-repeating cycle stops after its documented round', () => {
    const once = structuredClone(P('otog'));
    once.cycle!.repeats = false;
    expect(cycleFor(once, '2020-12-31')?.index).toBe(0);
    expect(cycleFor(once, '2021-01-01')).toBeNull();
  });

  it('summary marks later rounds as inferred with the round number', () => {
    const s2 = summarize(teacher(), [], P('otog'), '2021-06-01');
    expect(s2.cycleStart).toBe('2021-01-01');
    expect(s2.cycleEnd).toBe('2023-12-31');
    expect(s2.cycleInferred).toBe(true);
    expect(s2.notes).toContain('周期为按文件推定（第二轮）');
    expect(summarize(teacher(), [], P('otog'), '2024-01-01').notes).toContain('周期为按文件推定（第三轮）');
    const s1 = summarize(teacher(), [], P('otog'), '2019-06-01');
    expect(s1.cycleInferred).toBe(false);
    expect(s1.notes.some((n) => n.includes('推定'))).toBe(false);
  });

  it('before the first round nothing is owed, with a note', () => {
    const s = summarize(teacher(), [rec('2017-05-01', 50)], P('otog'), '2017-06-01');
    expect(s.cycleStart).toBeNull();
    expect(s.required).toBeNull();
    expect(s.remaining).toBeNull();
    expect(s.obligations).toEqual([]);
    expect(s.notes).toContain('查询日期早于文件周期起点（2018-01-01），不适用');
  });
});

describe('otog: 120 per calendar year, no carry-over', () => {
  const records = [rec('2018-03-01', 130), rec('2019-05-01', 50, '网络研修')];

  it('a surplus year does not reduce next year’s 120', () => {
    const s = summarize(teacher(), records, P('otog'), '2019-06-30');
    expect(s.owedThisYear).toEqual({ 年度总学时: 70 });
    expect(s.obligations).toEqual([
      {
        key: 'perYear',
        label: '年度总学时',
        category: null,
        countedCategories: null,
        windowStart: '2019-01-01',
        windowEnd: '2019-12-31',
        required: 120,
        earned: 50,
        owed: 70,
        dueDate: '2019-12-31',
        // 181 of 2019's 365 days: 120 × 181 / 365 = 59.5
        expected: 59.5,
        source: { file: '002_a5e1399ea122335d.txt', quote: '每年完成不少于120学时' },
        inferred: true,
      },
    ]);
    expect(s.required).toBe(360);
    expect(s.earned).toBe(180);
    expect(s.remaining).toBe(180);
  });

  it('the surplus year itself owes 0 (entry kept)', () => {
    expect(summarize(teacher(), records, P('otog'), '2018-12-31').owedThisYear).toEqual({ 年度总学时: 0 });
  });

  it('year boundary: Dec 31 counts for the old year, Jan 1 for the new', () => {
    const r = [rec('2019-12-31', 10), rec('2020-01-01', 20)];
    expect(summarize(teacher(), r, P('otog'), '2019-12-31').obligations[0].earned).toBe(10);
    const jan = summarize(teacher(), r, P('otog'), '2020-01-01').obligations[0];
    expect([jan.windowStart, jan.windowEnd, jan.earned, jan.owed]).toEqual(['2020-01-01', '2020-12-31', 20, 100]);
  });
});

describe('otog roles', () => {
  it('班主任 owe 32 h of 班主任培训 per calendar year (aliases normalised)', () => {
    const r = [rec('2018-12-31', 50, '班主任培训'), rec('2019-03-01', 20, '班主任')];
    const s = summarize(teacher({ homeroom: true }), r, P('otog'), '2019-07-01');
    expect(s.owedThisYear).toEqual({ 年度总学时: 100, 班主任培训: 12 });
    const o = s.obligations.find((x) => x.key === 'role:homeroom')!;
    expect([o.required, o.earned, o.windowStart, o.windowEnd, o.source.quote]).toEqual([
      32, 20, '2019-01-01', '2019-12-31', '对全旗班主任每年进行32学时的专项培训',
    ]);
  });

  it('non-homeroom teachers owe no 班主任培训', () => {
    expect(summarize(teacher(), [], P('otog'), '2019-07-01').owedThisYear).toEqual({ 年度总学时: 120 });
  });

  it('principals owe 40 h 校长培训 and not the 120/360', () => {
    const s = summarize(teacher({ position: '校长' }), [rec('2019-04-01', 10, '校长培训')], P('otog'), '2019-07-01');
    expect(s.owedThisYear).toEqual({ 校长培训: 30 });
    expect(s.obligations.map((o) => [o.key, o.required, o.earned])).toEqual([['role:principal', 40, 10]]);
    expect(s.obligations[0].source.quote).toBe('每年要求校(园)长完成40学时的学习任务');
    expect(s.required).toBeNull();
    expect(s.remaining).toBeNull();
    expect(s.pace).toBeNull();
    expect(s.earned).toBe(10);
    expect(s.notes).toContain('校(园)长不计年度总学时，兼课校长除外（推定）');
  });

  it.each(['副校长', '幼儿园园长', '副园长', '校长（兼书记）'])('%s counts as principal', (position) => {
    expect(isPrincipal(position)).toBe(true);
    expect(Object.keys(summarize(teacher({ position }), [], P('otog'), '2019-07-01').owedThisYear)).toEqual(['校长培训']);
  });

  it.each(['教师', '书记', '教研员'])('%s is not a principal', (position) => {
    expect(isPrincipal(position)).toBe(false);
  });

  it('a principal flagged as teaching owes 120 and 40, and the 360', () => {
    const s = summarize(teacher({ position: '校长', teachingPrincipal: true }), [], P('otog'), '2019-07-01');
    expect(s.owedThisYear).toEqual({ 年度总学时: 120, 校长培训: 40 });
    expect(s.required).toBe(360);
  });

  it('a principal who is also 班主任 owes both role rules', () => {
    const s = summarize(teacher({ position: '副校长', homeroom: true }), [], P('otog'), '2019-07-01');
    expect(s.owedThisYear).toEqual({ 班主任培训: 32, 校长培训: 40 });
  });
});

describe('otog induction', () => {
  const newbie = teacher({ hireDate: '2019-09-01', normalGraduate: false });
  const records = [
    rec('2019-09-10', 30, '集中培训'),
    rec('2019-10-10', 20, '校本培训'),
    rec('2020-03-01', 10, '岗前培训'),
    rec('2020-04-01', 5, '网络研修'), // not 集中/校本/新教师: does not count toward induction
    rec('2020-09-01', 40, '集中培训'), // after the 12 months
  ];

  it.each([
    ['2019-09-01', 0],
    ['2020-08-31', 60],
  ])('on %s (first/last day) owes 120 h 集中培训 and no 年度总学时; earned so far %i', (asOf, earned) => {
    const s = summarize(newbie, records, P('otog'), asOf);
    expect(s.owedThisYear).toEqual({ 新教师培训: 120 - earned });
    const o = s.obligations[0];
    expect([o.key, o.windowStart, o.windowEnd, o.dueDate, o.required, o.earned, o.owed]).toEqual([
      'induction', '2019-09-01', '2020-08-31', '2020-08-31', 120, earned, 120 - earned,
    ]);
    expect(o.countedCategories).toEqual(['新教师培训', '集中培训', '校本研修']);
    expect(o.source.quote).toBe('新教师参加各级集中培训时间累计不少于120学时(包括校本培训)');
    expect(s.notes).toContain('新教师期内不计年度总学时（推定）');
  });

  it('the day after the 12 months: induction ends, 年度总学时 applies', () => {
    const s = summarize(newbie, records, P('otog'), '2020-09-01');
    expect(s.owedThisYear).toEqual({ 年度总学时: 65 });
  });

  it('before the hire date there is no induction obligation', () => {
    const s = summarize(newbie, records, P('otog'), '2019-08-31');
    expect(s.owedThisYear).toEqual({ 年度总学时: 120 });
  });

  it('otog has no normal/non-normal split', () => {
    const s = summarize({ ...newbie, normalGraduate: true }, records, P('otog'), '2020-01-01');
    expect(s.obligations[0].required).toBe(120);
  });

  it('mid-cycle hire keeps the full cycle total, flagged', () => {
    const s = summarize(newbie, [], P('otog'), '2020-01-01');
    expect(s.required).toBe(360);
    expect(s.notes).toContain('周期内入职，仍按全周期学时计（未确认，可由管理员调整）');
  });
});

describe('liuzhou: 师德 per calendar year, 校本 per 学年', () => {
  const lz = teacher({ policyId: 'liuzhou' });
  const records = [
    rec('2024-12-31', 6, '师德'),
    rec('2025-01-01', 4, '师德师风'),
    rec('2024-08-31', 7, '校本研修'),
    rec('2024-09-01', 3, '校本培训'),
  ];

  it('mid school year 2025-03-01', () => {
    const s = summarize(lz, records, P('liuzhou'), '2025-03-01');
    expect(s.owedThisYear).toEqual({ 师德师风: 6, 校本研修: 7 });
    const windows = s.obligations.map((o) => [o.key, o.windowStart, o.windowEnd, o.earned]);
    expect(windows).toEqual([
      ['min:师德师风', '2025-01-01', '2025-12-31', 4],
      ['min:校本研修', '2024-09-01', '2025-08-31', 3],
    ]);
  });

  it('Aug 31 closes the old 学年', () => {
    const s = summarize(lz, records, P('liuzhou'), '2024-08-31');
    // The 师德 record of 2024-12-31 does not exist yet on 2024-08-31.
    expect(s.owedThisYear).toEqual({ 师德师风: 10, 校本研修: 3 });
    expect(s.obligations[1].windowStart).toBe('2023-09-01');
    expect(s.obligations[1].dueDate).toBe('2024-08-31');
  });

  it('Sep 1 opens a new 学年 while 师德 stays in the calendar year', () => {
    const s = summarize(lz, records, P('liuzhou'), '2024-09-01');
    expect(s.owedThisYear).toEqual({ 师德师风: 10, 校本研修: 7 });
    expect(s.obligations[1].windowStart).toBe('2024-09-01');
  });

  it('no per-year total in liuzhou; cycle 360 with draft note', () => {
    const s = summarize(lz, records, P('liuzhou'), '2025-03-01');
    expect(s.required).toBe(360);
    expect(s.earned).toBe(20);
    expect(s.remaining).toBe(340);
    expect(s.notes).toContain('依据为征求意见稿，数值可能调整');
  });

  it.each([
    ['2022-12-31', {}],
    ['2023-01-01', { 师德师风: 10, 校本研修: 10 }],
    ['2027-12-31', { 师德师风: 10, 校本研修: 10 }],
    ['2028-01-01', {}],
  ])('minimums apply only 2023-01-01…2027-12-31: %s', (asOf, owed) => {
    expect(summarize(lz, [], P('liuzhou'), asOf).owedThisYear).toEqual(owed);
  });
});

describe('liuzhou induction: 60 normal-school, 120 otherwise', () => {
  const records = [
    rec('2024-07-01', 50, '集中培训'),
    rec('2024-08-01', 5, '新教师培训'),
    rec('2024-09-01', 10, '网络研修'), // not counted toward induction
  ];
  const newbie = (normalGraduate: boolean | null) =>
    teacher({ policyId: 'liuzhou', hireDate: '2024-03-01', normalGraduate });

  it('normal-school graduate owes 60', () => {
    const o = summarize(newbie(true), records, P('liuzhou'), '2024-10-01').obligations.find((x) => x.key === 'induction')!;
    expect([o.required, o.earned, o.owed, o.windowStart, o.windowEnd]).toEqual([60, 55, 5, '2024-03-01', '2025-02-28']);
    expect(o.source.quote).toBe('师范专业毕业教师不少于60学时');
  });

  it('non-normal graduate owes 120', () => {
    const s = summarize(newbie(false), records, P('liuzhou'), '2024-10-01');
    expect(s.owedThisYear['新教师培训']).toBe(65);
    expect(s.obligations.find((x) => x.key === 'induction')!.source.quote).toBe('非师范专业毕业教师不少于120学时');
  });

  it('unknown background uses the stricter 120 and says so', () => {
    const s = summarize(newbie(null), records, P('liuzhou'), '2024-10-01');
    expect(s.owedThisYear['新教师培训']).toBe(65);
    expect(s.notes).toContain('未登记是否师范毕业，新教师培训按120学时计');
  });

  it('last day in, day after out', () => {
    expect('新教师培训' in summarize(newbie(true), records, P('liuzhou'), '2025-02-28').owedThisYear).toBe(true);
    expect('新教师培训' in summarize(newbie(true), records, P('liuzhou'), '2025-03-01').owedThisYear).toBe(false);
  });

  it('a 02-29 hire ends induction on 02-27 of the next year', () => {
    const t = teacher({ policyId: 'liuzhou', hireDate: '2024-02-29', normalGraduate: true });
    const o = summarize(t, [], P('liuzhou'), '2025-02-27').obligations.find((x) => x.key === 'induction')!;
    expect(o.windowEnd).toBe('2025-02-27');
    expect('新教师培训' in summarize(t, [], P('liuzhou'), '2025-02-28').owedThisYear).toBe(false);
  });

  it('no hire date: no induction, with a note', () => {
    const s = summarize(teacher({ policyId: 'liuzhou', hireDate: null }), [], P('liuzhou'), '2024-10-01');
    expect('新教师培训' in s.owedThisYear).toBe(false);
    expect(s.notes).toContain('未登记入职日期，无法判断是否处于新教师期');
  });
});

describe('totals', () => {
  it('remaining and owed never go negative', () => {
    const s = summarize(teacher(), [rec('2018-06-01', 400), rec('2020-02-01', 150)], P('otog'), '2020-06-01');
    expect(s.earned).toBe(550);
    expect(s.remaining).toBe(0);
    expect(s.owedThisYear).toEqual({ 年度总学时: 0 });
    expect(s.obligations[0].owed).toBe(0);
    expect(s.pace!.onPace).toBe(true);
  });

  it('records outside the cycle window are ignored', () => {
    const r = [rec('2017-12-31', 100), rec('2019-06-01', 10), rec('2021-01-01', 100)];
    expect(summarize(teacher(), r, P('otog'), '2019-06-01').earned).toBe(10);
    expect(summarize(teacher(), r, P('otog'), '2020-12-31').earned).toBe(10);
    expect(summarize(teacher(), r, P('otog'), '2021-01-01').earned).toBe(100);
  });

  it('decimal hours add up exactly', () => {
    const s = summarize(teacher(), [rec('2019-03-01', 0.1), rec('2019-03-02', 0.2)], P('otog'), '2019-06-01');
    expect(s.earned).toBe(0.3);
    expect(s.remaining).toBe(359.7);
    expect(s.owedThisYear['年度总学时']).toBe(119.7);

    const tenths = Array.from({ length: 10 }, (_, i) => rec(`2019-04-${String(i + 1).padStart(2, '0')}`, 0.1));
    expect(summarize(teacher(), tenths, P('otog'), '2019-06-01').earned).toBe(1);

    const near = summarize(teacher(), [rec('2019-01-05', 100), rec('2019-01-06', 19.9)], P('otog'), '2019-06-01');
    expect(near.owedThisYear['年度总学时']).toBe(0.1);

    const halves = summarize(teacher(), [1, 2, 3].map((d) => rec(`2019-02-0${d}`, 1.5)), P('otog'), '2019-06-01');
    expect(halves.earned).toBe(4.5);
  });

  it('unknown categories and invalid records are not counted, with notes', () => {
    const r: CreditRecord[] = [
      rec('2019-03-01', 5, '体育'),
      rec('2019-03-01', Number.NaN),
      rec('2019-03-01', -2),
      rec('2019-02-30', 3),
      rec('2019-03-01', 8, '在线培训'),
    ];
    const s = summarize(teacher(), r, P('otog'), '2019-06-01');
    expect(s.earned).toBe(8);
    expect(s.notes).toContain('有1条记录类别无法识别，未计入');
    expect(s.notes).toContain('有3条记录日期或学时无效，未计入');
  });

  it('a category with countsTowardTotal=false is left out of the total', () => {
    const p = structuredClone(P('otog'));
    p.categories.find((c) => c.key === '班主任培训')!.countsTowardTotal = false;
    const s = summarize(teacher({ homeroom: true }), [rec('2019-03-01', 32, '班主任培训'), rec('2019-03-02', 8)], p, '2019-06-01');
    expect(s.earned).toBe(8);
    expect(s.owedThisYear).toEqual({ 年度总学时: 112, 班主任培训: 0 });
  });

  it('rejects a malformed asOf', () => {
    expect(() => summarize(teacher(), [], P('otog'), '2019-6-1')).toThrow(/asOf/);
  });
});

describe('sources without figures', () => {
  it.each(['houma', 'national'])('%s: no numeric requirement, never 360', (id) => {
    const s = summarize(teacher({ policyId: id, homeroom: true, position: '校长' }), [rec('2024-03-01', 12.5, '师德')], P(id), '2024-06-01');
    expect(s.hasNumericRequirement).toBe(false);
    expect(s.required).toBeNull();
    expect(s.remaining).toBeNull();
    expect(s.pace).toBeNull();
    expect(s.cycleStart).toBeNull();
    expect(s.cycleEnd).toBeNull();
    expect(s.obligations).toEqual([]);
    expect(s.owedThisYear).toEqual({});
    expect(s.earned).toBe(12.5);
    expect(s.notes).toContain('该文件未规定具体学时');
    expect(JSON.stringify(s)).not.toContain('360');
  });
});

describe('pace', () => {
  // 2018-01-01…2019-12-31 is 730 of the cycle's 1096 days: 360 × 730 / 1096 = 239.78 → 239.8.
  it('on pace at exactly the expected hours', () => {
    const s = summarize(teacher(), [rec('2018-06-01', 239.8)], P('otog'), '2019-12-31');
    expect(s.pace).toEqual({ since: '2018-01-01', expected: 239.8, earned: 239.8, onPace: true });
  });

  it('behind by a tenth', () => {
    const s = summarize(teacher(), [rec('2018-06-01', 239.7)], P('otog'), '2019-12-31');
    expect(s.pace).toEqual({ since: '2018-01-01', expected: 239.8, earned: 239.7, onPace: false });
  });

  it('first and last day of the cycle', () => {
    expect(summarize(teacher(), [], P('otog'), '2018-01-01').pace).toEqual({ since: '2018-01-01', expected: 0.3, earned: 0, onPace: false });
    expect(summarize(teacher(), [rec('2020-01-01', 360)], P('otog'), '2020-12-31').pace).toEqual({
      since: '2018-01-01',
      expected: 360,
      earned: 360,
      onPace: true,
    });
  });

  it('laibin mid-cycle', () => {
    // 2021-01-01…2023-07-02 inclusive is 913 of 1826 days: 360 × 913 / 1826 = 180.
    expect(summarize(teacher({ policyId: 'laibin' }), [rec('2022-01-01', 100)], P('laibin'), '2023-07-02').pace).toEqual({
      since: '2021-01-01',
      expected: 180,
      earned: 100,
      onPace: false,
    });
  });
});

describe('laibin 五格 tiers by 教龄 (completed years + 1)', () => {
  const hire = '2020-09-01';
  const t = teacher({ policyId: 'laibin', hireDate: hire });

  it.each([
    ['2020-09-01', 1, '入格', '入格（新教师培训）：集中培训30% 跟岗实践70%'],
    ['2022-08-31', 2, '入格', '入格（新教师培训）：集中培训30% 跟岗实践70%'],
    ['2022-09-01', 3, '合格', '合格（初级培训）：集中培训40% 跟岗实践60%'],
    ['2025-08-31', 5, '合格', '合格（初级培训）：集中培训40% 跟岗实践60%'],
    ['2025-09-01', 6, '定格', '定格（中级培训）：集中培训50% 跟岗实践50%'],
    ['2034-08-31', 14, '定格', '定格（中级培训）：集中培训50% 跟岗实践50%'],
    ['2034-09-01', 15, '升格', '升格（高级培训）：集中培训60% 跟岗实践40%'],
    ['2050-01-01', 30, '升格', '升格（高级培训）：集中培训60% 跟岗实践40%'],
  ])('%s → 教龄 %i → %s', (asOf, years, key, label) => {
    expect(teachingYears(hire, asOf)).toBe(years);
    expect(summarize(t, [], P('laibin'), asOf).tier).toEqual({ key, label });
  });

  it('no hire date → no tier, with a note', () => {
    const s = summarize(teacher({ policyId: 'laibin', hireDate: null }), [], P('laibin'), '2023-01-01');
    expect(s.tier).toBeNull();
    expect(s.notes).toContain('未登记入职日期，无法判定培训层次');
  });

  it('hire date after asOf → no tier', () => {
    expect(teachingYears('2024-09-01', '2024-08-31')).toBeNull();
    expect(summarize(teacher({ policyId: 'laibin', hireDate: '2024-09-01' }), [], P('laibin'), '2024-08-31').tier).toBeNull();
  });

  it('laibin has the cycle but no yearly obligations', () => {
    const s = summarize(t, [rec('2023-03-01', 40, '跟岗实践')], P('laibin'), '2023-06-01');
    expect(s.required).toBe(360);
    expect(s.earned).toBe(40);
    expect(s.remaining).toBe(320);
    expect(s.owedThisYear).toEqual({});
    expect(s.notes).toContain('周期起止日期为按文件推定');
  });

  it('presets without computed tiers report tier null', () => {
    expect(summarize(teacher({ policyId: 'liuzhou' }), [], P('liuzhou'), '2024-01-01').tier).toBeNull();
    expect(summarize(teacher(), [], P('otog'), '2019-01-01').tier).toBeNull();
  });
});

describe('as of a date: only records dated on or before it exist', () => {
  // D, then records after D in the same calendar year, in the same school year, and in later years of the cycle.
  const cases: { id: string; asOf: string; later: string[] }[] = [
    { id: 'laibin', asOf: '2024-06-15', later: ['2024-06-16', '2024-08-01', '2024-12-31', '2025-03-01', '2025-12-31'] },
    { id: 'liuzhou', asOf: '2024-06-15', later: ['2024-06-16', '2024-08-01', '2024-12-31', '2025-03-01', '2025-12-31'] },
    { id: 'otog', asOf: '2024-06-15', later: ['2024-06-16', '2024-08-01', '2024-12-31', '2025-03-01', '2026-12-31'] },
    { id: 'houma', asOf: '2024-06-15', later: ['2024-06-16', '2024-08-01', '2025-03-01'] },
    { id: 'national', asOf: '2024-06-15', later: ['2024-06-16', '2024-08-01', '2025-03-01'] },
  ];
  const categories = ['师德师风', '校本研修', '集中培训', '班主任培训', '校长培训', '新教师培训'];
  const profiles: Partial<TeacherProfile>[] = [
    {},
    { homeroom: true },
    { position: '校长' },
    { hireDate: '2024-01-10', normalGraduate: false },
  ];
  const before = [rec('2024-01-15', 6, '师德师风'), rec('2023-10-01', 4, '校本研修'), rec('2024-06-15', 12), rec('2024-03-01', 8, '班主任培训')];

  for (const { id, asOf, later } of cases) {
    it.each(profiles.map((p, i) => [i, p] as const))(`${id}: later records change nothing about ${asOf} (profile %i)`, (_, profile) => {
      const t = teacher({ policyId: id, ...profile });
      const base = summarize(t, before, P(id), asOf);
      const extra = later.flatMap((date) => categories.map((c) => rec(date, 50, c)));
      expect(summarize(t, [...before, ...extra], P(id), asOf)).toEqual(base);
      expect(summarize(t, [...extra, ...before].reverse(), P(id), asOf)).toEqual(base);
      // The later records do count once their date has come.
      if (P(id).hasNumericRequirement) expect(summarize(t, [...before, ...extra], P(id), later[1]).earned).toBeGreaterThan(base.earned);
    });
  }

  it('laibin: the 2024-06-15 figures are the ones of that day (issue 11 §1)', () => {
    const lb = teacher({ policyId: 'laibin' });
    const r = [rec('2022-05-01', 100), rec('2024-06-15', 20), rec('2024-08-01', 30), rec('2025-04-01', 40)];
    const s = summarize(lb, r, P('laibin'), '2024-06-15');
    expect([s.earned, s.remaining]).toEqual([120, 240]);
  });

  it('otog: owedThisYear is about the year of D, counting only what was earned by D', () => {
    const r = [rec('2024-02-01', 30), rec('2024-08-01', 100), rec('2025-03-01', 120)];
    const s = summarize(teacher(), r, P('otog'), '2024-06-15');
    expect(s.owedThisYear).toEqual({ 年度总学时: 90 });
    expect(s.obligations[0]).toMatchObject({ windowStart: '2024-01-01', windowEnd: '2024-12-31', earned: 30, owed: 90 });
    expect(s.earned).toBe(30);
  });

  it('liuzhou: 校本研修 of the school year and 师德 of the calendar year, both as of D', () => {
    const lz = teacher({ policyId: 'liuzhou' });
    const r = [rec('2023-10-01', 4, '校本研修'), rec('2024-07-01', 6, '校本研修'), rec('2024-05-01', 3, '师德'), rec('2024-11-01', 7, '师德')];
    expect(summarize(lz, r, P('liuzhou'), '2024-06-15').owedThisYear).toEqual({ 师德师风: 7, 校本研修: 6 });
  });
});

describe('进度: one definition, paced from the hire date', () => {
  it('evenPace: nothing due before the start, all of it on the last day, progress 1 when nothing is due', () => {
    expect(evenPace(3600, 0, '2024-03-01', '2025-12-31', '2024-02-28')).toEqual({ expectedTenths: 0, progress: 1 });
    expect(evenPace(3600, 1800, '2024-03-01', '2025-12-31', '2025-12-31')).toEqual({ expectedTenths: 3600, progress: 0.5 });
    // 2024-03-01…2024-04-30 is 61 of 671 days: 360 × 61 / 671 = 32.7
    expect(evenPace(3600, 327, '2024-03-01', '2025-12-31', '2024-04-30')).toEqual({ expectedTenths: 327, progress: 1 });
  });

  it('a teacher hired mid-cycle is paced from the hire date, not the cycle start', () => {
    const hired = teacher({ policyId: 'laibin', hireDate: '2024-03-01' });
    const s = summarize(hired, [rec('2024-04-10', 20)], P('laibin'), '2024-04-30');
    expect(s.pace).toEqual({ since: '2024-03-01', expected: 32.7, earned: 20, onPace: false });
    expect(s.progress).toBeCloseTo(200 / 327, 10);
    expect(isFarBehind(s.progress)).toBe(false);
    // Hired before the cycle: the cycle start counts.
    expect(summarize(teacher({ policyId: 'laibin', hireDate: '2015-09-01' }), [], P('laibin'), '2024-04-30').pace!.since).toBe('2021-01-01');
  });

  it('a new hire on their first day is not behind; hired after D, nothing is due', () => {
    const first = summarize(teacher({ policyId: 'laibin', hireDate: '2024-04-30' }), [], P('laibin'), '2024-04-30');
    // One day of 611: 360 / 611 = 0.6 h due.
    expect(first.pace!.expected).toBe(0.6);
    const future = summarize(teacher({ policyId: 'laibin', hireDate: '2024-05-01' }), [], P('laibin'), '2024-04-30');
    expect(future.pace!.expected).toBe(0);
    expect(future.progress).toBe(1);
    expect(future.onPace).toBe(true);
  });

  it('yearly minimums are paced from the hire date too', () => {
    const lz = teacher({ policyId: 'liuzhou', hireDate: '2024-10-01', normalGraduate: true });
    const s = summarize(lz, [], P('liuzhou'), '2024-10-31');
    const ethics = s.obligations.find((o) => o.key === 'min:师德师风')!;
    // 2024-10-01…10-31 is 31 of the 92 days left in 2024: 10 × 31 / 92 = 3.4 (not 10 × 305 / 366 from January).
    expect(ethics.expected).toBe(3.4);
    expect(s.obligations.find((o) => o.key === 'induction')!.expected).toBe(5.1); // 60 × 31 / 365
  });

  it('progress is the slowest requirement; on pace means every one is on pace', () => {
    // otog 2024-06-15: cycle 2024–2026 expects 360 × 167 / 1096 = 54.9; the year expects 120 × 167 / 366 = 54.8.
    const ahead = summarize(teacher(), [rec('2024-02-01', 60)], P('otog'), '2024-06-15');
    expect(ahead.onPace).toBe(true);
    expect(ahead.progress).toBeCloseTo(600 / 549, 10);
    // Ahead on the cycle (351 of 360 × 1627 / 1826 = 320.8 due), behind on 师德: the slower one sets 进度.
    const lz = summarize(teacher({ policyId: 'liuzhou' }), [rec('2021-03-01', 340), rec('2024-10-01', 10, '校本研修'), rec('2025-02-01', 1, '师德')], P('liuzhou'), '2025-06-15');
    const ethics = lz.obligations.find((o) => o.key === 'min:师德师风')!;
    expect(lz.pace!.onPace).toBe(true);
    expect(ethics.expected).toBe(4.5); // 10 × 166 / 365 = 4.55 → 4.5
    expect(lz.progress).toBeCloseTo(10 / 45, 10);
    expect(lz.onPace).toBe(false);
    const yearBehind = summarize(teacher(), [rec('2024-02-01', 20), rec('2023-12-01', 0)], P('otog'), '2024-06-15');
    expect(yearBehind.progress).toBeCloseTo(200 / 549, 10);
    expect(yearBehind.onPace).toBe(false);
    expect(isFarBehind(yearBehind.progress)).toBe(true);
    // Exactly half is not 落后过半.
    expect(isFarBehind(0.5)).toBe(false);
    expect(isFarBehind(0.499)).toBe(true);
    expect(isFarBehind(null)).toBe(false);
  });

  it('a principal without the cycle total is paced on their yearly minimum', () => {
    const s = summarize(teacher({ position: '校长' }), [rec('2019-04-01', 10, '校长培训')], P('otog'), '2019-07-01');
    // 40 × 182 / 365 = 19.9 due
    expect(s.obligations[0].expected).toBe(19.9);
    expect(s.progress).toBeCloseTo(100 / 199, 10);
    expect(s.onPace).toBe(false);
  });

  it.each(['houma', 'national'])('%s: no 进度 at all', (id) => {
    const s = summarize(teacher({ policyId: id }), [rec('2024-03-01', 12)], P(id), '2024-06-01');
    expect([s.progress, s.onPace]).toEqual([null, null]);
  });
});
