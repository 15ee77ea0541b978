import { describe, expect, it } from 'vitest';
import { parseDeadlineSpec } from '../../src/deadlines/parse.js';
import { allSlots, daysLeft, latestDueSlot, MAX_OVERDUE_ROUNDS } from '../../src/deadlines/slots.js';

const bj = (s: string) => new Date(`${s.replace(' ', 'T')}+08:00`);
const TZ = 'Asia/Shanghai';
const deadline = { id: 1, dueAt: bj('2026-04-01 23:59'), offsets: [30, 7, 3, 1, 0], overdueEveryDays: 3 };

describe('reminder slots', () => {
  it('are 09:00 on 30, 7, 3 and 1 days before and on the day, then every 3 days overdue', () => {
    const slots = allSlots(deadline, TZ);
    expect(slots.slice(0, 7).map((s) => [s.label, s.at])).toEqual([
      ['30', bj('2026-03-02 09:00')],
      ['7', bj('2026-03-25 09:00')],
      ['3', bj('2026-03-29 09:00')],
      ['1', bj('2026-03-31 09:00')],
      ['0', bj('2026-04-01 09:00')],
      ['overdue-1', bj('2026-04-04 09:00')],
      ['overdue-2', bj('2026-04-07 09:00')],
    ]);
    expect(slots).toHaveLength(5 + MAX_OVERDUE_ROUNDS);
  });

  it('the latest one that has come is the only one due', () => {
    const at = (s: string) => latestDueSlot(deadline, bj(s), TZ)?.label ?? null;
    expect(at('2026-03-02 08:59')).toBeNull();
    expect(at('2026-03-02 09:00')).toBe('30');
    expect(at('2026-03-24 23:00')).toBe('30');
    expect(at('2026-03-30 10:00')).toBe('3');
    expect(at('2026-04-01 09:00')).toBe('0');
    expect(at('2026-04-03 12:00')).toBe('0');
    expect(at('2026-04-04 08:00')).toBe('0');
    expect(at('2026-04-04 09:00')).toBe('overdue-1');
    expect(at('2026-04-09 09:00')).toBe('overdue-2');
    expect(at('2026-05-01 09:00')).toBe('overdue-10');
    expect(at('2026-05-04 09:00')).toBeNull();
  });

  it('a deadline due early in the morning is still reminded before it is due on the day', () => {
    const early = { ...deadline, dueAt: bj('2026-04-01 08:00') };
    expect(latestDueSlot(early, bj('2026-04-01 07:00'), TZ)?.label).toBe('0');
    expect(latestDueSlot(early, bj('2026-04-01 06:59'), TZ)?.label).toBe('1');
  });

  it('counts days left on the Beijing calendar', () => {
    expect(daysLeft(deadline, bj('2026-03-31 23:59'), TZ)).toBe(1);
    expect(daysLeft(deadline, bj('2026-04-01 00:01'), TZ)).toBe(0);
    expect(daysLeft(deadline, bj('2026-04-05 10:00'), TZ)).toBe(-4);
  });
});

describe('新建截止 syntax', () => {
  it('reads title, date, time, schools and offsets', () => {
    expect(parseDeadlineSpec('学期 总结 2026-5-1 17:00 学校：一中，二中 提前:14,1,14', '2026-03-01')).toEqual({
      ok: true,
      spec: { title: '学期 总结', date: '2026-05-01', time: '17:00', schools: ['一中', '二中'], offsets: [14, 1] },
    });
    expect(parseDeadlineSpec('年度计划 2026年5月31日 学校:全部', '2026-03-01')).toEqual({
      ok: true,
      spec: { title: '年度计划', date: '2026-05-31', time: null, schools: 'all', offsets: null },
    });
  });

  it('says what is wrong', () => {
    const problem = (text: string) => {
      const r = parseDeadlineSpec(text, '2026-03-01');
      return r.ok ? null : r.problem;
    };
    expect(problem('计划')).toEqual({ kind: 'missingDate' });
    expect(problem('计划 2026-13-01')).toEqual({ kind: 'badDate', value: '2026-13-01', reason: '没有13月' });
    expect(problem('2026-05-01')).toEqual({ kind: 'emptyTitle' });
    expect(problem('计划 2026-05-01 25:00')).toEqual({ kind: 'badTime', value: '25:00' });
    expect(problem('计划 2026-05-01 提前:')).toEqual({ kind: 'badOffsets', value: '' });
    expect(problem('计划 2026-05-01 提前:400')).toEqual({ kind: 'badOffsets', value: '400' });
    expect(problem('计划 2026-05-01 学校:')).toEqual({ kind: 'emptySchools' });
    expect(problem('计划 2026-05-01 尽快')).toEqual({ kind: 'unknownWord', value: '尽快' });
    expect(problem(`${'长'.repeat(101)} 2026-05-01`)).toEqual({ kind: 'titleTooLong', max: 100 });
  });
});
