import { isFarBehind } from '../../policy/engine.js';
import type { Snapshot, TeacherStanding } from './model.js';

/* Aggregates over a snapshot of standings, for the dashboard. */

export interface OwedTotal {
  label: string;
  teachers: number;
  hours: number;
}

export interface Tally {
  teachers: number;
  done: number;
  onPace: number;
  behind: number;
  none: number;
  /** 落后过半: 进度 under half (a subset of behind). */
  farBehind: number;
  owed: Map<string, { teachers: number; hours: number }>;
}

export interface SchoolTally extends Tally {
  school: string;
}

export interface Overview {
  asOf: string;
  total: Tally;
  schools: SchoolTally[];
  /** Progress histogram: 10 buckets of 10 % and one for ≥ 100 %, each split by status. */
  histogram: Record<'done' | 'onPace' | 'behind', number>[];
  /** Every owed label seen, by hours owed (most first). */
  labels: string[];
}

const emptyTally = (): Tally => ({ teachers: 0, done: 0, onPace: 0, behind: 0, none: 0, farBehind: 0, owed: new Map() });

function add(t: Tally, s: TeacherStanding): void {
  t.teachers++;
  t[s.status]++;
  if (isFarBehind(s.progress)) t.farBehind++;
  if (s.owed) {
    for (const label in s.owed) {
      const o = t.owed.get(label);
      if (o) {
        o.teachers++;
        o.hours += s.owed[label];
      } else t.owed.set(label, { teachers: 1, hours: s.owed[label] });
    }
  }
}

export interface Filter {
  school?: string | null;
  policyId?: string | null;
}

export function matches(s: TeacherStanding, f: Filter): boolean {
  return (!f.school || s.school === f.school) && (!f.policyId || s.policyId === f.policyId);
}

/** Totals overall and per school, one pass over the standings. */
export function overview(snapshot: Snapshot, filter: Filter = {}): Overview {
  const total = emptyTally();
  const bySchool = new Map<string, SchoolTally>();
  const histogram = Array.from({ length: 11 }, () => ({ done: 0, onPace: 0, behind: 0 }));
  for (const s of snapshot.teachers.values()) {
    if (!matches(s, filter)) continue;
    add(total, s);
    let school = bySchool.get(s.school);
    if (!school) bySchool.set(s.school, (school = { school: s.school, ...emptyTally() }));
    add(school, s);
    if (s.progress !== null && s.status !== 'none') histogram[Math.min(10, Math.max(0, Math.floor(s.progress * 10 + 1e-9)))][s.status]++;
  }
  const labels = [...total.owed.entries()].sort((a, b) => b[1].hours - a[1].hours).map(([label]) => label);
  return { asOf: snapshot.asOf, total, schools: [...bySchool.values()], histogram, labels };
}

/** Share of teachers with a numeric requirement who are behind (0 when none has one). */
export function behindShare(t: Tally): number {
  const counted = t.teachers - t.none;
  return counted > 0 ? t.behind / counted : 0;
}

export function standingsOfSchool(snapshot: Snapshot, school: string): TeacherStanding[] {
  const out: TeacherStanding[] = [];
  for (const s of snapshot.teachers.values()) if (s.school === school) out.push(s);
  return out;
}
