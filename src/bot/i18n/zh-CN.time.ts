/**
 * How a reply says a date it read, and why a typed date is not one (src/time/parse.ts describeDate and
 * dateProblemReason). Imports nothing, so the pure date reader can use it without a cycle.
 */
const WEEKDAY_NAMES = ['', '一', '二', '三', '四', '五', '六', '日'];

export const timeText = {
  /** 2027-05-31 (a Monday, weekday 1) → "2027年5月31日（周一）"; weekday is 1–7, Monday first. */
  date: (year: number, month: number, day: number, weekday: number) => `${year}年${month}月${day}日（周${WEEKDAY_NAMES[weekday]}）`,
  problems: {
    unrecognised: '看不出是哪一天',
    noSuchMonth: (month: number) => `没有${month}月`,
    noSuchDay: (year: number | null, month: number, day: number) =>
      year !== null ? `${year}年${month}月没有${day}日` : `${month}月没有${day}日`,
  },
};

export type TimeText = typeof timeText;
