import type { Db } from '../../db/client.js';
import { audit } from './audit.js';
import { accountByPlatformId, accountOfTeacherOn, deleteAccountsOf, insertAccount } from './store.js';

export type BindOutcome =
  | { ok: true; alreadyBound: boolean }
  | { ok: false; reason: 'teacher_bound_elsewhere' | 'account_bound_to_other'; otherName?: string };

/** Links a chat account to a roster entry. One account per teacher per platform; never silently moved. */
export function bindAccount(db: Db, platform: string, accountId: string, teacherId: number): BindOutcome {
  const current = accountByPlatformId(db, platform, accountId);
  if (current) {
    if (current.teacherId === teacherId) return { ok: true, alreadyBound: true };
    return { ok: false, reason: 'account_bound_to_other' };
  }
  if (accountOfTeacherOn(db, platform, teacherId)) return { ok: false, reason: 'teacher_bound_elsewhere' };
  insertAccount(db, platform, accountId, teacherId);
  audit(db, `${platform}:${accountId}`, 'bind', { teacherId });
  return { ok: true, alreadyBound: false };
}

/** Removes every binding of a teacher (all platforms, or one). Returns how many were removed. */
export function unbindTeacher(db: Db, teacherId: number, actor: string, platform?: string): number {
  const removed = deleteAccountsOf(db, teacherId, platform);
  if (removed > 0) audit(db, actor, 'unbind', { teacherId, platform: platform ?? 'all', removed });
  return removed;
}
