import type { Db } from '../../db/client.js';
import type { Role } from '../ledger/roles.js';
import type { PolicyPreset } from '../policy/schema.js';
import { type TeacherRow, findTeacherById } from '../ledger/store.js';
import {
  assigneesOf,
  evidenceOf,
  findDeclaration,
  findRecord,
  flagsOf,
  hasRole,
  hasTakenPart,
  isAssignee,
  leadersOfSchool,
  listDeclarationRows,
  officerTeachers,
  stepsOf,
  type DeclarationFilter,
  type DeclarationRow,
  type DeclarationStep,
} from './store.js';
import type { DeclarationView } from './types.js';

/**
 * The approval chain as data: the school step is decided by the leaders of the teacher's school (roster roles),
 * the office step by the officers. Nobody decides their own declaration.
 */
export function approversFor(
  db: Db,
  _presets: ReadonlyMap<string, PolicyPreset>,
  declaration: Pick<DeclarationRow, 'teacherId'>,
  step: DeclarationStep,
): TeacherRow[] {
  const teacher = findTeacherById(db, declaration.teacherId);
  if (!teacher) return [];
  const people = step === 'school' ? leadersOfSchool(db, teacher.school) : officerTeachers(db);
  return people.filter((p) => p.id !== teacher.id);
}

/** The first step with someone to decide it: a school with no leader on the roster goes straight to the office. */
export function firstStep(
  db: Db,
  presets: ReadonlyMap<string, PolicyPreset>,
  declaration: Pick<DeclarationRow, 'teacherId'>,
): { step: DeclarationStep; approvers: TeacherRow[] } {
  const school = approversFor(db, presets, declaration, 'school');
  if (school.length > 0) return { step: 'school', approvers: school };
  return { step: 'office', approvers: approversFor(db, presets, declaration, 'office') };
}

/**
 * An assignee of the current step, or any officer (the office may decide any step, e.g. from the CLI); never the
 * teacher who declared it, officer or not.
 */
export function mayDecide(db: Db, declaration: Pick<DeclarationRow, 'id' | 'teacherId'>, teacherId: number | null): boolean {
  if (teacherId === null || teacherId === declaration.teacherId) return false;
  return isAssignee(db, declaration.id, teacherId) || hasRole(db, teacherId, 'officer');
}

export function getDeclaration(db: Db, id: number): DeclarationView | null {
  const declaration = findDeclaration(db, id);
  if (!declaration) return null;
  const teacher = findTeacherById(db, declaration.teacherId);
  if (!teacher) return null;
  return {
    declaration,
    teacher,
    steps: stepsOf(db, id),
    flags: flagsOf(db, id).map((f) => ({
      ...f,
      otherDeclaration: f.otherDeclarationId ? findDeclaration(db, f.otherDeclarationId) : null,
      otherRecord: f.otherRecordId ? findRecord(db, f.otherRecordId) : null,
    })),
    evidence: evidenceOf(db, id),
    assignees: assigneesOf(db, id),
  };
}

/** The teacher themself, anyone who was asked to decide it or acted on it, or an officer. */
export function canView(db: Db, declarationId: number, viewer: { teacherId: number; roles: ReadonlySet<Role> }): boolean {
  const d = findDeclaration(db, declarationId);
  if (!d) return false;
  if (d.teacherId === viewer.teacherId || viewer.roles.has('officer')) return true;
  return hasTakenPart(db, declarationId, viewer.teacherId);
}

export function listDeclarationsOfTeacher(db: Db, teacherId: number): DeclarationRow[] {
  return listDeclarationRows(db, { teacherId }).map((r) => r.declaration);
}

/** What this approver must decide now, oldest first. */
export function listPendingFor(db: Db, approverTeacherId: number): { declaration: DeclarationRow; teacher: TeacherRow }[] {
  return listDeclarationRows(db, { assigneeId: approverTeacherId, state: 'pending' }).reverse();
}

export function listDeclarations(db: Db, filter: DeclarationFilter = {}): { declaration: DeclarationRow; teacher: TeacherRow }[] {
  return listDeclarationRows(db, filter);
}
