/**
 * 工号 as the roster keys it. Officers and teachers type the same number many ways: `t001`, `T 001`,
 * full-width `Ｔ００１` from a Chinese IME, a stray space or zero-width character pasted from a spreadsheet.
 * Every place that stores or looks up a 工号 (roster import, record import, 绑定, CLI hours, …) goes
 * through this one function, so they all match the same teacher.
 */
const INVISIBLE = /[\s\u200B-\u200D\u2060\uFEFF]+/gu;
const ALREADY_NORMAL = /^[0-9A-Z._-]*$/;

export function normaliseEmployeeNo(raw: string): string {
  if (ALREADY_NORMAL.test(raw)) return raw; // the common case at millions of rows: nothing to do
  return raw.normalize('NFKC').replace(INVISIBLE, '').toUpperCase();
}
