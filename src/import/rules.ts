/**
 * Row rules for both import files, as zod schemas of plain string checks (no transforms: zod's fast
 * object path stays on, which matters at millions of rows). Each check aborts its cell on failure, so a
 * cell gets exactly one reason; one parse reports every bad cell of a row. Converting the checked
 * strings to values (是 → true, '1.5' → 1.5) is done by `teacherValues` / `hoursValue`.
 */
import { z } from 'zod';
import { MAX_RECORD_HOURS } from '../policy/limits.js';
import { isValidDate } from '../policy/dates.js';
import { normaliseEmployeeNo } from '../ledger/employee-no.js';
import { policyIdsOnly, type PolicyNames } from './policy-names.js';
import { parseDateText, type DateResult } from '../time/parse.js';
import type { RowError, SourceRow } from './types.js';
import { importText } from '../bot/i18n/zh-CN.import.js';

/** The exact reasons officers see (tests compare against these): the import catalogue's row reasons. */
export const REASONS = importText.rows;

const input = (issue: { input?: unknown }) => String(issue.input ?? '');
const stop = { abort: true } as const;

/** Non-empty text of at most `max` characters. */
export function requiredText(max: number) {
  return z
    .string()
    .min(1, { error: REASONS.required, ...stop })
    .max(max, { error: REASONS.tooLong(max), ...stop });
}

export function optionalText(max: number) {
  return z.string().max(max, { error: REASONS.tooLong(max), ...stop });
}

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A date cell as text, in any absolute form the date reader knows (2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日,
 * 20260305; full-width too) → YYYY-MM-DD, or why not. Files hold no relative dates: "明天" or "3月5日" is refused.
 * Remembered per text: record files repeat the same few hundred dates millions of times.
 */
function dateReader(): (v: string) => DateResult {
  const verdicts = new Map<string, DateResult>();
  return (v) => {
    let r = verdicts.get(v);
    if (r === undefined) {
      r = DATE_SHAPE.test(v) && isValidDate(v) ? { ok: true, date: v } : parseDateText(v, '2000-01-01', { absoluteOnly: true });
      if (verdicts.size < 100_000) verdicts.set(v, r);
    }
    return r;
  };
}

const shaped = (r: DateResult) => r.ok || r.problem.kind !== 'unrecognised';

/** A real calendar day (2026-02-30 is not) in any absolute form; the checked value is YYYY-MM-DD. */
export function dateCell() {
  const read = dateReader();
  return z
    .string()
    .min(1, { error: REASONS.required, ...stop })
    .refine((v) => shaped(read(v)), { error: REASONS.dateFormat, ...stop })
    .refine((v) => read(v).ok, { error: (i) => REASONS.dateInvalid(input(i)), ...stop })
    .overwrite((v) => (read(v) as { date: string }).date);
}

/** A credit date: a real day, not after `today` (YYYY-MM-DD in the configured time zone); the value is YYYY-MM-DD. */
export function pastDateCell(today: string) {
  const read = dateReader();
  return z
    .string()
    .min(1, { error: REASONS.required, ...stop })
    .refine((v) => shaped(read(v)), { error: REASONS.dateFormat, ...stop })
    .refine((v) => read(v).ok, { error: (i) => REASONS.dateInvalid(input(i)), ...stop })
    .overwrite((v) => (read(v) as { date: string }).date)
    .refine((v) => v <= today, { error: REASONS.dateFuture(today), ...stop });
}

/** 是/否; with `allowEmpty`, an empty cell means "unknown". */
export function yesNoCell(allowEmpty: boolean) {
  const s = z.string();
  if (allowEmpty) return s.refine((v) => v === '是' || v === '否' || v === '', { error: REASONS.yesNoOrEmpty, ...stop });
  return s
    .min(1, { error: REASONS.required, ...stop })
    .refine((v) => v === '是' || v === '否', { error: REASONS.yesNo, ...stop });
}

export const yesNoValue = (v: string): boolean | null => (v === '是' ? true : v === '否' ? false : null);

const NUMBER_SHAPE = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const atMostTwoDecimals = (v: string) => {
  const dot = v.indexOf('.');
  return dot < 0 || v.length - dot - 1 <= 2 || /^0*$/.test(v.slice(dot + 3));
};

/** Hours: a positive number ≤ 1000 with at most two decimals ('1.5' ok; '0', '-2', 'abc', '1.234' not). */
export function hoursCell() {
  return z
    .string()
    .min(1, { error: REASONS.required, ...stop })
    .regex(NUMBER_SHAPE, { error: (i) => REASONS.notNumber(input(i)), ...stop })
    .refine((v) => Number(v) > 0, { error: REASONS.notPositive, ...stop })
    .refine((v) => Number(v) <= MAX_RECORD_HOURS, { error: REASONS.tooMany(MAX_RECORD_HOURS), ...stop })
    .refine(atMostTwoDecimals, { error: REASONS.decimals, ...stop });
}

export const hoursValue = (v: string): number => Math.round(Number(v) * 100) / 100;

/** 职务: free text (≤ 20 characters); empty means 教师. */
export function positionCell() {
  return optionalText(20);
}

export const positionValue = (v: string) => (v === '' ? '教师' : v);

/** 政策: a preset's id (any case) or its region's name (柳州市, 柳州); empty means the configured default. */
export function policyCell(names: PolicyNames) {
  return z.string().refine((v) => v === '' || names.resolve(v) !== null, {
    error: (i) => REASONS.unknownPolicy(input(i), names.choices),
    ...stop,
  });
}

