import type { Db } from '../../db/client.js';
import { audit } from '../ledger/audit.js';
import { findTeacherById } from '../ledger/store.js';
import type { PolicyPreset } from '../policy/schema.js';
import { declarationCore as m } from '../bot/i18n/zh-CN.declarations.js';
import { firstStep } from './chain.js';
import { flagFieldDuplicates } from './duplicates.js';
import { projectKeyOf } from './rules.js';
import {
  attachEvidence,
  findDeclaration,
  findExactRepeat,
  insertDeclaration,
  insertStep,
  setAssignees,
  stepCount,
  updateDeclaration,
  type DeclarationRow,
} from './store.js';
import { checkDeclaration, type CheckedInput } from './validate.js';
import type { Actor, DeclarationInput, SubmitOutcome, WithdrawOutcome } from './types.js';

/**
 * The declaration core: the rules of 学时申报. Every function is async (its store is) and runs inside the caller's
 * transaction (a chat event, a card click, a CLI command); it returns what happened and sends nothing (the
 * caller enqueues through notify.ts). Decisions (approve, return, forward, escalate) are in decisions.ts.
 */
export { approveDeclaration, escalateDeclaration, forwardDeclaration, returnDeclaration } from './decisions.js';
export { approversFor, canView, getDeclaration, listDeclarations, listDeclarationsOfTeacher, listPendingFor } from './chain.js';
export { flagEvidenceDuplicates } from './duplicates.js';
export type * from './types.js';

type Presets = ReadonlyMap<string, PolicyPreset>;

function refuseRepeat(other: DeclarationRow): SubmitOutcome {
  return { ok: false, reason: 'exact_repeat', detail: m.refusals.exact_repeat(other.id), other };
}

/** Puts the declaration at its first step: assignees from the chain, duplicate flags worked out. */
async function enterChain(
  db: Db,
  presets: Presets,
  d: DeclarationRow,
  action: 'submit' | 'resubmit',
  actor: Actor,
  now: Date,
  evidenceIds: number[],
): Promise<SubmitOutcome> {
  const { step, approvers } = await firstStep(db, presets, d);
  const declaration = await updateDeclaration(db, d.id, { currentStep: step, state: 'pending', submittedAt: now, updatedAt: now, returnReason: null });
  await setAssignees(db, d.id, approvers.map((a) => a.id));
  const attached = await attachEvidence(db, d.id, d.teacherId, evidenceIds);
  const flags = await flagFieldDuplicates(db, declaration);
  await insertStep(db, { declarationId: d.id, step, action, actor: actor.label, actorTeacherId: actor.teacherId, at: now });
  await audit(db, actor.label, `declaration_${action}`, {
    declarationId: d.id,
    teacherId: d.teacherId,
    project: d.project,
    startDate: d.startDate,
    endDate: d.endDate,
    hours: d.hours,
    category: d.category,
    certificateNo: d.certificateNo,
    evidence: attached,
    step,
    assignees: approvers.map((a) => a.employeeNo),
    flags: flags.map((f) => f.kind),
  });
  return { ok: true, declaration, flags, assignees: approvers, stepIndex: await stepCount(db, d.id) };
}

function rowValues(v: CheckedInput) {
  return {
    project: v.project,
    projectKey: projectKeyOf(v.project),
    organiser: v.organiser,
    startDate: v.startDate,
    endDate: v.endDate,
    hours: v.hours,
    category: v.category,
    certificateNo: v.certificateNo,
  };
}

/** A teacher's new declaration: checked, refused outright when it repeats a live one exactly, then sent to its first approvers. */
export async function submitDeclaration(db: Db, presets: Presets, input: DeclarationInput, actor: Actor, now: Date): Promise<SubmitOutcome> {
  const teacher = await findTeacherById(db, input.teacherId);
  if (!teacher) return { ok: false, reason: 'not_found', detail: m.refusals.not_found(input.teacherId) };
  const checked = await checkDeclaration(db, presets, teacher, input, now, null);
  if (!checked.ok) return checked;
  const values = { teacherId: teacher.id, ...rowValues(checked.value) };
  const repeat = await findExactRepeat(db, values, null);
  if (repeat) return refuseRepeat(repeat);
  const inserted = await insertDeclaration(db, { ...values, state: 'draft', createdAt: now, updatedAt: now });
  if (!inserted) {
    const other = await findExactRepeat(db, values, null);
    if (other) return refuseRepeat(other);
    throw new Error('declaration insert refused without a repeat');
  }
  return enterChain(db, presets, inserted, 'submit', actor, now, checked.value.evidenceIds);
}

/** A returned declaration, corrected by its teacher and sent back to the start of the chain. */
export async function resubmitDeclaration(
  db: Db,
  presets: Presets,
  id: number,
  changes: Partial<DeclarationInput>,
  actor: Actor,
  now: Date,
): Promise<SubmitOutcome> {
  const d = await findDeclaration(db, id);
  if (!d) return { ok: false, reason: 'not_found', detail: m.refusals.not_found(id) };
  if (actor.teacherId !== d.teacherId) return { ok: false, reason: 'not_owner', detail: m.refusals.not_owner(id) };
  if (d.state !== 'returned') return { ok: false, reason: 'wrong_state', detail: m.refusals.wrong_state(id, d.state) };
  const teacher = (await findTeacherById(db, d.teacherId))!;
  const merged: DeclarationInput = {
    teacherId: d.teacherId,
    project: changes.project ?? d.project,
    organiser: changes.organiser ?? d.organiser,
    startDate: changes.startDate ?? d.startDate,
    endDate: changes.endDate ?? d.endDate,
    hours: changes.hours ?? d.hours,
    category: changes.category ?? d.category,
    certificateNo: changes.certificateNo === undefined ? d.certificateNo : changes.certificateNo,
    evidenceIds: changes.evidenceIds ?? [],
  };
  const checked = await checkDeclaration(db, presets, teacher, merged, now, id);
  if (!checked.ok) return checked;
  const values = { teacherId: d.teacherId, ...rowValues(checked.value) };
  const repeat = await findExactRepeat(db, values, id);
  if (repeat) return refuseRepeat(repeat);
  const updated = await updateDeclaration(db, id, { ...values, updatedAt: now });
  return enterChain(db, presets, updated, 'resubmit', actor, now, checked.value.evidenceIds);
}

/** The teacher takes back a declaration that is still pending or was returned. */
export async function withdrawDeclaration(db: Db, id: number, actor: Actor, now: Date): Promise<WithdrawOutcome> {
  const d = await findDeclaration(db, id);
  if (!d) return { ok: false, reason: 'not_found' };
  if (actor.teacherId !== d.teacherId) return { ok: false, reason: 'not_owner' };
  if (d.state !== 'pending' && d.state !== 'returned') return { ok: false, reason: 'wrong_state', detail: d.state };
  const declaration = await updateDeclaration(db, id, { state: 'withdrawn', currentStep: null, updatedAt: now, decidedAt: now });
  await setAssignees(db, id, []);
  await insertStep(db, { declarationId: id, step: d.currentStep, action: 'withdraw', actor: actor.label, actorTeacherId: actor.teacherId, at: now });
  await audit(db, actor.label, 'declaration_withdraw', { declarationId: id, teacherId: d.teacherId, from: d.state });
  return { ok: true, declaration, stepIndex: await stepCount(db, id) };
}
