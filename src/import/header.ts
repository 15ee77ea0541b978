import type { RowError } from './types.js';

/** The roster file's columns, exactly as officers type them (any order). */
export const TEACHER_COLUMNS = ['工号', '姓名', '学校', '入职日期', '师范毕业', '班主任', '职务', '政策'] as const;
/** The credit-record file's columns (any order). */
export const RECORD_COLUMNS = ['工号', '日期', '学时', '类别', '项目', '编号'] as const;

export type TeacherColumn = (typeof TEACHER_COLUMNS)[number];
export type RecordColumn = (typeof RECORD_COLUMNS)[number];

const ENCODING_HINT =
  '本工具只接受 UTF-8 编码的 CSV（不支持 GBK/GB2312）：在 Excel 中请选择“另存为 → CSV UTF-8（逗号分隔）”，或直接导入 .xlsx 文件。';

/** Characters that mean the bytes were not UTF-8 (GBK read as UTF-8 gives U+FFFD) or are mojibake. */
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
  const cells = header.map((c) => c.replace(/\uFEFF/g, '').trim());
  const known = new Set(expected);
  const matched = cells.filter((c) => known.has(c)).length;

  if (matched === 0 && cells.some(looksGarbled)) {
    return [{ row, column: null, reason: `表头无法识别，文件可能不是 UTF-8 编码。${ENCODING_HINT}应为：「${want}」` }];
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
      const hint = cells.some(looksGarbled) ? `；${ENCODING_HINT}` : '';
      errors.push({ row, column: col, reason: `多余的列「${col}」（只允许这些列：${want}）${hint}` });
    } else if (count > 1) {
      errors.push({ row, column: col, reason: `列「${col}」出现了 ${count} 次` });
    }
  }
  return errors;
}
