/** `officer add|remove <工号>`, `officer list` — who may use the officer commands in chat. */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { accounts, roles, teachers } from '../../db/schema.js';
import { dateTimeIn } from '../time/zone.js';
import { cliText } from '../bot/i18n/zh-CN.cli.js';
import { audit } from '../ledger/audit.js';
import { grantRole } from '../ledger/roles.js';
import { findTeacherByEmployeeNo, type TeacherRow } from '../ledger/teachers.js';
import { CliError, EXIT, loadApp, parse, withDatabase, type CliIo } from './context.js';
import { OFFICER_USAGE } from './usage.js';


const ACTOR = 'cli';
const who = (t: TeacherRow) => [t.name, t.employeeNo, t.school] as const;

function teacherOrFail(db: Db, employeeNo: string): TeacherRow {
  const t = findTeacherByEmployeeNo(db, employeeNo);
  if (!t) throw new CliError(cliText.officer.notInRoster(employeeNo));
  return t;
}

/** Removes a role; audited. Returns whether it was held. */
export function revokeRole(db: Db, teacherId: number, role: 'leader' | 'officer', actor: string): boolean {
  const removed = db.delete(roles).where(and(eq(roles.teacherId, teacherId), eq(roles.role, role))).run().changes > 0;
  if (removed) audit(db, actor, 'revoke_role', { teacherId, role });
  return removed;
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
  return withDatabase(app.config.DATABASE_PATH, (db) => {
    if (action === 'list') {
      const rows = db
        .select({ teacher: teachers, grantedBy: roles.grantedBy, grantedAt: roles.grantedAt })
        .from(roles)
        .innerJoin(teachers, eq(roles.teacherId, teachers.id))
        .where(eq(roles.role, 'officer'))
        .orderBy(asc(teachers.employeeNo))
        .all();
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
    const teacher = teacherOrFail(db, employeeNo!.trim());
    if (action === 'add') {
      const added = grantRole(db, teacher.id, 'officer', ACTOR);
      io.stdout.write(`${added ? cliText.officer.added(...who(teacher)) : cliText.officer.already(...who(teacher))}\n`);
      // An officer binds their chat account only with a one-time code: say how, unless they already have.
      const bound = db.select({ n: sql<number>`count(*)` }).from(accounts).where(eq(accounts.teacherId, teacher.id)).get()?.n ?? 0;
      if (bound === 0) io.stdout.write(`${cliText.officer.nextStep(teacher.employeeNo, teacher.name)}\n`);
      return EXIT.ok;
    }
    const removed = revokeRole(db, teacher.id, 'officer', ACTOR);
    io.stdout.write(`${removed ? cliText.officer.removed(...who(teacher)) : cliText.officer.notOfficer(...who(teacher))}\n`);
    return EXIT.ok;
  }, { mustExist: true });
}
