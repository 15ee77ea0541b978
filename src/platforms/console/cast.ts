/**
 * Who one can become in the console chat: the demo roster as a cast (who is a teacher, a school leader, an
 * officer, and the `/as` word that becomes them), printed by the console chat on start and by `xueshi demo` after
 * seeding, and the `/as` target those words name. An adapter module, so the CLI can print the cast without
 * importing the console chat's entry.
 */
import type { Db } from '../../../db/client.js';
import { messagesFor } from '../../bot/i18n/index.js';
import type { CastLine } from '../../bot/i18n/zh-CN.console.js';
import { roleLabel } from '../../bot/i18n/zh-CN.roles.js';
import type { Role } from '../../ledger/roles.js';
import { demoEmployeeNos, employeeNosDemoFirst, findTeacherByEmployeeNo, rolesOf, type TeacherRow } from '../../ledger/store.js';

const text = messagesFor('zh-CN').console;

/** The word the cast shows for becoming each role (ROLE_WORDS reads it back). */
const SWITCH_WORD: Record<Role, string> = { teacher: '教师', leader: '校长', officer: '管理员' };

/** The highest role a person holds (officer > leader > teacher). */
async function mainRole(db: Db, teacher: TeacherRow): Promise<Role> {
  const roles = await rolesOf(db, teacher);
  return roles.has('officer') ? 'officer' : roles.has('leader') ? 'leader' : 'teacher';
}

/** Role words people type after /as → the role they mean. */
const ROLE_WORDS: Record<string, Role> = {
  教师: 'teacher', 老师: 'teacher', teacher: 'teacher',
  校长: 'leader', 负责人: 'leader', 学校负责人: 'leader', leader: 'leader',
  管理员: 'officer', 培训管理员: 'officer', 师训: 'officer', officer: 'officer',
};

/** The first person (demo ids first) whose main role is `role`. */
export async function firstWithRole(db: Db, role: Role): Promise<TeacherRow | null> {
  const rows = await employeeNosDemoFirst(db);
  for (const no of rows) {
    const t = await findTeacherByEmployeeNo(db, no);
    if (t && (await mainRole(db, t)) === role) return t;
  }
  return null;
}

/** `/as` target: a 工号 (any case) or a role word. */
export async function resolveIdentity(db: Db, who: string): Promise<TeacherRow | null> {
  const word = who.trim();
  const role = ROLE_WORDS[word.toLowerCase()];
  if (role) return firstWithRole(db, role);
  return (await findTeacherByEmployeeNo(db, word)) ?? (await findTeacherByEmployeeNo(db, word.toUpperCase()));
}

/** The demo roster as a cast: who is a teacher, a school leader, an officer, and how to become them. */
export async function castOf(db: Db, blurbs: ReadonlyMap<string, string> = new Map()): Promise<CastLine[]> {
  const rows = await demoEmployeeNos(db);
  const used = new Set<Role>();
  const order: Record<Role, number> = { teacher: 0, leader: 1, officer: 2 };
  const cast: { line: CastLine; role: Role }[] = [];
  for (const no of rows) {
    const t = await findTeacherByEmployeeNo(db, no);
    if (!t) continue;
    const role = await mainRole(db, t);
    const byRole = !used.has(role);
    used.add(role);
    const line: CastLine = {
      role: roleLabel(role),
      employeeNo: t.employeeNo,
      name: t.name,
      school: t.school,
      blurb: blurbs.get(t.employeeNo) ?? t.position,
      switchWith: byRole ? `/as ${SWITCH_WORD[role]}` : `/as ${t.employeeNo}`,
    };
    cast.push({ line, role });
  }
  return cast.sort((a, b) => order[a.role] - order[b.role]).map((c) => c.line);
}

export async function castText(db: Db, blurbs?: ReadonlyMap<string, string>): Promise<string[]> {
  const cast = await castOf(db, blurbs);
  return cast.length ? [text.castHeader, ...cast.map(text.castLine)] : [text.noCast];
}
