/** Tables the console exports (CSV / XLSX through src/cli/attendance-export.ts's writers). */
import type { Db } from '../../db/client.js';
import type { AdminText } from '../bot/i18n/zh-CN.admin.js';
import type { PolicyPreset } from '../policy/schema.js';
import { teacherNameRows } from '../ledger/store.js';
import { behindShare, matches, overview, type Filter } from './compliance/overview.js';
import { type Snapshot } from './compliance/model.js';

const num = (n: number) => String(Math.round(n * 10) / 10);

/** One row per school: counts by status, behind share, and per owed label the teachers owing and hours owed. */
export function complianceRows(m: AdminText, snapshot: Snapshot, filter: Filter = {}): string[][] {
  const o = overview(snapshot, filter);
  const header = [...m.exports.complianceHeaders];
  for (const label of o.labels) header.push(m.exports.owedTeachersHeader(label), m.exports.owedHoursHeader(label));
  const rows = [...o.schools]
    .sort((x, y) => x.school.localeCompare(y.school, 'zh-CN'))
    .map((s) => {
      const row = [s.school, String(s.teachers), String(s.done), String(s.onPace), String(s.behind), String(s.none), `${Math.round(behindShare(s) * 1000) / 10}%`];
      for (const label of o.labels) {
        const owed = s.owed.get(label);
        row.push(String(owed?.teachers ?? 0), num(owed?.hours ?? 0));
      }
      return row;
    });
  return [header, ...rows];
}

/**
 * Teachers behind pace (the one 进度: see HoursSummary.progress), by school then 工号, on the snapshot's date: what
 * they have, what an even pace through the cycle expects by then (from the later of the cycle start and the hire
 * date), how far behind, and every minimum of that year still owed.
 */
export async function overdueRows(
  m: AdminText,
  db: Db,
  snapshot: Snapshot,
  presets: ReadonlyMap<string, PolicyPreset>,
  filter: Filter = {},
): Promise<string[][]> {
  const roster = new Map(
    (await teacherNameRows(db)).map((r) => [r[0], r]),
  );
  const rows: string[][] = [];
  for (const s of snapshot.teachers.values()) {
    if (s.status !== 'behind' || !matches(s, filter)) continue;
    const who = roster.get(s.id);
    if (!who) continue;
    const gap = s.expected !== null ? Math.max(0, s.expected - s.earned) : null;
    const owed = s.owed ? m.owed(Object.entries(s.owed).map(([label, hours]) => [label, num(hours)] as const)) : '';
    rows.push([
      who[1],
      who[2],
      s.school,
      presets.get(s.policyId)?.name ?? s.policyId,
      num(s.earned),
      s.required === null ? '' : num(s.required),
      s.expected === null ? '' : num(s.expected),
      gap === null ? '' : num(gap),
      owed,
    ]);
  }
  rows.sort((x, y) => x[2].localeCompare(y[2], 'zh-CN') || x[0].localeCompare(y[0]));
  return [[...m.exports.overdueHeaders], ...rows];
}
