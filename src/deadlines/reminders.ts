import type { Db } from '../../db/client.js';
import { transaction } from '../../db/statements.js';
import { dateTimeIn, localParts } from '../time/zone.js';
import type { Messages } from '../bot/i18n/index.js';
import type { Outgoing, Platform, Reply } from '../core/messages.js';
import { accountsOf } from '../outbox/address.js';
import { enqueue } from '../outbox/store.js';
import type { PolicyPreset } from '../policy/schema.js';
import type { TickContext } from '../schedule/context.js';
import { onTransportClock, sendTimeFor } from '../schedule/time.js';
import { daysBetween } from '../policy/dates.js';
import { PRESET_DUE_TIME } from './presets.js';
import { dueDateOf, latestDueSlot, type Slot } from './slots.js';
import { DEADLINE_COMMANDS, filedArgs } from './parse.js';
import {
  activeDeadlines,
  filingsOf,
  leadersBySchool,
  filingSchools,
  officers,
  originExists,
  parseSchoolAudience,
  schoolsOf,
  timingOf,
  type DeadlineRow,
  type StaffMember,
} from './store.js';

/** Idempotency key of one reminder: deadline + school + slot (offset or overdue-n), per leader reached. */
export function reminderKey(deadlineId: number, school: string, slot: string, teacherId: number): string {
  return `reminder:${deadlineId}:${school}:${slot}#t${teacherId}`;
}

/** Every reminder row of one slot carries this origin; its presence marks the slot as handled. */
export function reminderOrigin(deadlineId: number, slot: string): string {
  return `reminder:${deadlineId}:${slot}`;
}

export function escalationKey(deadlineId: number, slot: string, officerId: number): string {
  return `escalation:${deadlineId}:${slot}#t${officerId}`;
}

export function escalationOrigin(deadlineId: number, slot: string): string {
  return `escalation:${deadlineId}:${slot}`;
}

/** "2026-05-31" for a deadline due at the end of the day, "2026-05-31 17:00" otherwise. */
export function formatDue(dueAt: Date, timeZone: string): string {
  const text = dateTimeIn(dueAt, timeZone);
  return text.endsWith(` ${PRESET_DUE_TIME}`) ? text.slice(0, 10) : text;
}

/** Where a preset deadline is filed to (from the preset), when known. */
export function recipientOf(row: DeadlineRow, presets: ReadonlyMap<string, PolicyPreset>): string | null {
  const m = /^preset:([^:]+):([^:]+):\d+$/.exec(row.sourceKey ?? '');
  if (!m) return null;
  return presets.get(m[1])?.deadlines.find((d) => d.id === m[2])?.recipient ?? null;
}

export function reminderReply(t: Messages, row: DeadlineRow, school: string, days: number, due: string, recipient: string | null): Reply {
  const m = t.deadlines.reminder;
  const when = t.deadlines.daysLeft(days);
  return {
    text: m.text(row.id, row.title, school, due, when, recipient),
    card: {
      title: m.title(when),
      tone: days < 0 ? 'red' : days <= 3 ? 'orange' : 'blue',
      sections: [{ lines: m.lines(row.id, row.title, school, due, when, recipient) }],
      buttons: [{ label: m.button, value: { command: DEADLINE_COMMANDS.filed, args: filedArgs(row.id, school) }, style: 'primary' }],
      note: m.note,
    },
  };
}

export function escalationReply(t: Messages, row: DeadlineRow, due: string, overdueDays: number, unfiled: string[], unreachable: Set<string>, total: number): Reply {
  const m = t.deadlines.escalation;
  const lines = m.lines(row.id, row.title, due, overdueDays, unfiled, unreachable, total);
  return {
    text: lines.join('\n'),
    card: {
      title: m.title(unfiled.length),
      tone: 'red',
      sections: [{ lines }],
      buttons: [{ label: m.button, value: { command: DEADLINE_COMMANDS.status, args: `#${row.id}` } }],
    },
  };
}

interface Lazy {
  schools?: string[];
  leaders?: Map<string, StaffMember[]>;
  officers?: StaffMember[];
  accounts?: Map<number, { platform: Platform; accountId: string }>;
}

/**
 * For every active deadline, the latest slot that has come (see latestDueSlot) is sent to the leaders of
 * every school that has not filed, unless that slot was handled before: all rows of a slot carry the origin
 * `reminder:<id>:<slot>` and are written in one transaction, so one indexed lookup tells whether it is done.
 * Each row's idempotency key (`reminder:<id>:<school>:<slot>#t<leader>`) makes a re-run harmless anyway.
 * After the due date the same happens per overdue round, plus one escalation to the officers listing the
 * schools that have not filed. Slots left over when the tick's time budget runs out are handled by the next
 * tick (still unhandled, so still due): a 09:00 with thousands of rows spreads over a few minutes' ticks.
 */
