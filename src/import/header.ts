import type { RowError } from './types.js';
import { importText } from '../bot/i18n/zh-CN.import.js';

const words = importText.header;

/** The roster file's columns, exactly as officers type them (any order). */
export const TEACHER_COLUMNS = ['工号', '姓名', '学校', '入职日期', '师范毕业', '班主任', '职务', '政策'] as const;
/** The credit-record file's columns (any order). */
export const RECORD_COLUMNS = ['工号', '日期', '学时', '类别', '项目', '编号'] as const;

export type TeacherColumn = (typeof TEACHER_COLUMNS)[number];
export type RecordColumn = (typeof RECORD_COLUMNS)[number];

/** The columns code reads or names one by one (工号 is in both files). */
export const COLUMN = {
  employeeNo: '工号',
  date: '日期',
  hours: '学时',
  category: '类别',
  project: '项目',
  ref: '编号',
} as const satisfies Record<string, RecordColumn>;

/**
 * CSV is read as UTF-8 (with or without BOM) or GBK/GB18030 (what Excel on Chinese Windows saves); a header
 * that still looks garbled was saved in some other encoding (Big5, Shift-JIS…) or mangled on the way.
 */

/**
 * More header cells than any sane table has. Checked first, so the work on a hostile header (a million
 * columns) stops at counting them.
 */
export const MAX_HEADER_COLUMNS = 200;

/** Characters that mean the bytes were mis-decoded (U+FFFD, C1 controls) or are mojibake. */
const looksGarbled = (cell: string) => /[\uFFFD\u0080-\u009F]/.test(cell) || /[ÃÂåæçèéäïð¼½¾][\u0080-\u00FF]/.test(cell);

/**
 * Checks the header row against the expected columns (any order). Every problem is reported: each
 * missing column, each unknown extra column, duplicates, blank header cells, and an unreadable header
 * (wrong encoding or delimiter) gets one clear message instead of a list of "missing" columns.
 */
export function validateHeader(header: readonly string[] | null, expected: readonly string[], row = 1): RowError[] {
  const want = expected.join(',');
  if (!header || header.length === 0) {
    return [{ row, column: null, reason: words.empty(want) }];
  }
  if (header.length > MAX_HEADER_COLUMNS) {
    return [
      {
        row,
        column: null,
        reason: words.tooWide(header.length, MAX_HEADER_COLUMNS, want),
      },
    ];
  }
  const cells = header.map((c) => c.replace(/\uFEFF/g, '').trim());
  const known = new Set(expected);
  const matched = cells.filter((c) => known.has(c)).length;
  // Once for the whole header (it used to run again for every unknown column: quadratic in the width).
  const garbled = cells.some(looksGarbled);

  if (matched === 0 && garbled) {
    return [{ row, column: null, reason: words.garbled(want) }];
  }
  if (matched === 0 && cells.length === 1 && /[\t;；|]/.test(cells[0])) {
    return [{ row, column: null, reason: words.oneColumn(cells[0], want) }];
  }

  const errors: RowError[] = [];
  const seen = new Map<string, number>();
  cells.forEach((c, i) => {
    if (c === '') {
      errors.push({ row, column: null, reason: words.blankCell(i + 1, want) });
      return;
    }
    seen.set(c, (seen.get(c) ?? 0) + 1);
  });
  for (const col of expected) {
    if (!seen.has(col)) errors.push({ row, column: col, reason: words.missing(col) });
  }
  for (const [col, count] of seen) {
    if (!known.has(col)) {
      errors.push({ row, column: col, reason: words.extra(col, want, garbled) });
    } else if (count > 1) {
      errors.push({ row, column: col, reason: words.repeated(col, count) });
    }
  }
  return errors;
}
