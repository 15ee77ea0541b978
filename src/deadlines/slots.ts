import { addDays, daysBetween } from '../policy/dates.js';
import { localParts, zonedInstant } from '../time/zone.js';
import { REMINDER_TIME } from '../schedule/time.js';

/** Reminder offsets when an officer gives none: 30, 7, 3 and 1 days before, and on the day. */
export const DEFAULT_OFFSETS: readonly number[] = [30, 7, 3, 1, 0];
export const DEFAULT_OVERDUE_EVERY_DAYS = 3;
/** Overdue reminders stop after this many rounds (10 × 3 days = a month past due): by then it is the office's call. */
export const MAX_OVERDUE_ROUNDS = 10;
export const MAX_OFFSET_DAYS = 366;

export interface DeadlineTiming {
  id: number;
  dueAt: Date;
  offsets: readonly number[];
  overdueEveryDays: number;
}

/**
 * One reminder occasion of a deadline. `label` is what the idempotency key carries: the offset in days
 * ("30", "0") or "overdue-n".
 */
export interface Slot {
  label: string;
  kind: 'before' | 'overdue';
  /** Days before the due date (before) or the overdue round n (overdue). */
  n: number;
  /** When the slot falls due (local REMINDER_TIME on its day). */
  at: Date;
}

export function dueDateOf(d: Pick<DeadlineTiming, 'dueAt'>, timeZone: string): string {
  return localParts(d.dueAt, timeZone).date;
}

function beforeSlot(d: DeadlineTiming, dueDate: string, days: number, timeZone: string): Slot {
  let at = zonedInstant(addDays(dueDate, -days), REMINDER_TIME, timeZone);
  // A deadline due early in the morning still gets its same-day reminder before it is due.
  if (at.getTime() >= d.dueAt.getTime()) at = new Date(d.dueAt.getTime() - 3600_000);
  return { label: String(days), kind: 'before', n: days, at };
}

function overdueSlot(d: DeadlineTiming, dueDate: string, round: number, timeZone: string): Slot {
  return {
    label: `overdue-${round}`,
    kind: 'overdue',
    n: round,
    at: zonedInstant(addDays(dueDate, round * d.overdueEveryDays), REMINDER_TIME, timeZone),
  };
}

/** Every slot of a deadline in time order (tests and the status display). */
export function allSlots(d: DeadlineTiming, timeZone: string): Slot[] {
  const dueDate = dueDateOf(d, timeZone);
  const before = [...new Set(d.offsets)].sort((a, b) => b - a).map((k) => beforeSlot(d, dueDate, k, timeZone));
  const overdue: Slot[] = [];
  if (d.overdueEveryDays > 0) for (let n = 1; n <= MAX_OVERDUE_ROUNDS; n++) overdue.push(overdueSlot(d, dueDate, n, timeZone));
  return [...before, ...overdue];
}

/**
 * The most recent slot whose time has come, or null (none yet, or the overdue rounds are over). Only this one
 * is ever sent: after downtime a deadline gets one late reminder, not the pile it missed.
 */
export function latestDueSlot(d: DeadlineTiming, now: Date, timeZone: string): Slot | null {
  const dueDate = dueDateOf(d, timeZone);
  const today = localParts(now, timeZone).date;
  const nowMs = now.getTime();
  if (d.overdueEveryDays > 0 && today > dueDate) {
    let round = Math.floor(daysBetween(dueDate, today) / d.overdueEveryDays);
    if (round > MAX_OVERDUE_ROUNDS) {
      // Past the last round: quiet, unless the last round itself is still within its own period (late send).
      const last = overdueSlot(d, dueDate, MAX_OVERDUE_ROUNDS, timeZone);
      return nowMs < last.at.getTime() + d.overdueEveryDays * 86_400_000 ? last : null;
    }
    while (round >= 1) {
      const slot = overdueSlot(d, dueDate, round, timeZone);
      if (slot.at.getTime() <= nowMs) return slot;
      round--;
    }
  }
  // Smallest offset first: the nearest-to-due slot that has passed wins.
  const offsets = [...new Set(d.offsets)].sort((a, b) => a - b);
  for (const k of offsets) {
    const slot = beforeSlot(d, dueDate, k, timeZone);
    if (slot.at.getTime() <= nowMs) return slot;
  }
  return null;
}

/** Whole local days from today to the due date: positive before, 0 on the day, negative when overdue. */
export function daysLeft(d: Pick<DeadlineTiming, 'dueAt'>, now: Date, timeZone: string): number {
  return daysBetween(localParts(now, timeZone).date, dueDateOf(d, timeZone));
}
