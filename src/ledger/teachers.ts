import { eq, sql } from 'drizzle-orm';
import { prepared, type Db } from '../../db/client.js';
import { teachers } from '../../db/schema.js';
import type { Role } from '../bot/command.js';
import type { TeacherProfile } from '../policy/engine.js';
import { normaliseEmployeeNo } from './employee-no.js';

export type TeacherRow = typeof teachers.$inferSelect;

/**
 * The teacher with this 工号, however it was typed (case, spaces, full-width: see normaliseEmployeeNo).
 * Imports store 工号 normalised; a row stored before that (say `t001`) is still found, by a second,
 * case-insensitive look-up that runs only on a miss.
 */
export function findTeacherByEmployeeNo(db: Db, employeeNo: string): TeacherRow | null {
  const key = normaliseEmployeeNo(employeeNo);
  if (key === '') return null;
  const exact = db.select().from(teachers).where(eq(teachers.employeeNo, key)).get();
  if (exact) return exact;
  const legacy = prepared<[string, string], TeacherSqlRow>(
    db,
    `select * from teachers where employee_no = ? collate nocase or employee_no = ? order by id limit 1`,
  ).get(key, employeeNo.trim());
  return legacy ? fromSqlRow(legacy) : null;
}

export function findTeacherById(db: Db, id: number): TeacherRow | null {
  return db.select().from(teachers).where(eq(teachers.id, id)).get() ?? null;
}

export function findTeacherByAccount(db: Db, platform: string, accountId: string): TeacherRow | null {
  const row = prepared<[string, string], TeacherSqlRow>(
    db,
    `select t.* from accounts a join teachers t on t.id = a.teacher_id where a.platform = ? and a.account_id = ?`,
  ).get(platform, accountId);
  return row ? fromSqlRow(row) : null;
}

interface TeacherSqlRow {
  id: number;
  employee_no: string;
  name: string;
  school: string;
  hire_date: string | null;
  normal_graduate: number | null;
  homeroom: number;
  position: string;
  policy_id: string;
  created_at: number;
  updated_at: number | null;
}

function fromSqlRow(r: TeacherSqlRow): TeacherRow {
  return {
    id: r.id,
    employeeNo: r.employee_no,
    name: r.name,
    school: r.school,
    hireDate: r.hire_date,
    normalGraduate: r.normal_graduate === null ? null : r.normal_graduate === 1,
    homeroom: r.homeroom === 1,
    position: r.position,
    policyId: r.policy_id,
    createdAt: new Date(r.created_at),
    updatedAt: r.updated_at === null ? null : new Date(r.updated_at),
  };
}

export function rolesOf(db: Db, teacher: TeacherRow | null): Set<Role> {
  const result = new Set<Role>();
  if (!teacher) return result;
  result.add('teacher');
  for (const r of prepared<[number], { role: Role }>(db, `select role from roles where teacher_id = ?`).all(teacher.id)) result.add(r.role);
  return result;
}

export function toProfile(t: TeacherRow): TeacherProfile {
  return {
    employeeNo: t.employeeNo,
    name: t.name,
    school: t.school,
    hireDate: t.hireDate,
    normalGraduate: t.normalGraduate,
    homeroom: t.homeroom,
    position: t.position,
    policyId: t.policyId,
  };
}

export function countTeachers(db: Db): number {
  return db.select({ n: sql<number>`count(*)` }).from(teachers).get()?.n ?? 0;
}

/** True when `who` (a 工号, a name, or nothing) refers to the teacher themself. */
export function isSelf(teacher: TeacherRow, who: string | undefined): boolean {
  const named = who?.trim();
  return !named || named === teacher.employeeNo || named === teacher.name || /^(我|我的|本人|自己)$/.test(named);
}
