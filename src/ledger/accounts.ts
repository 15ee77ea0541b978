import type { Db } from '../../db/client.js';
import { audit } from './audit.js';
import { accountByPlatformId, accountOfTeacherOn, deleteAccountsOf, insertAccount } from './store.js';

export type BindOutcome =
  | { ok: true; alreadyBound: boolean }
  | { ok: false; reason: 'teacher_bound_elsewhere' | 'account_bound_to_other'; otherName?: string };

/** Links a chat account to a roster entry. One account per teacher per platform; never silently moved. */
export async function bindAccount(db: Db, platform: string, accountId: string, teacherId: number): Promise<BindOutcome> {
  const current = await accountByPlatformId(db, platform, accountId);
  if (current) {
    if (current.teacherId === teacherId) return { ok: true, alreadyBound: true };
    return { ok: false, reason: 'account_bound_to_other' };
  }
  if (await accountOfTeacherOn(db, platform, teacherId)) return { ok: false, reason: 'teacher_bound_elsewhere' };
  await insertAccount(db, platform, accountId, teacherId);
  await audit(db, `${platform}:${accountId}`, 'bind', { teacherId });
  return { ok: true, alreadyBound: false };
}

/** Removes every binding of a teacher (all platforms, or one). Returns how many were removed. */
export async function unbindTeacher(db: Db, teacherId: number, actor: string, platform?: string): Promise<number> {
  const removed = await deleteAccountsOf(db, teacherId, platform);
  if (removed > 0) await audit(db, actor, 'unbind', { teacherId, platform: platform ?? 'all', removed });
  return removed;
}
