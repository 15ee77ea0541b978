/**
 * The one date/time reader (src/time/parse.ts), table-driven: every form a chat command, a CLI flag, a console
 * form or an imported file may hold. Today is Wednesday 2026-05-27 unless a row says otherwise.
 */
import { describe, expect, it } from 'vitest';
import {
  dateProblemReason,
  describeDate,
  exampleDate,
  looksLikeDateText,
  parseDateRangeText,
  parseDateText,
  parseDateTimeText,
  parseTimeRangeText,
  parseTimeText,
  weekdayOf,
} from '../../src/time/parse.js';

const WED = '2026-05-27';
const SUN = '2026-05-31';

// [input, today, expected date]
const DATES: [string, string, string][] = [
  // absolute
  ['2026-05-31', WED, '2026-05-31'],
  ['2026-5-31', WED, '2026-05-31'],
  ['2026/5/31', WED, '2026-05-31'],
  ['2026/05/31', WED, '2026-05-31'],
  ['2026.5.31', WED, '2026-05-31'],
  ['2026.05.31', WED, '2026-05-31'],
  ['2026年5月31日', WED, '2026-05-31'],
  ['2026年5月31号', WED, '2026-05-31'],
  ['2026年05月31日', WED, '2026-05-31'],
  ['2026年5月31', WED, '2026-05-31'],
  ['2026 年 5 月 31 日', WED, '2026-05-31'],
  ['20260531', WED, '2026-05-31'],
  ['２０２６－０５－３１', WED, '2026-05-31'],
  ['２０２６年５月３１日', WED, '2026-05-31'],
  ['2026／5／31', WED, '2026-05-31'],
  ['二〇二六年五月三十一日', WED, '2026-05-31'],
  ['2025-03-05', WED, '2025-03-05'], // past dates are dates too; callers decide whether they may be past
  ['2024-02-29', WED, '2024-02-29'],
  ['2027-01-01', WED, '2027-01-01'],
  // month-day: the next such date, today included
  ['5月31日', WED, '2026-05-31'],
  ['5月31号', WED, '2026-05-31'],
  ['5月31', WED, '2026-05-31'],
  ['05月31日', WED, '2026-05-31'],
  ['５月３１日', WED, '2026-05-31'],
  ['五月三十一日', WED, '2026-05-31'],
  ['五月三十一号', WED, '2026-05-31'],
  ['十二月一日', WED, '2026-12-01'],
  ['十月十日', WED, '2026-10-10'],
  ['二月二十八日', WED, '2027-02-28'],
  ['5/31', WED, '2026-05-31'],
  ['5-31', WED, '2026-05-31'],
  ['12-01', WED, '2026-12-01'],
  ['5月27日', WED, '2026-05-27'], // today counts
  ['5月26日', WED, '2027-05-26'], // yesterday's date → next year
  ['1月5日', WED, '2027-01-05'],
  ['1/5', WED, '2027-01-05'],
  ['2月29日', WED, '2028-02-29'], // waits for a leap year
  ['12月31日', '2026-12-31', '2026-12-31'],
  ['1月1日', '2026-12-31', '2027-01-01'],
  // day of month
  ['31号', WED, '2026-05-31'],
  ['31日', WED, '2026-05-31'],
  ['27号', WED, '2026-05-27'],
  ['26号', WED, '2026-06-26'],
  ['31号', '2026-06-01', '2026-07-31'], // June has no 31st
  ['三十号', WED, '2026-05-30'],
  // relative days
  ['今天', WED, '2026-05-27'],
  ['今日', WED, '2026-05-27'],
  ['明天', WED, '2026-05-28'],
  ['明日', WED, '2026-05-28'],
  ['后天', WED, '2026-05-29'],
  ['大后天', WED, '2026-05-30'],
  ['昨天', WED, '2026-05-26'],
  ['前天', WED, '2026-05-25'],
  ['today', WED, '2026-05-27'],
  ['Tomorrow', WED, '2026-05-28'],
  ['明天', '2026-12-31', '2027-01-01'],
  ['后天', '2028-02-28', '2028-03-01'],
  // weekdays (weeks start on Monday; 2026-05-27 is a Wednesday)
  ['周五', WED, '2026-05-29'],
  ['星期五', WED, '2026-05-29'],
  ['礼拜五', WED, '2026-05-29'],
  ['周三', WED, '2026-05-27'], // bare weekday: the next one, today included
  ['周一', WED, '2026-06-01'],
  ['周日', WED, '2026-05-31'],
  ['周天', WED, '2026-05-31'],
  ['星期日', WED, '2026-05-31'],
  ['星期天', WED, '2026-05-31'],
  ['本周五', WED, '2026-05-29'],
  ['这周五', WED, '2026-05-29'],
  ['这个周五', WED, '2026-05-29'],
  ['本周一', WED, '2026-05-25'], // this week's Monday, though past
  ['下周五', WED, '2026-06-05'],
  ['下个周五', WED, '2026-06-05'],
  ['下星期五', WED, '2026-06-05'],
  ['下周一', WED, '2026-06-01'],
  ['下周日', WED, '2026-06-07'],
  ['下下周五', WED, '2026-06-12'],
  ['上周五', WED, '2026-05-22'],
  ['下周五', SUN, '2026-06-05'], // Sunday is the last day of its week
  ['周一', SUN, '2026-06-01'],
  ['下周一', SUN, '2026-06-01'],
  ['周5', WED, '2026-05-29'],
  // month and year ends
  ['月底', WED, '2026-05-31'],
  ['月末', WED, '2026-05-31'],
  ['本月底', WED, '2026-05-31'],
  ['这个月底', WED, '2026-05-31'],
  ['下月底', WED, '2026-06-30'],
  ['下个月底', WED, '2026-06-30'],
  ['下月末', WED, '2026-06-30'],
  ['下下个月底', WED, '2026-07-31'],
  ['月底', '2028-02-03', '2028-02-29'],
  ['下月底', '2026-01-31', '2026-02-28'],
  ['下月底', '2026-12-15', '2027-01-31'],
  ['下月初', WED, '2026-06-01'],
  ['下个月初', '2026-12-15', '2027-01-01'],
  ['年底', WED, '2026-12-31'],
  ['年末', WED, '2026-12-31'],
  ['今年底', WED, '2026-12-31'],
  ['今年年底', WED, '2026-12-31'],
  ['明年底', WED, '2027-12-31'],
  ['明年年底', WED, '2027-12-31'],
];

