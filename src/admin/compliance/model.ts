import type { Db } from '../../../db/client.js';
import type { Clock } from '../../clock.js';
import type { TeacherRow } from '../../ledger/store.js';
import type { HoursSummary } from '../../policy/engine.js';
import type { PolicyPreset } from '../../policy/schema.js';

export type ComplianceStatus = 'done' | 'onPace' | 'behind' | 'none';
export const STATUSES: readonly ComplianceStatus[] = ['behind', 'onPace', 'done', 'none'];

/** One teacher's standing, as the dashboard needs it (names are read from the roster when a page shows them). */
export interface TeacherStanding {
  id: number;
  school: string;
  policyId: string;
  status: ComplianceStatus;
  earned: number;
  /** Cycle total, null when the preset has none (or the teacher is exempt from it). */
  required: number | null;
  remaining: number | null;
  /** Cycle hours due by the date at an even pace (from the later of the cycle start and the hire date). */
  expected: number | null;
  /** 进度 as the engine defines it (HoursSummary.progress); null without numeric requirement. */
  progress: number | null;
  /** Unmet minimums of the current windows (年度总学时, 师德师风, 校本研修, …): label → hours owed. */
  owed: Record<string, number> | null;
}

/** Standing from one engine summary. */
export function standingOf(teacher: Pick<TeacherRow, 'id' | 'school' | 'policyId'>, s: HoursSummary): TeacherStanding {
  let owed: Record<string, number> | null = null;
  for (const o of s.obligations) {
    if (o.owed > 0) {
      owed ??= {};
      owed[o.label] = (owed[o.label] ?? 0) + o.owed;
    }
  }
  let status: ComplianceStatus;
  if (!s.hasNumericRequirement || s.progress === null) status = 'none';
  else if ((s.remaining === null || s.remaining === 0) && owed === null) status = 'done';
  else if (s.onPace === false) status = 'behind';
  else status = 'onPace';
  const progress = status === 'none' ? null : s.progress;
  return {
    id: teacher.id,
    school: teacher.school,
    policyId: teacher.policyId,
    status,
    earned: s.earned,
    required: s.required,
    remaining: s.remaining,
    expected: s.pace ? s.pace.expected : null,
    progress,
    owed,
  };
}

export interface ComplianceDeps {
  db: Db;
  presets: ReadonlyMap<string, PolicyPreset>;
  clock: Clock;
  timeZone: string;
}

export interface Snapshot {
  asOf: string;
  /** When the full pass behind it finished (real time), and how long it took. */
  builtAt: number;
  buildMs: number;
  teachers: Map<number, TeacherStanding>;
}

export interface CacheRead {
  /** Null only while the very first build runs. */
  snapshot: Snapshot | null;
  /** True while a rebuild for a new day (or a big import) runs and an older snapshot is shown. */
  stale: boolean;
}
