/**
 * The officer services' SQL: console sign-in (login links, sessions, failed attempts) and the audit log's pages.
 * Services (auth.ts, audit.ts, audit-view.ts) decide; these read and write.
 */
import { and, count, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { accounts, adminLoginAttempts, adminLoginTokens, adminSessions, auditLog, deadlines, roles, teachers, trainingSessions } from '../../db/schema.js';

export type LoginTokenRow = typeof adminLoginTokens.$inferSelect;
export type AdminSessionRow = typeof adminSessions.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;

/* ------------------------------------------------------------------ sign-in */

export function isOfficer(db: Db, teacherId: number): boolean {
  return db.select({ one: sql<number>`1` }).from(roles).where(and(eq(roles.teacherId, teacherId), eq(roles.role, 'officer'))).get() !== undefined;
}

/** Stores a fresh link (by its hash) and forgets links that expired over a day ago. */
export function insertLoginToken(db: Db, row: typeof adminLoginTokens.$inferInsert, forgetBefore: Date): void {
  db.delete(adminLoginTokens).where(lt(adminLoginTokens.expiresAt, forgetBefore)).run();
  db.insert(adminLoginTokens).values(row).run();
}

export function loginTokenByHash(db: Db, tokenHash: string): LoginTokenRow | undefined {
  return db.select().from(adminLoginTokens).where(eq(adminLoginTokens.tokenHash, tokenHash)).get();
}

/** Marks a link used if nobody did yet: an atomic compare-and-set, true for the one caller that won. */
export function claimLoginToken(db: Db, tokenHash: string, now: Date): boolean {
  return (
    db
      .update(adminLoginTokens)
      .set({ usedAt: now })
      .where(and(eq(adminLoginTokens.tokenHash, tokenHash), sql`${adminLoginTokens.usedAt} IS NULL`))
      .run().changes === 1
  );
}

/** Stores a new console session and forgets sessions that expired before `forgetBefore`. */
export function insertAdminSession(db: Db, row: typeof adminSessions.$inferInsert, forgetBefore: Date): void {
  db.delete(adminSessions).where(lt(adminSessions.expiresAt, forgetBefore)).run();
  db.insert(adminSessions).values(row).run();
}

export function adminSessionByHash(db: Db, idHash: string): AdminSessionRow | undefined {
  return db.select().from(adminSessions).where(eq(adminSessions.idHash, idHash)).get();
}

export function revokeAdminSession(db: Db, idHash: string, now: Date): void {
  db.update(adminSessions).set({ revokedAt: now }).where(eq(adminSessions.idHash, idHash)).run();
}

export function touchAdminSession(db: Db, idHash: string, now: Date): void {
  db.update(adminSessions).set({ lastSeenAt: now }).where(eq(adminSessions.idHash, idHash)).run();
}

/** When a throttle key failed since `since`, oldest first. */
export function failedAttemptTimes(db: Db, key: string, since: Date): Date[] {
  return db
    .select({ at: adminLoginAttempts.at })
    .from(adminLoginAttempts)
    .where(and(eq(adminLoginAttempts.ip, key), eq(adminLoginAttempts.ok, false), gte(adminLoginAttempts.at, since)))
    .orderBy(adminLoginAttempts.at)
    .all()
    .map((r) => r.at);
}

/** Records one sign-in attempt and forgets attempts older than `forgetBefore`. */
export function insertLoginAttempt(db: Db, key: string, ok: boolean, now: Date, forgetBefore: Date): void {
  db.delete(adminLoginAttempts).where(lt(adminLoginAttempts.at, forgetBefore)).run();
  db.insert(adminLoginAttempts).values({ ip: key, at: now, ok }).run();
}

/* ------------------------------------------------------------------ audit log */

export function auditCount(db: Db, action: string | null): number {
  return db.select({ n: count() }).from(auditLog).where(action ? eq(auditLog.action, action) : undefined).get()?.n ?? 0;
}

/** One page of the log, newest first. */
export function auditRows(db: Db, action: string | null, limit: number, offset: number): AuditRow[] {
  return db
    .select()
    .from(auditLog)
    .where(action ? eq(auditLog.action, action) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(limit)
    .offset(offset)
    .all();
}

export function auditActions(db: Db): string[] {
  return db.selectDistinct({ action: auditLog.action }).from(auditLog).orderBy(auditLog.action).all().map((r) => r.action);
}

/* ------------------------------------------------------------------ names an audit page shows */

export type PersonNames = Pick<typeof teachers.$inferSelect, 'id' | 'name' | 'school' | 'employeeNo'>;

const personColumns = { id: teachers.id, name: teachers.name, school: teachers.school, employeeNo: teachers.employeeNo };

export function accountsByAccountIds(db: Db, accountIds: readonly string[]): (typeof accounts.$inferSelect)[] {
  return db.select().from(accounts).where(inArray(accounts.accountId, [...accountIds])).all();
}

export function peopleByIds(db: Db, ids: readonly number[]): PersonNames[] {
  return db.select(personColumns).from(teachers).where(inArray(teachers.id, [...ids])).all();
}

export function peopleByEmployeeNos(db: Db, employeeNos: readonly string[]): PersonNames[] {
  return db.select(personColumns).from(teachers).where(inArray(teachers.employeeNo, [...employeeNos])).all();
}

export function sessionTitlesByIds(db: Db, ids: readonly number[]): { id: number; title: string }[] {
  return db.select({ id: trainingSessions.id, title: trainingSessions.title }).from(trainingSessions).where(inArray(trainingSessions.id, [...ids])).all();
}

export function deadlineTitlesByIds(db: Db, ids: readonly number[]): { id: number; title: string }[] {
  return db.select({ id: deadlines.id, title: deadlines.title }).from(deadlines).where(inArray(deadlines.id, [...ids])).all();
}
