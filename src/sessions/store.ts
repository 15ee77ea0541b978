import { and, asc, count, desc, eq, gte, inArray, isNull, like, lte } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import type { attendance, roles, trainingSessions } from '../../db/schema.js';
import { statement } from '../../db/statements.js';
import type { TeacherRow } from '../ledger/store.js';
import { recordKeyOf, type SessionRow } from './model.js';

/*
 * The sessions feature's SQL: sessions, attendance, their credit records, sign-in attempts. One text for SQLite
 * and PostgreSQL (issue 16): times go through the query builder as Dates (epoch ms on SQLite, timestamptz on
 * PostgreSQL), counts through drizzle's count() (PostgreSQL returns count(*) as a string).
 */

export type AttendanceRow = typeof attendance.$inferSelect;

export async function insertSession(db: Db, values: typeof trainingSessions.$inferInsert): Promise<SessionRow> {
  const { trainingSessions } = tables(db);
  const [row] = await db.insert(trainingSessions).values(values).returning();
  return row;
}

export async function getSession(db: Db, id: number): Promise<SessionRow | null> {
  const { trainingSessions } = tables(db);
  return (await db.select().from(trainingSessions).where(eq(trainingSessions.id, id)).limit(1))[0] ?? null;
}

/** The latest session dated `today`, else the latest created, else null. */
export async function latestSession(db: Db, today: string): Promise<SessionRow | null> {
  const { trainingSessions } = tables(db);
  const latest = () => db.select().from(trainingSessions).orderBy(desc(trainingSessions.id)).limit(1);
  return (await latest().where(eq(trainingSessions.date, today)))[0] ?? (await latest())[0] ?? null;
}

export async function listSessions(db: Db, options: { from?: string; to?: string; limit?: number } = {}): Promise<SessionRow[]> {
  const { trainingSessions } = tables(db);
  const where = and(
    options.from ? gte(trainingSessions.date, options.from) : undefined,
    options.to ? lte(trainingSessions.date, options.to) : undefined,
  );
  return db
    .select()
    .from(trainingSessions)
    .where(where)
    .orderBy(desc(trainingSessions.date), desc(trainingSessions.checkinStart), desc(trainingSessions.id))
    .limit(options.limit ?? 50);
}

/** Sessions dated from `from` to `to` (both included), earliest sign-in first. */
export async function sessionsDated(db: Db, from: string, to: string): Promise<SessionRow[]> {
  const { trainingSessions } = tables(db);
  return db
    .select()
    .from(trainingSessions)
    .where(and(gte(trainingSessions.date, from), lte(trainingSessions.date, to)))
    .orderBy(asc(trainingSessions.checkinStart), asc(trainingSessions.id));
}

export async function updateSessionStatus(db: Db, sessionId: number, status: 'closed' | 'cancelled'): Promise<void> {
  const { trainingSessions } = tables(db);
  await db.update(trainingSessions).set({ status }).where(eq(trainingSessions.id, sessionId));
}

/* ---------------------------------------------------------------- attendance */

export async function attendanceOf(db: Db, sessionId: number, teacherId: number): Promise<AttendanceRow | null> {
  const { attendance } = tables(db);
  return (await db.select().from(attendance).where(and(eq(attendance.sessionId, sessionId), eq(attendance.teacherId, teacherId))).limit(1))[0] ?? null;
}

/** True when this call signed the teacher in; false when a row was already there. */
export async function insertCheckin(db: Db, sessionId: number, teacherId: number, at: Date, via: string): Promise<boolean> {
  const { attendance } = tables(db);
  const added = await db
    .insert(attendance)
    .values({ sessionId, teacherId, checkedInAt: at, via })
    .onConflictDoNothing()
    .returning({ teacherId: attendance.teacherId });
  return added.length === 1;
}

/** True when this call signed the teacher out; false when they were not in or already out. */
export async function markCheckedOut(db: Db, sessionId: number, teacherId: number, at: Date): Promise<boolean> {
  const { attendance } = tables(db);
  const changed = await db
    .update(attendance)
    .set({ checkedOutAt: at })
    .where(and(eq(attendance.sessionId, sessionId), eq(attendance.teacherId, teacherId), isNull(attendance.checkedOutAt)))
    .returning({ teacherId: attendance.teacherId });
  return changed.length > 0;
}

export async function attendanceRows(db: Db, sessionId: number): Promise<AttendanceRow[]> {
  const { attendance } = tables(db);
  return db.select().from(attendance).where(eq(attendance.sessionId, sessionId)).orderBy(asc(attendance.teacherId));
}

export async function attendanceCounts(db: Db, sessionId: number): Promise<{ signedIn: number; signedOut: number }> {
  const { attendance } = tables(db);
  const [row] = await db
    .select({ n: count(), out: count(attendance.checkedOutAt) })
    .from(attendance)
    .where(eq(attendance.sessionId, sessionId));
  return { signedIn: row?.n ?? 0, signedOut: row?.out ?? 0 };
}

/* ---------------------------------------------------------------- credit records */

/** Writes the one credit record of (session, teacher). The unique record key makes a second write a no-op. */
export async function insertCredit(db: Db, session: SessionRow, teacher: TeacherRow, now: Date): Promise<boolean> {
  const { records } = tables(db);
  const added = await db
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
    .returning({ id: records.id });
  return added.length === 1;
}

