import { and, count, desc, eq, gt, inArray, isNull, like, lt, sql, sum, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { accounts, auditLog, bindAttempts, bindCodes, records, roles, teachers } from '../../db/schema.js';
import { prepared } from '../../db/statements.js';
import type { CreditRecord } from '../policy/engine.js';
import { normaliseEmployeeNo } from './employee-no.js';

export type TeacherRow = typeof teachers.$inferSelect;
/** A granted role as stored (every rostered teacher is also a 'teacher', which is not stored). */
export type GrantedRole = (typeof roles.$inferSelect)['role'];
type Role = 'teacher' | GrantedRole;

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

/** A teachers row as raw SQL returns it (snake_case columns, 0/1 flags, epoch ms). */
export interface TeacherSqlRow {
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

/* ------------------------------------------------------------------ records: pages, corrections */

export type RecordRow = typeof records.$inferSelect;

/** One teacher's valid records under a filter (one calendar year, or all): the count and the hours. */
function validRecordsOf(teacherId: number, year: number | null) {
  return and(eq(records.teacherId, teacherId), isNull(records.cancelledAt), year === null ? undefined : like(records.date, `${year}-%`));
}

export function validRecordTotals(db: Db, teacherId: number, year: number | null): { n: number; hours: number } {
  const totals = db.select({ n: count(), hours: sum(records.hours) }).from(records).where(validRecordsOf(teacherId, year)).get();
  return { n: totals?.n ?? 0, hours: Number(totals?.hours ?? 0) };
}

/** Newest first. */
export function validRecordRows(db: Db, teacherId: number, year: number | null, limit: number, offset: number) {
  return db
    .select({ date: records.date, hours: records.hours, category: records.category, project: records.project })
    .from(records)
    .where(validRecordsOf(teacherId, year))
    .orderBy(desc(records.date), desc(records.id))
    .limit(limit)
    .offset(offset)
    .all();
}

/** A record and its teacher, by 编号 or by row id. */
export function recordWithTeacher(db: Db, by: { key: string } | { id: number }): { record: RecordRow; teacher: TeacherRow } | null {
  const row = db
    .select()
    .from(records)
    .innerJoin(teachers, eq(records.teacherId, teachers.id))
    .where('key' in by ? eq(records.recordKey, by.key) : eq(records.id, by.id))
    .get();
  return row ? { record: row.records, teacher: row.teachers } : null;
}

/** Marks a record cancelled unless it already is; true if this call did. */
export function cancelRecord(db: Db, recordId: number, reason: string, now: Date): boolean {
  return (
    db
      .update(records)
      .set({ cancelledAt: now, cancelReason: reason })
      .where(and(eq(records.id, recordId), isNull(records.cancelledAt)))
      .run().changes > 0
  );
}

export function updateRecordValues(db: Db, recordId: number, values: Pick<RecordRow, 'hours' | 'category' | 'date'>): void {
  db.update(records).set(values).where(eq(records.id, recordId)).run();
}

/* ------------------------------------------------------------------ roles, audit */

export function insertRole(db: Db, teacherId: number, role: 'leader' | 'officer', grantedBy: string): boolean {
  return db.insert(roles).values({ teacherId, role, grantedBy }).onConflictDoNothing().run().changes > 0;
}

export function deleteRole(db: Db, teacherId: number, role: 'leader' | 'officer'): boolean {
  return db.delete(roles).where(and(eq(roles.teacherId, teacherId), eq(roles.role, role))).run().changes > 0;
}

/** True when the teacher is an officer or a leader. */
export function hasStaffRole(db: Db, teacherId: number): boolean {
  return db.select({ role: roles.role }).from(roles).where(and(eq(roles.teacherId, teacherId), inArray(roles.role, ['officer', 'leader']))).get() !== undefined;
}

export function insertAudit(db: Db, actor: string, action: string, detail: string): void {
  db.insert(auditLog).values({ actor, action, detail }).run();
}

/* ------------------------------------------------------------------ accounts, binding */

export type AccountRow = typeof accounts.$inferSelect;

export function accountByPlatformId(db: Db, platform: string, accountId: string): AccountRow | undefined {
  return db.select().from(accounts).where(and(eq(accounts.platform, platform), eq(accounts.accountId, accountId))).get();
}

/** The teacher's account on one platform, if bound. */
export function accountOfTeacherOn(db: Db, platform: string, teacherId: number): AccountRow | undefined {
  return db.select().from(accounts).where(and(eq(accounts.platform, platform), eq(accounts.teacherId, teacherId))).get();
}

/** Every chat account bound to one teacher. */
export function accountsOfTeacher(db: Db, teacherId: number): AccountRow[] {
  return db.select().from(accounts).where(eq(accounts.teacherId, teacherId)).all();
}

export function insertAccount(db: Db, platform: string, accountId: string, teacherId: number): void {
  db.insert(accounts).values({ platform, accountId, teacherId }).run();
}

/** Removes a teacher's bindings (all platforms, or one); how many. */
export function deleteAccountsOf(db: Db, teacherId: number, platform?: string): number {
  const where = platform ? and(eq(accounts.teacherId, teacherId), eq(accounts.platform, platform)) : eq(accounts.teacherId, teacherId);
  return db.delete(accounts).where(where).run().changes;
}

/** Failed 绑定 attempts since `since`: by this account, in this chat, and at this 工号. */
export function bindFailures(db: Db, key: { platform: string; accountId: string; chatId: string; employeeNo: string }, since: Date) {
  const failures = (where: SQL | undefined) => db.select({ n: count() }).from(bindAttempts).where(and(where, gt(bindAttempts.at, since))).get()?.n ?? 0;
  return {
    account: failures(and(eq(bindAttempts.platform, key.platform), eq(bindAttempts.accountId, key.accountId))),
    chat: failures(and(eq(bindAttempts.platform, key.platform), eq(bindAttempts.chatId, key.chatId))),
    employeeNo: failures(eq(bindAttempts.employeeNo, key.employeeNo)),
  };
}

/** Records a failed attempt and forgets those before `forgetBefore`. */
export function insertBindFailure(db: Db, row: typeof bindAttempts.$inferInsert, forgetBefore: Date): void {
  db.insert(bindAttempts).values(row).run();
  db.delete(bindAttempts).where(lt(bindAttempts.at, forgetBefore)).run();
}

/** The hash if it names an unused, unexpired code of this teacher. */
export function liveBindCode(db: Db, codeHash: string, teacherId: number, now: Date): string | null {
  const row = db
    .select({ codeHash: bindCodes.codeHash })
    .from(bindCodes)
    .where(and(eq(bindCodes.codeHash, codeHash), eq(bindCodes.teacherId, teacherId), isNull(bindCodes.usedAt), gt(bindCodes.expiresAt, now)))
    .get();
  return row?.codeHash ?? null;
}

export function markBindCodeUsed(db: Db, codeHash: string, now: Date): void {
  db.update(bindCodes).set({ usedAt: now }).where(eq(bindCodes.codeHash, codeHash)).run();
}

/**
 * Stores a new code for a teacher: their earlier unused codes stop working, codes expired before `forgetBefore`
 * are forgotten, and a hash drawn twice just renews its row.
 */
export function replaceBindCode(db: Db, row: typeof bindCodes.$inferSelect, forgetBefore: Date): void {
  db.update(bindCodes)
    .set({ usedAt: row.createdAt })
    .where(and(eq(bindCodes.teacherId, row.teacherId), isNull(bindCodes.usedAt)))
    .run();
  db.delete(bindCodes).where(lt(bindCodes.expiresAt, forgetBefore)).run();
  const { codeHash, ...rest } = row;
  db.insert(bindCodes).values(row).onConflictDoUpdate({ target: bindCodes.codeHash, set: rest }).run();
}
