import { and, count, desc, eq, gt, inArray, isNull, like, lt, sum, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { tables, type Tables } from '../../db/handle.js';
import type { accounts, bindAttempts, bindCodes, records, roles, teachers } from '../../db/schema.js';
import { statement } from '../../db/statements.js';
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
export async function findTeacherByEmployeeNo(db: Db, employeeNo: string): Promise<TeacherRow | null> {
  const key = normaliseEmployeeNo(employeeNo);
  if (key === '') return null;
  const { teachers } = tables(db);
  const [exact] = await db.select().from(teachers).where(eq(teachers.employeeNo, key)).limit(1);
  if (exact) return exact;
  const legacy = await statement<[string, string], TeacherSqlRow>(db, {
    sqlite: `select * from teachers where employee_no = ? collate nocase or employee_no = ? order by id limit 1`,
    // No index serves lower(): this runs only on a miss, and only for a 工号 stored before imports normalised.
    postgres: `select * from teachers where lower(employee_no) = lower(?) or employee_no = ? order by id limit 1`,
  }).get(key, employeeNo.trim());
  return legacy ? fromSqlRow(legacy) : null;
}

export async function findTeacherById(db: Db, id: number): Promise<TeacherRow | null> {
  const { teachers } = tables(db);
  return (await db.select().from(teachers).where(eq(teachers.id, id)).limit(1))[0] ?? null;
}

/** Every message's first look-up (who is talking): raw SQL prepared once per connection. */
export async function findTeacherByAccount(db: Db, platform: string, accountId: string): Promise<TeacherRow | null> {
  const row = await statement<[string, string], TeacherSqlRow>(
    db,
    `select t.* from accounts a join teachers t on t.id = a.teacher_id where a.platform = ? and a.account_id = ?`,
  ).get(platform, accountId);
  return row ? fromSqlRow(row) : null;
}

/** A teachers row as raw SQL returns it: snake_case columns; flags 0/1 (SQLite) or booleans, times epoch ms (SQLite) or Dates. */
export interface TeacherSqlRow {
  id: number;
  employee_no: string;
  name: string;
  school: string;
  hire_date: string | null;
  normal_graduate: number | boolean | null;
  homeroom: number | boolean;
  position: string;
  policy_id: string;
  created_at: number | Date;
  updated_at: number | Date | null;
}

function fromSqlRow(r: TeacherSqlRow): TeacherRow {
  return {
    id: r.id,
    employeeNo: r.employee_no,
    name: r.name,
    school: r.school,
    hireDate: r.hire_date,
    normalGraduate: r.normal_graduate === null ? null : Boolean(r.normal_graduate),
    homeroom: Boolean(r.homeroom),
    position: r.position,
    policyId: r.policy_id,
    createdAt: new Date(r.created_at),
    updatedAt: r.updated_at === null ? null : new Date(r.updated_at),
  };
}

export async function rolesOf(db: Db, teacher: TeacherRow | null): Promise<Set<Role>> {
  const result = new Set<Role>();
  if (!teacher) return result;
  result.add('teacher');
  for (const r of await statement<[number], { role: Role }>(db, `select role from roles where teacher_id = ?`).all(teacher.id)) result.add(r.role);
  return result;
}

export async function countTeachers(db: Db): Promise<number> {
  const { teachers } = tables(db);
  return (await db.select({ n: count() }).from(teachers))[0]?.n ?? 0;
}

/**
 * Active (not cancelled) records of one teacher dated on or before asOf: the ledger's only input to the policy
 * engine. A later record does not exist yet on asOf (the engine ignores one too); the bound is a range on the
 * records_teacher_date index.
 */
export function activeRecords(db: Db, teacherId: number, asOf: string): Promise<CreditRecord[]> {
  // Plain SQL prepared once per connection: building it through drizzle on every call (SQL generation, a fresh
  // prepare, per-row mapping) cost more than the look-up itself, and this is the one query behind every hours
  // answer (bot, CLI, pace reminders). hours is a double on PostgreSQL too, so it comes back a number.
  return statement<[number, string], CreditRecord>(
    db,
    'SELECT date, hours, category FROM records WHERE teacher_id = ? AND date <= ? AND cancelled_at IS NULL',
  ).all(teacherId, asOf);
}

export async function recentRecords(db: Db, teacherId: number, limit = 10) {
  const { records } = tables(db);
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
    .limit(limit);
}

/** 工号s in roster order with the demo ones first (the console's `/as leader` looks through these). */
export function employeeNosDemoFirst(db: Db): Promise<string[]> {
  return statement<[], string>(db, `SELECT employee_no FROM teachers ORDER BY (employee_no LIKE 'DEMO%') DESC, id LIMIT 2000`)
    .pluck<string>()
    .all();
}

/** The demo roster's 工号s, in order. */
export function demoEmployeeNos(db: Db): Promise<string[]> {
  return statement<[], string>(db, `SELECT employee_no FROM teachers WHERE employee_no LIKE 'DEMO%' ORDER BY employee_no`)
    .pluck<string>()
    .all();
}

/** Every teacher as [id, 工号, name]: the names beside a compliance snapshot's ids (exports). */
export function teacherNameRows(db: Db): Promise<[number, string, string][]> {
  return statement<[], [number, string, string]>(db, 'SELECT id, employee_no, name FROM teachers').raw<[number, string, string]>().all();
}

/** One school's teachers as [id, 工号, name, position, homeroom]. */
export async function schoolRosterRows(db: Db, school: string): Promise<[number, string, string, string, boolean][]> {
  const rows = await statement<[string], unknown>(db, 'SELECT id, employee_no, name, position, homeroom FROM teachers WHERE school = ?')
    .raw<[number, string, string, string, number | boolean]>()
    .all(school);
  // homeroom is 0/1 on SQLite, a boolean on PostgreSQL.
  return rows.map(([id, no, name, position, homeroom]) => [id, no, name, position, Boolean(homeroom)]);
}

/** How many of a school's teachers have bound a chat account. */
export async function boundTeacherCount(db: Db, school: string): Promise<number> {
  // count() is a bigint on PostgreSQL, which the driver hands over as a string.
  return Number(
    await statement<[string], unknown>(db, 'SELECT count(DISTINCT a.teacher_id) FROM accounts a JOIN teachers t ON t.id = a.teacher_id WHERE t.school = ?')
      .pluck<number | string>()
      .get(school),
  );
}

/* ------------------------------------------------------------------ records: pages, corrections */

export type RecordRow = typeof records.$inferSelect;

/** One teacher's valid records under a filter (one calendar year, or all): the count and the hours. */
function validRecordsOf(records: Tables['records'], teacherId: number, year: number | null) {
  // date is text 'YYYY-MM-DD' on both: a prefix match (like is case-sensitive on PostgreSQL; digits have no case).
  return and(eq(records.teacherId, teacherId), isNull(records.cancelledAt), year === null ? undefined : like(records.date, `${year}-%`));
}

export async function validRecordTotals(db: Db, teacherId: number, year: number | null): Promise<{ n: number; hours: number }> {
  const { records } = tables(db);
  const [totals] = await db.select({ n: count(), hours: sum(records.hours) }).from(records).where(validRecordsOf(records, teacherId, year));
  return { n: totals?.n ?? 0, hours: Number(totals?.hours ?? 0) };
}

/** Newest first. */
export async function validRecordRows(db: Db, teacherId: number, year: number | null, limit: number, offset: number) {
  const { records } = tables(db);
  return db
    .select({ date: records.date, hours: records.hours, category: records.category, project: records.project })
    .from(records)
    .where(validRecordsOf(records, teacherId, year))
    .orderBy(desc(records.date), desc(records.id))
    .limit(limit)
    .offset(offset);
}

/** A record and its teacher, by 编号 or by row id. */
export async function recordWithTeacher(db: Db, by: { key: string } | { id: number }): Promise<{ record: RecordRow; teacher: TeacherRow } | null> {
  const { records, teachers } = tables(db);
  const [row] = await db
    .select()
    .from(records)
    .innerJoin(teachers, eq(records.teacherId, teachers.id))
    .where('key' in by ? eq(records.recordKey, by.key) : eq(records.id, by.id))
    .limit(1);
  return row ? { record: row.records, teacher: row.teachers } : null;
}

/** Marks a record cancelled unless it already is; true if this call did. */
export async function cancelRecord(db: Db, recordId: number, reason: string, now: Date): Promise<boolean> {
  const { records } = tables(db);
  const changed = await db
    .update(records)
    .set({ cancelledAt: now, cancelReason: reason })
    .where(and(eq(records.id, recordId), isNull(records.cancelledAt)))
    .returning({ id: records.id });
  return changed.length > 0;
}

export async function updateRecordValues(db: Db, recordId: number, values: Pick<RecordRow, 'hours' | 'category' | 'date'>): Promise<void> {
  const { records } = tables(db);
  await db.update(records).set(values).where(eq(records.id, recordId));
}

/* ------------------------------------------------------------------ roles, audit */

export async function insertRole(db: Db, teacherId: number, role: 'leader' | 'officer', grantedBy: string): Promise<boolean> {
  const { roles } = tables(db);
  const inserted = await db.insert(roles).values({ teacherId, role, grantedBy }).onConflictDoNothing().returning({ teacherId: roles.teacherId });
  return inserted.length > 0;
}

export async function deleteRole(db: Db, teacherId: number, role: 'leader' | 'officer'): Promise<boolean> {
  const { roles } = tables(db);
  const deleted = await db
    .delete(roles)
    .where(and(eq(roles.teacherId, teacherId), eq(roles.role, role)))
    .returning({ teacherId: roles.teacherId });
  return deleted.length > 0;
}

/** True when the teacher is an officer or a leader. */
export async function hasStaffRole(db: Db, teacherId: number): Promise<boolean> {
  const { roles } = tables(db);
  const found = await db
    .select({ role: roles.role })
    .from(roles)
    .where(and(eq(roles.teacherId, teacherId), inArray(roles.role, ['officer', 'leader'])))
    .limit(1);
  return found.length > 0;
}

export async function insertAudit(db: Db, actor: string, action: string, detail: string): Promise<void> {
  const { auditLog } = tables(db);
  await db.insert(auditLog).values({ actor, action, detail });
}

/* ------------------------------------------------------------------ accounts, binding */

export type AccountRow = typeof accounts.$inferSelect;

export async function accountByPlatformId(db: Db, platform: string, accountId: string): Promise<AccountRow | undefined> {
  const { accounts } = tables(db);
  return (await db.select().from(accounts).where(and(eq(accounts.platform, platform), eq(accounts.accountId, accountId))).limit(1))[0];
}

/** The teacher's account on one platform, if bound. */
export async function accountOfTeacherOn(db: Db, platform: string, teacherId: number): Promise<AccountRow | undefined> {
  const { accounts } = tables(db);
  return (await db.select().from(accounts).where(and(eq(accounts.platform, platform), eq(accounts.teacherId, teacherId))).limit(1))[0];
}

/** Every chat account bound to one teacher. */
export async function accountsOfTeacher(db: Db, teacherId: number): Promise<AccountRow[]> {
  const { accounts } = tables(db);
  return db.select().from(accounts).where(eq(accounts.teacherId, teacherId));
}

export async function insertAccount(db: Db, platform: string, accountId: string, teacherId: number): Promise<void> {
  const { accounts } = tables(db);
  await db.insert(accounts).values({ platform, accountId, teacherId });
}

/** Removes a teacher's bindings (all platforms, or one); how many. */
export async function deleteAccountsOf(db: Db, teacherId: number, platform?: string): Promise<number> {
  const { accounts } = tables(db);
  const where = platform ? and(eq(accounts.teacherId, teacherId), eq(accounts.platform, platform)) : eq(accounts.teacherId, teacherId);
  return (await db.delete(accounts).where(where).returning({ teacherId: accounts.teacherId })).length;
}

/** Failed 绑定 attempts since `since`: by this account, in this chat, and at this 工号. */
export async function bindFailures(
  db: Db,
  key: { platform: string; accountId: string; chatId: string; employeeNo: string },
  since: Date,
): Promise<{ account: number; chat: number; employeeNo: number }> {
  const { bindAttempts } = tables(db);
  const failures = async (where: SQL | undefined) =>
    (await db.select({ n: count() }).from(bindAttempts).where(and(where, gt(bindAttempts.at, since))))[0]?.n ?? 0;
  return {
    account: await failures(and(eq(bindAttempts.platform, key.platform), eq(bindAttempts.accountId, key.accountId))),
    chat: await failures(and(eq(bindAttempts.platform, key.platform), eq(bindAttempts.chatId, key.chatId))),
    employeeNo: await failures(eq(bindAttempts.employeeNo, key.employeeNo)),
  };
}

/** Records a failed attempt and forgets those before `forgetBefore`. */
export async function insertBindFailure(db: Db, row: typeof bindAttempts.$inferInsert, forgetBefore: Date): Promise<void> {
  const { bindAttempts } = tables(db);
  await db.insert(bindAttempts).values(row);
  await db.delete(bindAttempts).where(lt(bindAttempts.at, forgetBefore));
}

/** The hash if it names an unused, unexpired code of this teacher. */
export async function liveBindCode(db: Db, codeHash: string, teacherId: number, now: Date): Promise<string | null> {
  const { bindCodes } = tables(db);
  const [row] = await db
    .select({ codeHash: bindCodes.codeHash })
    .from(bindCodes)
    .where(and(eq(bindCodes.codeHash, codeHash), eq(bindCodes.teacherId, teacherId), isNull(bindCodes.usedAt), gt(bindCodes.expiresAt, now)))
    .limit(1);
  return row?.codeHash ?? null;
}

export async function markBindCodeUsed(db: Db, codeHash: string, now: Date): Promise<void> {
  const { bindCodes } = tables(db);
  await db.update(bindCodes).set({ usedAt: now }).where(eq(bindCodes.codeHash, codeHash));
}

/**
 * Stores a new code for a teacher: their earlier unused codes stop working, codes expired before `forgetBefore`
 * are forgotten, and a hash drawn twice just renews its row.
 */
export async function replaceBindCode(db: Db, row: typeof bindCodes.$inferSelect, forgetBefore: Date): Promise<void> {
  const { bindCodes } = tables(db);
  await db
    .update(bindCodes)
    .set({ usedAt: row.createdAt })
    .where(and(eq(bindCodes.teacherId, row.teacherId), isNull(bindCodes.usedAt)));
  await db.delete(bindCodes).where(lt(bindCodes.expiresAt, forgetBefore));
  const { codeHash, ...rest } = row;
  await db.insert(bindCodes).values(row).onConflictDoUpdate({ target: bindCodes.codeHash, set: rest });
}
