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
import type { ImportOptions, ImportResult, RowSource } from './types.js';

export interface TeacherImportOptions extends ImportOptions {
  /** 政策 for rows that leave it empty (config DEFAULT_POLICY). */
  defaultPolicy: string;
}

/** The role given to roster leaders; re-importing a leader as 教师 takes back only this grant. */
export const ROSTER_GRANTOR = 'roster';

interface ExistingTeacher {
  id: number;
  employee_no: string;
  name: string;
  school: string;
  hire_date: string | null;
  normal_graduate: number | null;
  homeroom: number;
  position: string;
  policy_id: string;
}

const boolToDb = (b: boolean | null) => (b === null ? null : b ? 1 : 0);

function signature(t: TeacherValues): string {
  return [t.name, t.school, t.hireDate, t.normalGraduate, t.homeroom, t.position, t.policyId].join('\u0001');
}

function sameAsDb(t: TeacherValues, e: ExistingTeacher): boolean {
  return (
    e.employee_no === t.employeeNo &&
    e.name === t.name &&
    e.school === t.school &&
    e.hire_date === t.hireDate &&
    e.normal_graduate === boolToDb(t.normalGraduate) &&
    e.homeroom === (t.homeroom ? 1 : 0) &&
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
  const sqlite = db.$client;

  return runImport(db, 'teachers', TEACHER_COLUMNS, source, options, (ctx) => {
    const existing = new Map<string, ExistingTeacher>();
    for (const row of sqlite
      .prepare('SELECT id, employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id FROM teachers')
      .iterate() as IterableIterator<ExistingTeacher>) {
      // Keyed as the file's 工号 will be (a row stored as `t001` before 工号 were normalised is T001).
      existing.set(normaliseEmployeeNo(row.employee_no), row);
    }
    const insert = sqlite.prepare(
      `INSERT INTO teachers (employee_no, name, school, hire_date, normal_graduate, homeroom, position, policy_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const update = sqlite.prepare(
      `UPDATE teachers SET employee_no = ?, name = ?, school = ?, hire_date = ?, normal_graduate = ?, homeroom = ?,
       position = ?, policy_id = ?, updated_at = ? WHERE id = ?`,
    );
    const grantLeader = sqlite.prepare(
      `INSERT INTO roles (teacher_id, role, granted_by) VALUES (?, 'leader', '${ROSTER_GRANTOR}') ON CONFLICT DO NOTHING`,
    );
    const revokeLeader = sqlite.prepare(
      `DELETE FROM roles WHERE teacher_id = ? AND role = 'leader' AND granted_by = '${ROSTER_GRANTOR}'`,
    );
    const seen = new Map<string, { row: number; sig: string }>();
    ctx.result.extra.leadersGranted = 0;
    ctx.result.extra.leadersRevoked = 0;

    return (row) => {
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
      let id: number;
      if (!before) {
        const info = insert.run(t.employeeNo, t.name, t.school, t.hireDate, boolToDb(t.normalGraduate), t.homeroom ? 1 : 0, t.position, t.policyId);
        id = Number(info.lastInsertRowid);
        ctx.result.added++;
      } else {
        id = before.id;
        if (sameAsDb(t, before)) {
          ctx.result.unchanged++;
        } else {
          update.run(t.employeeNo, t.name, t.school, t.hireDate, boolToDb(t.normalGraduate), t.homeroom ? 1 : 0, t.position, t.policyId, clock.now().getTime(), id);
          ctx.result.updated++;
        }
      }
      if (isLeaderPosition(t.position)) ctx.result.extra.leadersGranted += grantLeader.run(id).changes;
      else if (before) ctx.result.extra.leadersRevoked += revokeLeader.run(id).changes;
      return null;
    };
  });
}