/** Each credited teacher of a session with the record's cancellation, if any. */
export async function creditStates(db: Db, sessionId: number) {
  const { records } = tables(db);
  // The key prefix is digits and colons: `like` matches it the same way on both dialects.
  return db
    .select({ teacherId: records.teacherId, cancelledAt: records.cancelledAt, cancelReason: records.cancelReason })
    .from(records)
    .where(like(records.recordKey, `session:${sessionId}:%`));
}

/* Counted in SQL (cast, since PostgreSQL returns count(*) as text); the key range reads the record_key index. */
const COUNT_CREDITED = 'select cast(count(*) as integer) from records where record_key >= ? and record_key < ? and cancelled_at is null';
const COUNT_AWAITING_CHECKOUT = 'select cast(count(*) as integer) from attendance where session_id = ? and checked_out_at is null';

/**
 * What a cancelled session leaves behind: credit still standing (not revoked by 取消学时), and teachers who
 * signed in but, the session needing sign-out, never signed out and so got none.
 */
export async function creditsOf(db: Db, session: SessionRow): Promise<{ credited: number; awaitingCheckout: number }> {
  const credited = (await statement<[string, string], number>(db, COUNT_CREDITED).pluck<number>().get(`session:${session.id}:`, `session:${session.id};`)) ?? 0;
  const awaitingCheckout = session.checkoutEnd ? ((await statement<[number]>(db, COUNT_AWAITING_CHECKOUT).pluck<number>().get(session.id)) ?? 0) : 0;
  return { credited, awaitingCheckout };
}

export async function recordByKey(db: Db, recordKey: string) {
  const { records } = tables(db);
  return (await db.select().from(records).where(eq(records.recordKey, recordKey)).limit(1))[0];
}

export async function cancelRecord(db: Db, recordId: number, now: Date, reason: string): Promise<void> {
  const { records } = tables(db);
  await db.update(records).set({ cancelledAt: now, cancelReason: reason }).where(and(eq(records.id, recordId), isNull(records.cancelledAt)));
}

/* ---------------------------------------------------------------- sign-in attempts */

/** Times (ms) of an account's failed attempts since `since`, oldest first. */
export async function failedAttemptTimes(db: Db, platform: string, accountId: string, since: Date): Promise<number[]> {
  const { signinAttempts } = tables(db);
  const rows = await db
    .select({ at: signinAttempts.at })
    .from(signinAttempts)
    .where(and(eq(signinAttempts.platform, platform), eq(signinAttempts.accountId, accountId), eq(signinAttempts.ok, false), gte(signinAttempts.at, since)))
    .orderBy(asc(signinAttempts.at));
  return rows.map((r) => r.at.getTime());
}

export async function logAttempt(db: Db, platform: string, accountId: string, now: Date, ok: boolean): Promise<void> {
  const { signinAttempts } = tables(db);
  await db.insert(signinAttempts).values({ platform, accountId, at: now, ok });
}

/* ---------------------------------------------------------------- queued messages */

const WITHDRAW_QUEUED = `delete from outbox where status = 'pending' and origin in (?, ?)`;

/** Sign-in cards and reminders for a session, queued but not yet sent: withdrawn when it is called off. */
export async function withdrawQueued(db: Db, session: SessionRow): Promise<number> {
  return (await statement<[string, string]>(db, WITHDRAW_QUEUED).run(`session:${session.id}:card`, `session:${session.id}:remind`)).changes;
}

/* ------------------------------------------------------------------ who a session is for */

/** A roster entry as an audience sees it, with the facts role filters read. */
export type AudienceRow = Pick<TeacherRow, 'id' | 'employeeNo' | 'name' | 'school' | 'policyId' | 'homeroom' | 'position'>;

function audienceColumns(db: Db) {
  const { teachers } = tables(db);
  return {
    id: teachers.id,
    employeeNo: teachers.employeeNo,
    name: teachers.name,
    school: teachers.school,
    policyId: teachers.policyId,
    homeroom: teachers.homeroom,
    position: teachers.position,
  };
}

/** The roster (or these schools of it) in 学校, 工号 order. */
export async function rosterRows(db: Db, schools: readonly string[] | null): Promise<AudienceRow[]> {
  const { teachers } = tables(db);
  const q = db.select(audienceColumns(db)).from(teachers);
  return (schools ? q.where(inArray(teachers.school, [...schools])) : q).orderBy(asc(teachers.school), asc(teachers.employeeNo));
}

/** How many teachers the roster (or these schools of it) holds. */
export async function rosterCount(db: Db, schools: readonly string[] | null): Promise<number> {
  const { teachers } = tables(db);
  const q = db.select({ n: count() }).from(teachers);
  return (await (schools ? q.where(inArray(teachers.school, [...schools])) : q))[0]?.n ?? 0;
}

/** Granted roles (leader, officer) of these teachers, or of everyone. */
export async function grantedRoleRows(db: Db, teacherIds: readonly number[] | null): Promise<(typeof roles.$inferSelect)[]> {
  const { roles } = tables(db);
  return teacherIds === null ? db.select().from(roles) : db.select().from(roles).where(inArray(roles.teacherId, [...teacherIds]));
}

/** Teachers by id (at most 500 a call). */
export async function rosterRowsById(db: Db, ids: readonly number[]): Promise<Pick<AudienceRow, 'id' | 'employeeNo' | 'name' | 'school' | 'policyId'>[]> {
  const { teachers } = tables(db);
  return db
    .select({ id: teachers.id, employeeNo: teachers.employeeNo, name: teachers.name, school: teachers.school, policyId: teachers.policyId })
    .from(teachers)
    .where(inArray(teachers.id, [...ids]));
}
