import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import type { deadlineFilings, deadlines } from '../../db/schema.js';
import { statement } from '../../db/statements.js';
import { withoutNumberSign } from '../core/text.js';
import { audit } from '../ledger/audit.js';
import { accountsOf } from '../outbox/address.js';
import { DEFAULT_OVERDUE_EVERY_DAYS, MAX_OVERDUE_ROUNDS, type DeadlineTiming } from './slots.js';

export type DeadlineRow = typeof deadlines.$inferSelect;

/** Which schools must file: every school on the roster, or a list. Stored as JSON in `deadlines.audience`. */
export type SchoolAudience = { all: true } | { schools: string[] };

export function parseSchoolAudience(json: string): SchoolAudience {
  try {
    const value = JSON.parse(json) as { all?: unknown; schools?: unknown };
    if (Array.isArray(value.schools)) return { schools: value.schools.map(String) };
  } catch {
    // fall through: an unreadable audience means everyone rather than nobody
  }
  return { all: true };
}

export function parseOffsets(json: string): number[] {
  try {
    const value = JSON.parse(json);
    if (Array.isArray(value)) return value.filter((n): n is number => Number.isInteger(n) && n >= 0);
  } catch {
    // fall through
  }
  return [];
}

export function timingOf(row: DeadlineRow): DeadlineTiming {
  return { id: row.id, dueAt: row.dueAt, offsets: parseOffsets(row.offsets), overdueEveryDays: row.overdueEveryDays };
}

/*
 * One SQL text for SQLite and PostgreSQL (issue 16). School lists are sorted here, not by the database: SQLite
 * compares text by code point, a PostgreSQL database by its collation (zh_CN would order by pinyin), and every
 * list of schools the bot shows should read the same on both.
 */
const bySchoolName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Every school on the roster, sorted. */
export async function listSchools(db: Db): Promise<string[]> {
  const { teachers } = tables(db);
  const rows = await db.selectDistinct({ school: teachers.school }).from(teachers);
  return rows.map((r) => r.school).sort(bySchoolName);
}

const FILING_SCHOOLS = `select distinct school from teachers where id not in (select teacher_id from roles where role = 'officer')`;

/**
 * The schools an "all schools" deadline addresses: every roster school except units whose staff are all
 * officers (the training office itself is on the roster but does not file to itself).
 */
export async function filingSchools(db: Db): Promise<string[]> {
  return (await statement<[], string>(db, FILING_SCHOOLS).pluck<string>().all()).sort(bySchoolName);
}

export function schoolsOf(audience: SchoolAudience, allSchools: readonly string[]): string[] {
  return 'schools' in audience ? audience.schools : [...allSchools];
}

export function includesSchool(audience: SchoolAudience, school: string): boolean {
  return 'schools' in audience ? audience.schools.includes(school) : true;
}

export interface NewDeadline {
  title: string;
  dueAt: Date;
  audience: SchoolAudience;
  offsets: readonly number[];
  overdueEveryDays?: number;
  escalate?: boolean;
  createdBy: string;
  sourceKey?: string;
}

export async function createDeadline(db: Db, input: NewDeadline): Promise<DeadlineRow> {
  const { deadlines } = tables(db);
  const [row] = await db
    .insert(deadlines)
    .values({
      title: input.title,
      dueAt: input.dueAt,
      audience: JSON.stringify(input.audience),
      offsets: JSON.stringify([...new Set(input.offsets)].sort((a, b) => b - a)),
      overdueEveryDays: input.overdueEveryDays ?? DEFAULT_OVERDUE_EVERY_DAYS,
      escalate: input.escalate ?? true,
      sourceKey: input.sourceKey ?? null,
      createdBy: input.createdBy,
    })
    .returning();
  await audit(db, input.createdBy, 'deadline_create', { id: row.id, title: row.title, dueAt: row.dueAt.toISOString(), audience: input.audience });
  return row;
}

export async function getDeadline(db: Db, id: number): Promise<DeadlineRow | null> {
  const { deadlines } = tables(db);
  return (await db.select().from(deadlines).where(eq(deadlines.id, id)).limit(1))[0] ?? null;
}

/** Reminders of a deadline (or of one school's filing of it) queued but not yet sent, by idempotency-key range. */
const WITHDRAW_REMINDERS = `delete from outbox where status = 'pending' and idempotency_key >= ? and idempotency_key < ?`;

export async function cancelDeadline(db: Db, id: number, actor: string, at: Date): Promise<boolean> {
  const { deadlines } = tables(db);
  const changed = await db
    .update(deadlines)
    .set({ cancelledAt: at })
    .where(and(eq(deadlines.id, id), isNull(deadlines.cancelledAt)))
    .returning({ id: deadlines.id });
  if (changed.length === 0) return false;
  await audit(db, actor, 'deadline_cancel', { id });
  await statement<[string, string]>(db, WITHDRAW_REMINDERS).run(`reminder:${id}:`, `reminder:${id};`);
  return true;
}