export async function deadlineReminders(ctx: TickContext): Promise<{ reminders: number; escalations: number; deferred: number }> {
  const { db, now, timeZone, t } = ctx;
  let reminders = 0;
  let escalations = 0;
  let deferred = 0;
  const lazy: Lazy = {};
  const schools = async () => (lazy.schools ??= await filingSchools(db));
  const leaders = async () => (lazy.leaders ??= await leadersBySchool(db));
  const officerList = async () => (lazy.officers ??= await officers(db));
  const accounts = async () => {
    if (!lazy.accounts) {
      const ids = [...(await leaders()).values()].flat().map((l) => l.teacherId).concat((await officerList()).map((o) => o.teacherId));
      lazy.accounts = await accountsOf(db, ids);
    }
    return lazy.accounts;
  };

  for (const row of await activeDeadlines(db, now)) {
    const slot = latestDueSlot(timingOf(row), now, timeZone);
    if (!slot) continue;
    const origin = reminderOrigin(row.id, slot.label);
    const escalateOrigin = slot.kind === 'overdue' && row.escalate ? escalationOrigin(row.id, slot.label) : null;
    const needReminder = !(await originExists(db, origin));
    const needEscalation = escalateOrigin !== null && !(await originExists(db, escalateOrigin));
    if (!needReminder && !needEscalation) continue;
    // Nearest deadlines first (activeDeadlines is ordered by due date); the rest wait for the next tick.
    if (ctx.overBudget()) {
      deferred++;
      continue;
    }

    const filings = await filingsOf(db, row.id);
    const addressed = schoolsOf(parseSchoolAudience(row.audience), await schools());
    const unfiled = addressed.filter((s) => !filings.has(s));
    if (unfiled.length === 0) continue;

    const bound = await accounts();
    const leaderMap = await leaders();
    const officerRows = await officerList();
    // Nothing to write (no bound leader at any unfiled school, no bound officer): no transaction, no lock.
    const reachable = (s: string) => (leaderMap.get(s) ?? []).some((l) => bound.has(l.teacherId));
    const anyLeader = needReminder && unfiled.some(reachable);
    const anyOfficer = needEscalation && officerRows.some((o) => bound.has(o.teacherId));
    if (!anyLeader && !anyOfficer) continue;
    const dueDate = dueDateOf(row, timeZone);
    const due = formatDue(row.dueAt, timeZone);
    const recipient = recipientOf(row, ctx.presets);
    await transaction(db, async (tx) => {
      if (anyLeader) reminders += await enqueueReminders(tx, ctx, row, slot, unfiled, leaderMap, bound, origin, dueDate, due, recipient);
      if (anyOfficer) {
        const unreachable = new Set(unfiled.filter((s) => !reachable(s)));
        const overdueDays = daysBetween(dueDate, localParts(now, timeZone).date);
        const reply = escalationReply(t, row, due, overdueDays, unfiled, unreachable, addressed.length);
        for (const officer of officerRows) {
          const account = bound.get(officer.teacherId);
          if (!account) continue;
          const key = escalationKey(row.id, slot.label, officer.teacherId);
          const message: Outgoing = { platform: account.platform, target: { type: 'user', accountId: account.accountId }, reply, idempotencyKey: key, origin: escalateOrigin! };
          escalations += await send(ctx, message, slot.at, undefined, tx);
        }
      }
    });
  }
  return { reminders, escalations, deferred };
}

async function enqueueReminders(
  tx: Db,
  ctx: TickContext,
  row: DeadlineRow,
  slot: Slot,
  unfiled: string[],
  leaders: Map<string, StaffMember[]>,
  bound: Map<number, { platform: Platform; accountId: string }>,
  origin: string,
  dueDate: string,
  due: string,
  recipient: string | null,
): Promise<number> {
  let added = 0;
  for (const school of unfiled) {
    for (const leader of leaders.get(school) ?? []) {
      const account = bound.get(leader.teacherId);
      if (!account) continue;
      const key = reminderKey(row.id, school, slot.label, leader.teacherId);
      const sendAt = sendTimeFor(key, slot.at, ctx.now, ctx.timeZone);
      // Days left as of the day it will be read, which quiet hours may push to the next morning.
      const days = daysBetween(localParts(sendAt, ctx.timeZone).date, dueDate);
      const reply = reminderReply(ctx.t, row, school, days, due, recipient);
      added += await enqueue(
        tx,
        [{ platform: account.platform, target: { type: 'user', accountId: account.accountId }, reply, idempotencyKey: key, origin, quiet: true }],
        onTransportClock(sendAt, ctx.now, ctx.transportNow),
      );
    }
  }
  return added;
}

/** When a scheduled message goes out: jittered, quiet-hours-aware, on the outbox worker's clock. */
function sendAtOf(ctx: TickContext, message: Outgoing, due: Date, spreadMs?: number): Date {
  return onTransportClock(sendTimeFor(message.idempotencyKey, due, ctx.now, ctx.timeZone, { spreadMs }), ctx.now, ctx.transportNow);
}

/**
 * Enqueues one scheduled message at its jittered, quiet-hours-aware time; the outbox keeps it out of quiet hours
 * on retries too. `db` is the job's transaction when it has one.
 */
export async function send(ctx: TickContext, message: Outgoing, due: Date, spreadMs?: number, db: Db = ctx.db): Promise<number> {
  return enqueue(db, [{ ...message, quiet: true }], sendAtOf(ctx, message, due, spreadMs));
}
