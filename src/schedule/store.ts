/** The scheduler's SQL (its progress marks live in `meta`: src/meta/store.ts). */
import { asc, eq, gt } from 'drizzle-orm';
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
