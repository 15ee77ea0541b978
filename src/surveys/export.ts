import { surveysConsoleText as C } from '../bot/i18n/zh-CN.surveys-console.js';
import { MIN_GROUP_SIZE, showable } from './anonymity.js';
import type { GroupResults, QuestionResult } from './results.js';

/**
 * Results as spreadsheet rows (the console's XLSX and CSV): one header, then per group its aggregates, one row
 * per option of each question, its mean, and its comments one per row. There is never a row per respondent: a
 * row holds a count, a mean, or one comment, and a group under MIN_GROUP_SIZE answers is one row with its count.
 */

export type ExportCell = string | number;

export interface ExportGroup {
  label: string;
  /** How many rounds the group pools (a trainer's sessions); null for one round or a school / 职务. */
  rounds: number | null;
  /** Answers behind what is shown beyond the counts, when that is not all of them (resultsBy's `pooled`). */
  pooled?: number;
  results: GroupResults;
}

/**
 * Why a group shows no more than its counts, or that what it shows leaves some answers out; null when neither.
 * The page and the files say the same.
 */
export function suppressionNote(r: GroupResults, pooled?: number): string | null {
  if (r.suppressed) {
    if (!showable(r.answered)) return C.round.suppressed(MIN_GROUP_SIZE, r.answered);
    return pooled === undefined ? C.round.complement(MIN_GROUP_SIZE, r.answered) : C.round.allRoundsSmall(MIN_GROUP_SIZE, r.answered);
  }
  return pooled !== undefined && pooled < r.answered ? C.round.pooledNote(MIN_GROUP_SIZE, pooled, r.answered) : null;
}

/**
 * A question's comments as the console shows them: sorted, so that two text questions' lists do not line up
 * answer by answer (both come in the table's order, which is one order for every question of a respondent).
 */
export function shownComments(q: QuestionResult): string[] {
  return [...(q.comments ?? [])].sort((x, y) => x.localeCompare(y, 'zh-CN'));
}

export const EXPORT_WIDTHS = [24, 8, 10, 10, 10, 30, 40, 8, 8] as const;

export function resultRows(groups: readonly ExportGroup[]): ExportCell[][] {
  const rows: ExportCell[][] = [[...C.export.header]];
  for (const g of groups) {
    const r = g.results;
    const lead: ExportCell[] = [g.label, g.rounds ?? '', r.invited, r.answered, C.export.rate(r.responseRate)];
    const note = suppressionNote(r, g.pooled);
    if (note) rows.push([...lead, '', note, '', '']);
    if (r.suppressed) continue;
    for (const q of r.questions) {
      if (q.kind === 'text') {
        for (const comment of shownComments(q)) rows.push([...lead, q.prompt, comment, '', '']);
        continue;
      }
      for (const d of q.distribution ?? []) rows.push([...lead, q.prompt, d.label, d.count, '']);
      if (q.mean !== undefined) rows.push([...lead, q.prompt, C.export.meanLabel, '', q.mean]);
    }
  }
  return rows;
}