/** Deadlines still worth reminding or listing: not cancelled, and not past their last overdue round. */
export async function activeDeadlines(db: Db, now: Date): Promise<DeadlineRow[]> {
  const { deadlines } = tables(db);
  const horizon = new Date(now.getTime() - (MAX_OVERDUE_ROUNDS + 1) * 31 * 86_400_000);
  return db
    .select()
    .from(deadlines)
    .where(and(isNull(deadlines.cancelledAt), gt(deadlines.dueAt, horizon)))
    .orderBy(asc(deadlines.dueAt), asc(deadlines.id));
}

export type Match = { kind: 'one'; deadline: DeadlineRow } | { kind: 'many'; choices: DeadlineRow[] } | { kind: 'none' };

/**
 * Finds a deadline by id ("12" or "#12") or by a piece of its title. `scope` limits the search (a leader sees
 * only deadlines their school must file). Several title matches are returned for the caller to choose from.
 */
export async function findDeadline(db: Db, query: string, scope: (d: DeadlineRow) => boolean = () => true): Promise<Match> {
  const q = withoutNumberSign(query.trim());
  if (!q) return { kind: 'none' };
  const { deadlines } = tables(db);
  // Matched here rather than with `like`, which ignores ASCII case on SQLite but not on PostgreSQL.
  const candidates = (await db.select().from(deadlines).where(isNull(deadlines.cancelledAt)).orderBy(asc(deadlines.dueAt), asc(deadlines.id))).filter(scope);
  if (/^\d+$/.test(q)) {
    const byId = candidates.find((d) => d.id === Number(q));
    if (byId) return { kind: 'one', deadline: byId };
  }
  const wanted = q.toLowerCase();
  const byTitle = candidates.filter((d) => d.title.toLowerCase().includes(wanted));
  const exact = byTitle.filter((d) => d.title.toLowerCase() === wanted);
  if (exact.length === 1) return { kind: 'one', deadline: exact[0] };
  if (byTitle.length === 1) return { kind: 'one', deadline: byTitle[0] };
  if (byTitle.length > 1) return { kind: 'many', choices: byTitle };
  return { kind: 'none' };
}

export interface Filing {
  school: string;
  filedAt: Date;
  filedBy: number | null;
}

/** Raw SQL, prepared once per connection: the scheduler asks this once per deadline on every tick. */
const FILINGS_OF = 'select school, filed_at as "filedAt", filed_by as "filedBy" from deadline_filings where deadline_id = ?';

export async function filingsOf(db: Db, deadlineId: number): Promise<Map<string, Filing>> {
  // filed_at comes back as epoch ms from SQLite and as a Date (timestamptz) from PostgreSQL: new Date() takes both.
  const rows = await statement<[number], { school: string; filedAt: number | Date; filedBy: number | null }>(db, FILINGS_OF).all(deadlineId);
  return new Map(rows.map((r) => [r.school, { school: r.school, filedAt: new Date(r.filedAt), filedBy: r.filedBy }]));
}

/**
 * Marks a school's filing. Reminders for that school stop: the next tick skips it, and reminders already
 * queued but not yet sent (spread by jitter or held by quiet hours) are withdrawn from the outbox. The insert
 * decides who filed first (two leaders tapping at once, or two instances): the other is told it was filed.
 */
export async function fileDeadline(
  db: Db,
  deadlineId: number,
  school: string,
  filedBy: number | null,
  at: Date,
  actor: string,
): Promise<{ ok: true } | { ok: false; already: Filing }> {
  const { deadlineFilings } = tables(db);
  const added = await db
    .insert(deadlineFilings)
    .values({ deadlineId, school, filedAt: at, filedBy })
    .onConflictDoNothing()
    .returning({ school: deadlineFilings.school });
  if (added.length === 0) {
    const existing = (await filingOf(db, deadlineId, school))!;
    return { ok: false, already: { school, filedAt: existing.filedAt, filedBy: existing.filedBy } };
  }
  await statement<[string, string]>(db, WITHDRAW_REMINDERS).run(`reminder:${deadlineId}:${school}:`, `reminder:${deadlineId}:${school};`);
  await audit(db, actor, 'deadline_filed', { deadlineId, school, filedBy });
  return { ok: true };
}

export interface StaffMember {
  teacherId: number;
  name: string;
  school: string;
  employeeNo: string;
}

async function staffWithRole(db: Db, role: 'leader' | 'officer'): Promise<StaffMember[]> {
  const { roles, teachers } = tables(db);
  return db
    .select({ teacherId: teachers.id, name: teachers.name, school: teachers.school, employeeNo: teachers.employeeNo })
    .from(roles)
    .innerJoin(teachers, eq(roles.teacherId, teachers.id))
    .where(eq(roles.role, role))
    .orderBy(asc(teachers.id));
}

/** Leaders by school (every leader, bound or not). */
export async function leadersBySchool(db: Db): Promise<Map<string, StaffMember[]>> {
  const bySchool = new Map<string, StaffMember[]>();
  for (const r of await staffWithRole(db, 'leader')) {
    const list = bySchool.get(r.school) ?? [];
    list.push(r);
    bySchool.set(r.school, list);
  }
  return bySchool;
}

