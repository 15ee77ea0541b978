import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { records, teachers } from '../../db/schema.js';
import { prepared } from '../../db/statements.js';
import type { Role } from './roles.js';
import type { CreditRecord } from '../policy/engine.js';
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

export function countTeachers(db: Db): number {
  return db.select({ n: sql<number>`count(*)` }).from(teachers).get()?.n ?? 0;
}

/**
 * Active (not cancelled) records of one teacher dated on or before asOf: the ledger's only input to the policy
 * engine. A later record does not exist yet on asOf (the engine ignores one too); the bound is a range on the
 * records_teacher_date index.
 */
export function activeRecords(db: Db, teacherId: number, asOf: string): CreditRecord[] {
  // Plain SQL prepared once per connection: building it through drizzle on every call (SQL generation, a fresh
  // prepare, per-row mapping) cost more than the look-up itself, and this is the one query behind every hours
  // answer (bot, CLI, pace reminders).
  return prepared<[number, string], CreditRecord>(
    db,
    'SELECT date, hours, category FROM records WHERE teacher_id = ? AND date <= ? AND cancelled_at IS NULL',
  ).all(teacherId, asOf);
}

export function recentRecords(db: Db, teacherId: number, limit = 10) {
  return db
    .select({
      recordKey: records.recordKey,
      date: records.date,
      hours: records.hours,
      category: records.category,
      project: records.project,
    })
    .from(records)
    .where(and(eq(records.teacherId, teacherId), isNull(records.cancelledAt)))
    .orderBy(desc(records.date), desc(records.id))
    .limit(limit)
    .all();
}

/** 工号s in roster order with the demo ones first (the console's `/as leader` looks through these). */
export function employeeNosDemoFirst(db: Db): string[] {
  return prepared<[], string>(db, `SELECT employee_no FROM teachers ORDER BY (employee_no LIKE 'DEMO%') DESC, id LIMIT 2000`).pluck().all();
}

/** The demo roster's 工号s, in order. */
export function demoEmployeeNos(db: Db): string[] {
  return prepared<[], string>(db, `SELECT employee_no FROM teachers WHERE employee_no LIKE 'DEMO%' ORDER BY employee_no`).pluck().all();
}

/** Every teacher as [id, 工号, name]: the names beside a compliance snapshot's ids (exports). */
export function teacherNameRows(db: Db): [number, string, string][] {
  return prepared<[], [number, string, string]>(db, 'SELECT id, employee_no, name FROM teachers').raw().all();
}

/** One school's teachers as [id, 工号, name, position, homeroom (0/1)]. */
export function schoolRosterRows(db: Db, school: string): [number, string, string, string, number][] {
  return prepared<[string], [number, string, string, string, number]>(
    db,
    'SELECT id, employee_no, name, position, homeroom FROM teachers WHERE school = ?',
  )
    .raw()
    .all(school);
}

/** How many of a school's teachers have bound a chat account. */
export function boundTeacherCount(db: Db, school: string): number {
  return Number(
    prepared<[string], number>(db, 'SELECT count(DISTINCT a.teacher_id) FROM accounts a JOIN teachers t ON t.id = a.teacher_id WHERE t.school = ?')
      .pluck()
      .get(school),
  );
}
