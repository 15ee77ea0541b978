/**
 * Calendar arithmetic on "YYYY-MM-DD" strings. Everything goes through UTC day numbers so the
 * result never depends on the host time zone or on the current moment.
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

export interface Ymd {
  y: number;
  m: number; // 1-12
  d: number;
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function isValidDate(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const match = DATE_RE.exec(s);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** "MM-DD" that exists in some year (02-29 allowed: it exists in leap years). */
export function isValidMonthDay(s: unknown): s is string {
  return typeof s === 'string' && /^\d{2}-\d{2}$/.test(s) && isValidDate(`2000-${s}`);
}

export function parseYmd(s: string): Ymd {
  if (!isValidDate(s)) throw new Error(`Invalid date "${s}", expected YYYY-MM-DD`);
  return { y: Number(s.slice(0, 4)), m: Number(s.slice(5, 7)), d: Number(s.slice(8, 10)) };
}

export function formatYmd({ y, m, d }: Ymd): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Days since 1970-01-01 (UTC). */
export function toDayNumber(s: string): number {
  const { y, m, d } = parseYmd(s);
  return Date.UTC(y, m - 1, d) / MS_PER_DAY;
}

export function fromDayNumber(n: number): string {
  const dt = new Date(n * MS_PER_DAY);
  return formatYmd({ y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() });
}

export function addDays(s: string, days: number): string {
  return fromDayNumber(toDayNumber(s) + days);
}

/** Month arithmetic clamps to the month's last day (01-31 + 1 month = 02-28/29), like HR systems do. */
export function addMonths(s: string, months: number): string {
  const { y, m, d } = parseYmd(s);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  return formatYmd({ y: ny, m: nm, d: Math.min(d, daysInMonth(ny, nm)) });
}

export function addYears(s: string, years: number): string {
  return addMonths(s, years * 12);
}

/** b − a in days (0 when equal). */
export function daysBetween(a: string, b: string): number {
  return toDayNumber(b) - toDayNumber(a);
}

/** Valid YYYY-MM-DD strings sort lexically, but parse anyway so a bad date fails loudly. */
export function compareDates(a: string, b: string): number {
  return Math.sign(toDayNumber(a) - toDayNumber(b));
}

export function isWithin(date: string, start: string, end: string): boolean {
  return compareDates(start, date) <= 0 && compareDates(date, end) <= 0;
}

export interface DateWindow {
  start: string;
  end: string; // inclusive
}

export function calendarYearOf(s: string): DateWindow {
  const { y } = parseYmd(s);
  return { start: formatYmd({ y, m: 1, d: 1 }), end: formatYmd({ y, m: 12, d: 31 }) };
}

/** 学年 runs Sep 1 – Aug 31 (domain.md ambiguity 4). */
export function schoolYearOf(s: string): DateWindow {
  const { y, m } = parseYmd(s);
  const startYear = m >= 9 ? y : y - 1;
  return {
    start: formatYmd({ y: startYear, m: 9, d: 1 }),
    end: formatYmd({ y: startYear + 1, m: 8, d: 31 }),
  };
}

/** Whole years from `from` to `to` (anniversary-based; a 02-29 start has its anniversary on 02-28). */
export function completedYears(from: string, to: string): number {
  let years = parseYmd(to).y - parseYmd(from).y;
  if (compareDates(addYears(from, years), to) > 0) years -= 1;
  return years;
}
