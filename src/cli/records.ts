/**
 * `records revoke <编号> --reason …` and `records correct <编号> [--hours N] [--category X] [--date D] --reason …`:
 * the chat's 撤销记录 / 更正记录 for the office's terminal, through the same ledger functions.
 */
// Loads the platforms' traits (card forms, preference), which the chat messages queued here are built with.
import '../platforms/registry.js';
import { dateIn, dateTimeIn } from '../time/zone.js';
import { messagesFor } from '../bot/i18n/index.js';
import { cliText } from '../bot/i18n/zh-CN.cli.js';
import { changeList, problemText } from '../ledger/correction-text.js';
import { transaction } from '../../db/statements.js';
import { correctRecord, findRecordByRef, revokeRecord } from '../ledger/corrections.js';
import { CliError, EXIT, loadApp, parse, withDatabase, type CliIo } from './context.js';
import { RECORDS_USAGE } from './usage.js';
import { declarationRecordHooks } from '../declarations/revocation.js';

const ACTOR = 'cli';

export async function recordsCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals, values } = parse(
    args,
    { reason: { type: 'string' }, hours: { type: 'string' }, category: { type: 'string' }, date: { type: 'string' } },
    RECORDS_USAGE,
    { min: 2, max: 2 },
  );
  const [action, ref] = positionals;
  if (action !== 'revoke' && action !== 'correct') throw new CliError(cliText.withUsage(cliText.badAction(action), RECORDS_USAGE));
  const reason = (values.reason ?? '').trim();
  const t = messagesFor();
  const m = t.corrections;
  if (reason.length < 2) throw new CliError(cliText.withUsage(cliText.records.missingReason(m.missingReason), RECORDS_USAGE));
  const app = loadApp(io);
  const now = app.clock.now();
  return withDatabase(app.config, async (db) => {
    const found = await findRecordByRef(db, ref);
    if (!found) throw new CliError(m.notFound(ref));
    const { record, teacher } = found;
    if (action === 'revoke') {
      if (values.hours !== undefined || values.category !== undefined || values.date !== undefined) {
        throw new CliError(cliText.withUsage(cliText.records.revokeTakesNoValues, RECORDS_USAGE));
      }
      const outcome = await transaction(db, (tx) => revokeRecord(tx, found, reason, ACTOR, now, declarationRecordHooks));
      if (outcome.kind === 'already_revoked') throw new CliError(m.alreadyRevoked(record.recordKey, dateTimeIn(outcome.at, app.config.TIMEZONE), outcome.reason));
      if (outcome.kind === 'no_reason') throw new CliError(m.missingReason);
      io.stdout.write(`${m.revoked(teacher.name, teacher.employeeNo, record.recordKey, record.date, record.hours, record.category, reason)}\n`);
      return EXIT.ok;
    }
    const outcome = await transaction(db, (tx) =>
      correctRecord(
        tx,
        found,
        { hours: values.hours, category: values.category, date: values.date },
        reason,
        { presets: app.presets, today: dateIn(now, app.config.TIMEZONE), actor: ACTOR, now, hooks: declarationRecordHooks },
      ),
    );
    if (outcome.kind === 'refused') throw new CliError(cliText.withUsage(problemText(t, outcome.problem), RECORDS_USAGE));
    io.stdout.write(`${m.corrected(teacher.name, teacher.employeeNo, record.recordKey, changeList(t, outcome), reason)}\n`);
    return EXIT.ok;
  }, { mustExist: true });
}
