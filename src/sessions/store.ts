import { and, asc, desc, eq, gte, inArray, isNull, like, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { attendance, records, roles, signinAttempts, teachers, trainingSessions } from '../../db/schema.js';
import type { TeacherRow } from '../ledger/store.js';
import { recordKeyOf, type SessionRow } from './model.js';

/* The sessions feature's SQL: sessions, attendance, their credit records, sign-in attempts. */

export type AttendanceRow = typeof attendance.$inferSelect;

export function insertSession(db: Db, values: typeof trainingSessions.$inferInsert): SessionRow {
  return db.insert(trainingSessions).values(values).returning().get();
}

export function getSession(db: Db, id: number): SessionRow | null {
  return db.select().from(trainingSessions).where(eq(trainingSessions.id, id)).get() ?? null;
}

/** The latest session dated `today`, else the latest created, else null. */
export function latestSession(db: Db, today: string): SessionRow | null {
  return (
    db.select().from(trainingSessions).where(eq(trainingSessions.date, today)).orderBy(desc(trainingSessions.id)).limit(1).get() ??
    db.select().from(trainingSessions).orderBy(desc(trainingSessions.id)).limit(1).get() ??
    null
  );
}

export function listSessions(db: Db, options: { from?: string; to?: string; limit?: number } = {}): SessionRow[] {
  const where = and(
    options.from ? gte(trainingSessions.date, options.from) : undefined,
    options.to ? lte(trainingSessions.date, options.to) : undefined,
  );
  return db
    .select()
    .from(trainingSessions)
    .where(where)
    .orderBy(desc(trainingSessions.date), desc(trainingSessions.checkinStart), desc(trainingSessions.id))
    .limit(options.limit ?? 50)
    .all();
}

/** Sessions dated from `from` to `to` (both included), earliest sign-in first. */
export function sessionsDated(db: Db, from: string, to: string): SessionRow[] {
  return db
    .select()
    .from(trainingSessions)
    .where(and(gte(trainingSessions.date, from), lte(trainingSessions.date, to)))
    .orderBy(asc(trainingSessions.checkinStart))
    .all();
}

export function updateSessionStatus(db: Db, sessionId: number, status: 'closed' | 'cancelled'): void {
  db.update(trainingSessions).set({ status }).where(eq(trainingSessions.id, sessionId)).run();
}

/* ---------------------------------------------------------------- attendance */

export function attendanceOf(db: Db, sessionId: number, teacherId: number): AttendanceRow | null {
  return db.select().from(attendance).where(and(eq(attendance.sessionId, sessionId), eq(attendance.teacherId, teacherId))).get() ?? null;
}

/** True when this call signed the teacher in; false when a row was already there. */
export function insertCheckin(db: Db, sessionId: number, teacherId: number, at: Date, via: string): boolean {
  return db.insert(attendance).values({ sessionId, teacherId, checkedInAt: at, via }).onConflictDoNothing().run().changes === 1;
}

/** True when this call signed the teacher out; false when they were not in or already out. */
export function markCheckedOut(db: Db, sessionId: number, teacherId: number, at: Date): boolean {
  return (
    db
      .update(attendance)
      .set({ checkedOutAt: at })
      .where(and(eq(attendance.sessionId, sessionId), eq(attendance.teacherId, teacherId), isNull(attendance.checkedOutAt)))
      .run().changes > 0
  );
}

export function attendanceRows(db: Db, sessionId: number): AttendanceRow[] {
  return db.select().from(attendance).where(eq(attendance.sessionId, sessionId)).all();
}

export function attendanceCounts(db: Db, sessionId: number): { signedIn: number; signedOut: number } {
  const row = db
    .select({ n: sql<number>`count(*)`, out: sql<number>`count(${attendance.checkedOutAt})` })
    .from(attendance)
    .where(eq(attendance.sessionId, sessionId))
    .get();
  return { signedIn: row?.n ?? 0, signedOut: row?.out ?? 0 };
}

/* ---------------------------------------------------------------- credit records */

/** Writes the one credit record of (session, teacher). The unique record key makes a second write a no-op. */
export function insertCredit(db: Db, session: SessionRow, teacher: TeacherRow, now: Date): boolean {
  return (
    db
      .insert(records)
      .values({
        recordKey: recordKeyOf(session.id, teacher.employeeNo),
        teacherId: teacher.id,
        date: session.date,
        hours: session.hours,
        category: session.category,
        project: session.title,
        source: 'session',
        createdAt: now,
      })
      .onConflictDoNothing()
      .run().changes === 1
  );
}

/** Each credited teacher of a session with the record's cancellation, if any. */
export function creditStates(db: Db, sessionId: number) {
  return db
    .select({ teacherId: records.teacherId, cancelledAt: records.cancelledAt, cancelReason: records.cancelReason })
    .from(records)
    .where(like(records.recordKey, `session:${sessionId}:%`))
    .all();
}

/**
 * What a cancelled session leaves behind: credit still standing (not revoked by 取消学时), and teachers who
 * signed in but, the session needing sign-out, never signed out and so got none.
 */
export function creditsOf(db: Db, session: SessionRow): { credited: number; awaitingCheckout: number } {
  const credited = db.$client
    .prepare(`select count(*) from records where record_key >= ? and record_key < ? and cancelled_at is null`)
    .pluck()
    .get(`session:${session.id}:`, `session:${session.id};`) as number;
  const awaitingCheckout = session.checkoutEnd
    ? (db.$client
        .prepare(`select count(*) from attendance where session_id = ? and checked_out_at is null`)
        .pluck()
        .get(session.id) as number)
    : 0;
  return { credited, awaitingCheckout };
}

export function recordByKey(db: Db, recordKey: string) {
  return db.select().from(records).where(eq(records.recordKey, recordKey)).get();
}

export function cancelRecord(db: Db, recordId: number, now: Date, reason: string): void {
  db.update(records).set({ cancelledAt: now, cancelReason: reason }).where(and(eq(records.id, recordId), isNull(records.cancelledAt))).run();
}

/* ---------------------------------------------------------------- sign-in attempts */

/** Times (ms) of an account's failed attempts since `since`, oldest first. */
export function failedAttemptTimes(db: Db, platform: string, accountId: string, since: Date): number[] {
  return db
    .select({ at: signinAttempts.at })
    .from(signinAttempts)
    .where(and(eq(signinAttempts.platform, platform), eq(signinAttempts.accountId, accountId), eq(signinAttempts.ok, false), gte(signinAttempts.at, since)))
    .orderBy(asc(signinAttempts.at))
    .all()
    .map((r) => r.at.getTime());
}

export function logAttempt(db: Db, platform: string, accountId: string, now: Date, ok: boolean): void {
  db.insert(signinAttempts).values({ platform, accountId, at: now, ok }).run();
}

/* ---------------------------------------------------------------- queued messages */

/** Sign-in cards and reminders for a session, queued but not yet sent: withdrawn when it is called off. */
export function withdrawQueued(db: Db, session: SessionRow): number {
  return db.$client
    .prepare(`delete from outbox where status = 'pending' and origin in (?, ?)`)
    .run(`session:${session.id}:card`, `session:${session.id}:remind`).changes;
}

/* ------------------------------------------------------------------ who a session is for */

/** A roster entry as an audience sees it, with the facts role filters read. */
export type AudienceRow = Pick<TeacherRow, 'id' | 'employeeNo' | 'name' | 'school' | 'policyId' | 'homeroom' | 'position'>;

const audienceColumns = {
  id: teachers.id,
  employeeNo: teachers.employeeNo,
  name: teachers.name,
  school: teachers.school,
  policyId: teachers.policyId,
  homeroom: teachers.homeroom,
  position: teachers.position,
};

/** The roster (or these schools of it) in 学校, 工号 order. */
export function rosterRows(db: Db, schools: readonly string[] | null): AudienceRow[] {
  const q = db.select(audienceColumns).from(teachers);
  return (schools ? q.where(inArray(teachers.school, [...schools])) : q).orderBy(asc(teachers.school), asc(teachers.employeeNo)).all();
}

/** How many teachers the roster (or these schools of it) holds. */
export function rosterCount(db: Db, schools: readonly string[] | null): number {
  const q = db.select({ n: sql<number>`count(*)` }).from(teachers);
  return (schools ? q.where(inArray(teachers.school, [...schools])) : q).get()?.n ?? 0;
}

/** Granted roles (leader, officer) of these teachers, or of everyone. */
export function grantedRoleRows(db: Db, teacherIds: readonly number[] | null): (typeof roles.$inferSelect)[] {
  return teacherIds === null ? db.select().from(roles).all() : db.select().from(roles).where(inArray(roles.teacherId, [...teacherIds])).all();
}

/** Teachers by id (at most 500 a call). */
export function rosterRowsById(db: Db, ids: readonly number[]): Pick<AudienceRow, 'id' | 'employeeNo' | 'name' | 'school' | 'policyId'>[] {
  return db
    .select({ id: teachers.id, employeeNo: teachers.employeeNo, name: teachers.name, school: teachers.school, policyId: teachers.policyId })
    .from(teachers)
    .where(inArray(teachers.id, [...ids]))
    .all();
}
