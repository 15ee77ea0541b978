import type { Db } from '../../db/client.js';
import { summarize, type HoursSummary } from '../policy/engine.js';
import type { PolicyPreset } from '../policy/schema.js';
import { activeRecords, type TeacherRow } from './store.js';
import { toProfile } from './teachers.js';


export class UnknownPresetError extends Error {
  constructor(readonly presetId: string) {
    super(`unknown policy preset: ${presetId}`);
  }
}

export async function hoursSummary(
  db: Db,
  presets: ReadonlyMap<string, PolicyPreset>,
  teacher: TeacherRow,
  asOf: string,
): Promise<HoursSummary> {
  const preset = presets.get(teacher.policyId);
  if (!preset) throw new UnknownPresetError(teacher.policyId);
  return summarize(toProfile(teacher), await activeRecords(db, teacher.id, asOf), preset, asOf);
}

/** The CLI's and API's JSON shape, exactly as operators script against it. */
export function summaryJson(s: HoursSummary) {
  return {
    cycleStart: s.cycleStart,
    cycleEnd: s.cycleEnd,
    required: s.required,
    earned: s.earned,
    remaining: s.remaining,
    owedThisYear: s.owedThisYear,
    // The one definition of 进度 (every current requirement at an even pace), as the chat and the console say it.
    onPace: s.onPace,
  };
}
