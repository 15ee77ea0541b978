/**
 * The one reader of dates and times as people type them — in chat commands, CLI flags, console forms and
 * imported files. Pure functions: anything relative ("明天", "下周五", "5月31日") is resolved against `today`, a
 * calendar date (YYYY-MM-DD) in the configured TIMEZONE that the caller takes from its Clock. The calendar
 * arithmetic is src/policy/dates.ts's; nothing here knows about instants or time zones.
 *
 * Dates: 2026-05-31, 2026/5/31, 2026.5.31, 2026年5月31日 (号 too), 20260531; 5月31日, 5/31, 5-31 and 31日/31号
 * (the next such date, TODAY INCLUDED: "5月31日" typed on May 31st is that day, so a deadline "today" needs no
 * year); 今天, 明天, 后天, 大后天, 昨天, 前天; 周五 (the next Friday, today included), 本周五/这周五 (this week's,
 * weeks start on Monday), 下周五, 下下周五, 上周五; 月底, 本月底, 下月底, 下月初, 年底, 明年底. Full-width digits and
 * punctuation, and Chinese numerals (五月三十一日, 十二月一号) read the same.
 * Times: 14:00, 14：00, 14点, 14点半, 14点30分, 14时, 下午2点, 上午9:30, 晚上7点, 中午12点; ranges 14:00-16:00,
 * 8:30至9:15, 下午2点到4点 (the second half inherits 下午).
 * A date that has the shape of one but does not exist (2026-02-30, 5月32日) is refused with what was read.
 */
import { addDays, addMonths, formatYmd, isValidDate, parseYmd, toDayNumber } from '../policy/dates.js';
import { timeText } from '../bot/i18n/zh-CN.time.js';

/** What a date text was read as when it could not be a date: the parts, so a message can say "2月没有30日". */
export type DateProblem =
  | { kind: 'unrecognised'; raw: string }
  | { kind: 'noSuchDay'; raw: string; year: number | null; month: number; day: number };

export type DateResult = { ok: true; date: string } | { ok: false; problem: DateProblem };
export type TimeResult = { ok: true; time: string } | { ok: false; raw: string };
export type TimeRangeResult = { ok: true; start: string; end: string } | { ok: false; raw: string };

export interface DateOptions {
  /** Refuse 明天, 下周五, 5月31日 and other forms that need `today` (files hold absolute dates only). */
  absoluteOnly?: boolean;
  /**
   * Which way a date without a year (5月31日, 31号, a bare 周五) points: 'ahead' (default: the next such day, today
   * included — deadlines, sessions) or 'back' (the latest such day, today included — credit dates, "as of").
   */
  yearless?: 'ahead' | 'back';
}

/* ------------------------------------------------------------------ normalising */

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 五 → 5, 十二 → 12, 三十一 → 31, 二〇二六 → 2026 (digit by digit when there is no 十). */
function cnNumber(s: string): number | null {
  if (!s.includes('十')) {
    let out = '';
    for (const ch of s) {
      if (!(ch in CN_DIGITS)) return null;
      out += CN_DIGITS[ch];
    }
    return out ? Number(out) : null;
  }
  const m = /^([一二两三四五六七八九]?)十([一二三四五六七八九]?)$/.exec(s);
  if (!m) return null;
  return (m[1] ? CN_DIGITS[m[1]] : 1) * 10 + (m[2] ? CN_DIGITS[m[2]] : 0);
}

/**
 * Full-width → ASCII, white space out, Chinese numerals that count something (年 月 日 号 点 时 分) → digits.
 * Numerals after 周/星期/礼拜 stay: "周一" is a weekday, not a number.
 */
