import type { Db } from '../../db/client.js';
import type { PolicyPreset } from '../policy/schema.js';
import { localParts, zonedInstant } from '../time/zone.js';
import { DEFAULT_OFFSETS, DEFAULT_OVERDUE_EVERY_DAYS } from './slots.js';
import { deadlineBySourceKey, insertDeadlineOnce, schoolsUnderPolicy, setDeadlineAudience } from './store.js';

/** A preset deadline is due at the end of its day ("于3月28日之前", "5月31日前"). */
export const PRESET_DUE_TIME = '23:59';
export const PRESET_CREATED_BY = 'preset';

export function presetSourceKey(presetId: string, deadlineId: string, year: number): string {
  return `preset:${presetId}:${deadlineId}:${year}`;
}

/**
 * Turns the yearly filing deadlines in the policy presets into rows of the deadlines table, for the schools
 * whose teachers use that preset. Idempotent (unique source_key): run on every scheduler tick.
 *
 * - The occurrence is this year's; if this year's date has already passed when the row would first be created
 *   (e.g. the bot is installed in November), next year's is created instead, so an install does not open with
 *   a wave of "overdue" reminders for a filing that happened on paper months ago. Once this year's row exists
 *   it is kept and reminded as usual (including overdue) until the school files.
 * - Only `audience: "schoolLeaders"` deadlines are reminded. `"province"` deadlines (the national preset's
 *   provincial plan due to the Ministry by end of February) bind the provincial education department, not
 *   schools: no one on a school roster can file them, so reminding school leaders would be noise.
 * - A school whose teachers start using the preset later is added to the row's audience while it is not yet due.
 */
export async function materialisePresetDeadlines(
  db: Db,
  presets: ReadonlyMap<string, PolicyPreset>,
  now: Date,
  timeZone: string,
): Promise<number> {
  let created = 0;
  const year = Number(localParts(now, timeZone).date.slice(0, 4));
  for (const preset of presets.values()) {
    const yearly = preset.deadlines.filter((d) => d.audience === 'schoolLeaders' && d.recurrence === 'yearly');
    if (yearly.length === 0) continue;
    const schools = await schoolsUnderPolicy(db, preset.id);
    if (schools.length === 0) continue;
    for (const d of yearly) {
      const thisYear = dueFor(year, d.monthDay, timeZone);
      const existingThisYear = await byKey(db, presetSourceKey(preset.id, d.id, year));
      const occurrences: { year: number; dueAt: Date }[] = [];
      if (existingThisYear || thisYear.getTime() > now.getTime()) occurrences.push({ year, dueAt: thisYear });
      else occurrences.push({ year: year + 1, dueAt: dueFor(year + 1, d.monthDay, timeZone) });
      for (const o of occurrences) {
        const key = presetSourceKey(preset.id, d.id, o.year);
        const existing = o.year === year ? existingThisYear : await byKey(db, key);
        if (!existing) {
          created += await insertDeadlineOnce(db, {
            title: d.title,
            dueAt: o.dueAt,
            audience: JSON.stringify({ schools }),
            offsets: JSON.stringify(DEFAULT_OFFSETS),
            overdueEveryDays: DEFAULT_OVERDUE_EVERY_DAYS,
            escalate: true,
            sourceKey: key,
            createdBy: PRESET_CREATED_BY,
          });
        } else if (existing.cancelledAt === null && existing.dueAt.getTime() > now.getTime()) {
          const current = new Set<string>((JSON.parse(existing.audience) as { schools?: string[] }).schools ?? []);
          if (schools.some((s) => !current.has(s))) {
            const merged = [...new Set([...current, ...schools])].sort();
            await setDeadlineAudience(db, existing.id, JSON.stringify({ schools: merged }));
          }
        }
      }
    }
  }
  return created;
}

function dueFor(year: number, monthDay: string, timeZone: string): Date {
  // 02-29 in a common year files on 02-28.
  let md = monthDay;
  if (md === '02-29' && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) md = '02-28';
  return zonedInstant(`${year}-${md}`, PRESET_DUE_TIME, timeZone);
}

const byKey = deadlineBySourceKey;
