/**
 * The CLI's own SQL: the demo roster's seeding and the officer list. Roster,
 * roles and records shared with the bot live in the ledger's store.
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { accounts, roles, teachers } from '../../db/schema.js';
import { preparedOnce } from '../../db/statements.js';
import type { TeacherValues } from '../import/rules.js';

export type TeacherRow = typeof teachers.$inferSelect;

/** Roster entries whose 工号 does not start with `prefix`. */
export function countTeachersNotPrefixed(db: Db, prefix: string): number {
  return Number(preparedOnce<[string], number>(db, `SELECT count(*) FROM teachers WHERE employee_no NOT LIKE ?`).pluck().get(`${prefix}%`));
}

/** Adds or refreshes a demo roster entry by 工号; returns its id. */
export function upsertDemoTeacher(db: Db, t: TeacherValues): number {
  const row = preparedOnce<[Record<string, unknown>], { id: number }>(
    db,
    `INSERT INTO teachers (employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id)
     VALUES (@employeeNo, @name, @school, @hireDate, @normalGraduate, @homeroom, @position, @policyId)
     ON CONFLICT(employee_no) DO UPDATE SET name = excluded.name, school = excluded.school,
       hire_date = excluded.hire_date, normal_graduate = excluded.normal_graduate, homeroom = excluded.homeroom,
       position = excluded.position, policy_id = excluded.policy_id
     RETURNING id`,
  ).get({
    employeeNo: t.employeeNo,
    name: t.name,
    school: t.school,
    hireDate: t.hireDate,
    normalGraduate: t.normalGraduate === null ? null : t.normalGraduate ? 1 : 0,
    homeroom: t.homeroom ? 1 : 0,
    position: t.position,
    policyId: t.policyId,
  });
  return row!.id;
}

export function grantDemoRole(db: Db, teacherId: number, role: 'leader' | 'officer'): void {
  preparedOnce(db, `INSERT INTO roles (teacher_id, role, granted_by) VALUES (?, ?, 'demo') ON CONFLICT DO NOTHING`).run(teacherId, role);
}

/** Drops the records whose 编号 starts with `keyPrefix` (the demo's, before a re-seed). */
export function deleteRecordsByKeyPrefix(db: Db, keyPrefix: string): void {
  preparedOnce(db, `DELETE FROM records WHERE record_key LIKE ?`).run(`${keyPrefix}%`);
}

export interface DemoRecordValues {
  key: string;
  teacherId: number;
  date: string;
  hours: number;
  category: string;
  project: string;
}

export function insertDemoRecords(db: Db, rows: readonly DemoRecordValues[]): void {
  const insert = preparedOnce(
    db,
    `INSERT INTO records (record_key, teacher_id, date, hours, category, project, source) VALUES (?, ?, ?, ?, ?, ?, 'demo')`,
  );
  for (const r of rows) insert.run(r.key, r.teacherId, r.date, r.hours, r.category, r.project);
}

/** Officers with who granted the role and when, by 工号. */
export function officerList(db: Db): { teacher: TeacherRow; grantedBy: string; grantedAt: Date }[] {
  return db
    .select({ teacher: teachers, grantedBy: roles.grantedBy, grantedAt: roles.grantedAt })
    .from(roles)
    .innerJoin(teachers, eq(roles.teacherId, teachers.id))
    .where(eq(roles.role, 'officer'))
    .orderBy(asc(teachers.employeeNo))
    .all();
}

export function boundAccountCount(db: Db, teacherId: number): number {
  return db.select({ n: sql<number>`count(*)` }).from(accounts).where(eq(accounts.teacherId, teacherId)).get()?.n ?? 0;
}
