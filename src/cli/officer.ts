/** `officer add|remove <工号>`, `officer list` — who may use the officer commands in chat. */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { accounts, roles, teachers } from '../../db/schema.js';
import { dateTimeIn } from '../time/zone.js';
import { audit } from '../ledger/audit.js';
import { grantRole } from '../ledger/roles.js';
import { findTeacherByEmployeeNo, type TeacherRow } from '../ledger/teachers.js';
import { CliError, EXIT, loadApp, parse, withDatabase, type CliIo } from './context.js';
import { BIND_CODE_USAGE, OFFICER_USAGE } from './usage.js';


const ACTOR = 'cli';
const who = (t: TeacherRow) => `${t.name}（工号 ${t.employeeNo}，${t.school}）`;

function teacherOrFail(db: Db, employeeNo: string): TeacherRow {
  const t = findTeacherByEmployeeNo(db, employeeNo);
  if (!t) throw new CliError(`名册中没有工号「${employeeNo}」。培训管理员也须先在名册中（先导入名册）。`);
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
    throw new CliError(`不认识的操作「${action}」。\n用法：${OFFICER_USAGE}`);
  }
  if (action === 'list' ? employeeNo !== undefined : employeeNo === undefined) {
    throw new CliError(`${action === 'list' ? '多余的参数' : '缺少工号'}。\n用法：${OFFICER_USAGE}`);
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
        io.stdout.write('暂无培训管理员。添加：npm run cli -- officer add <工号>\n');
        return EXIT.ok;
      }
      io.stdout.write(`培训管理员 ${rows.length} 人：\n`);
      for (const r of rows) {
        io.stdout.write(
          `${r.teacher.employeeNo}\t${r.teacher.name}\t${r.teacher.school}\t授予：${r.grantedBy} ${dateTimeIn(r.grantedAt, app.config.TIMEZONE)}\n`,
        );
      }
      return EXIT.ok;
    }
    const teacher = teacherOrFail(db, employeeNo!.trim());
    if (action === 'add') {
      const added = grantRole(db, teacher.id, 'officer', ACTOR);
      io.stdout.write(added ? `已将 ${who(teacher)} 设为培训管理员。\n` : `${who(teacher)} 已经是培训管理员，无需重复添加。\n`);
      // An officer binds their chat account only with a one-time code: say how, unless they already have.
      const bound = db.select({ n: sql<number>`count(*)` }).from(accounts).where(eq(accounts.teacherId, teacher.id)).get()?.n ?? 0;
      if (bound === 0) io.stdout.write(`下一步：${BIND_CODE_USAGE.replace('<工号>', teacher.employeeNo)} 生成绑定码，本人在聊天中发送「绑定 ${teacher.employeeNo} ${teacher.name} <绑定码>」。\n`);
      return EXIT.ok;
    }
    const removed = revokeRole(db, teacher.id, 'officer', ACTOR);
    io.stdout.write(removed ? `已取消 ${who(teacher)} 的培训管理员权限。\n` : `${who(teacher)} 不是培训管理员，无需取消。\n`);
    return EXIT.ok;
  }, { mustExist: true });
}
