/** The scheduler's SQL (its progress marks live in `meta`: src/meta/store.ts). */
import { asc, eq, gt, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import type { teachers } from '../../db/schema.js';

/** The next `limit` teachers after an id, in id order, with whether they turned reminders off (null: never set). */
export async function teachersWithPrefsAfter(
  db: Db,
  afterId: number,
  limit: number,
): Promise<{ teacher: typeof teachers.$inferSelect; off: boolean | null }[]> {
  const { teachers, teacherPrefs } = tables(db);
  return db
    .select({ teacher: teachers, off: teacherPrefs.remindersOff })
    .from(teachers)
    .leftJoin(teacherPrefs, eq(teacherPrefs.teacherId, teachers.id))
    .where(gt(teachers.id, afterId))
    .orderBy(asc(teachers.id))
    .limit(limit);
}

/**
 * Claims (tick, job) for `instance`, for each job, in one statement; returns the jobs this instance may run: the
 * ones its insert landed, and the ones it claimed before (its own catch-up within the minute). A job another
 * instance holds is not returned. Atomic across instances: the primary key decides, on both dialects.
 */
export async function claimJobTicks(db: Db, tick: Date, jobs: readonly string[], instance: string): Promise<Set<string>> {
  if (jobs.length === 0) return new Set();
  const { jobTicks } = tables(db);
  const rows = await db
    .insert(jobTicks)
    .values(jobs.map((job) => ({ tick, job, claimedBy: instance })))
    .onConflictDoUpdate({ target: [jobTicks.tick, jobTicks.job], set: { claimedBy: instance }, setWhere: eq(jobTicks.claimedBy, instance) })
    .returning({ job: jobTicks.job });
  return new Set(rows.map((r) => r.job));
}

/** Drops claims of ticks before `before`; returns how many. */
export async function pruneJobTicks(db: Db, before: Date): Promise<number> {
  const { jobTicks } = tables(db);
  return (await db.delete(jobTicks).where(lt(jobTicks.tick, before)).returning({ job: jobTicks.job })).length;
}
