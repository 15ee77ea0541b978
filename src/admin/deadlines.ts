/**
 * "Send a reminder now" for one deadline, from the console: the scheduler's own reminder (same text, same key
 * shape `reminder:<id>:<school>:<slot>#t<leader>`, so filing withdraws it from the outbox like any other) to the
 * leaders of every school that has not filed, in a slot of its own (`manual-<minute>`: a double click within the
 * same minute sends nothing twice).
 */
import { inTransaction, type Db } from '../../db/client.js';
import type { Messages } from '../bot/i18n/index.js';
import { dateTimeIn, type Clock } from '../clock.js';
import { dueNow } from '../broadcasts/broadcasts.js';
import { formatDue, recipientOf, reminderKey, reminderOrigin, reminderReply } from '../deadlines/reminders.js';
import { daysLeft } from '../deadlines/slots.js';
import { filingStatus, leadersBySchool, type DeadlineRow } from '../deadlines/store.js';
import { audit } from '../ledger/audit.js';
import { accountsOf } from '../outbox/address.js';
import { enqueue } from '../outbox/outbox.js';
import type { PolicyPreset } from '../policy/schema.js';

export interface RemindNowResult {
  /** Schools not filed. */
  unfiled: number;
  /** Schools at least one leader of which was messaged. */
  schools: number;
  /** Leaders messaged (new outbox rows). */
  messages: number;
  /** Unfiled schools with no bound leader. */
  unreachable: string[];
}

export function remindNow(
  db: Db,
  input: { t: Messages; presets: ReadonlyMap<string, PolicyPreset>; deadline: DeadlineRow; clock: Clock; timeZone: string; actor: string },
): RemindNowResult {
  const { t, deadline, timeZone } = input;
  const now = input.clock.now();
  const unfiled = filingStatus(db, deadline)
    .filter((s) => !s.filing)
    .map((s) => s.school);
  const result: RemindNowResult = { unfiled: unfiled.length, schools: 0, messages: 0, unreachable: [] };
  if (unfiled.length === 0) return result;
  const leaders = leadersBySchool(db);
  const bound = accountsOf(db, unfiled.flatMap((s) => (leaders.get(s) ?? []).map((l) => l.teacherId)));
  const slot = `manual-${dateTimeIn(now, timeZone).replace(/[^0-9]/g, '')}`;
  const origin = reminderOrigin(deadline.id, slot);
  const reply = (school: string) =>
    reminderReply(t, deadline, school, daysLeft(deadline, now, timeZone), formatDue(deadline.dueAt, timeZone), recipientOf(deadline, input.presets));
  // The sender runs on real time; a business clock set ahead (XUESHI_NOW) must not hold the messages back.
  const sendAt = dueNow(input.clock);
  inTransaction(db, () => {
    for (const school of unfiled) {
      const reachable = (leaders.get(school) ?? []).filter((l) => bound.has(l.teacherId));
      if (reachable.length === 0) {
        result.unreachable.push(school);
        continue;
      }
      result.schools++;
      for (const leader of reachable) {
        const account = bound.get(leader.teacherId)!;
        result.messages += enqueue(
          db,
          [
            {
              platform: account.platform,
              target: { type: 'user', accountId: account.accountId },
              reply: reply(school),
              idempotencyKey: reminderKey(deadline.id, school, slot, leader.teacherId),
              origin,
            },
          ],
          sendAt,
        );
      }
    }
    audit(db, input.actor, 'deadline_remind_now', {
      deadlineId: deadline.id,
      unfiled: unfiled.length,
      schools: result.schools,
      messages: result.messages,
      unreachable: result.unreachable.length,
    });
  });
  return result;
}
