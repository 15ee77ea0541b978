import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { accounts } from '../../db/schema.js';
import { audit } from './audit.js';

export type BindOutcome =
  | { ok: true; alreadyBound: boolean }
  | { ok: false; reason: 'teacher_bound_elsewhere' | 'account_bound_to_other'; otherName?: string };

/** Links a chat account to a roster entry. One account per teacher per platform; never silently moved. */
export function bindAccount(db: Db, platform: string, accountId: string, teacherId: number): BindOutcome {
  const current = db
    .select()
    .from(accounts)
    .where(and(eq(accounts.platform, platform), eq(accounts.accountId, accountId)))
    .get();
  if (current) {
    if (current.teacherId === teacherId) return { ok: true, alreadyBound: true };
    return { ok: false, reason: 'account_bound_to_other' };
  }
  const holder = db
    .select()
    .from(accounts)
    .where(and(eq(accounts.platform, platform), eq(accounts.teacherId, teacherId)))
    .get();
  if (holder) return { ok: false, reason: 'teacher_bound_elsewhere' };
  db.insert(accounts).values({ platform, accountId, teacherId }).run();
  audit(db, `${platform}:${accountId}`, 'bind', { teacherId });
  return { ok: true, alreadyBound: false };
}

/** Removes every binding of a teacher (all platforms, or one). Returns how many were removed. */
export function unbindTeacher(db: Db, teacherId: number, actor: string, platform?: string): number {
  const where = platform
    ? and(eq(accounts.teacherId, teacherId), eq(accounts.platform, platform))
    : eq(accounts.teacherId, teacherId);
  const removed = db.delete(accounts).where(where).run().changes;
  if (removed > 0) audit(db, actor, 'unbind', { teacherId, platform: platform ?? 'all', removed });
  return removed;
}
