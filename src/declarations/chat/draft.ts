import { declarationChat as D } from '../../bot/i18n/zh-CN.declarations.js';
import { toDayNumber } from '../../policy/dates.js';
import { dateProblemReason, parseDateRangeText } from '../../time/parse.js';

/**
 * The 学时申报 wizard's draft and how each answer is read. Pure: no database, no clock (today is passed in).
 * The draft lives in chat_state under DRAFT_KEY as JSON, so it survives restarts and follows the teacher from a
 * group into the direct chat (it is keyed by the account, not the chat).
 */
export const DRAFT_KEY = 'declaration.draft';

/** The steps, in the order they are asked. */
export const FIELDS = ['project', 'organiser', 'dates', 'hours', 'category', 'certificateNo', 'evidence'] as const;
export type Field = (typeof FIELDS)[number];
export type Step = Field | 'confirm';

/** A whole five-year cycle is 360 学时 nationally: one training declared above that is a typo. */
export const MAX_DECLARED_HOURS = 360;
const MAX_TEXT = 100;
const MAX_SPAN_DAYS = 366;

export interface DeclarationDraft {
  version: 1;
  step: Step;
  /** Steps left behind, latest last: 上一步 goes back along it. */
  trail: Step[];
  /** Set when a returned declaration is being corrected (重新申报). */
  resubmitId: number | null;
  returnReason: string | null;
  project?: string;
  organiser?: string;
  startDate?: string;
  endDate?: string;
  hours?: number;
  category?: string;
  /** Undefined until asked; null when skipped. */
  certificateNo?: string | null;
  /** Evidence rows registered in this draft. */
  evidenceIds: number[];
  /** Evidence already on the declaration being resubmitted. */
  keptEvidence: number;
  startedAt: number;
}

export function newDraft(now: Date): DeclarationDraft {
  return { version: 1, step: 'project', trail: [], resubmitId: null, returnReason: null, evidenceIds: [], keptEvidence: 0, startedAt: now.getTime() };
}

export function isFilled(d: DeclarationDraft, field: Field): boolean {
  switch (field) {
    case 'dates':
      return d.startDate !== undefined && d.endDate !== undefined;
    case 'evidence':
      return d.evidenceIds.length + d.keptEvidence > 0;
    default:
      return d[field] !== undefined;
  }
}

/** The first field not answered yet, or the summary when all are. */
export function nextStep(d: DeclarationDraft): Step {
  return FIELDS.find((f) => !isFilled(d, f)) ?? 'confirm';
}

/** Loose comparison for the teacher's words: full-width, case, spaces and trailing punctuation do not matter. */
export function plain(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/[。.!！~～]+$/, '');
}

export function isWord(text: string, words: readonly string[]): boolean {
  const p = plain(text);
  return words.some((w) => plain(w) === p);
}

/** 修改 项目 / 修改项目 / 改日期 → the field; null when the name is not one of them. */
export function fieldNamed(name: string): Field | null {
  const p = plain(name);
  if (!p) return null;
  for (const field of FIELDS) if (D.fieldNames[field].some((n) => plain(n) === p)) return field;
  return null;
}

export type Patch = Partial<Pick<DeclarationDraft, 'project' | 'organiser' | 'startDate' | 'endDate' | 'hours' | 'category' | 'certificateNo'>>;
export type Read = { ok: true; patch: Patch } | { ok: false; problem: string };

export interface ReadContext {
  /** Beijing calendar date of now. */
  today: string;
  /** The teacher's declarable categories (preset keys), in the order offered. */
  categories: readonly string[];
  /** A category typed as a word (校本培训) → its preset key, or null. */
  categoryOf(raw: string): string | null;
}

function readText(raw: string): { ok: true; value: string } | { ok: false; problem: string } {
  const value = raw.normalize('NFKC').replace(/\s+/g, ' ').trim();
  if (!value) return { ok: false, problem: D.problems.emptyText };
  if ([...value].length > MAX_TEXT) return { ok: false, problem: D.problems.tooLong(MAX_TEXT) };
  return { ok: true, value };
}

