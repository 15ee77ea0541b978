/**
 * XLSX cell values (as exceljs reads them) → the text the officer sees. Plain JS (an .mjs file) because the
 * XLSX reader thread (xlsx-worker.mjs) uses it without a TypeScript loader; sources.ts re-exports it.
 *
 * Dates: Excel stores a date as a serial day number (1900 system) shown through a date format; exceljs
 * turns those into Date objects at UTC midnight (plus the time part), so UTC parts are the wall date.
 */
import { createRequire } from 'node:module';

const pad = (n, w = 2) => String(n).padStart(w, '0');
const DAY = 86_400_000;
/** exceljs's reading of serial 60, Excel's fictitious 1900-02-29 (Lotus 1-2-3's leap-year bug). */
const FAKE_LEAP_DAY = Date.UTC(1900, 1, 28);

/**
 * A date cell → YYYY-MM-DD. The time part is dropped (a date with 14:30 is that day); the value is rounded
 * to the second first, so a float artefact like 23:59:59.999 does not fall back a day. Before 1900-03-01
 * Excel counts the non-existent 1900-02-29, which exceljs does not: those serials are a day later than
 * exceljs says, and serial 60 itself is the fictitious 1900-02-29 (shown as such: the date rules refuse it).
 */
function excelDate(d) {
  let t = d.getTime();
  if (Number.isNaN(t)) return '';
  t = Math.round(t / 1000) * 1000;
  if (t < FAKE_LEAP_DAY + DAY && t >= Date.UTC(1899, 11, 31)) {
    if (t >= FAKE_LEAP_DAY) return '1900-02-29';
    t += DAY;
  }
  const u = new Date(t);
  return `${pad(u.getUTCFullYear(), 4)}-${pad(u.getUTCMonth() + 1)}-${pad(u.getUTCDate())}`;
}

function isDateFormat(numFmt) {
  if (typeof numFmt !== 'string') return false;
  const f = numFmt.replace(/"[^"]*"/g, '').replace(/\[[^\]]*\]/g, '');
  return /[ymd]/i.test(f) && !/^[#0.,%\s]*$/.test(f);
}

function excelNumber(n) {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  // Strip floating-point noise from formula results (0.1+0.2 → 0.3).
  return String(Number(n.toPrecision(15)));
}

/** Excel serial (1900 system) → the Date exceljs would give for it. */
function serialToDate(serial) {
  return new Date(Math.round((serial - 25569) * DAY));
}

/** Any exceljs cell value → the text the officer sees. Booleans become 是/否, dates YYYY-MM-DD. */
export function cellText(value, numFmt) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return isDateFormat(numFmt) ? excelDate(serialToDate(value)) : excelNumber(value);
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (value instanceof Date) return excelDate(value);
  if (typeof value === 'object') {
    if (Array.isArray(value.richText)) return value.richText.map((r) => r.text ?? '').join('');
    if ('formula' in value || 'sharedFormula' in value) return cellText(value.result, numFmt);
    if ('text' in value) return cellText(value.text, numFmt);
    if ('error' in value) return String(value.error);
  }
  return String(value);
}

/**
 * Excel's built-in number formats 27–36 and 50–58 are locale-dependent; in a Chinese Excel most of them are
 * dates (yyyy"年"m"月"d"日", m"月"d"日", …). exceljs knows them only per locale and, finding no plain format
 * for those ids, reads such a cell as a bare number (46082 instead of 2026-03-01). Give those ids their
 * zh-CN format in exceljs's table (the same module instance its readers use), once per thread.
 */
export function useChineseBuiltInFormats() {
  const require = createRequire(import.meta.url);
  const formats = require('exceljs/lib/xlsx/defaultnumformats.js');
  for (const entry of Object.values(formats)) {
    if (entry && entry.f === undefined && typeof entry['zh-cn'] === 'string') entry.f = entry['zh-cn'];
  }
}
