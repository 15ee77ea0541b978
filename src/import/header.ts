import type { RowError } from './types.js';

/** The roster file's columns, exactly as officers type them (any order). */
export const TEACHER_COLUMNS = ['工号', '姓名', '学校', '入职日期', '师范毕业', '班主任', '职务', '政策'] as const;
/** The credit-record file's columns (any order). */
export const RECORD_COLUMNS = ['工号', '日期', '学时', '类别', '项目', '编号'] as const;

export type TeacherColumn = (typeof TEACHER_COLUMNS)[number];
export type RecordColumn = (typeof RECORD_COLUMNS)[number];

/**
 * CSV is read as UTF-8 (with or without BOM) or GBK/GB18030 (what Excel on Chinese Windows saves); a header
 * that still looks garbled was saved in some other encoding (Big5, Shift-JIS…) or mangled on the way.
 */
const ENCODING_HINT = 'CSV 应为 UTF-8 或 GBK 编码（Excel 直接“另存为 CSV”即可），也可直接导入 .xlsx 文件。';

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
    return [{ row, column: null, reason: `文件是空的：第 1 行应为表头「${want}」` }];
  }
  if (header.length > MAX_HEADER_COLUMNS) {
    return [
      {
        row,
        column: null,
        reason: `表头有 ${header.length} 列，超过上限 ${MAX_HEADER_COLUMNS} 列：请只保留这些列：「${want}」`,
      },
    ];
  }
  const cells = header.map((c) => c.replace(/\uFEFF/g, '').trim());
  const known = new Set(expected);
  const matched = cells.filter((c) => known.has(c)).length;
  // Once for the whole header (it used to run again for every unknown column: quadratic in the width).
  const garbled = cells.some(looksGarbled);

  if (matched === 0 && garbled) {
    return [{ row, column: null, reason: `表头无法识别（像是乱码），文件的编码可能不对。${ENCODING_HINT}应为：「${want}」` }];
  }
  if (matched === 0 && cells.length === 1 && /[\t;；|]/.test(cells[0])) {
    return [{ row, column: null, reason: `表头只有一列「${cells[0]}」：列之间应用英文逗号分隔。应为：「${want}」` }];
  }

  const errors: RowError[] = [];
  const seen = new Map<string, number>();
  cells.forEach((c, i) => {
    if (c === '') {
      errors.push({ row, column: null, reason: `第 ${i + 1} 列表头为空（只允许这些列：${want}）` });
      return;
    }
    seen.set(c, (seen.get(c) ?? 0) + 1);
  });
  for (const col of expected) {
    if (!seen.has(col)) errors.push({ row, column: col, reason: `缺少列「${col}」` });
  }
  for (const [col, count] of seen) {
    if (!known.has(col)) {
      const hint = garbled ? `；${ENCODING_HINT}` : '';
      errors.push({ row, column: col, reason: `多余的列「${col}」（只允许这些列：${want}）${hint}` });
    } else if (count > 1) {
      errors.push({ row, column: col, reason: `列「${col}」出现了 ${count} 次` });
    }
  }
  return errors;
}
