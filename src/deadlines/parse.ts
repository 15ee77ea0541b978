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
  if (!title) return { ok: false, problem: { kind: 'emptyTitle' } };
  if ([...title].length > MAX_TITLE_CHARS) return { ok: false, problem: { kind: 'titleTooLong', max: MAX_TITLE_CHARS } };

  let time: string | null = null;
  let schools: DeadlineSpec['schools'] = 'all';
  let offsets: number[] | null = null;
  const rest = words.slice(dateAt + 1);
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i];
    const t = TIME_LIKE.exec(word);
    if (t && i === 0) {
      const [h, m] = [Number(t[1]), Number(t[2])];
      if (h > 23 || m > 59) return { ok: false, problem: { kind: 'badTime', value: word } };
      time = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
      continue;
    }
    const option = OPTION.exec(word);
    if (!option) return { ok: false, problem: { kind: 'unknownWord', value: word } };
    const name = option[1].toLowerCase();
    const items = option[2].split(LIST_SPLIT).map((s) => s.trim()).filter(Boolean);
    if (name === '学校' || name.startsWith('school')) {
      if (items.length === 0) return { ok: false, problem: { kind: 'emptySchools' } };
      schools = items.length === 1 && ['全部', 'all', '所有学校'].includes(items[0].toLowerCase()) ? 'all' : [...new Set(items)];
    } else {
      const values = items.map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
      if (values.length === 0 || values.some((n) => !Number.isInteger(n) || n < 0 || n > MAX_OFFSET_DAYS)) {
        return { ok: false, problem: { kind: 'badOffsets', value: option[2] } };
      }
      offsets = [...new Set(values)].sort((a, b) => b - a);
    }
  }
  return { ok: true, spec: { title, date, time, schools, offsets } };
}
