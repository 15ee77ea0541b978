import type { Db } from '../../db/client.js';
import { dateIn } from '../time/zone.js';
import { audit } from '../ledger/audit.js';
import { hoursSummary } from '../ledger/summary.js';
import { findTeacherById, type TeacherRow } from '../ledger/store.js';
import type { PolicyPreset } from '../policy/schema.js';
import { approversFor, mayDecide } from './chain.js';
import { declarationRules, needsOfficeStep } from './rules.js';
import {
  assigneesOf,
  findDeclaration,
  hasRole,
  insertDeclarationRecord,
  insertStep,
  setAssignees,
  stepCount,
  stepsOf,
  updateDeclaration,
  type DeclarationRow,
} from './store.js';
import type { Actor, DecisionAction, DecisionOutcome, DecisionRefusalReason } from './types.js';

type Presets = ReadonlyMap<string, PolicyPreset>;

const refuse = (reason: DecisionRefusalReason, detail?: string): DecisionOutcome => ({ ok: false, reason, detail });

/** Whether this approver already approved or returned it since it was last (re)submitted: a redelivered click. */
async function actedSinceSubmit(db: Db, declarationId: number, teacherId: number | null): Promise<boolean> {
  if (teacherId === null) return false;
  const steps = await stepsOf(db, declarationId);
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (s.action === 'submit' || s.action === 'resubmit') return false;
    if ((s.action === 'approve' || s.action === 'return') && s.actorTeacherId === teacherId) return true;
  }
  return false;
}

/**
 * The shared gate of every decision: the declaration exists, is pending, and the actor may decide it. A repeat
 * of a decision already taken (a redelivered card click, a second CLI run) is `already_decided` and changes nothing.
 */
async function gate(db: Db, id: number, actor: Actor): Promise<{ ok: true; d: DeclarationRow } | { ok: false; outcome: DecisionOutcome }> {
  const d = await findDeclaration(db, id);
  if (!d) return { ok: false, outcome: refuse('not_found') };
  if (d.state !== 'pending') {
    const decided = d.state === 'approved' || d.state === 'rejected' || (await actedSinceSubmit(db, id, actor.teacherId));
    return { ok: false, outcome: refuse(decided ? 'already_decided' : 'wrong_state', d.state) };
  }
  if (!(await mayDecide(db, d, actor.teacherId))) {
    return { ok: false, outcome: refuse((await actedSinceSubmit(db, id, actor.teacherId)) ? 'already_decided' : 'not_assignee') };
  }
  return { ok: true, d };
}

async function done(
  db: Db,
  action: DecisionAction,
  declaration: DeclarationRow,
  rest: Partial<Extract<DecisionOutcome, { ok: true }>> = {},
): Promise<DecisionOutcome> {
  return { ok: true, action, declaration, finished: false, record: null, next: [], totals: null, stepIndex: await stepCount(db, declaration.id), ...rest };
}

/**
 * 通过. At the school step a declaration the preset sends on (over the size, or a listed category) moves to the
 * office; otherwise — or when an officer approves — this is the final approval: the record enters the ledger
 * (recordKey `declaration:<id>`, unique, so once) and the outcome carries the teacher's new totals.
 */
export async function approveDeclaration(db: Db, presets: Presets, id: number, actor: Actor, now: Date): Promise<DecisionOutcome> {
  const g = await gate(db, id, actor);
  if (!g.ok) return g.outcome;
  const { d } = g;
  const teacher = (await findTeacherById(db, d.teacherId))!;
  const preset = presets.get(teacher.policyId);
  const byOfficer = actor.teacherId !== null && (await hasRole(db, actor.teacherId, 'officer'));
  const step = d.currentStep ?? 'school';
  await insertStep(db, { declarationId: id, step, action: 'approve', actor: actor.label, actorTeacherId: actor.teacherId, at: now });
  const onToOffice = step === 'school' && !byOfficer && !!preset && needsOfficeStep(declarationRules(preset), d);
  if (onToOffice) {
    const next = await approversFor(db, presets, d, 'office');
    const declaration = await updateDeclaration(db, id, { currentStep: 'office', updatedAt: now });
    await setAssignees(db, id, next.map((t) => t.id));
    await audit(db, actor.label, 'declaration_approve', { declarationId: id, teacherId: d.teacherId, step, next: 'office', assignees: next.map((t) => t.employeeNo) });
    return done(db, 'approve', declaration, { next });
  }
  const record = await insertDeclarationRecord(db, d);
  const declaration = await updateDeclaration(db, id, {
    state: 'approved',
    currentStep: null,
    recordId: record?.id ?? d.recordId,
    decidedAt: now,
    updatedAt: now,
  });
  await setAssignees(db, id, []);
  await audit(db, actor.label, 'declaration_approve', {
    declarationId: id,
    teacherId: d.teacherId,
    step,
    final: true,
    recordId: declaration.recordId,
    recordKey: `declaration:${id}`,
    hours: d.hours,
    category: d.category,
  });
  const asOf = [dateIn(now), d.endDate].sort().at(-1)!;
  const totals = preset ? { summary: await hoursSummary(db, presets, teacher, asOf), asOf, teacher } : null;
  return done(db, 'approve', declaration, { finished: true, record, totals });
}

