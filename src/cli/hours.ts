/** `hours <工号> [--as-of <日期>] [--json]` — the bot's own summary, for officers and scripts. */
import { dateIn } from '../time/zone.js';
import { messagesFor, renderSummaryText } from '../bot/i18n/index.js';
import { hoursSummary, summaryJson } from '../ledger/summary.js';
import { findTeacherByEmployeeNo } from '../ledger/teachers.js';
import { dateProblemReason, describeDate, parseDateText } from '../time/parse.js';
import { CliError, EXIT, loadApp, parse, withDatabase, type CliIo } from './context.js';
import { HOURS_USAGE } from './usage.js';


export async function hoursCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    args,
    { 'as-of': { type: 'string' }, json: { type: 'boolean' } },
    HOURS_USAGE,
    { min: 1, max: 1 },
  );
  const employeeNo = positionals[0].trim();
  const asOfArg = values['as-of'];
  const app = loadApp(io);
  const today = dateIn(app.clock.now(), app.config.TIMEZONE);
  // Any form the chat takes: 2026-06-30, 2026/6/30, 2026年6月30日, 6月30日, 月底, 昨天 …
  const asOfDate = asOfArg === undefined ? null : parseDateText(asOfArg, today, { yearless: 'back' });
  if (asOfDate && !asOfDate.ok) {
    throw new CliError(`--as-of「${asOfArg}」不是有效日期（${dateProblemReason(asOfDate.problem)}），例如 ${today}、${describeDate(today).replace(/（.*$/, '')} 或 月底。`);
  }
  const asOf = asOfDate?.ok ? asOfDate.date : today;
  return withDatabase(app.config.DATABASE_PATH, (db) => {
    const teacher = findTeacherByEmployeeNo(db, employeeNo);
    if (!teacher) throw new CliError(`名册中没有工号「${employeeNo}」。请核对工号，或先导入名册。`);
    if (!app.presets.has(teacher.policyId)) {
      throw new CliError(`工号「${employeeNo}」所属的政策「${teacher.policyId}」未配置（可选：${[...app.presets.keys()].join('、')}）。`, EXIT.config);
    }
    const summary = hoursSummary(db, app.presets, teacher, asOf);
    if (values.json) io.stdout.write(`${JSON.stringify(summaryJson(summary), null, 2)}\n`);
    else io.stdout.write(`${renderSummaryText(messagesFor('zh-CN'), teacher.name, summary, asOf)}\n`);
    return EXIT.ok;
  }, { mustExist: true });
}
