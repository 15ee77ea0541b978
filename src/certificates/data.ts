/**
 * What a 学时证明 prints, computed from the ledger and the policy engine exactly as the `学时` answer is (same
 * hoursSummary), plus the records behind it. Also the fingerprint of those figures, so the verify page can tell
 * whether the ledger still says the same thing for the printed date.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { hoursSummary } from '../ledger/summary.js';
import type { TeacherRow } from '../ledger/store.js';
import type { PolicyPreset } from '../policy/schema.js';
import { recordsBetween } from './store.js';

export interface CertificateRecord {
  date: string;
  project: string;
  hours: number;
  category: string;
  source: string;
}

export interface CertificateGroup {
  year: string;
  category: string;
  total: number;
  records: CertificateRecord[];
}

export interface CertificateData {
  name: string;
  employeeNo: string;
  school: string;
  /** The date the figures are computed for (the issue date, or 31 December of a past year asked for). */
  asOf: string;
  /** A single year asked for (`学时证明 2025`), else null: the whole cycle. */
  year: number | null;
  cycleStart: string | null;
  cycleEnd: string | null;
  required: number | null;
  earned: number;
  remaining: number | null;
  /** Hours of the year asked for (null without a year). */
  yearEarned: number | null;
  groups: CertificateGroup[];
}

export class YearOutOfRangeError extends Error {}

/** Hours to one decimal, as printed: the fingerprint must not depend on float noise. */
const tenths = (n: number) => Math.round(n * 10) / 10;

/**
 * The certificate of `teacher` issued on `today`. With `year`, the figures are as of the end of that year (or
 * today, for the current year) and only that year's records are listed.
 */
export async function certificateData(
  db: Db,
  presets: ReadonlyMap<string, PolicyPreset>,
  teacher: TeacherRow,
  today: string,
  year: number | null = null,
): Promise<CertificateData> {
  if (year !== null && (year < 1990 || `${year}` > today.slice(0, 4))) throw new YearOutOfRangeError(`${year}`);
  const asOf = year === null || `${year}-12-31` >= today ? today : `${year}-12-31`;
  const summary = await hoursSummary(db, presets, teacher, asOf);
  const from = year !== null ? `${year}-01-01` : (summary.cycleStart ?? '0000-01-01');
  const rows = await recordsBetween(db, teacher.id, from, asOf);
  const groups = new Map<string, CertificateGroup>();
  for (const r of rows) {
    const key = `${r.date.slice(0, 4)}\u0000${r.category}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { year: r.date.slice(0, 4), category: r.category, total: 0, records: [] }));
    g.records.push(r);
    g.total = tenths(g.total + r.hours);
  }
  const ordered = [...groups.values()].sort((a, b) => a.year.localeCompare(b.year) || a.category.localeCompare(b.category, 'zh-CN'));
  return {
    name: teacher.name,
    employeeNo: teacher.employeeNo,
    school: teacher.school,
    asOf,
    year,
    cycleStart: summary.cycleStart,
    cycleEnd: summary.cycleEnd,
    required: summary.required === null ? null : tenths(summary.required),
    earned: tenths(summary.earned),
    remaining: summary.remaining === null ? null : tenths(summary.remaining),
    yearEarned: year === null ? null : tenths(rows.reduce((s, r) => s + r.hours, 0)),
    groups: ordered,
  };
}

/** sha256 over every printed figure and record line: equal iff the paper would print the same. */
export function figuresHash(d: CertificateData): string {
  const printed = {
    asOf: d.asOf,
    year: d.year,
    cycle: [d.cycleStart, d.cycleEnd],
    totals: [d.required, d.earned, d.remaining, d.yearEarned],
    records: d.groups.flatMap((g) => g.records.map((r) => [r.date, r.category, r.project, tenths(r.hours), r.source])),
  };
  return createHash('sha256').update(JSON.stringify(printed)).digest('hex');
}
