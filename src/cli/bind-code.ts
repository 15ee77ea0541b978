/**
 * `bind-code <工号>` — the one-time code an officer or school leader binds their chat account with. This is how the
 * first officer gets in: `officer add <工号>`, then `bind-code <工号>`, then `绑定 <工号> <姓名> <绑定码>` in chat.
 */
import { dateTimeIn } from '../time/zone.js';
import { cliText } from '../bot/i18n/zh-CN.cli.js';
import { issueBindCode, needsBindCode } from '../ledger/binding.js';
import { findTeacherByEmployeeNo } from '../ledger/store.js';
import { CliError, EXIT, loadApp, parse, withDatabase, type CliIo } from './context.js';
import { BIND_CODE_USAGE } from './usage.js';

export async function bindCodeCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parse(args, {}, BIND_CODE_USAGE, { min: 1, max: 1 });
  const employeeNo = positionals[0].trim();
  const app = loadApp(io);
  return withDatabase(app.config, async (db) => {
    const teacher = await findTeacherByEmployeeNo(db, employeeNo);
    if (!teacher) throw new CliError(cliText.bindCode.notInRoster(employeeNo));
    if (!(await needsBindCode(db, teacher))) {
      throw new CliError(cliText.bindCode.notNeeded(teacher.name, teacher.employeeNo));
    }
    const issued = await issueBindCode(db, teacher, 'cli', app.clock.now());
    const until = dateTimeIn(issued.expiresAt, app.config.TIMEZONE);
    io.stdout.write(`${cliText.bindCode.issued(teacher.name, teacher.employeeNo, teacher.school, issued.code, until)}\n`);
    return EXIT.ok;
  }, { mustExist: true });
}
