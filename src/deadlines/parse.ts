import {
  dateProblemReason,
  looksLikeDateText,
  looksLikeTimeText,
  parseDateText,
  parseDateTimeText,
  parseTimeText,
} from '../time/parse.js';
import { MAX_OFFSET_DAYS } from './slots.js';

/**
 * `<标题> <日期>[ 时间] [学校:一中,二中|全部] [提前:30,7,3,1,0]`, as typed in chat or on the CLI. Dates and times
 * in every form src/time/parse.ts reads (2027-05-31, 5月31日, 明天, 下周五, 月底; 17:00, 下午5点).
 */
export interface DeadlineSpec {
  title: string;
  date: string;
  time: string | null;
  schools: 'all' | string[];
  offsets: number[] | null;
}

export type SpecProblem =
  | { kind: 'missingDate' }
  | { kind: 'badDate'; value: string; reason?: string }
  | { kind: 'badTime'; value: string }
  | { kind: 'emptyTitle' }
  | { kind: 'titleTooLong'; max: number }
  | { kind: 'badOffsets'; value: string }
  | { kind: 'emptySchools' }
  | { kind: 'unknownWord'; value: string };

/** What a refused line was read as, so the reply can say what it did understand. */
export type Understood = Partial<DeadlineSpec>;

export type SpecResult = { ok: true; spec: DeadlineSpec } | { ok: false; problem: SpecProblem; understood: Understood };

export const MAX_TITLE_CHARS = 100;

const OPTION = /^(学校|提前|schools?|offsets?)[:：=](.*)$/i;

/** The deadline commands a card's button sends, by their public names. */
export const DEADLINE_COMMANDS = {
  filed: '已报送',
  status: '报送情况',
} as const;

/** 学校:X after 已报送 / 确认报送 / 撤销报送 (an officer or a button naming the school). */
export const SCHOOL_OPTION = /^(学校|school)[:：=](.+)$/i;

/** What a reminder's 已报送 button sends: `#12 学校:一中`, read back by SCHOOL_OPTION. */
export const filedArgs = (deadlineId: number, school: string) => `#${deadlineId} 学校:${school}`;
const LIST_SPLIT = /[,，、;；]+/;

/** A date in any form the date reader knows → YYYY-MM-DD; null when it is not one (relative forms need `today`). */
export function normaliseDate(word: string, today?: string): string | null {
  const r = parseDateText(word, today ?? '2000-01-01', { absoluteOnly: today === undefined });
  return r.ok ? r.date : null;
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

/** 17:00, 17：00, 17点, 下午5点, 下午5点半 … → `HH:MM`; null when it is not a time of day. */
export function normaliseTime(word: string): string | null {
  const r = parseTimeText(word);
  return r.ok ? r.time : null;
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

/** The words after the date: an optional time first, then options. */
function readTail(words: string[], spec: DeadlineSpec): SpecProblem | null {
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (i === 0 && spec.time === null && looksLikeTimeText(word)) {
      spec.time = normaliseTime(word);
      if (!spec.time) return { kind: 'badTime', value: word };
      continue;
    }
    const option = OPTION.exec(word);
    if (!option) return { kind: 'unknownWord', value: word };
    const name = option[1].toLowerCase();
    if (name === '学校' || name.startsWith('school')) {
      const items = splitList(option[2]);
      if (items.length === 0) return { kind: 'emptySchools' };
      spec.schools = items.length === 1 && ['全部', 'all', '所有学校'].includes(items[0].toLowerCase()) ? 'all' : [...new Set(items)];
    } else {
      const offsets = parseOffsetList(option[2]);
      if (!offsets) return { kind: 'badOffsets', value: option[2] };
      spec.offsets = offsets;
    }
  }
  return null;
}

function understoodOf(spec: DeadlineSpec): Understood {
  const out: Understood = {};
  if (spec.title) out.title = spec.title;
  if (spec.date) out.date = spec.date;
  if (spec.time) out.time = spec.time;
  if (spec.schools !== 'all') out.schools = spec.schools;
  if (spec.offsets) out.offsets = spec.offsets;
  return out;
}

/**
 * Reads 新建截止's text. The date is the first word that reads as one and is followed only by a time and options,
 * so a title may hold date-like words ("月底 报表 5月31日"). A date may carry its time ("明天下午5点").
 */
export function parseDeadlineSpec(text: string, today: string): SpecResult {
  const words = text.replace(/\u3000/g, ' ').split(/\s+/).filter(Boolean);
  const dates = words.map((w) => parseDateTimeText(w, today));
  const candidates = dates.flatMap((d, i) => (d.ok ? [i] : []));
  const tried = candidates.map((i) => {
    const d = dates[i] as Extract<(typeof dates)[number], { ok: true }>;
    const spec: DeadlineSpec = { title: words.slice(0, i).join(' ').trim(), date: d.date, time: d.time, schools: 'all', offsets: null };
    return { spec, problem: readTail(words.slice(i + 1), spec) };
  });
  const chosen = tried.find((c) => c.problem === null) ?? tried[0];
  if (!chosen) {
    // No date: one that was meant as a date is wrong, else it is missing. Say what the rest was read as.
    const at = words.findIndex((w) => looksLikeDateText(w) || looksLikeDateText(w.replace(/[0-9:：点时分半整午上下晚早]+$/, '')));
    const spec: DeadlineSpec = { title: '', date: '', time: null, schools: 'all', offsets: null };
    if (at < 0) {
      const optionsAt = words.findIndex((w) => OPTION.test(w) || looksLikeTimeText(w));
      spec.title = words.slice(0, optionsAt < 0 ? words.length : optionsAt).join(' ');
      if (optionsAt >= 0) readTail(words.slice(optionsAt), spec);
      return { ok: false, problem: { kind: 'missingDate' }, understood: understoodOf(spec) };
    }
    spec.title = words.slice(0, at).join(' ');
    readTail(words.slice(at + 1), spec);
    const r = dates[at];
    const reason = !r.ok ? dateProblemReason(r.problem) : undefined;
    return { ok: false, problem: { kind: 'badDate', value: words[at], reason }, understood: understoodOf(spec) };
  }
  const { spec } = chosen;
  if (chosen.problem) return { ok: false, problem: chosen.problem, understood: understoodOf(spec) };
  const badTitle = titleProblem(spec.title);
  if (badTitle) return { ok: false, problem: badTitle, understood: understoodOf(spec) };
  return { ok: true, spec };
}