// [input, today, kind, reason]
const BAD_DATES: [string, string, 'unrecognised' | 'noSuchDay', string | null][] = [
  ['2026-02-30', WED, 'noSuchDay', '2026年2月没有30日'],
  ['2026/2/30', WED, 'noSuchDay', '2026年2月没有30日'],
  ['2026年2月30日', WED, 'noSuchDay', '2026年2月没有30日'],
  ['2025-02-29', WED, 'noSuchDay', '2025年2月没有29日'],
  ['2026-13-01', WED, 'noSuchDay', '没有13月'],
  ['2026-00-10', WED, 'noSuchDay', '没有0月'],
  ['20260230', WED, 'noSuchDay', '2026年2月没有30日'],
  ['5月32日', WED, 'noSuchDay', '5月没有32日'],
  ['4月31日', WED, 'noSuchDay', '4月没有31日'],
  ['13月1日', WED, 'noSuchDay', '没有13月'],
  ['2月30日', WED, 'noSuchDay', '2月没有30日'],
  ['32号', WED, 'noSuchDay', '5月没有32日'],
  ['0号', WED, 'noSuchDay', '5月没有0日'],
  ['', WED, 'unrecognised', null],
  ['abc', WED, 'unrecognised', null],
  ['下周八', WED, 'unrecognised', null],
  ['周报', WED, 'unrecognised', null],
  ['2026年5月', WED, 'unrecognised', null],
  ['5.31', WED, 'unrecognised', null], // "1.5" is hours, never January 5th
  ['1.5', WED, 'unrecognised', null],
  ['3', WED, 'unrecognised', null],
  ['31/5/2026', WED, 'unrecognised', null],
  ['2026-5', WED, 'unrecognised', null],
  ['底', WED, 'unrecognised', null],
];

