/** The scheduler's SQL (its progress marks live in `meta`: src/meta/store.ts). */
import { asc, eq, gt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { teacherPrefs, teachers } from '../../db/schema.js';

/** The next `limit` teachers after an id, in id order, with whether they turned reminders off (null: never set). */
export function teachersWithPrefsAfter(db: Db, afterId: number, limit: number): { teacher: typeof teachers.$inferSelect; off: boolean | null }[] {
  return db
    .select({ teacher: teachers, off: teacherPrefs.remindersOff })
    .from(teachers)
    .leftJoin(teacherPrefs, eq(teacherPrefs.teacherId, teachers.id))
    .where(gt(teachers.id, afterId))
    .orderBy(asc(teachers.id))
    .limit(limit)
    .all();
}
