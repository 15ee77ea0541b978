import { dateProblemReason, looksLikeDateText, looksLikeTimeRangeText, parseDateText, parseTimeRangeText } from '../time/parse.js';
import { normaliseCategory, type PolicyPreset } from '../policy/schema.js';
import { canonicalRole, EVERYONE, type Audience } from './audience.js';
import type { DraftProblem, SessionDraft, TimeRange } from './service.js';
import type { SessionMode } from './model.js';
import { STATIC_CODE_RE } from './service.js';
import { asciiDigits } from '../core/text.js';

/**
 * The forgiving one-line syntax of 新建培训 (and the values of the CLI flags):
 *
 *   新建培训 <标题> <类别> <学时> <日期> <签到时段> [签退 <时段>] [对象 <谁>] [方式 <方式>]
 *   新建培训 师德专题讲座 师德师风 3 2026-12-01 08:30-09:15 签退 11:30-12:00 对象 学校:一中,二中 方式 固定码:123456
 *
 * - Order does not matter except that words after 签退/对象/方式 belong to them; whatever is left is the
 *   title (quote it with 「」 or "" to keep words that look like something else).
 * - 日期: every form of src/time/parse.ts: 2026-12-01, 2026/12/1, 2026年12月1日, 12-01, 12月1日, 今天, 明天, 后天, 下周五, 月底.
 * - 时段: 08:30-09:15, 8:30–9:15, 08：30~09：15, 8:30至9:15, 8:30 到 9:15, 下午2点-4点. A second bare 时段 is the sign-out.
 * - 学时: 3, 1.5, 3学时, 3小时.
 * - 对象: 全部 | 学校:一中,二中 | 角色:班主任,校长 (also bare 学校:… / 角色:… without 对象).
 * - 方式: 动态码 (default) | 固定码 or 固定码:123456 | 按钮. Also bare, and rotating / static:123456 / button.
 * - 讲师:李老师 and 项目:国培2026 (optional; only with the colon, so a title word 项目 stays in the title): the
 *   evaluation's results group by them.
 * Separators may be full-width (，、：；).
 */

/** The sign-in commands' public names, also sent by the sign-in card's buttons (`签到 #<id>`). */
export const SIGN_IN_COMMANDS = {
  signIn: '签到',
  signOut: '签退',
} as const;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problem: DraftProblem; understood?: Partial<SessionDraft> };

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const fail = <T>(problem: DraftProblem): ParseResult<T> => ({ ok: false, problem });


/** Full-width punctuation and digits → ASCII, so one set of patterns reads what phones type. */
export function normaliseSpec(raw: string): string {
  return asciiDigits(raw)
    .replace(/[：]/g, ':')
    .replace(/[，、；;]/g, ',')
    .replace(/[＝]/g, '=')
    .replace(/\u3000/g, ' ');
}

// "8:30 到 9:15", "下午2点 - 4点": glue a range typed with spaces into one word before splitting.
const TIME_WORD = String.raw`(?:凌晨|早上|早晨|上午|中午|下午|傍晚|晚上)?\d{1,2}(?:[:.]\d{2}|[点时](?:半|\d{1,2}分?)?)`;
const RANGE_GLUE_RE = new RegExp(`(${TIME_WORD})\\s*(-|–|—|－|~|～|至|到)\\s*(${TIME_WORD})`, 'g');

/** A sign-in or sign-out window: 08:30-09:15, 8:30至9:15, 8.30~9.15, 下午2点-4点 (src/time/parse.ts reads it). */
export function parseTimeRange(raw: string): ParseResult<TimeRange> {
  const r = parseTimeRangeText(normaliseSpec(raw).trim());
  return r.ok ? ok({ start: r.start, end: r.end }) : fail({ kind: 'time_invalid', raw });
}

export function looksLikeRange(raw: string): boolean {
  return looksLikeTimeRangeText(normaliseSpec(raw).trim());
}

/**
 * A date in any form src/time/parse.ts reads: 2026-12-01, 2026/12/1, 2026年12月1日, 12-01, 12月1日 (the next
 * such date, today included), 明天, 下周五, 月底 … ("1.5" stays hours: no month.day without a year).
 */
export function parseDate(raw: string, today: string): ParseResult<string> {
  const r = parseDateText(normaliseSpec(raw).trim(), today);
  return r.ok ? ok(r.date) : fail({ kind: 'date_invalid', raw, reason: dateProblemReason(r.problem) });
}

export function looksLikeDate(raw: string): boolean {
  return looksLikeDateText(normaliseSpec(raw).trim());
}

