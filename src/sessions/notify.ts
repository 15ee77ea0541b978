import type { Db } from '../../db/client.js';
import type { Reply } from '../core/messages.js';
import { enqueue } from '../outbox/store.js';
import { accountsOf } from '../outbox/address.js';
import type { AudienceMember } from './audience.js';
import { audienceMembers } from './members.js';
import { audienceOf, type SessionRow } from './model.js';
import { attendanceReport } from './report.js';

/* ------------------------------------------------------------ messaging the audience */

/** Reminder rounds: the same absent teacher is messaged at most once per round. */
export const REMIND_ROUND_MS = 10 * 60_000;

export interface FanOutResult {
  /** Messages newly added to the outbox. */
  queued: number;
  /** Bound teachers already messaged in this round (not messaged again). */
  alreadyQueued: number;
  /** Teachers with no bound chat account: nobody to message. */
  unbound: AudienceMember[];
  /** Everyone it was meant for. */
  total: number;
}

async function fanOut(
  db: Db,
  members: AudienceMember[],
  keyOf: (m: AudienceMember) => string,
  render: (m: AudienceMember) => Reply,
  now: Date,
  origin: string,
): Promise<FanOutResult> {
  const accounts = await accountsOf(db, members.map((m) => m.id));
  const unbound: AudienceMember[] = [];
  let queued = 0;
  let alreadyQueued = 0;
  for (const m of members) {
    const account = accounts.get(m.id);
    if (!account) {
      unbound.push(m);
      continue;
    }
    const added = await enqueue(
      db,
      [{ platform: account.platform, target: { type: 'user', accountId: account.accountId }, reply: render(m), idempotencyKey: keyOf(m), origin }],
      now,
    );
    if (added) queued++;
    else alreadyQueued++;
  }
  return { queued, alreadyQueued, unbound, total: members.length };
}

/** Messages the absent audience members (bound ones); idempotent per (session, teacher, round). */
export async function remindAbsent(db: Db, session: SessionRow, now: Date, render: (m: AudienceMember) => Reply): Promise<FanOutResult & { round: number }> {
  const report = await attendanceReport(db, session);
  const absent = report.lines.filter((l) => l.inAudience && !l.checkedInAt).map((l) => l.member);
  const round = Math.floor(now.getTime() / REMIND_ROUND_MS);
  const result = await fanOut(db, absent, (m) => `session:${session.id}:remind:${round}:${m.id}`, render, now, `session:${session.id}:remind`);
  return { ...result, round };
}

/** Button mode: the sign-in card to every bound audience member, once per teacher. */
export async function sendSignInCards(db: Db, session: SessionRow, now: Date, render: (m: AudienceMember) => Reply): Promise<FanOutResult> {
  const members = await audienceMembers(db, audienceOf(session));
  return fanOut(db, members, (m) => `session:${session.id}:card:${m.id}`, render, now, `session:${session.id}:card`);
}

/**
 * Tells every bound audience member that a session is off; once per (session, teacher), so cancelling again
 * (or a retried command) messages nobody twice.
 */
export async function notifyCancelled(db: Db, session: SessionRow, now: Date, render: (m: AudienceMember) => Reply): Promise<FanOutResult> {
  const members = await audienceMembers(db, audienceOf(session));
  return fanOut(db, members, (m) => `session:${session.id}:cancelled:${m.id}`, render, now, `session:${session.id}:cancelled`);
}
