import type { Db } from '../../db/client.js';
import { accountsOfTeachers, type AccountRow } from './store.js';
import type { Outgoing, Platform, Reply } from '../core/messages.js';
import { reachRank } from '../core/platform-traits.js';

type Address = { platform: Platform; accountId: string };

/** Keeps, per teacher, the binding on the platform ranked first. */
function pickFirstRanked(result: Map<number, Address>, rows: readonly AccountRow[]): void {
  for (const row of rows) {
    const current = result.get(row.teacherId);
    if (!current || reachRank(row.platform) < reachRank(current.platform)) {
      result.set(row.teacherId, { platform: row.platform, accountId: row.accountId });
    }
  }
}

/**
 * The account a teacher is reached at: the binding on the first platform in the registry's order (Feishu, else
 * DingTalk), else one on a platform no longer listed, else the console (it exists on every install).
 */
export async function accountsOf(db: Db, teacherIds: readonly number[]): Promise<Map<number, Address>> {
  const result = new Map<number, Address>();
  for (let i = 0; i < teacherIds.length; i += 500) pickFirstRanked(result, await accountsOfTeachers(db, teacherIds.slice(i, i + 500)));
  return result;
}

function messageTo(account: Address | undefined, reply: Reply, idempotencyKey: string, origin?: string): Outgoing | null {
  if (!account) return null;
  return { platform: account.platform, target: { type: 'user', accountId: account.accountId }, reply, idempotencyKey, origin };
}

/** A direct message to one teacher, or null when they have not bound any chat account. */
export async function directMessage(db: Db, teacherId: number, reply: Reply, idempotencyKey: string, origin?: string): Promise<Outgoing | null> {
  return messageTo((await accountsOf(db, [teacherId])).get(teacherId), reply, idempotencyKey, origin);
}