const HOURS_RE = /^(\d+(?:\.\d+)?)(?:学时|小时|课时|h|H)?$/;

export function parseHours(raw: string): ParseResult<number> {
  const m = HOURS_RE.exec(normaliseSpec(raw).trim());
  return m ? ok(Number(m[1])) : fail({ kind: 'hours_invalid', raw });
}

const list = (s: string) =>
  normaliseSpec(s)
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** 全部 | 学校:一中,二中 | 角色:班主任 | schools:… | roles:… | a bare list of schools. */
export function parseAudience(raw: string): ParseResult<Audience> {
  const s = normaliseSpec(raw).trim();
  if (/^(全部|全体|所有人|所有|全员|all)$/i.test(s)) return ok(EVERYONE);
  let m = /^(?:学校|school|schools)\s*[:=]\s*(.+)$/i.exec(s);
  if (m) return list(m[1]).length ? ok({ schools: list(m[1]) }) : fail({ kind: 'audience_invalid', raw });
  m = /^(?:角色|身份|职务|role|roles)\s*[:=]\s*(.+)$/i.exec(s);
  if (m) return list(m[1]).length ? ok({ roles: list(m[1]).map(canonicalRole) }) : fail({ kind: 'audience_invalid', raw });
  if (s && !s.includes(':')) return ok({ schools: list(s) });
  return fail({ kind: 'audience_invalid', raw });
}

/** 动态码 | 固定码[:123456] | 按钮 (and English). */
export function parseMode(raw: string): ParseResult<{ mode: SessionMode; staticCode: string | null }> {
  const s = normaliseSpec(raw).trim();
  if (/^(动态码|动态|动态签到码|滚动码|rotating|totp)$/i.test(s)) return ok({ mode: 'rotating', staticCode: null });
  if (/^(按钮|卡片|按钮签到|卡片签到|button|card)$/i.test(s)) return ok({ mode: 'button', staticCode: null });
  const m = /^(?:固定码|固定|静态码|静态|static)(?:\s*[:=]?\s*(\S+))?$/i.exec(s);
  if (m) {
    if (m[1] && !STATIC_CODE_RE.test(m[1])) return fail({ kind: 'static_code_invalid', raw: m[1] });
    return ok({ mode: 'static', staticCode: m[1] ?? null });
  }
  return fail({ kind: 'mode_invalid', raw });
}

const MODE_WORD_RE = /^(动态码|动态签到码|滚动码|按钮|卡片|按钮签到|卡片签到|固定码|静态码)([:=].*)?$/;

