/**
 * The officer services' SQL: console sign-in (login links, sessions, failed attempts) and the audit log's pages.
 * Services (auth.ts, audit.ts, audit-view.ts) decide; these read and write. Every query is the awaited query
 * builder, so each runs on SQLite and on PostgreSQL alike (issue 16).
 */
import { and, count, desc, eq, gte, inArray, isNull, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import type { accounts, adminLoginTokens, adminSessions, auditLog, teachers } from '../../db/schema.js';

export type LoginTokenRow = typeof adminLoginTokens.$inferSelect;
export type AdminSessionRow = typeof adminSessions.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;

/* ------------------------------------------------------------------ sign-in */

export async function isOfficer(db: Db, teacherId: number): Promise<boolean> {
  const { roles } = tables(db);
  const rows = await db
    .select({ teacherId: roles.teacherId })
    .from(roles)
    .where(and(eq(roles.teacherId, teacherId), eq(roles.role, 'officer')))
    .limit(1);
  return rows.length > 0;
}

/** Stores a fresh link (by its hash) and forgets links that expired over a day ago. */
export async function insertLoginToken(db: Db, row: typeof adminLoginTokens.$inferInsert, forgetBefore: Date): Promise<void> {
  const { adminLoginTokens } = tables(db);
  await db.delete(adminLoginTokens).where(lt(adminLoginTokens.expiresAt, forgetBefore));
  await db.insert(adminLoginTokens).values(row);
}

export async function loginTokenByHash(db: Db, tokenHash: string): Promise<LoginTokenRow | undefined> {
  const { adminLoginTokens } = tables(db);
  return (await db.select().from(adminLoginTokens).where(eq(adminLoginTokens.tokenHash, tokenHash)).limit(1))[0];
}

/** Marks a link used if nobody did yet: an atomic compare-and-set, true for the one caller that won. */
export async function claimLoginToken(db: Db, tokenHash: string, now: Date): Promise<boolean> {
  const { adminLoginTokens } = tables(db);
  const won = await db
    .update(adminLoginTokens)
    .set({ usedAt: now })
    .where(and(eq(adminLoginTokens.tokenHash, tokenHash), isNull(adminLoginTokens.usedAt)))
    .returning({ tokenHash: adminLoginTokens.tokenHash });
  return won.length === 1;
}

/** Stores a new console session and forgets sessions that expired before `forgetBefore`. */
export async function insertAdminSession(db: Db, row: typeof adminSessions.$inferInsert, forgetBefore: Date): Promise<void> {
  const { adminSessions } = tables(db);
  await db.delete(adminSessions).where(lt(adminSessions.expiresAt, forgetBefore));
  await db.insert(adminSessions).values(row);
}

export async function adminSessionByHash(db: Db, idHash: string): Promise<AdminSessionRow | undefined> {
  const { adminSessions } = tables(db);
  return (await db.select().from(adminSessions).where(eq(adminSessions.idHash, idHash)).limit(1))[0];
}

export async function revokeAdminSession(db: Db, idHash: string, now: Date): Promise<void> {
  const { adminSessions } = tables(db);
  await db.update(adminSessions).set({ revokedAt: now }).where(eq(adminSessions.idHash, idHash));
}

export async function touchAdminSession(db: Db, idHash: string, now: Date): Promise<void> {
  const { adminSessions } = tables(db);
  await db.update(adminSessions).set({ lastSeenAt: now }).where(eq(adminSessions.idHash, idHash));
}

/** When a throttle key failed since `since`, oldest first. */
export async function failedAttemptTimes(db: Db, key: string, since: Date): Promise<Date[]> {
  const { adminLoginAttempts } = tables(db);
  const rows = await db
    .select({ at: adminLoginAttempts.at })
    .from(adminLoginAttempts)
    .where(and(eq(adminLoginAttempts.ip, key), eq(adminLoginAttempts.ok, false), gte(adminLoginAttempts.at, since)))
    .orderBy(adminLoginAttempts.at);
  return rows.map((r) => r.at);
}

/** Records one sign-in attempt and forgets attempts older than `forgetBefore`. */
export async function insertLoginAttempt(db: Db, key: string, ok: boolean, now: Date, forgetBefore: Date): Promise<void> {
  const { adminLoginAttempts } = tables(db);
  await db.delete(adminLoginAttempts).where(lt(adminLoginAttempts.at, forgetBefore));
  await db.insert(adminLoginAttempts).values({ ip: key, at: now, ok });
}

/* ------------------------------------------------------------------ audit log */

export async function auditCount(db: Db, action: string | null): Promise<number> {
  const { auditLog } = tables(db);
  const rows = await db.select({ n: count() }).from(auditLog).where(action ? eq(auditLog.action, action) : undefined);
  return Number(rows[0]?.n ?? 0);
}

/** One page of the log, newest first. */
export async function auditRows(db: Db, action: string | null, limit: number, offset: number): Promise<AuditRow[]> {
  const { auditLog } = tables(db);
  return db
    .select()
    .from(auditLog)
    .where(action ? eq(auditLog.action, action) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(limit)
    .offset(offset);
}

export async function auditActions(db: Db): Promise<string[]> {
  const { auditLog } = tables(db);
  const rows = await db.selectDistinct({ action: auditLog.action }).from(auditLog);
  // Sorted here, by code unit: PostgreSQL's ORDER BY follows the database's collation, SQLite's the bytes.
  return rows.map((r) => r.action).sort();
}

/* ------------------------------------------------------------------ names an audit page shows */

export type PersonNames = Pick<typeof teachers.$inferSelect, 'id' | 'name' | 'school' | 'employeeNo'>;

const personColumns = (t: ReturnType<typeof tables>['teachers']) => ({ id: t.id, name: t.name, school: t.school, employeeNo: t.employeeNo });

export async function accountsByAccountIds(db: Db, accountIds: readonly string[]): Promise<(typeof accounts.$inferSelect)[]> {
  const { accounts } = tables(db);
  return db.select().from(accounts).where(inArray(accounts.accountId, [...accountIds]));
}

export async function peopleByIds(db: Db, ids: readonly number[]): Promise<PersonNames[]> {
  const { teachers } = tables(db);
  return db.select(personColumns(teachers)).from(teachers).where(inArray(teachers.id, [...ids]));
}

export async function peopleByEmployeeNos(db: Db, employeeNos: readonly string[]): Promise<PersonNames[]> {
  const { teachers } = tables(db);
  return db.select(personColumns(teachers)).from(teachers).where(inArray(teachers.employeeNo, [...employeeNos]));
}

export async function sessionTitlesByIds(db: Db, ids: readonly number[]): Promise<{ id: number; title: string }[]> {
  const { trainingSessions } = tables(db);
  return db.select({ id: trainingSessions.id, title: trainingSessions.title }).from(trainingSessions).where(inArray(trainingSessions.id, [...ids]));
}

export async function deadlineTitlesByIds(db: Db, ids: readonly number[]): Promise<{ id: number; title: string }[]> {
  const { deadlines } = tables(db);
  return db.select({ id: deadlines.id, title: deadlines.title }).from(deadlines).where(inArray(deadlines.id, [...ids]));
}
