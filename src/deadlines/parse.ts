import { isValidDate } from '../policy/dates.js';
import { MAX_OFFSET_DAYS } from './slots.js';

/** `<标题> <YYYY-MM-DD>[ HH:MM] [学校:一中,二中|全部] [提前:30,7,3,1,0]`, as typed in chat or on the CLI. */
export interface DeadlineSpec {
  title: string;
  date: string;
  time: string | null;
  schools: 'all' | string[];
  offsets: number[] | null;
}

export type SpecProblem =
  | { kind: 'missingDate' }
  | { kind: 'badDate'; value: string }
  | { kind: 'badTime'; value: string }
  | { kind: 'emptyTitle' }
  | { kind: 'titleTooLong'; max: number }
  | { kind: 'badOffsets'; value: string }
  | { kind: 'emptySchools' }
  | { kind: 'unknownWord'; value: string };

export const MAX_TITLE_CHARS = 100;

const DATE_LIKE = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/;
const TIME_LIKE = /^(\d{1,2})[:：](\d{2})$/;
const OPTION = /^(学校|提前|schools?|offsets?)[:：=](.*)$/i;
const LIST_SPLIT = /[,，、;；]+/;

export function normaliseDate(word: string): string | null {
  const m = DATE_LIKE.exec(word);
  if (!m) return null;
  const date = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  return isValidDate(date) ? date : null;
}

/*
 * One field each, shared by the chat parser below and by forms that ask for the fields one by one (the web
 * console), so a deadline is held to the same rules whichever way it comes in.
 */

/** A title as stored: runs of white space (full-width too) become one space, none at either end. */
export function normaliseTitle(text: string): string {
  return text.replace(/\u3000/g, ' ').split(/\s+/).filter(Boolean).join(' ');
}

/** What is wrong with a (normalised) title, if anything. */
export function titleProblem(title: string): SpecProblem | null {
  if (!title) return { kind: 'emptyTitle' };
  if ([...title].length > MAX_TITLE_CHARS) return { kind: 'titleTooLong', max: MAX_TITLE_CHARS };
  return null;
}

/** `H:MM` / `HH:MM` (a full-width colon too) → `HH:MM`; null when it is not a time of day. */
export function normaliseTime(word: string): string | null {
  const t = TIME_LIKE.exec(word);
  if (!t) return null;
  const [h, m] = [Number(t[1]), Number(t[2])];
  if (h > 23 || m > 59) return null;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** A reminder offset: whole days before the due date, 0 (the day itself) to MAX_OFFSET_DAYS. */
export function isOffsetDays(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_OFFSET_DAYS;
}

/** `30,7,3,1,0` (any of , ， 、 ; ；) → distinct offsets, largest first; null when empty or any is not an offset. */
export function parseOffsetList(text: string): number[] | null {
  const values = splitList(text).map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  if (values.length === 0 || !values.every(isOffsetDays)) return null;
  return [...new Set(values)].sort((a, b) => b - a);
}

function splitList(text: string): string[] {
  return text.split(LIST_SPLIT).map((s) => s.trim()).filter(Boolean);
}

export function parseDeadlineSpec(text: string): { ok: true; spec: DeadlineSpec } | { ok: false; problem: SpecProblem } {
  const words = text.replace(/\u3000/g, ' ').split(/\s+/).filter(Boolean);
  const dateAt = words.findIndex((w) => DATE_LIKE.test(w));
  if (dateAt < 0) {
    const looksLikeDate = words.find((w) => /^\d{4}[-/.年]/.test(w));
    return { ok: false, problem: looksLikeDate ? { kind: 'badDate', value: looksLikeDate } : { kind: 'missingDate' } };
  }
  const date = normaliseDate(words[dateAt]);
  if (!date) return { ok: false, problem: { kind: 'badDate', value: words[dateAt] } };
  const title = words.slice(0, dateAt).join(' ').trim();
  const badTitle = titleProblem(title);
  if (badTitle) return { ok: false, problem: badTitle };

  let time: string | null = null;
  let schools: DeadlineSpec['schools'] = 'all';
  let offsets: number[] | null = null;
  const rest = words.slice(dateAt + 1);
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i];
    if (TIME_LIKE.test(word) && i === 0) {
      time = normaliseTime(word);
      if (!time) return { ok: false, problem: { kind: 'badTime', value: word } };
      continue;
    }
    const option = OPTION.exec(word);
    if (!option) return { ok: false, problem: { kind: 'unknownWord', value: word } };
    const name = option[1].toLowerCase();
    if (name === '学校' || name.startsWith('school')) {
      const items = splitList(option[2]);
      if (items.length === 0) return { ok: false, problem: { kind: 'emptySchools' } };
      schools = items.length === 1 && ['全部', 'all', '所有学校'].includes(items[0].toLowerCase()) ? 'all' : [...new Set(items)];
    } else {
      offsets = parseOffsetList(option[2]);
      if (!offsets) return { ok: false, problem: { kind: 'badOffsets', value: option[2] } };
    }
  }
  return { ok: true, spec: { title, date, time, schools, offsets } };
}
