import type { Db } from '../../db/client.js';
import { isPlatformId, type Platform } from '../core/messages.js';
import { findTeacherByEmployeeNo } from '../ledger/store.js';
import { accountsOf } from '../outbox/address.js';
import { officerTeacherIds } from './store.js';

export interface ChatAccount {
  platform: Platform;
  accountId: string;
}

/**
 * Where the one who opened a round (the session's creator, the survey's sender) is reached, read from the actor
 * string they were recorded under: a chat account (`feishu:ou_…`), a console login (`admin:<工号>`), a roster id
 * (`teacher:<id>`) or the CLI's `--by <工号>` (`cli:<工号>`). Null for the CLI without a 工号 and the ADMIN_TOKEN,
 * who are nobody in particular.
 */
export async function organiserAccount(db: Db, createdBy: string): Promise<ChatAccount | null> {
  const teacherId = await organiserTeacherId(db, createdBy);
  if (teacherId === 'account') {
    const colon = createdBy.indexOf(':');
    return { platform: createdBy.slice(0, colon) as Platform, accountId: createdBy.slice(colon + 1) };
  }
  return teacherId === null ? null : ((await accountsOf(db, [teacherId])).get(teacherId) ?? null);
}

/**
 * Who is told that a round's results are in: its organiser when the round names one (even one with no chat account:
 * they see results in the console), else — a session made from the CLI without --by, or with the ADMIN_TOKEN —
 * every officer of the office who has a chat account, keyed by their roster id so each hears once.
 */
export async function resultsRecipients(db: Db, createdBy: string): Promise<{ office: boolean; to: { key: string; account: ChatAccount }[] }> {
  if ((await organiserTeacherId(db, createdBy)) !== null) {
    const account = await organiserAccount(db, createdBy);
    return { office: false, to: account ? [{ key: '', account }] : [] };
  }
  const officers = await officerTeacherIds(db);
  const accounts = await accountsOf(db, officers);
  return { office: true, to: officers.flatMap((id) => (accounts.has(id) ? [{ key: `:officer:${id}`, account: accounts.get(id)! }] : [])) };
}

/** The roster id the actor names, 'account' for a chat account itself, null when it names nobody. */
async function organiserTeacherId(db: Db, createdBy: string): Promise<number | 'account' | null> {
  const colon = createdBy.indexOf(':');
  if (colon < 0) return null;
  const kind = createdBy.slice(0, colon);
  const rest = createdBy.slice(colon + 1);
  if (isPlatformId(kind) && rest) return 'account';
  if (kind === 'admin' || kind === 'cli') return (await findTeacherByEmployeeNo(db, rest))?.id ?? null;
  if (kind === 'teacher' && /^\d+$/.test(rest)) return Number(rest);
  return null;
}
