import type { Db } from '../../db/client.js';
import { isPlatformId, type Platform } from '../core/messages.js';
import { findTeacherByEmployeeNo } from '../ledger/store.js';
import { accountsOf } from '../outbox/address.js';

/**
 * Where the one who opened a round (the session's creator, the survey's sender) is reached, read from the actor
 * string they were recorded under: a chat account (`feishu:ou_…`), a console login (`admin:<工号>`), or a roster
 * id (`teacher:<id>`). Null for the CLI or the ADMIN_TOKEN, who have no chat account.
 */
export function organiserAccount(db: Db, createdBy: string): { platform: Platform; accountId: string } | null {
  const colon = createdBy.indexOf(':');
  if (colon < 0) return null;
  const kind = createdBy.slice(0, colon);
  const rest = createdBy.slice(colon + 1);
  if (isPlatformId(kind) && rest) return { platform: kind, accountId: rest };
  let teacherId: number | null = null;
  if (kind === 'admin') teacherId = findTeacherByEmployeeNo(db, rest)?.id ?? null;
  if (kind === 'teacher' && /^\d+$/.test(rest)) teacherId = Number(rest);
  return teacherId === null ? null : (accountsOf(db, [teacherId]).get(teacherId) ?? null);
}
