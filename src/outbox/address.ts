import type { Db } from '../../db/client.js';
import { accountsOfTeachers } from './store.js';
import type { Outgoing, Platform, Reply } from '../core/messages.js';
import { reachRank } from '../core/platform-traits.js';

/**
 * The account a teacher is reached at: the binding on the first platform in the registry's order (Feishu, else
 * DingTalk), else one on a platform no longer listed, else the console (it exists on every install).
 */
export function accountsOf(db: Db, teacherIds: readonly number[]): Map<number, { platform: Platform; accountId: string }> {
  const result = new Map<number, { platform: Platform; accountId: string }>();
  for (let i = 0; i < teacherIds.length; i += 500) {
    const rows = accountsOfTeachers(db, teacherIds.slice(i, i + 500));
    for (const row of rows) {
      const current = result.get(row.teacherId);
      if (!current || reachRank(row.platform) < reachRank(current.platform)) {
        result.set(row.teacherId, { platform: row.platform, accountId: row.accountId });
      }
    }
  }
  return result;
}

/** A direct message to one teacher, or null when they have not bound any chat account. */
export function directMessage(db: Db, teacherId: number, reply: Reply, idempotencyKey: string, origin?: string): Outgoing | null {
  const account = accountsOf(db, [teacherId]).get(teacherId);
  if (!account) return null;
  return { platform: account.platform, target: { type: 'user', accountId: account.accountId }, reply, idempotencyKey, origin };
}
