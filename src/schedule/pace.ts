import { transaction } from '../../db/statements.js';
import type { Messages } from '../bot/i18n/index.js';
import type { Reply } from '../core/messages.js';
import { hoursSummary } from '../ledger/summary.js';
import { accountsOf } from '../outbox/address.js';
import type { HoursSummary, Obligation } from '../policy/engine.js';
import type { TickContext } from './context.js';
import { send } from '../deadlines/reminders.js';
import { localParts, zonedInstant } from '../time/zone.js';
import { anyMetaKeyStartingWith, metaValue, setMetaValue, setMetaValueOnce } from '../meta/store.js';
import { teachersWithPrefsAfter } from './store.js';

/** The monthly pace reminder is due on this day of the month at this local time (then spread over an hour). */
export const PACE_DAY = '01';
export const PACE_TIME = '09:00';
export const PACE_SPREAD_MS = 60 * 60_000;

export function paceKey(month: string, teacherId: number): string {
  return `pace:${month}:${teacherId}`;
}

/** meta key marking a month's pace run as done (written in the same transaction as its messages). */
export function paceMarker(month: string): string {
  return `scheduler:pace:${month}`;
}

/**
 * Behind pace, by the one definition of 进度 the console and the chat use (HoursSummary.progress: the cycle total
 * and each current minimum at an even pace from the later of its start and the hire date).
 */
export function isBehind(s: HoursSummary): boolean {
  return s.hasNumericRequirement && s.onPace === false;
}

/** Minimums whose window ends this calendar year and are not met yet. */
export function owedThisYear(s: HoursSummary, asOf: string): Obligation[] {
  const yearEnd = `${asOf.slice(0, 4)}-12-31`;
  return s.obligations.filter((o) => o.owed > 0 && o.dueDate <= yearEnd && o.dueDate >= asOf);
}

export function paceReply(t: Messages, name: string, s: HoursSummary, asOf: string, lastCall: boolean): Reply {
  const m = t.deadlines.pace;
  const owed = lastCall ? owedThisYear(s, asOf) : s.obligations.filter((o) => o.owed > 0);
  const lines: string[] = [lastCall ? m.lastCallIntro(name, asOf.slice(0, 4)) : m.monthlyIntro(name)];
  if (s.required !== null && s.remaining !== null && s.cycleStart && s.cycleEnd) {
    lines.push(m.cycle(s.cycleStart, s.cycleEnd, s.required, s.earned, s.remaining));
  }
  if (s.pace && !s.pace.onPace) lines.push(m.pace(s.pace.expected, s.pace.earned));
  if (owed.length > 0) {
    lines.push(m.owedHeader);
    for (const o of owed) lines.push(m.owedLine(o.label, o.owed, o.dueDate));
  }
  lines.push(m.footer);
  return { text: lines.join('\n') };
}

interface PaceProgress {
  /** Teachers up to this id have been handled this month. */
  after: number;
  done: boolean;
  sent: number;
}

async function progressOf(db: TickContext['db'], month: string): Promise<PaceProgress | null> {
  const value = await metaValue(db, paceMarker(month));
  if (value === undefined) return null;
  try {
    const v = JSON.parse(value) as Partial<PaceProgress>;
    return { after: v.after ?? 0, done: v.done ?? true, sent: v.sent ?? 0 };
  } catch {
    return { after: 0, done: true, sent: 0 };
  }
}

const CHUNK = 200;
const FIRST_RUN_GRACE_MS = 24 * 3600_000;

async function anyPaceRunBefore(db: TickContext['db']): Promise<boolean> {
  return anyMetaKeyStartingWith(db, 'scheduler:pace:');
}

/**
 * Once a month (PACE_DAY, PACE_TIME local; late after downtime, once), every bound teacher who has not
 * unsubscribed, whose preset has numeric requirements and who is behind pace gets their exact numbers. In
 * December it is the year's last call and goes to everyone who still owes a minimum that ends this year.
 *
 * Teachers are taken in id order, a chunk per transaction; the month's progress (the last id handled) is
 * kept in `meta` with the chunk's messages, so a tick over its time budget stops and the next one resumes.
 */
export async function paceReminders(ctx: TickContext): Promise<{ sent: number; deferred: boolean }> {
  const { db, now, timeZone, t } = ctx;
  const today = localParts(now, timeZone).date;
  const month = today.slice(0, 7);
  const due = zonedInstant(`${month}-${PACE_DAY}`, PACE_TIME, timeZone);
  if (now.getTime() < due.getTime()) return { sent: 0, deferred: false };
  const progress = (await progressOf(db, month)) ?? { after: 0, done: false, sent: 0 };
  if (progress.done) return { sent: 0, deferred: false };
  if (progress.after === 0 && now.getTime() - due.getTime() > FIRST_RUN_GRACE_MS && !(await anyPaceRunBefore(db))) {
    // A fresh install mid-month starts with next month's reminder instead of messaging everyone at once.
    const value = JSON.stringify({ after: 0, done: true, sent: 0, skipped: 'first start after the due day', at: now.toISOString() });
    await setMetaValueOnce(db, paceMarker(month), value);
    return { sent: 0, deferred: false };
  }

  const numeric = new Set([...ctx.presets.values()].filter((p) => p.hasNumericRequirement).map((p) => p.id));
  const lastCall = month.endsWith('-12');
  let sent = 0;
  while (true) {
    if (ctx.overBudget()) return { sent, deferred: true };
    const chunk = await teachersWithPrefsAfter(db, progress.after, CHUNK);
    const candidates = chunk.filter((r) => !r.off && numeric.has(r.teacher.policyId));
    const bound = await accountsOf(db, candidates.map((r) => r.teacher.id));
    await transaction(db, async (tx) => {
      for (const { teacher } of candidates) {
        const account = bound.get(teacher.id);
        if (!account) continue;
        const summary = await hoursSummary(tx, ctx.presets, teacher, today);
        const wanted = lastCall ? owedThisYear(summary, today).length > 0 || isBehind(summary) : isBehind(summary);
        if (!wanted) continue;
        sent += await send(
          ctx,
          {
            platform: account.platform,
            target: { type: 'user', accountId: account.accountId },
            reply: paceReply(t, teacher.name, summary, today, lastCall),
            idempotencyKey: paceKey(month, teacher.id),
            origin: `pace:${month}`,
          },
          due,
          PACE_SPREAD_MS,
          tx,
        );
      }
      progress.after = chunk.length > 0 ? chunk[chunk.length - 1].teacher.id : progress.after;
      progress.done = chunk.length < CHUNK;
      progress.sent += sent;
      const value = JSON.stringify({ ...progress, at: now.toISOString() });
      await setMetaValue(tx, paceMarker(month), value);
    });
    if (progress.done) return { sent, deferred: false };
  }
}
