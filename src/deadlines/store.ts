import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { deadlineFilings, deadlines, roles, teacherPrefs, teachers } from '../../db/schema.js';
import { prepared } from '../../db/statements.js';
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

/** Every school on the roster, sorted. */
export function listSchools(db: Db): string[] {
  return db
    .selectDistinct({ school: teachers.school })
    .from(teachers)
    .orderBy(asc(teachers.school))
    .all()
    .map((r) => r.school);
}

/**
 * The schools an "all schools" deadline addresses: every roster school except units whose staff are all
 * officers (the training office itself is on the roster but does not file to itself).
 */
export function filingSchools(db: Db): string[] {
  return (
    db.$client
      .prepare(
        `select distinct school from teachers
          where id not in (select teacher_id from roles where role = 'officer')
          order by school`,
      )
      .all() as { school: string }[]
  ).map((r) => r.school);
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

export function createDeadline(db: Db, input: NewDeadline): DeadlineRow {
  const row = db
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
    .returning()
    .get();
  audit(db, input.createdBy, 'deadline_create', { id: row.id, title: row.title, dueAt: row.dueAt.toISOString(), audience: input.audience });
  return row;
}

export function getDeadline(db: Db, id: number): DeadlineRow | null {
  return db.select().from(deadlines).where(eq(deadlines.id, id)).get() ?? null;
}

export function cancelDeadline(db: Db, id: number, actor: string, at: Date): boolean {
  const changed = db
    .update(deadlines)
    .set({ cancelledAt: at })
    .where(and(eq(deadlines.id, id), isNull(deadlines.cancelledAt)))
    .run().changes;
  if (changed) {
    audit(db, actor, 'deadline_cancel', { id });
    db.$client
      .prepare(`delete from outbox where status = 'pending' and idempotency_key >= ? and idempotency_key < ?`)
      .run(`reminder:${id}:`, `reminder:${id};`);
  }
  return changed > 0;
}

/** Deadlines still worth reminding or listing: not cancelled, and not past their last overdue round. */
export function activeDeadlines(db: Db, now: Date): DeadlineRow[] {
  const horizon = new Date(now.getTime() - (MAX_OVERDUE_ROUNDS + 1) * 31 * 86_400_000);
  return db
    .select()
    .from(deadlines)
    .where(and(isNull(deadlines.cancelledAt), gt(deadlines.dueAt, horizon)))
    .orderBy(asc(deadlines.dueAt), asc(deadlines.id))
    .all();
}

export type Match = { kind: 'one'; deadline: DeadlineRow } | { kind: 'many'; choices: DeadlineRow[] } | { kind: 'none' };

/**
 * Finds a deadline by id ("12" or "#12") or by a piece of its title. `scope` limits the search (a leader sees
 * only deadlines their school must file). Several title matches are returned for the caller to choose from.
 */
export function findDeadline(db: Db, query: string, scope: (d: DeadlineRow) => boolean = () => true): Match {
  const q = withoutNumberSign(query.trim());
  if (!q) return { kind: 'none' };
  const candidates = db
    .select()
    .from(deadlines)
    .where(isNull(deadlines.cancelledAt))
    .orderBy(asc(deadlines.dueAt), asc(deadlines.id))
    .all()
    .filter(scope);
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

/** Prepared once per connection: the scheduler asks these once per deadline on every tick. */
const stmt = prepared;

export function filingsOf(db: Db, deadlineId: number): Map<string, Filing> {
  const rows = stmt(db, 'select school, filed_at as filedAt, filed_by as filedBy from deadline_filings where deadline_id = ?').all(deadlineId) as {
    school: string;
    filedAt: number;
    filedBy: number | null;
  }[];
  return new Map(rows.map((r) => [r.school, { school: r.school, filedAt: new Date(r.filedAt), filedBy: r.filedBy }]));
}

/**
 * Marks a school's filing. Reminders for that school stop: the next tick skips it, and reminders already
 * queued but not yet sent (spread by jitter or held by quiet hours) are withdrawn from the outbox.
 */
export function fileDeadline(
  db: Db,
  deadlineId: number,
  school: string,
  filedBy: number | null,
  at: Date,
  actor: string,
): { ok: true } | { ok: false; already: Filing } {
  const existing = db
    .select()
    .from(deadlineFilings)
    .where(and(eq(deadlineFilings.deadlineId, deadlineId), eq(deadlineFilings.school, school)))
    .get();
  if (existing) return { ok: false, already: { school, filedAt: existing.filedAt, filedBy: existing.filedBy } };
  db.insert(deadlineFilings).values({ deadlineId, school, filedAt: at, filedBy }).run();
  db.$client
    .prepare(`delete from outbox where status = 'pending' and idempotency_key >= ? and idempotency_key < ?`)
    .run(`reminder:${deadlineId}:${school}:`, `reminder:${deadlineId}:${school};`);
  audit(db, actor, 'deadline_filed', { deadlineId, school, filedBy });
  return { ok: true };
}

export interface StaffMember {
  teacherId: number;
  name: string;
  school: string;
  employeeNo: string;
}

/** Leaders by school (every leader, bound or not). */
export function leadersBySchool(db: Db): Map<string, StaffMember[]> {
  const rows = db
    .select({ teacherId: teachers.id, name: teachers.name, school: teachers.school, employeeNo: teachers.employeeNo })
    .from(roles)
    .innerJoin(teachers, eq(roles.teacherId, teachers.id))
    .where(eq(roles.role, 'leader'))
    .orderBy(asc(teachers.id))
    .all();
  const bySchool = new Map<string, StaffMember[]>();
  for (const r of rows) {
    const list = bySchool.get(r.school) ?? [];
    list.push(r);
    bySchool.set(r.school, list);
  }
  return bySchool;
}

export function officers(db: Db): StaffMember[] {
  return db
    .select({ teacherId: teachers.id, name: teachers.name, school: teachers.school, employeeNo: teachers.employeeNo })
    .from(roles)
    .innerJoin(teachers, eq(roles.teacherId, teachers.id))
    .where(eq(roles.role, 'officer'))
    .orderBy(asc(teachers.id))
    .all();
}

/** Schools with at least one leader who has bound a chat account (the ones a reminder can reach). */
export function reachableSchools(db: Db, leaders: Map<string, StaffMember[]>): Set<string> {
  const ids = [...leaders.values()].flat().map((l) => l.teacherId);
  const bound = accountsOf(db, ids);
  const reachable = new Set<string>();
  for (const [school, list] of leaders) if (list.some((l) => bound.has(l.teacherId))) reachable.add(school);
  return reachable;
}

export interface SchoolStatus {
  school: string;
  filing: Filing | null;
}

/** Filed / not filed for every school a deadline addresses. */
export function filingStatus(db: Db, deadline: DeadlineRow, allSchools?: readonly string[]): SchoolStatus[] {
  const filings = filingsOf(db, deadline.id);
  const schools = schoolsOf(parseSchoolAudience(deadline.audience), allSchools ?? filingSchools(db));
  return schools.map((school) => ({ school, filing: filings.get(school) ?? null }));
}

/** Open (not filed, not cancelled, not past reminding) deadlines a school must file, soonest first. */
export function openDeadlinesFor(db: Db, school: string, now: Date): DeadlineRow[] {
  const filed = new Set(
    db
      .select({ id: deadlineFilings.deadlineId })
      .from(deadlineFilings)
      .where(eq(deadlineFilings.school, school))
      .all()
      .map((r) => r.id),
  );
  return activeDeadlines(db, now).filter((d) => !filed.has(d.id) && includesSchool(parseSchoolAudience(d.audience), school));
}

/** True when some outbox row carries this origin: the marker that a reminder slot has been handled. */
export function originExists(db: Db, origin: string): boolean {
  return stmt(db, 'select 1 from outbox where origin = ? limit 1').get(origin) !== undefined;
}

/** One school's filing of a deadline, if it filed. */
export function filingOf(db: Db, deadlineId: number, school: string): typeof deadlineFilings.$inferSelect | null {
  return db
    .select()
    .from(deadlineFilings)
    .where(and(eq(deadlineFilings.deadlineId, deadlineId), eq(deadlineFilings.school, school)))
    .get() ?? null;
}

export function deleteFiling(db: Db, deadlineId: number, school: string): void {
  db.delete(deadlineFilings).where(and(eq(deadlineFilings.deadlineId, deadlineId), eq(deadlineFilings.school, school))).run();
}

/* ------------------------------------------------------------------ deadlines from policy presets */

/** Schools with teachers under one policy, sorted. */
export function schoolsUnderPolicy(db: Db, policyId: string): string[] {
  return db
    .selectDistinct({ school: teachers.school })
    .from(teachers)
    .where(eq(teachers.policyId, policyId))
    .all()
    .map((r) => r.school)
    .sort();
}

export function deadlineBySourceKey(db: Db, key: string): DeadlineRow | undefined {
  return db.select().from(deadlines).where(eq(deadlines.sourceKey, key)).get();
}

/** Adds a deadline unless one with its source key exists; 1 if added. */
export function insertDeadlineOnce(db: Db, values: typeof deadlines.$inferInsert): number {
  return db.insert(deadlines).values(values).onConflictDoNothing().run().changes;
}

export function setDeadlineAudience(db: Db, id: number, audience: string): void {
  db.update(deadlines).set({ audience }).where(eq(deadlines.id, id)).run();
}

/* ------------------------------------------------------------------ teachers' reminder preferences */

export function remindersOff(db: Db, teacherId: number): boolean {
  return db.select().from(teacherPrefs).where(eq(teacherPrefs.teacherId, teacherId)).get()?.remindersOff ?? false;
}

export function upsertRemindersOff(db: Db, teacherId: number, off: boolean, at: Date): void {
  db.insert(teacherPrefs)
    .values({ teacherId, remindersOff: off, updatedAt: at })
    .onConflictDoUpdate({ target: teacherPrefs.teacherId, set: { remindersOff: off, updatedAt: at } })
    .run();
}
