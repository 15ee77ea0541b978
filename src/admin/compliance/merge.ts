import { addDays, addMonths, calendarYearOf, isValidDate, schoolYearOf } from '../../policy/dates.js';
import { cycleFor, type CreditRecord } from '../../policy/engine.js';
import type { PolicyPreset } from '../../policy/schema.js';

/**
 * Every date at which one of the engine's windows (for this preset, teacher and day) starts or ends (as the
 * day after it): the cycle, the calendar year, the school year, the new-teacher window, and asOf itself. Records between two
 * neighbouring boundaries fall in exactly the same windows.
 */
export function boundariesFor(preset: PolicyPreset, hireDate: string | null, asOf: string, cache?: Map<string, string[]>): string[] {
  let base = cache?.get(preset.id);
  if (!base) {
    const set = new Set<string>();
    const cycle = cycleFor(preset, asOf);
    if (cycle) set.add(cycle.start).add(addDays(cycle.end, 1));
    for (const w of [calendarYearOf(asOf), schoolYearOf(asOf)]) set.add(w.start).add(addDays(w.end, 1));
    // Records after asOf do not count: never merge one into a record that does.
    set.add(addDays(asOf, 1));
    base = [...set].sort();
    cache?.set(preset.id, base);
  }
  if (!preset.induction || !hireDate || !isValidDate(hireDate)) return base;
  return [...new Set([...base, hireDate, addMonths(hireDate, preset.induction.months)])].sort();
}

/**
 * The records as the engine needs them and no more: records of the same category between the same two
 * boundaries are summed into one (in whole hundredths of an hour, as the engine counts). Every window sum the
 * engine takes is unchanged (the unit test compares both on random data for every preset), while a teacher's
 * 40 records become a handful, which is what makes a pass over 100,000 teachers take seconds, not a minute.
 * Records the engine would refuse (bad date, negative hours) are passed through untouched.
 */
export function mergeWithin(
  records: readonly CreditRecord[],
  bounds: readonly string[],
  valid: (date: string) => boolean = isValidDate,
): CreditRecord[] {
  const out: CreditRecord[] = [];
  const merged = new Map<string, { date: string; hundredths: number; category: string }>();
  for (const r of records) {
    if (typeof r.hours !== 'number' || !Number.isFinite(r.hours) || r.hours < 0 || !valid(r.date)) {
      out.push(r);
      continue;
    }
    let seg = 0;
    while (seg < bounds.length && bounds[seg] <= r.date) seg++;
    const key = `${seg}\u0001${r.category}`;
    const m = merged.get(key);
    if (m) m.hundredths += Math.round(r.hours * 100);
    else merged.set(key, { date: r.date, hundredths: Math.round(r.hours * 100), category: r.category });
  }
  for (const m of merged.values()) out.push({ date: m.date, hours: m.hundredths / 100, category: m.category });
  return out;
}