export const policyValue = (v: string, defaultPolicy: string, names?: PolicyNames) =>
  v === '' ? defaultPolicy : names ? names.resolve(v)! : v.toLowerCase();

/** School leaders (校长/副校长/园长/书记...) get the 'leader' role from the roster. */
export function isLeaderPosition(position: string): boolean {
  return /校长|园长|书记/.test(position);
}

/** `policyIds` (ids only) or `policies` (ids and region names, from the presets). */
export function teacherRowSchema(opts: { policyIds?: ReadonlySet<string>; policies?: PolicyNames }) {
  const policies = opts.policies ?? policyIdsOnly(opts.policyIds ?? []);
  return z.object({
    工号: requiredText(32),
    姓名: requiredText(50),
    学校: requiredText(100),
    入职日期: dateCell(),
    师范毕业: yesNoCell(true),
    班主任: yesNoCell(false),
    职务: positionCell(),
    政策: policyCell(policies),
  });
}
export type TeacherRowCells = z.output<ReturnType<typeof teacherRowSchema>>;

/** A checked roster row as stored. */
export interface TeacherValues {
  employeeNo: string;
  name: string;
  school: string;
  hireDate: string;
  normalGraduate: boolean | null;
  homeroom: boolean;
  position: string;
  policyId: string;
}

export function teacherValues(c: TeacherRowCells, defaultPolicy: string, policies?: PolicyNames): TeacherValues {
  return {
    employeeNo: normaliseEmployeeNo(c.工号),
    name: c.姓名,
    school: c.学校,
    hireDate: c.入职日期,
    normalGraduate: yesNoValue(c.师范毕业),
    homeroom: c.班主任 === '是',
    position: positionValue(c.职务),
    policyId: policyValue(c.政策, defaultPolicy, policies),
  };
}

/** Record rows; the roster and category checks need the teacher and happen in the importer. */
export function recordRowSchema(opts: { today: string }) {
  return z.object({
    工号: requiredText(32),
    日期: pastDateCell(opts.today),
    学时: hoursCell(),
    类别: requiredText(50),
    项目: optionalText(200),
    编号: requiredText(64),
  });
}
export type RecordRowCells = z.output<ReturnType<typeof recordRowSchema>>;

/** Remembers up to `max` verdicts of `f` (record files repeat the same few hundred dates and hours). */
function memo<T>(f: (v: string) => T, max = 100_000): (v: string) => T {
  const seen = new Map<string, T>();
  return (v) => {
    let out = seen.get(v);
    if (out === undefined && !seen.has(v)) {
      out = f(v);
      if (seen.size < max) seen.set(v, out);
    }
    return out as T;
  };
}

/**
 * The record rules as plain code, for the millions of good rows: true only when `recordRowSchema` would
 * accept the row as it is (a subset check: lengths in UTF-16 units never exceed code points, so a cell
 * that fits here fits there). A row it does not vouch for goes through the schema, which gives the
 * reasons; so rejecting more than necessary here only costs time, never a different answer.
 */
export function recordRowFastCheck(opts: { today: string }): (row: SourceRow) => row is SourceRow & { values: RecordRowCells } {
  const read = dateReader();
  const dateOf = memo((v) => {
    const r = read(v);
    return r.ok && r.date <= opts.today ? r.date : null;
  });
  const hoursOk = memo((v) => {
    if (!NUMBER_SHAPE.test(v)) return false;
    const n = Number(v);
    return n > 0 && n <= MAX_RECORD_HOURS && atMostTwoDecimals(v);
  });
  const text = (v: unknown, min: number, max: number) => typeof v === 'string' && v.length >= min && v.length <= max;
  // A date written 2026/3/5 or 2026年3月5日 is stored as 2026-03-05: the cell is rewritten in place (as the schema's value would be).
  const dateIsFine = (values: SourceRow['values'], date: string) => {
    const iso = dateOf(date);
    if (iso === null) return false;
    if (iso !== date) values['日期'] = iso;
    return true;
  };
  return (row): row is SourceRow & { values: RecordRowCells } => {
    if (row.extraCells !== 0) return false;
    const v = row.values;
    const date = v['日期'];
    const hours = v['学时'];
    return (
      text(v['工号'], 1, 32) &&
      text(v['类别'], 1, 50) &&
      text(v['编号'], 1, 64) &&
      text(v['项目'], 0, 200) &&
      typeof date === 'string' &&
      date !== '' &&
      dateIsFine(v, date) &&
      typeof hours === 'string' &&
      hours !== '' &&
      hoursOk(hours)
    );
  };
}

/** Parse one source row; bad cells become RowErrors (one per cell, in column order). */
export function parseRow<S extends z.ZodType>(
  schema: S,
  row: SourceRow,
): { ok: true; value: z.output<S> } | { ok: false; errors: RowError[] } {
  const result = schema.safeParse(row.values);
  const errors: RowError[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      errors.push({ row: row.rowNumber, column: issue.path.length ? String(issue.path[0]) : null, reason: issue.message });
    }
  }
  if (row.extraCells > 0) errors.push({ row: row.rowNumber, column: null, reason: REASONS.extraCells(row.extraCells) });
  if (errors.length > 0 || !result.success) return { ok: false, errors };
  return { ok: true, value: result.data };
}

/** "第 3 行【学时】：必须大于 0" — the line an officer reads. */
export function formatRowError(e: RowError): string {
  return importText.rowLine(e.row, e.column, e.reason);
}
