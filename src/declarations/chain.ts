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
import type { DeclarationView, FlagWithOther } from './types.js';

/**
 * The approval chain as data: the school step is decided by the leaders of the teacher's school (roster roles),
 * the office step by the officers. Nobody decides their own declaration.
 */
export async function approversFor(
  db: Db,
  _presets: ReadonlyMap<string, PolicyPreset>,
  declaration: Pick<DeclarationRow, 'teacherId'>,
  step: DeclarationStep,
): Promise<TeacherRow[]> {
  const teacher = await findTeacherById(db, declaration.teacherId);
  if (!teacher) return [];
  const people = step === 'school' ? await leadersOfSchool(db, teacher.school) : await officerTeachers(db);
  return people.filter((p) => p.id !== teacher.id);
}

/** The first step with someone to decide it: a school with no leader on the roster goes straight to the office. */
export async function firstStep(
  db: Db,
  presets: ReadonlyMap<string, PolicyPreset>,
  declaration: Pick<DeclarationRow, 'teacherId'>,
): Promise<{ step: DeclarationStep; approvers: TeacherRow[] }> {
  const school = await approversFor(db, presets, declaration, 'school');
  if (school.length > 0) return { step: 'school', approvers: school };
  return { step: 'office', approvers: await approversFor(db, presets, declaration, 'office') };
}

/**
 * An assignee of the current step, or any officer (the office may decide any step, e.g. from the CLI); never the
 * teacher who declared it, officer or not.
 */
export async function mayDecide(db: Db, declaration: Pick<DeclarationRow, 'id' | 'teacherId'>, teacherId: number | null): Promise<boolean> {
  if (teacherId === null || teacherId === declaration.teacherId) return false;
  return (await isAssignee(db, declaration.id, teacherId)) || (await hasRole(db, teacherId, 'officer'));
}

export async function getDeclaration(db: Db, id: number): Promise<DeclarationView | null> {
  const declaration = await findDeclaration(db, id);
  if (!declaration) return null;
  const teacher = await findTeacherById(db, declaration.teacherId);
  if (!teacher) return null;
  const flags: FlagWithOther[] = [];
  for (const f of await flagsOf(db, id)) {
    flags.push({
      ...f,
      otherDeclaration: f.otherDeclarationId ? await findDeclaration(db, f.otherDeclarationId) : null,
      otherRecord: f.otherRecordId ? await findRecord(db, f.otherRecordId) : null,
    });
  }
  return { declaration, teacher, steps: await stepsOf(db, id), flags, evidence: await evidenceOf(db, id), assignees: await assigneesOf(db, id) };
}

/** The teacher themself, anyone who was asked to decide it or acted on it, or an officer. */
export async function canView(db: Db, declarationId: number, viewer: { teacherId: number; roles: ReadonlySet<Role> }): Promise<boolean> {
  const d = await findDeclaration(db, declarationId);
  if (!d) return false;
  if (d.teacherId === viewer.teacherId || viewer.roles.has('officer')) return true;
  return hasTakenPart(db, declarationId, viewer.teacherId);
}

export async function listDeclarationsOfTeacher(db: Db, teacherId: number): Promise<DeclarationRow[]> {
  return (await listDeclarationRows(db, { teacherId })).map((r) => r.declaration);
}

/** What this approver must decide now, oldest first. */
export async function listPendingFor(db: Db, approverTeacherId: number): Promise<{ declaration: DeclarationRow; teacher: TeacherRow }[]> {
  return (await listDeclarationRows(db, { assigneeId: approverTeacherId, state: 'pending' })).reverse();
}

export async function listDeclarations(db: Db, filter: DeclarationFilter = {}): Promise<{ declaration: DeclarationRow; teacher: TeacherRow }[]> {
  return listDeclarationRows(db, filter);
}