/** 退回 with a reason (required): back to the teacher, who may correct and resubmit, or withdraw. */
export async function returnDeclaration(db: Db, id: number, reason: string, actor: Actor, now: Date): Promise<DecisionOutcome> {
  const why = reason.trim();
  const g = await gate(db, id, actor);
  if (!g.ok) return g.outcome;
  if (why.length < 2) return refuse('no_reason');
  const { d } = g;
  await insertStep(db, { declarationId: id, step: d.currentStep, action: 'return', actor: actor.label, actorTeacherId: actor.teacherId, reason: why, at: now });
  const declaration = await updateDeclaration(db, id, { state: 'returned', currentStep: null, returnReason: why, updatedAt: now });
  await setAssignees(db, id, []);
  await audit(db, actor.label, 'declaration_return', { declarationId: id, teacherId: d.teacherId, step: d.currentStep, reason: why });
  return done(db, 'return', declaration);
}

/** 转交: the current step is handed to another school leader or officer (never to the teacher who declared). */
export async function forwardDeclaration(db: Db, id: number, toTeacherId: number, actor: Actor, now: Date): Promise<DecisionOutcome> {
  const g = await gate(db, id, actor);
  if (!g.ok) return g.outcome;
  const { d } = g;
  const to = await findTeacherById(db, toTeacherId);
  if (!to || to.id === d.teacherId || !((await hasRole(db, to.id, 'leader')) || (await hasRole(db, to.id, 'officer')))) return refuse('bad_forward');
  await insertStep(db, { declarationId: id, step: d.currentStep, action: 'forward', actor: actor.label, actorTeacherId: actor.teacherId, toTeacherId: to.id, at: now });
  await setAssignees(db, id, [to.id]);
  const declaration = await updateDeclaration(db, id, { updatedAt: now });
  await audit(db, actor.label, 'declaration_forward', { declarationId: id, teacherId: d.teacherId, step: d.currentStep, to: to.employeeNo });
  return done(db, 'forward', declaration, { next: [to] });
}

/**
 * Overdue at its step (the approval part's scheduler decides when): the officers are added to whoever must decide,
 * so the office can act. Idempotent: officers already assigned are not asked again.
 */
export async function escalateDeclaration(db: Db, presets: Presets, id: number, actor: Actor, now: Date): Promise<DecisionOutcome> {
  const d = await findDeclaration(db, id);
  if (!d) return refuse('not_found');
  if (d.state !== 'pending') return refuse('wrong_state', d.state);
  const current = await assigneesOf(db, id);
  const added: TeacherRow[] = (await approversFor(db, presets, d, 'office')).filter((o) => !current.some((c) => c.id === o.id));
  if (added.length === 0) return done(db, 'escalate', d);
  await setAssignees(db, id, [...current, ...added].map((t) => t.id));
  await insertStep(db, { declarationId: id, step: d.currentStep, action: 'escalate', actor: actor.label, actorTeacherId: actor.teacherId, at: now });
  const declaration = await updateDeclaration(db, id, { updatedAt: now });
  await audit(db, actor.label, 'declaration_escalate', { declarationId: id, teacherId: d.teacherId, step: d.currentStep, added: added.map((t) => t.employeeNo) });
  return done(db, 'escalate', declaration, { next: added });
}
