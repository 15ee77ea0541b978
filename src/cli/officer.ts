/** `officer add|remove <工号>`, `officer list` — who may use the officer commands in chat. */
import type { Db } from '../../db/client.js';
import { dateTimeIn } from '../time/zone.js';
import { cliText } from '../bot/i18n/zh-CN.cli.js';
import { grantRole, revokeRole } from '../ledger/roles.js';
import { findTeacherByEmployeeNo, type TeacherRow } from '../ledger/store.js';
import { boundAccountCount, officerList } from './store.js';
import { CliError, EXIT, loadApp, parse, withDatabase, type CliIo } from './context.js';
import { OFFICER_USAGE } from './usage.js';


const ACTOR = 'cli';
const who = (t: TeacherRow) => [t.name, t.employeeNo, t.school] as const;

async function teacherOrFail(db: Db, employeeNo: string): Promise<TeacherRow> {
  const t = await findTeacherByEmployeeNo(db, employeeNo);
  if (!t) throw new CliError(cliText.officer.notInRoster(employeeNo));
  return t;
}

export async function officerCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parse(args, {}, OFFICER_USAGE, { min: 1, max: 2 });
  const [action, employeeNo] = positionals;
  if (action !== 'add' && action !== 'remove' && action !== 'list') {
    throw new CliError(cliText.withUsage(cliText.badAction(action), OFFICER_USAGE));
  }
  if (action === 'list' ? employeeNo !== undefined : employeeNo === undefined) {
    throw new CliError(cliText.withUsage(action === 'list' ? cliText.officer.extraArgs : cliText.officer.missingNo, OFFICER_USAGE));
  }
  const app = loadApp(io);
  return withDatabase(app.config, async (db) => {
    if (action === 'list') {
      const rows = await officerList(db);
      if (rows.length === 0) {
        io.stdout.write(`${cliText.officer.none}\n`);
        return EXIT.ok;
      }
      io.stdout.write(`${cliText.officer.count(rows.length)}\n`);
      for (const r of rows) {
        io.stdout.write(
          `${cliText.officer.line(r.teacher.employeeNo, r.teacher.name, r.teacher.school, r.grantedBy, dateTimeIn(r.grantedAt, app.config.TIMEZONE))}\n`,
        );
      }
      return EXIT.ok;
    }
    const teacher = await teacherOrFail(db, employeeNo!.trim());
    if (action === 'add') {
      const added = await grantRole(db, teacher.id, 'officer', ACTOR);
      io.stdout.write(`${added ? cliText.officer.added(...who(teacher)) : cliText.officer.already(...who(teacher))}\n`);
      // An officer binds their chat account only with a one-time code: say how, unless they already have.
      const bound = await boundAccountCount(db, teacher.id);
      if (bound === 0) io.stdout.write(`${cliText.officer.nextStep(teacher.employeeNo, teacher.name)}\n`);
      return EXIT.ok;
    }
    const removed = await revokeRole(db, teacher.id, 'officer', ACTOR);
    io.stdout.write(`${removed ? cliText.officer.removed(...who(teacher)) : cliText.officer.notOfficer(...who(teacher))}\n`);
    return EXIT.ok;
  }, { mustExist: true });
}
