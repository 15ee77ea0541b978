import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { accounts, roles, teachers } from '../../db/schema.js';
import type { Role } from '../bot/command.js';
import type { TeacherProfile } from '../policy/engine.js';

export type TeacherRow = typeof teachers.$inferSelect;

export function findTeacherByEmployeeNo(db: Db, employeeNo: string): TeacherRow | null {
  return db.select().from(teachers).where(eq(teachers.employeeNo, employeeNo)).get() ?? null;
}

export function findTeacherById(db: Db, id: number): TeacherRow | null {
  return db.select().from(teachers).where(eq(teachers.id, id)).get() ?? null;
}

export function findTeacherByAccount(db: Db, platform: string, accountId: string): TeacherRow | null {
  const row = db
    .select({ teacher: teachers })
    .from(accounts)
    .innerJoin(teachers, eq(accounts.teacherId, teachers.id))
    .where(and(eq(accounts.platform, platform), eq(accounts.accountId, accountId)))
    .get();
  return row?.teacher ?? null;
}

export function rolesOf(db: Db, teacher: TeacherRow | null): Set<Role> {
  const result = new Set<Role>();
  if (!teacher) return result;
  result.add('teacher');
  for (const r of db.select({ role: roles.role }).from(roles).where(eq(roles.teacherId, teacher.id)).all()) result.add(r.role);
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
