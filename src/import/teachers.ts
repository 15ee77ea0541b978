/**
 * Roster import: upsert teachers by 工号 from a CSV/XLSX source. All-or-nothing unless skipInvalid.
 * Usable from the CLI, tests and (later) the admin console: pass a connection no other request shares
 * while the import runs (the transaction spans the whole file).
 */
import type { Db } from '../../db/client.js';
import { systemClock, type Clock } from '../clock.js';
import type { PolicyPreset } from '../policy/schema.js';
import { normaliseEmployeeNo } from '../ledger/employee-no.js';
import { COLUMN, TEACHER_COLUMNS } from './header.js';
import { policyNames } from './policy-names.js';
import { isLeaderPosition, parseRow, REASONS, teacherRowSchema, teacherValues, type TeacherValues } from './rules.js';
import { runImport } from './run.js';
import { allTeachersForImport, rosterWriter, type RosterChanges, type StoredTeacher, type TeacherValuesRow } from './store.js';
import type { ImportOptions, ImportResult, RowError, RowSource, SourceRow } from './types.js';

export interface TeacherImportOptions extends ImportOptions {
  /** 政策 for rows that leave it empty (config DEFAULT_POLICY). */
  defaultPolicy: string;
}

/** The role given to roster leaders; re-importing a leader as 教师 takes back only this grant. */
export const ROSTER_GRANTOR = 'roster';

const valuesOf = (t: TeacherValues): TeacherValuesRow => [
  t.employeeNo,
  t.name,
  t.school,
  t.hireDate,
  t.normalGraduate,
  t.homeroom,
  t.position,
  t.policyId,
];

function signature(t: TeacherValues): string {
  return [t.name, t.school, t.hireDate, t.normalGraduate, t.homeroom, t.position, t.policyId].join('\u0001');
}

function sameAsDb(t: TeacherValues, e: StoredTeacher): boolean {
  return (
    e.employee_no === t.employeeNo &&
    e.name === t.name &&
    e.school === t.school &&
    e.hire_date === t.hireDate &&
    e.normal_graduate === t.normalGraduate &&
    e.homeroom === t.homeroom &&
    e.position === t.position &&
    e.policy_id === t.policyId
  );
}

export async function importTeachers(
  db: Db,
  presets: ReadonlyMap<string, PolicyPreset>,
  source: RowSource,
  options: TeacherImportOptions,
  clock: Clock = systemClock,
): Promise<ImportResult> {
  const policies = policyNames(presets.values());
  const schema = teacherRowSchema({ policies });

  return runImport(db, 'teachers', TEACHER_COLUMNS, source, options, async (ctx) => {
    const existing = new Map<string, StoredTeacher>();
    for (const row of await allTeachersForImport(ctx.db)) {
      // Keyed as the file's 工号 will be (a row stored as `t001` before 工号 were normalised is T001).
      existing.set(normaliseEmployeeNo(row.employee_no), row);
    }
    const writer = rosterWriter(ctx.db, ROSTER_GRANTOR);
    const seen = new Map<string, { row: number; sig: string }>();
    ctx.result.extra.leadersGranted = 0;
    ctx.result.extra.leadersRevoked = 0;

    /** A row's problems, or null with its change added to `changes` (written with the rest of its batch). */
    const checkRow = (row: SourceRow, changes: RosterChanges): RowError[] | null => {
      const parsed = parseRow(schema, row);
      if (!parsed.ok) return parsed.errors;
      const t = teacherValues(parsed.value, options.defaultPolicy, policies);
      const sig = signature(t);
      const first = seen.get(t.employeeNo);
      if (first) {
        if (first.sig === sig) {
          ctx.result.skipped++; // the same teacher again: taken once
          return null;
        }
        return [{ row: row.rowNumber, column: COLUMN.employeeNo, reason: REASONS.duplicateInFile(COLUMN.employeeNo, t.employeeNo, first.row) }];
      }
      seen.set(t.employeeNo, { row: row.rowNumber, sig });

      const before = existing.get(t.employeeNo);
      const leader = isLeaderPosition(t.position);
      if (!before) {
        changes.inserts.push({ values: valuesOf(t), leader });
        ctx.result.added++;
        return null;
      }
      if (sameAsDb(t, before)) {
        ctx.result.unchanged++;
      } else {
        changes.updates.push({ id: before.id, values: valuesOf(t) });
        ctx.result.updated++;
      }
      if (leader) changes.grants.push(before.id);
      else changes.revokes.push(before.id);
      return null;
    };

    return {
      rows: async (batch) => {
        const changes: RosterChanges = { updates: [], inserts: [], grants: [], revokes: [] };
        const out = batch.map((row) => checkRow(row, changes));
        const { granted, revoked } = await writer.write(changes, clock.now());
        ctx.result.extra.leadersGranted += granted;
        ctx.result.extra.leadersRevoked += revoked;
        return out;
      },
    };
  });
}