describe('parseDateText', () => {
  it.each(DATES)('%s (today %s) → %s', (input, today, expected) => {
    expect(parseDateText(input, today)).toEqual({ ok: true, date: expected });
  });

  it.each(BAD_DATES)('%s (today %s) is refused: %s', (input, today, kind, reason) => {
    const r = parseDateText(input, today);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problem.kind).toBe(kind);
    expect(r.problem.raw).toBe(input);
    if (reason) expect(dateProblemReason(r.problem)).toBe(reason);
  });

  it.each([
    ['5月31日', '2025-05-31'],
    ['5月27日', '2026-05-27'],
    ['5/26', '2026-05-26'],
    ['2月29日', '2024-02-29'],
    ['31号', '2026-03-31'],
    ['27号', '2026-05-27'],
    ['周五', '2026-05-22'],
    ['周三', '2026-05-27'],
    ['周四', '2026-05-21'],
    ['昨天', '2026-05-26'],
    ['2026-06-01', '2026-06-01'],
  ])('pointing back (credit dates, "as of"): %s → %s', (input, expected) => {
    expect(parseDateText(input, WED, { yearless: 'back' })).toEqual({ ok: true, date: expected });
  });

  it.each([
    ['2026/3/5', '2026-03-05'],
    ['2026年3月5日', '2026-03-05'],
    ['2026.3.5', '2026-03-05'],
    ['20260305', '2026-03-05'],
    ['2026-03-05', '2026-03-05'],
  ])('files hold absolute dates: %s → %s', (input, expected) => {
    expect(parseDateText(input, WED, { absoluteOnly: true })).toEqual({ ok: true, date: expected });
  });

  it.each(['明天', '5月31日', '5/31', '下周五', '月底', '31号'])('absoluteOnly refuses the relative %s', (input) => {
    expect(parseDateText(input, WED, { absoluteOnly: true }).ok).toBe(false);
  });

  it('every weekday of every bare/本/下 form lands in the right week, for every day of a week', () => {
    const week = ['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04', '2026-06-05', '2026-06-06', '2026-06-07'];
    const names = ['一', '二', '三', '四', '五', '六', '日'];
    for (const today of week) {
      expect(weekdayOf(today)).toBe(week.indexOf(today) + 1);
      names.forEach((n, i) => {
        const bare = parseDateText(`周${n}`, today);
        const thisWeek = parseDateText(`本周${n}`, today);
        const nextWeek = parseDateText(`下周${n}`, today);
        expect(thisWeek).toEqual({ ok: true, date: week[i] });
        expect(nextWeek).toEqual({ ok: true, date: `2026-06-${String(8 + i).padStart(2, '0')}` });
        expect(bare.ok && bare.date >= today && weekdayOf(bare.date) === i + 1).toBe(true);
        expect(bare.ok && bare.date < `2026-06-${String(Number(today.slice(8)) + 7).padStart(2, '0')}`).toBe(true);
      });
    }
  });
});

describe('looksLikeDateText', () => {
  it.each(['5月32日', '2026-13-01', '2026/2/30', '32号', '下周八', '2026年5月', '明天', '月底', '20261301'])('%s was meant as a date', (s) => {
    expect(looksLikeDateText(s)).toBe(true);
  });
  it.each(['年度培训计划', '周报', '3', '1.5', '学校:一中', '2026年度', '14:00', '提前:7'])('%s was not', (s) => {
    expect(looksLikeDateText(s)).toBe(false);
  });
});

// [input, expected HH:MM]
const TIMES: [string, string][] = [
  ['14:00', '14:00'],
  ['14：00', '14:00'],
  ['１４：００', '14:00'],
  ['9:30', '09:30'],
  ['09:30', '09:30'],
  ['0:00', '00:00'],
  ['23:59', '23:59'],
  ['14点', '14:00'],
  ['14点整', '14:00'],
  ['14点半', '14:30'],
  ['14点30', '14:30'],
  ['14点30分', '14:30'],
  ['14点5分', '14:05'],
  ['14时', '14:00'],
  ['14时30分', '14:30'],
  ['下午2点', '14:00'],
  ['下午两点', '14:00'],
  ['下午2点半', '14:30'],
  ['下午2:30', '14:30'],
  ['下午14点', '14:00'],
  ['下午12点', '12:00'],
  ['上午9:30', '09:30'],
  ['上午九点半', '09:30'],
  ['上午12点', '12:00'],
  ['早上8点', '08:00'],
  ['早上八点', '08:00'],
  ['中午12点', '12:00'],
  ['中午1点', '13:00'],
  ['傍晚6点', '18:00'],
  ['晚上7点', '19:00'],
  ['晚上七点', '19:00'],
  ['晚上11点', '23:00'],
  ['凌晨1点', '01:00'],
  ['凌晨12点', '00:00'],
  ['十七点', '17:00'],
];

const BAD_TIMES = ['24:00', '14:60', '25点', '晚上12点', '上午13点', '下午', '14', '14:0', '1400', 'abc', '凌晨9点', '14.00'];

describe('parseTimeText', () => {
  it.each(TIMES)('%s → %s', (input, expected) => {
    expect(parseTimeText(input)).toEqual({ ok: true, time: expected });
  });
  it.each(BAD_TIMES)('%s is not a time', (input) => {
    expect(parseTimeText(input)).toEqual({ ok: false, raw: input });
  });
  it('8.30 is a time only where asked (a bare 1.5 is hours)', () => {
    expect(parseTimeText('8.30', { allowDot: true })).toEqual({ ok: true, time: '08:30' });
    expect(parseTimeText('8.30').ok).toBe(false);
  });
});

