import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { teacherPrefs } from '../../db/schema.js';

export function remindersOff(db: Db, teacherId: number): boolean {
  return db.select().from(teacherPrefs).where(eq(teacherPrefs.teacherId, teacherId)).get()?.remindersOff ?? false;
}

/** Turns the monthly pace reminder off or on; false when it already was. */
export function setRemindersOff(db: Db, teacherId: number, off: boolean, at: Date): boolean {
  if (remindersOff(db, teacherId) === off) return false;
  db.insert(teacherPrefs)
    .values({ teacherId, remindersOff: off, updatedAt: at })
    .onConflictDoUpdate({ target: teacherPrefs.teacherId, set: { remindersOff: off, updatedAt: at } })
    .run();
  return true;
}
