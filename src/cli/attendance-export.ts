/** The attendance list of one session as rows (工号,姓名,学校,签到时间,签退时间,状态), written as CSV or XLSX. */
import ExcelJS from 'exceljs';
import { writeFileSync } from 'node:fs';
import { sessionsText } from '../bot/i18n/zh-CN.sessions.js';
import { cliText } from '../bot/i18n/zh-CN.cli.js';
import { hasCheckout } from '../sessions/model.js';
import { type AttendanceLine, type AttendanceReport } from '../sessions/report.js';
import { dateTimeSecondsIn } from '../time/zone.js';

export type Row = [string, string, string, string, string, string];

export function stateOf(line: AttendanceLine, checkout: boolean): string {
  const s = sessionsText.cli.state;
  let state: string;
  if (!line.checkedInAt) state = s.absent;
  else if (line.credit.state === 'cancelled') state = s.cancelled(line.credit.reason);
  else if (!checkout) state = s.signedIn;
  else state = line.checkedOutAt ? s.signedOut : s.awaitingCheckout;
  return line.inAudience ? state : cliText.attendance.outside(state, s.outside);
}

/** Header first; then by school and 工号 (the audience order), outsiders last. */
export function attendanceRows(report: AttendanceReport, timeZone: string): Row[] {
  const checkout = hasCheckout(report.session);
  const time = (d: Date | null) => (d ? dateTimeSecondsIn(d, timeZone) : '');
  return [
    [...sessionsText.cli.headers] as Row,
    ...report.lines.map(
      (l): Row => [l.member.employeeNo, l.member.name, l.member.school, time(l.checkedInAt), time(l.checkedOutAt), stateOf(l, checkout)],
    ),
  ];
}

/** A cell: text, or a number (counts, means) that a spreadsheet should add up. */
export type Cell = string | number;

function csvField(cell: Cell): string {
  const value = String(cell);
  // Quote anything with a separator, quote or line break; and defuse spreadsheet formulas (=, +, -, @).
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** UTF-8 with a byte-order mark and CRLF line ends, so Excel on Windows opens it with the Chinese intact. */
export function toCsv(rows: readonly (readonly Cell[])[]): string {
  return `\uFEFF${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

export async function toXlsx(rows: readonly (readonly Cell[])[], sheetName: string, widths: readonly number[] = [12, 10, 16, 21, 21, 18]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = cliText.attendance.creator;
  const sheet = workbook.addWorksheet(sheetName.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31) || cliText.attendance.sheet);
  for (const r of rows) sheet.addRow([...r]);
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  widths.forEach((w, i) => (sheet.getColumn(i + 1).width = w));
  // Text cells: 工号 like 00123 must keep their zeros.
  sheet.getColumn(1).numFmt = '@';
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export async function writeAttendance(report: AttendanceReport, timeZone: string, format: 'csv' | 'xlsx', file: string): Promise<number> {
  const rows = attendanceRows(report, timeZone);
  if (format === 'csv') writeFileSync(file, toCsv(rows), 'utf8');
  else writeFileSync(file, await toXlsx(rows, `${report.session.id} ${report.session.title}`));
  return rows.length - 1;
}
