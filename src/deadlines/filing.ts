import type { Db } from '../../db/client.js';
import type { CommandContext } from '../bot/command.js';
import type { Reply } from '../core/messages.js';
import { dateIn } from '../time/zone.js';
import { audit } from '../ledger/audit.js';
import { formatDue } from './reminders.js';
import { addressesSchool, choicesText, findDeadline } from './service.js';
import { deleteFiling, filingOf, openDeadlinesFor, type DeadlineRow } from './store.js';
import { SCHOOL_OPTION } from './parse.js';

/** The words after 已报送 / 确认报送 / 撤销报送: the 事项 (id or title piece) and an optional 学校:X. */
export function splitFilingText(text: string): { query: string; school: string | null } {
  const words = text.split(' ').filter(Boolean);
  const schoolWord = words.map((w) => SCHOOL_OPTION.exec(w)).find(Boolean);
  return { query: words.filter((w) => !SCHOOL_OPTION.test(w)).join(' '), school: schoolWord ? schoolWord[2].trim() : null };
}

/**
 * The deadline a leader means for their own school: by id or title piece, or the only one still open when
 * nothing is named. Anything else is the reply to send instead (not found, which one, not addressed).
 */
export async function leaderDeadline(ctx: CommandContext, query: string, school: string): Promise<DeadlineRow | Reply> {
  const { t, db, timeZone } = ctx;
  const m = t.deadlines.filed;
  if (!query) {
    const open = await openDeadlinesFor(db, school, ctx.clock.now());
    if (open.length === 1) return open[0];
    return { text: open.length === 0 ? m.nothingOpen : m.whichOne(open.map((d) => t.deadlines.match.choice(d.id, d.title, formatDue(d.dueAt, timeZone)))) };
  }
  const match = await findDeadline(db, query, (d) => addressesSchool(d, school));
  if (match.kind === 'one') return match.deadline;
  if (match.kind === 'many') return { text: choicesText(t, query, match, timeZone) };
  const elsewhere = await findDeadline(db, query);
  return { text: elsewhere.kind === 'one' ? m.notAddressed(elsewhere.deadline.title, school) : t.deadlines.match.notFound(query) };
}

export const isReply = (x: DeadlineRow | Reply): x is Reply => 'text' in x && !('dueAt' in x);

export type UnfileOutcome =
  | { kind: 'unfiled' }
  | { kind: 'not_filed' }
  | { kind: 'not_filer' }
  | { kind: 'not_today'; filedAt: Date };

/**
 * Takes a school's filing back: allowed on the (Beijing) day it was filed, to the person who filed it or an
 * officer, so a mis-tap is easy to fix but a filing does not silently reopen weeks later. The school is open
 * again and the next reminder tick includes it; the row is removed and the audit keeps who filed and when.
 */
export async function unfileDeadline(
  db: Db,
  deadlineId: number,
  school: string,
  by: { teacherId: number; officer: boolean; actor: string },
  now: Date,
  timeZone: string,
): Promise<UnfileOutcome> {
  const filing = await filingOf(db, deadlineId, school);
  if (!filing) return { kind: 'not_filed' };
  if (!by.officer && filing.filedBy !== by.teacherId) return { kind: 'not_filer' };
  if (dateIn(filing.filedAt, timeZone) !== dateIn(now, timeZone)) return { kind: 'not_today', filedAt: filing.filedAt };
  await deleteFiling(db, deadlineId, school);
  await audit(db, by.actor, 'deadline_unfiled', { deadlineId, school, filedBy: filing.filedBy, filedAt: filing.filedAt.toISOString() });
  return { kind: 'unfiled' };
}
