import type { Db } from '../../db/client.js';
import { remindersOff, upsertRemindersOff } from './store.js';

/** Turns the monthly pace reminder off or on; false when it already was. */
export async function setRemindersOff(db: Db, teacherId: number, off: boolean, at: Date): Promise<boolean> {
  if ((await remindersOff(db, teacherId)) === off) return false;
  await upsertRemindersOff(db, teacherId, off, at);
  return true;
}
