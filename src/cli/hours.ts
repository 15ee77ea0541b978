/** `hours <工号> [--as-of <日期>] [--json]` — the bot's own summary, for officers and scripts. */
import { dateIn } from '../time/zone.js';
import { messagesFor, renderSummaryText } from '../bot/i18n/index.js';
import { cliText } from '../bot/i18n/zh-CN.cli.js';
import { hoursSummary, summaryJson } from '../ledger/summary.js';
import { findTeacherByEmployeeNo } from '../ledger/store.js';
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
    throw new CliError(cliText.hours.badAsOf(asOfArg, dateProblemReason(asOfDate.problem), today, describeDate(today)));
  }
  const asOf = asOfDate?.ok ? asOfDate.date : today;
  return withDatabase(app.config, async (db) => {
    const teacher = await findTeacherByEmployeeNo(db, employeeNo);
    if (!teacher) throw new CliError(cliText.notInRoster(employeeNo));
    if (!app.presets.has(teacher.policyId)) {
      throw new CliError(cliText.hours.policyMissing(employeeNo, teacher.policyId, [...app.presets.keys()]), EXIT.config);
    }
    const summary = await hoursSummary(db, app.presets, teacher, asOf);
    if (values.json) io.stdout.write(`${JSON.stringify(summaryJson(summary), null, 2)}\n`);
    else io.stdout.write(`${renderSummaryText(messagesFor('zh-CN'), teacher.name, summary, asOf)}\n`);
    return EXIT.ok;
  }, { mustExist: true });
}
