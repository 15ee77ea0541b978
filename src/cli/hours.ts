/** `hours <工号> [--as-of YYYY-MM-DD] [--json]` — the bot's own summary, for officers and scripts. */
import { dateIn } from '../clock.js';
import { messagesFor, renderSummaryText } from '../bot/i18n/index.js';
import { hoursSummary, summaryJson } from '../ledger/summary.js';
import { findTeacherByEmployeeNo } from '../ledger/teachers.js';
import { isValidDate } from '../policy/dates.js';
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
  if (asOfArg !== undefined && !isValidDate(asOfArg)) {
    throw new CliError(`--as-of「${asOfArg}」不是有效日期，应为 YYYY-MM-DD，例如 2026-03-01。`);
  }
  const app = loadApp(io);
  const asOf = asOfArg ?? dateIn(app.clock.now(), app.config.TIMEZONE);
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