/** Parses the text after 新建培训. */
export function parseCreateText(text: string, options: { today: string; preset: PolicyPreset | undefined }): ParseResult<SessionDraft> {
  let s = normaliseSpec(text).replace(RANGE_GLUE_RE, '$1$2$3');
  const titleParts: string[] = [];
  // A quoted title is taken whole, whatever it contains.
  s = s.replace(/「([^」]*)」|“([^”]*)”|"([^"]*)"|『([^』]*)』/, (_, a, b, c, d) => {
    titleParts.push(String(a ?? b ?? c ?? d).trim());
    return ' ';
  });
  // "对象 学校: 一中, 二中" → one word after the keyword.
  s = s.replace(/\s*:\s*/g, ':').replace(/\s*,\s*/g, ',').replace(/\s*=\s*/g, '=');
  const words = s.split(/\s+/).filter(Boolean);

  let category: string | null = null;
  let categoryWord: string | null = null;
  let hours: number | null = null;
  let date: string | null = null;
  let checkin: TimeRange | null = null;
  let checkout: TimeRange | null = null;
  let audience: Audience = EVERYONE;
  let mode: SessionMode = 'rotating';
  let staticCode: string | null = null;
  let trainer: string | null = null;
  let project: string | null = null;
  const rest: { word: string; index: number }[] = [];
  // A refusal says what the rest of the line was read as (the title so far is every word not yet placed).
  const bad = <T>(problem: DraftProblem): ParseResult<T> => {
    // Stopped before the category was picked: a word so far that names one is the category, not the title.
    const named = category ? null : rest.find((r) => options.preset && normaliseCategory(options.preset, r.word));
    const words = [...titleParts, ...rest.filter((r) => r !== named).map((r) => r.word)];
    const understoodCategory = category ?? (named ? normaliseCategory(options.preset!, named.word) : null);
    return {
      ok: false,
      problem,
      understood: {
        ...(words.length ? { title: words.join(' ') } : {}),
        ...(understoodCategory ? { category: understoodCategory } : {}),
        ...(hours !== null ? { hours } : {}),
        ...(date ? { date } : {}),
        ...(checkin ? { checkin } : {}),
      },
    };
  };

  const keyword = (word: string, names: RegExp): string | null => {
    const m = new RegExp(`^(?:${names.source})(?:[:=](.*))?$`, 'i').exec(word);
    return m ? (m[1] ?? '') : null;
  };

  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const valueOf = (inline: string) => (inline !== '' ? inline : (words[++i] ?? ''));
    let v: string | null;
    if ((v = keyword(word, /签退|签出|签退时段|签退时间|checkout/)) !== null) {
      const r = parseTimeRange(valueOf(v));
      if (!r.ok) return bad(r.problem);
      checkout = r.value;
    } else if ((v = keyword(word, /签到|签到时段|签到时间|checkin/)) !== null) {
      const r = parseTimeRange(valueOf(v));
      if (!r.ok) return bad(r.problem);
      checkin = r.value;
    } else if ((v = keyword(word, /对象|范围|参加对象|参训对象|audience/)) !== null) {
      const r = parseAudience(valueOf(v));
      if (!r.ok) return bad(r.problem);
      audience = r.value;
    } else if (/^(学校|角色|身份|schools?|roles?)[:=]/i.test(word)) {
      const r = parseAudience(word);
      if (!r.ok) return bad(r.problem);
      audience = r.value;
    } else if ((v = keyword(word, /方式|模式|签到方式|mode/)) !== null) {
      const r = parseMode(valueOf(v));
      if (!r.ok) return bad(r.problem);
      ({ mode, staticCode } = r.value);
    } else if ((v = keyword(word, /讲师|授课教师|主讲|trainer/)) && v.trim()) {
      trainer = v.trim();
    } else if ((v = keyword(word, /项目|培训项目|project/)) && v.trim()) {
      project = v.trim();
    } else if (MODE_WORD_RE.test(word)) {
      let spec = word;
      // "固定码 123456"
      if (/^(固定码|静态码)$/.test(word) && /^\d{4,8}$/.test(words[i + 1] ?? '')) spec = `${word}:${words[++i]}`;
      const r = parseMode(spec);
      if (!r.ok) return bad(r.problem);
      ({ mode, staticCode } = r.value);
    } else if (looksLikeRange(word)) {
      const r = parseTimeRange(word);
      if (!r.ok) return bad(r.problem);
      if (!checkin) checkin = r.value;
      else if (!checkout) checkout = r.value;
      else return bad({ kind: 'time_invalid', raw: word });
    } else if (!date && looksLikeDate(word)) {
      const r = parseDate(word, options.today);
      if (!r.ok) return bad(r.problem);
      date = r.value;
    } else if (hours === null && HOURS_RE.test(word)) {
      hours = Number(HOURS_RE.exec(word)![1]);
    } else {
      rest.push({ word, index: i });
    }
  }

  // The category is a word that names one; when two do, the first word of the line is the title.
  const categoryLike = rest.filter((r) => options.preset && normaliseCategory(options.preset, r.word));
  const pick = categoryLike.length > 1 && categoryLike[0].index === 0 && titleParts.length === 0 ? categoryLike[1] : categoryLike[0];
  if (pick) {
    category = normaliseCategory(options.preset!, pick.word);
    categoryWord = pick.word;
    rest.splice(rest.indexOf(pick), 1);
  }
  titleParts.push(...rest.splice(0).map((r) => r.word));
  const title = titleParts.join(' ').trim();

  if (!title) return bad({ kind: 'title_missing' });
  if (!category) {
    const choices = options.preset ? options.preset.categories.map((c) => c.key) : [];
    return bad(categoryWord ? { kind: 'category_unknown', raw: categoryWord, choices } : { kind: 'category_missing', choices });
  }
  if (hours === null) return bad({ kind: 'hours_missing' });
  if (!date) return bad({ kind: 'date_missing' });
  if (!checkin) return bad({ kind: 'window_missing' });
  return ok({ title, category, hours, date, checkin, checkout, audience, mode, staticCode, ...(trainer ? { trainer } : {}), ...(project ? { project } : {}) });
}

/** What follows 签到/签退 when it asks rather than signs (签到 了吗, 签退 没有): a question, never a code. */
const SIGN_QUESTION_TAIL = /^(?:了|过|成功|没|吗|么|呢|否|状态|情况|[?？])/;

export function asksWhetherSigned(argument: string): boolean {
  return SIGN_QUESTION_TAIL.test(argument);
}