// [input, start, end]
const RANGES: [string, string, string][] = [
  ['14:00-16:00', '14:00', '16:00'],
  ['8:30-9:15', '08:30', '09:15'],
  ['08：30～09：15', '08:30', '09:15'],
  ['8:30–9:15', '08:30', '09:15'],
  ['8:30—9:15', '08:30', '09:15'],
  ['8:30~9:15', '08:30', '09:15'],
  ['8:30至9:15', '08:30', '09:15'],
  ['8:30到9:15', '08:30', '09:15'],
  ['8.30-9.15', '08:30', '09:15'],
  ['14点-16点', '14:00', '16:00'],
  ['下午2点-4点', '14:00', '16:00'],
  ['下午2点到4点半', '14:00', '16:30'],
  ['下午2:00-下午4:00', '14:00', '16:00'],
  ['上午11点-12点', '11:00', '12:00'],
  ['中午12点-2点', '12:00', '14:00'],
  ['晚上7点至9点', '19:00', '21:00'],
  ['上午9点-下午1点', '09:00', '13:00'],
  ['8:30 - 9:15', '08:30', '09:15'],
];

describe('parseTimeRangeText', () => {
  it.each(RANGES)('%s → %s–%s', (input, start, end) => {
    expect(parseTimeRangeText(input)).toEqual({ ok: true, start, end });
  });
  it.each(['8:30', '25:00-26:00', '8:30-', '-9:15', 'abc-def', '2026-05-31'])('%s is not a range', (input) => {
    expect(parseTimeRangeText(input).ok).toBe(false);
  });
});

const DATE_RANGES: [string, string, string][] = [
  ['2025-03-01', '2025-03-01', '2025-03-01'],
  ['2025-03-01至03-05', '2025-03-01', '2025-03-05'],
  ['2025-03-01至2025-03-05', '2025-03-01', '2025-03-05'],
  ['2025-03-01-2025-03-05', '2025-03-01', '2025-03-05'],
  ['2025-03-01 - 03-05', '2025-03-01', '2025-03-05'],
  ['2025年3月1日-3月5日', '2025-03-01', '2025-03-05'],
  ['2025年3月1日至5日', '2025-03-01', '2025-03-05'],
  ['2025.3.1~2025.3.5', '2025-03-01', '2025-03-05'],
  ['2025/3/1到3/5', '2025-03-01', '2025-03-05'],
  ['２０２５年３月１日～３月５日', '2025-03-01', '2025-03-05'],
  ['2025-12-28至01-03', '2025-12-28', '2026-01-03'],
  ['3月1日到5日', '2026-03-01', '2026-03-05'],
  ['5月20日-5月22日', '2026-05-20', '2026-05-22'],
  ['昨天', '2026-05-26', '2026-05-26'],
  ['三月一日至三月五日', '2026-03-01', '2026-03-05'],
];

describe('parseDateRangeText', () => {
  it.each(DATE_RANGES)('%s → %s–%s', (input, start, end) => {
    expect(parseDateRangeText(input, WED, { yearless: 'back' })).toEqual({ ok: true, start, end });
  });
  it('an end before the start is returned as read (the caller says which two it read)', () => {
    expect(parseDateRangeText('2025-03-05至03-01', WED)).toEqual({ ok: true, start: '2025-03-05', end: '2025-03-01' });
  });
  it.each([
    ['2025-02-30至03-05', 'noSuchDay'],
    ['2025-03-01至02-30', 'noSuchDay'],
    ['上个月', 'unrecognised'],
    ['2025-03-01至', 'unrecognised'],
  ])('%s is refused (%s)', (input, kind) => {
    const r = parseDateRangeText(input, WED);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.kind).toBe(kind);
  });
});

describe('parseDateTimeText', () => {
  it.each([
    ['2026-05-31', '2026-05-31', null],
    ['5月31日14:00', '2026-05-31', '14:00'],
    ['5月31日下午2点', '2026-05-31', '14:00'],
    ['明天下午3点', '2026-05-28', '15:00'],
    ['下周五17:00', '2026-06-05', '17:00'],
    ['2026年5月31日17点', '2026-05-31', '17:00'],
  ])('%s → %s %s', (input, date, time) => {
    expect(parseDateTimeText(input, WED)).toEqual({ ok: true, date, time });
  });
  it('a typo stays a date problem', () => {
    const r = parseDateTimeText('5月32日14:00', WED);
    expect(r.ok).toBe(false);
  });
});

describe('saying what was understood', () => {
  it('describes a date with its weekday', () => {
    expect(describeDate('2027-05-31')).toBe('2027年5月31日（周一）');
    expect(describeDate('2026-05-27')).toBe('2026年5月27日（周三）');
  });
  it('examples are always ahead of today', () => {
    for (const today of ['2026-01-01', '2026-12-06', '2030-02-28']) expect(exampleDate(today) > today).toBe(true);
  });
});