export async function officers(db: Db): Promise<StaffMember[]> {
  return staffWithRole(db, 'officer');
}

/** Schools with at least one leader who has bound a chat account (the ones a reminder can reach). */
export async function reachableSchools(db: Db, leaders: Map<string, StaffMember[]>): Promise<Set<string>> {
  const ids = [...leaders].flatMap(([, list]) => list.map((l) => l.teacherId));
  const bound = await accountsOf(db, ids);
  const reachable = new Set<string>();
  for (const [school, list] of leaders) if (list.some((l) => bound.has(l.teacherId))) reachable.add(school);
  return reachable;
}

export interface SchoolStatus {
  school: string;
  filing: Filing | null;
}

/** Filed / not filed for every school a deadline addresses. */
export async function filingStatus(db: Db, deadline: DeadlineRow, allSchools?: readonly string[]): Promise<SchoolStatus[]> {
  const filings = await filingsOf(db, deadline.id);
  const schools = schoolsOf(parseSchoolAudience(deadline.audience), allSchools ?? (await filingSchools(db)));
  return schools.map((school) => ({ school, filing: filings.get(school) ?? null }));
}

/** Open (not filed, not cancelled, not past reminding) deadlines a school must file, soonest first. */
export async function openDeadlinesFor(db: Db, school: string, now: Date): Promise<DeadlineRow[]> {
  const { deadlineFilings } = tables(db);
  const filedRows = await db.select({ id: deadlineFilings.deadlineId }).from(deadlineFilings).where(eq(deadlineFilings.school, school));
  const filed = new Set(filedRows.map((r) => r.id));
  return (await activeDeadlines(db, now)).filter((d) => !filed.has(d.id) && includesSchool(parseSchoolAudience(d.audience), school));
}

const ORIGIN_EXISTS = 'select 1 from outbox where origin = ? limit 1';

/** True when some outbox row carries this origin: the marker that a reminder slot has been handled. */
export async function originExists(db: Db, origin: string): Promise<boolean> {
  return (await statement<[string]>(db, ORIGIN_EXISTS).get(origin)) !== undefined;
}

/** One school's filing of a deadline, if it filed. */
export async function filingOf(db: Db, deadlineId: number, school: string): Promise<typeof deadlineFilings.$inferSelect | null> {
  const { deadlineFilings } = tables(db);
  return (
    (await db
      .select()
      .from(deadlineFilings)
      .where(and(eq(deadlineFilings.deadlineId, deadlineId), eq(deadlineFilings.school, school)))
      .limit(1))[0] ?? null
  );
}

export async function deleteFiling(db: Db, deadlineId: number, school: string): Promise<void> {
  const { deadlineFilings } = tables(db);
  await db.delete(deadlineFilings).where(and(eq(deadlineFilings.deadlineId, deadlineId), eq(deadlineFilings.school, school)));
}

/* ------------------------------------------------------------------ deadlines from policy presets */

/** Schools with teachers under one policy, sorted. */
export async function schoolsUnderPolicy(db: Db, policyId: string): Promise<string[]> {
  const { teachers } = tables(db);
  const rows = await db.selectDistinct({ school: teachers.school }).from(teachers).where(eq(teachers.policyId, policyId));
  return rows.map((r) => r.school).sort(bySchoolName);
}

export async function deadlineBySourceKey(db: Db, key: string): Promise<DeadlineRow | undefined> {
  const { deadlines } = tables(db);
  return (await db.select().from(deadlines).where(eq(deadlines.sourceKey, key)).limit(1))[0];
}

/** Adds a deadline unless one with its source key exists; 1 if added. */
export async function insertDeadlineOnce(db: Db, values: typeof deadlines.$inferInsert): Promise<number> {
  const { deadlines } = tables(db);
  return (await db.insert(deadlines).values(values).onConflictDoNothing().returning({ id: deadlines.id })).length;
}

export async function setDeadlineAudience(db: Db, id: number, audience: string): Promise<void> {
  const { deadlines } = tables(db);
  await db.update(deadlines).set({ audience }).where(eq(deadlines.id, id));
}

/* ------------------------------------------------------------------ teachers' reminder preferences */

export async function remindersOff(db: Db, teacherId: number): Promise<boolean> {
  const { teacherPrefs } = tables(db);
  return (await db.select().from(teacherPrefs).where(eq(teacherPrefs.teacherId, teacherId)).limit(1))[0]?.remindersOff ?? false;
}

export async function upsertRemindersOff(db: Db, teacherId: number, off: boolean, at: Date): Promise<void> {
  const { teacherPrefs } = tables(db);
  await db
    .insert(teacherPrefs)
    .values({ teacherId, remindersOff: off, updatedAt: at })
    .onConflictDoUpdate({ target: teacherPrefs.teacherId, set: { remindersOff: off, updatedAt: at } });
}