function readDates(raw: string, today: string): Read {
  const r = parseDateRangeText(raw, today, { yearless: 'back' });
  if (!r.ok) {
    const p = r.problem;
    return { ok: false, problem: p.kind === 'unrecognised' ? D.problems.dateUnreadable(raw.trim()) : D.problems.dateReason(dateProblemReason(p)) };
  }
  if (r.end < r.start) return { ok: false, problem: D.problems.dateOrder(r.start, r.end) };
  if (r.end > today) return { ok: false, problem: D.problems.futureDate(r.end) };
  const days = toDayNumber(r.end) - toDayNumber(r.start) + 1;
  if (days > MAX_SPAN_DAYS) return { ok: false, problem: D.problems.rangeTooLong(days) };
  return { ok: true, patch: { startDate: r.start, endDate: r.end } };
}

const HOURS = /^(\d+(?:\.\d+)?)(?:个)?(?:学时|课时|小时|学分|h|hours?)?$/;

function readHours(raw: string): Read {
  const m = HOURS.exec(plain(raw));
  if (!m) return { ok: false, problem: D.problems.hoursUnreadable(raw.trim()) };
  const n = Number(m[1]);
  if (!(n > 0 && n <= MAX_DECLARED_HOURS)) return { ok: false, problem: D.problems.hoursRange(MAX_DECLARED_HOURS) };
  if (Math.abs(n * 100 - Math.round(n * 100)) > 1e-9) return { ok: false, problem: D.problems.hoursDecimals };
  return { ok: true, patch: { hours: n } };
}

function readCategory(raw: string, ctx: ReadContext): Read {
  const p = plain(raw).replace(/^第/, '').replace(/[项个类]$/, '');
  if (/^\d+$/.test(p)) {
    const chosen = ctx.categories[Number(p) - 1];
    return chosen ? { ok: true, patch: { category: chosen } } : { ok: false, problem: D.problems.categoryUnknown(raw.trim()) };
  }
  const key = ctx.categoryOf(raw);
  if (key && ctx.categories.includes(key)) return { ok: true, patch: { category: key } };
  return { ok: false, problem: D.problems.categoryUnknown(raw.trim()) };
}

function readCertificateNo(raw: string): Read {
  if (isWord(raw, D.words.skip)) return { ok: true, patch: { certificateNo: null } };
  const value = raw.normalize('NFKC').replace(/\s+/g, '');
  // Numbers are often like 桂继教〔2025〕012号: any characters, only the length is bounded.
  if (!value || [...value].length > 64) return { ok: false, problem: D.problems.certificateNo };
  return { ok: true, patch: { certificateNo: value } };
}

/** Reads the answer to a text field (not evidence, which comes as attachments). */
export function readAnswer(field: Exclude<Field, 'evidence'>, raw: string, ctx: ReadContext): Read {
  switch (field) {
    case 'project':
    case 'organiser': {
      const r = readText(raw);
      return r.ok ? { ok: true, patch: { [field]: r.value } } : r;
    }
    case 'dates':
      return readDates(raw, ctx.today);
    case 'hours':
      return readHours(raw);
    case 'category':
      return readCategory(raw, ctx);
    case 'certificateNo':
      return readCertificateNo(raw);
  }
}

/** The summary's lines, in the order asked. */
export function summaryLines(d: DeclarationDraft): string[] {
  const s = D.summary;
  return [
    s.project(d.project ?? ''),
    s.organiser(d.organiser ?? ''),
    s.dates(d.startDate ?? '', d.endDate ?? ''),
    s.hours(d.hours ?? 0),
    s.category(d.category ?? ''),
    s.certificateNo(d.certificateNo ?? null),
    s.evidence(d.evidenceIds.length, d.keptEvidence),
  ];
}