export function normaliseDateText(raw: string): string {
  return raw
    .normalize('NFKC') // ０-９ → 0-9, ：→:, ／→/, －→-, ．→.
    .replace(/[\s\u3000]+/g, '')
    .replace(/[～〜]/g, '~')
    .replace(/[–—―]/g, '-')
    .replace(/[零〇一二两三四五六七八九十]+(?=[年月日号點点时時分半])/g, (s, offset: number, whole: string) => {
      // "星期日" / "周日": 日 is the weekday, not "the n-th".
      if (/(周|星期|礼拜)$/.test(whole.slice(0, offset))) return s;
      const n = cnNumber(s);
      return n === null ? s : String(n);
    })
    .replace(/點/g, '点')
    .replace(/時/g, '时');
}

/* ------------------------------------------------------------------ dates */

const pad = (n: number) => String(n).padStart(2, '0');

function ymd(year: number, month: number, day: number): DateResult {
  const date = `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
  return isValidDate(date) ? { ok: true, date } : { ok: false, problem: { kind: 'noSuchDay', raw: '', year, month, day } };
}

const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** The first (month, day) on or after `today` (before or on, going `back`); 2月29日 waits for a leap year. */
function nextMonthDay(month: number, day: number, today: string, back = false): DateResult {
  if (month < 1 || month > 12 || day < 1 || day > 31 || day > daysInMonth(2000, month)) {
    return { ok: false, problem: { kind: 'noSuchDay', raw: '', year: null, month, day } };
  }
  const { y } = parseYmd(today);
  for (let i = 0; i <= 8; i++) {
    const date = `${back ? y - i : y + i}-${pad(month)}-${pad(day)}`;
    if (isValidDate(date) && (back ? date <= today : date >= today)) return { ok: true, date };
  }
  return { ok: false, problem: { kind: 'noSuchDay', raw: '', year: null, month, day } };
}

/** The first day-of-month `day` on or after `today` (before or on, going `back`; months without it are skipped). */
function nextDayOfMonth(day: number, today: string, back = false): DateResult {
  if (day < 1 || day > 31) return { ok: false, problem: { kind: 'noSuchDay', raw: '', year: null, month: parseYmd(today).m, day } };
  const { y, m } = parseYmd(today);
  for (let i = 0; i < 13; i++) {
    const first = addMonths(formatYmd({ y, m, d: 1 }), back ? -i : i);
    const { y: yy, m: mm } = parseYmd(first);
    if (day <= daysInMonth(yy, mm)) {
      const date = formatYmd({ y: yy, m: mm, d: day });
      if (back ? date <= today : date >= today) return { ok: true, date };
    }
  }
  return { ok: false, problem: { kind: 'noSuchDay', raw: '', year: null, month: m, day } };
}

const RELATIVE_DAYS: Record<string, number> = {
  今天: 0, 今日: 0, today: 0, 明天: 1, 明日: 1, tomorrow: 1, 后天: 2, 後天: 2, 大后天: 3, 昨天: -1, 昨日: -1, yesterday: -1, 前天: -2,
};

const WEEKDAY: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7, '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '6': 6, '7': 7 };

/** 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: string): number {
  // 1970-01-01 was a Thursday (4).
  return ((((toDayNumber(date) + 3) % 7) + 7) % 7) + 1;
}

function weekday(prefix: string, dayName: string, today: string, back: boolean): string {
  const target = WEEKDAY[dayName];
  const now = weekdayOf(today);
  if (prefix === '') return addDays(today, back ? -((now - target + 7) % 7) : (target - now + 7) % 7);
  const thisWeek = addDays(today, target - now);
  if (/^(本|这)/.test(prefix)) return thisWeek;
  if (/^下下/.test(prefix)) return addDays(thisWeek, 14);
  if (/^下/.test(prefix)) return addDays(thisWeek, 7);
  return addDays(thisWeek, -7); // 上
}

const lastDayOf = (date: string) => {
  const { y, m } = parseYmd(date);
  return formatYmd({ y, m, d: daysInMonth(y, m) });
};

function monthShift(prefix: string): number | null {
  if (prefix === '' || /^(本|这)/.test(prefix)) return 0;
  if (/^下下/.test(prefix)) return 2;
  if (/^下/.test(prefix)) return 1;
  if (/^上/.test(prefix)) return -1;
  return null;
}

const ABS_DASHED = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;
const ABS_CN = /^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$/;
const ABS_COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const MONTH_DAY = /^(\d{1,2})月(\d{1,2})[日号]?$|^(\d{1,2})[/-](\d{1,2})$/;
const DAY_ONLY = /^(\d{1,2})[日号]$/;
const WEEKDAY_RE = /^(下下个?|下个?|本|这个?|上个?)?(?:周|星期|礼拜)([一二三四五六日天1-7])$/;
const MONTH_END_RE = /^(本|这个?|下个?|下下个?|上个?)?月(底|末)$/;
const MONTH_START_RE = /^(下个?|下下个?)月初$/;
const YEAR_END_RE = /^(?:(今年|明年)年?|年)(底|末)$/;

/** Reads one date; `raw` is one word (white space inside is ignored). */
export function parseDateText(raw: string, today: string, options: DateOptions = {}): DateResult {
  const s = normaliseDateText(raw).toLowerCase();
  const withRaw = (r: DateResult): DateResult => (r.ok ? r : { ok: false, problem: { ...r.problem, raw } });
  let m = ABS_DASHED.exec(s) ?? ABS_CN.exec(s) ?? ABS_COMPACT.exec(s);
  if (m) return withRaw(ymd(Number(m[1]), Number(m[2]), Number(m[3])));
  const unrecognised: DateResult = { ok: false, problem: { kind: 'unrecognised', raw } };
  if (options.absoluteOnly) return unrecognised;

  const back = options.yearless === 'back';
  if ((m = MONTH_DAY.exec(s))) return withRaw(nextMonthDay(Number(m[1] ?? m[3]), Number(m[2] ?? m[4]), today, back));
  if ((m = DAY_ONLY.exec(s))) return withRaw(nextDayOfMonth(Number(m[1]), today, back));
  if (s in RELATIVE_DAYS) return { ok: true, date: addDays(today, RELATIVE_DAYS[s]) };
  if ((m = WEEKDAY_RE.exec(s))) return { ok: true, date: weekday(m[1] ?? '', m[2], today, back) };
  if ((m = MONTH_END_RE.exec(s))) {
    const shift = monthShift(m[1] ?? '');
    if (shift !== null) return { ok: true, date: lastDayOf(addMonths(formatYmd({ ...parseYmd(today), d: 1 }), shift)) };
  }
  if ((m = MONTH_START_RE.exec(s))) {
    const shift = monthShift(m[1]);
    if (shift !== null) return { ok: true, date: addMonths(formatYmd({ ...parseYmd(today), d: 1 }), shift) };
  }
  if ((m = YEAR_END_RE.exec(s))) {
    const year = parseYmd(today).y + (m[1] === '明年' ? 1 : 0);
    return { ok: true, date: `${year}-12-31` };
  }
  return unrecognised;
}

/**
 * Whether a word was meant as a date (so a failure is "this date is wrong", not "there is no date"): it has a
 * date's shape, even if that day does not exist (5月32日, 2026-13-01, 2026/2/30).
 */
export function looksLikeDateText(raw: string): boolean {
  const s = normaliseDateText(raw).toLowerCase();
  return (
    /^\d{4}[-/.年]\d{1,2}([-/.月]\d{1,2}[日号]?)?$/.test(s) ||
    /^\d{4}年\d{1,2}月$/.test(s) ||
    /^\d{1,2}月\d{1,2}[日号]?$/.test(s) ||
    /^\d{1,2}[/-]\d{1,2}$/.test(s) ||
    /^\d{1,2}[日号]$/.test(s) ||
    /^20\d{6}$/.test(s) ||
    s in RELATIVE_DAYS ||
    /^(下下个?|下个?|本|这个?|上个?)?(周|星期|礼拜)[一二三四五六七八九十日天0-9]$/.test(s) ||
    /月(底|末|初)$|年(底|末)$/.test(s)
  );
}

/* ------------------------------------------------------------------ date ranges */

export type DateRangeResult = { ok: true; start: string; end: string } | { ok: false; problem: DateProblem };

const RANGE_SEPARATOR = /至|到|~|-|—/g;
const END_MONTH_DAY = /^(\d{1,2})(?:[-/.]|月)(\d{1,2})[日号]?$/;
const END_DAY = /^(\d{1,2})[日号]?$/;

/** The end of a range, which may leave out what it shares with the start: 2025-03-01至03-05, 3月1日到5日. */
function rangeEnd(raw: string, start: string, today: string, options: DateOptions): DateResult {
  const { y, m } = parseYmd(start);
  let parts = END_MONTH_DAY.exec(raw);
  if (parts) {
    // 2025-12-28至01-03 runs over New Year.
    const same = ymd(y, Number(parts[1]), Number(parts[2]));
    return same.ok && Number(parts[1]) < m ? ymd(y + 1, Number(parts[1]), Number(parts[2])) : same;
  }
  parts = END_DAY.exec(raw);
  if (parts) return ymd(y, m, Number(parts[1]));
  return parseDateText(raw, today, options);
}

/**
 * One date, or a range of two joined by 至/到/~/-: "2025-03-01至03-05", "2025年3月1日-3月5日", "3月1日到5日",
 * "2025.3.1~2025.3.5". The end inherits the start's year (and month) when it leaves them out. A single date is a
 * range of one day. The end before the start is the caller's to refuse (it can say which two it read).
 */
export function parseDateRangeText(raw: string, today: string, options: DateOptions = {}): DateRangeResult {
  const s = normaliseDateText(raw).toLowerCase();
  const single = parseDateText(s, today, options);
  if (single.ok) return { ok: true, start: single.date, end: single.date };
  // A day that does not exist (2月30日) says more than "not a date", so it wins as the reason.
  let problem: DateProblem = { ...single.problem, raw };
  const note = (p: DateProblem) => {
    if (p.kind === 'noSuchDay' && problem.kind !== 'noSuchDay') problem = { ...p, raw };
  };
  for (const sep of s.matchAll(RANGE_SEPARATOR)) {
    const left = s.slice(0, sep.index);
    const right = s.slice(sep.index + sep[0].length);
    if (!left || !right) continue;
    const start = parseDateText(left, today, options);
    if (!start.ok) {
      note(start.problem);
      continue;
    }
    const end = rangeEnd(right, start.date, today, options);
    if (end.ok) return { ok: true, start: start.date, end: end.date };
    note(end.problem);
  }
  return { ok: false, problem };
}

/* ------------------------------------------------------------------ times */

const PERIOD = '(凌晨|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|夜里|夜间)?';
const CLOCK_COLON = new RegExp(`^${PERIOD}(\\d{1,2}):(\\d{2})$`);
const CLOCK_DOT = new RegExp(`^${PERIOD}(\\d{1,2})\\.(\\d{2})$`);
const CLOCK_WORD = new RegExp(`^${PERIOD}(\\d{1,2})[点时](?:(半)|(整)|(\\d{1,2})分?)?$`);

interface ReadTime {
  hour: number;
  minute: number;
  period: string | null;
}

function readTime(s: string, allowDot: boolean): ReadTime | null {
  const m = CLOCK_COLON.exec(s) ?? (allowDot ? CLOCK_DOT.exec(s) : null);
  if (m) return { period: m[1] ?? null, hour: Number(m[2]), minute: Number(m[3]) };
  const w = CLOCK_WORD.exec(s);
  if (w) return { period: w[1] ?? null, hour: Number(w[2]), minute: w[3] ? 30 : w[5] ? Number(w[5]) : 0 };
  return null;
}

/** 下午2点 → 14; 中午1点 → 13; 凌晨12点 → 0; 晚上12点 and 上午13点 are not times. */
function to24h(t: ReadTime): string | null {
  let h = t.hour;
  const p = t.period;
  if (p === '下午' || p === '傍晚' || p === '晚上' || p === '夜里' || p === '夜间') {
    if (h === 12 && p !== '下午') return null;
    if (h < 12) h += 12;
  } else if (p === '中午') {
    if (h >= 1 && h <= 3) h += 12;
    else if (h !== 12 && h < 11) return null;
  } else if (p === '凌晨') {
    if (h === 12) h = 0;
    if (h > 6) return null;
  } else if (p) {
    // 上午 / 早上
    if (h > 12) return null;
  }
  if (h > 23 || t.minute > 59) return null;
  return `${pad(h)}:${pad(t.minute)}`;
}

/** Reads one time of day → HH:MM. `allowDot` also reads 8.30 (only where a number could not mean hours). */
export function parseTimeText(raw: string, options: { allowDot?: boolean } = {}): TimeResult {
  const s = normaliseDateText(raw).toLowerCase();
  const t = readTime(s, options.allowDot ?? false);
  const time = t && to24h(t);
  return time ? { ok: true, time } : { ok: false, raw };
}

/** Whether a word was meant as a time (so "25:00" is a wrong time, not part of a title). */
export function looksLikeTimeText(raw: string): boolean {
  return readTime(normaliseDateText(raw).toLowerCase(), false) !== null;
}

const RANGE_DASH = /^(.+?)(?:-|~|至|到)(.+)$/;

/** 14:00-16:00, 8:30至9:15, 8.30~9.15, 下午2点到4点 (the end inherits the start's 下午 when it has none). */
export function parseTimeRangeText(raw: string): TimeRangeResult {
  const s = normaliseDateText(raw).toLowerCase();
  const m = RANGE_DASH.exec(s);
  if (!m) return { ok: false, raw };
  const a = readTime(m[1], true);
  const b = readTime(m[2], true);
  if (!a || !b) return { ok: false, raw };
  const start = to24h(a);
  // "下午2点到4点" read literally would end at 04:00: the end inherits the start's half of the day.
  const end = b.period === null && a.period !== null ? (to24h({ ...b, period: a.period }) ?? to24h(b)) : to24h(b);
  return start && end ? { ok: true, start, end } : { ok: false, raw };
}

/** Whether a word has the shape of a time range (a wrong one included, e.g. 25:00-26:00). */
export function looksLikeTimeRangeText(raw: string): boolean {
  const m = RANGE_DASH.exec(normaliseDateText(raw).toLowerCase());
  return !!m && readTime(m[1], true) !== null && readTime(m[2], true) !== null;
}

/* ------------------------------------------------------------------ a date and a time in one word */

export type DateTimeResult = { ok: true; date: string; time: string | null } | { ok: false; problem: DateProblem };

/** "5月31日14:00", "明天下午3点", "2026-05-31" — a date, optionally glued to a time. */
export function parseDateTimeText(raw: string, today: string): DateTimeResult {
  const whole = parseDateText(raw, today);
  if (whole.ok) return { ok: true, date: whole.date, time: null };
  const s = normaliseDateText(raw);
  for (let k = s.length - 1; k >= 2; k--) {
    const date = parseDateText(s.slice(0, k), today);
    if (!date.ok) continue;
    const time = parseTimeText(s.slice(k));
    if (time.ok) return { ok: true, date: date.date, time: time.time };
  }
  return whole;
}

/* ------------------------------------------------------------------ saying what was read */

/** 2027-05-31 → "2027年5月31日（周一）": how a reply says which date it understood. */
export function describeDate(date: string): string {
  const { y, m, d } = parseYmd(date);
  return timeText.date(y, m, d, weekdayOf(date));
}

/** Why a date text is not a date, in a few words: "2026年2月没有30日", "没有13月". */
export function dateProblemReason(p: DateProblem): string {
  const says = timeText.problems;
  if (p.kind === 'unrecognised') return says.unrecognised;
  if (p.month < 1 || p.month > 12) return says.noSuchMonth(p.month);
  return says.noSuchDay(p.year, p.month, p.day);
}

/** A date for examples in usage texts and error messages: always ahead of `today` (30 days on). */
export function exampleDate(today: string): string {
  return addDays(today, 30);
}
