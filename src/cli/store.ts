/**
 * The CLI's own SQL: the demo roster's seeding and the officer list. Roster,
 * roles and records shared with the bot live in the ledger's store.
 */
import { asc, count, eq, like, notLike } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import type { teachers } from '../../db/schema.js';
import type { TeacherValues } from '../import/rules.js';
import type { RecordRow } from '../import/store.js';
import { toProfile } from '../ledger/teachers.js';

export type TeacherRow = typeof teachers.$inferSelect;

/** Roster entries whose 工号 does not start with `prefix` (an ASCII prefix such as DEMO, as stored). */
export async function countTeachersNotPrefixed(db: Db, prefix: string): Promise<number> {
  const { teachers } = tables(db);
  return (await db.select({ n: count() }).from(teachers).where(notLike(teachers.employeeNo, `${prefix}%`)))[0]?.n ?? 0;
}

/** Adds or refreshes a demo roster entry by 工号; returns its id. */
export async function upsertDemoTeacher(db: Db, t: TeacherValues): Promise<number> {
  const { teachers } = tables(db);
  // The roster's own fields only (a demo teacher carries a blurb too).
  const { employeeNo, ...values } = toProfile(t);
  const [row] = await db
    .insert(teachers)
    .values({ employeeNo, ...values })
    .onConflictDoUpdate({ target: teachers.employeeNo, set: values })
    .returning({ id: teachers.id });
  return row!.id;
}

export async function grantDemoRole(db: Db, teacherId: number, role: 'leader' | 'officer'): Promise<void> {
  const { roles } = tables(db);
  await db.insert(roles).values({ teacherId, role, grantedBy: 'demo' }).onConflictDoNothing();
}

/** Drops the records whose 编号 starts with `keyPrefix` (the demo's, before a re-seed). */
export async function deleteRecordsByKeyPrefix(db: Db, keyPrefix: string): Promise<void> {
  const { records } = tables(db);
  await db.delete(records).where(like(records.recordKey, `${keyPrefix}%`));
}

/** A demo record: the same values an imported record row carries. */
export type DemoRecordValues = RecordRow;

/** Rows per INSERT: well under either dialect's bound-parameter limit (7 per row). */
const INSERT_CHUNK = 500;

export async function insertDemoRecords(db: Db, rows: readonly DemoRecordValues[]): Promise<void> {
  const { records } = tables(db);
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK);
    await db.insert(records).values(
      chunk.map((r) => ({ recordKey: r.key, teacherId: r.teacherId, date: r.date, hours: r.hours, category: r.category, project: r.project, source: 'demo' })),
    );
  }
}

/** Officers with who granted the role and when, by 工号. */
export async function officerList(db: Db): Promise<{ teacher: TeacherRow; grantedBy: string; grantedAt: Date }[]> {
  const { roles, teachers } = tables(db);
  return db
    .select({ teacher: teachers, grantedBy: roles.grantedBy, grantedAt: roles.grantedAt })
    .from(roles)
    .innerJoin(teachers, eq(roles.teacherId, teachers.id))
    .where(eq(roles.role, 'officer'))
    .orderBy(asc(teachers.employeeNo));
}

export async function boundAccountCount(db: Db, teacherId: number): Promise<number> {
  const { accounts } = tables(db);
  return (await db.select({ n: count() }).from(accounts).where(eq(accounts.teacherId, teacherId)))[0]?.n ?? 0;
}
