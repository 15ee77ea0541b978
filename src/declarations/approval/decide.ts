/**
 * One decision on a declaration — 通过, 退回 (with a reason), 转交 (to a 工号) — taken the same way from a chat
 * command, a card click, the approval page and the console: the core service decides (and refuses what the actor
 * may not do, or what was already done), then the teacher and whoever must decide next are told through
 * notify.ts. Runs inside the caller's transaction (its handle is ctx.db), so the decision and its notices commit together.
 */
import type { Db } from '../../../db/client.js';
import type { Role } from '../../ledger/roles.js';
import type { Messages } from '../../bot/i18n/index.js';
import { findTeacherByEmployeeNo, type TeacherRow } from '../../ledger/store.js';
import type { PolicyPreset } from '../../policy/schema.js';
import { notifyDecision } from '../notify.js';
import { approveDeclaration, approversFor, canView, forwardDeclaration, getDeclaration, returnDeclaration } from '../service.js';
import type { Actor, DecisionOutcome, DeclarationView } from '../types.js';
import { mayDecideNow, statusLine } from './cards.js';

export type Decision = { kind: 'approve' } | { kind: 'return'; reason: string } | { kind: 'forward'; employeeNo: string };

export interface DecisionContext {
  db: Db;
  presets: ReadonlyMap<string, PolicyPreset>;
  now: Date;
  t: Messages;
  timeZone: string;
}

/** Who decides: their audit label and roster entry (always bound: approvers are on the roster). */
export interface Approver {
  label: string;
  teacher: TeacherRow;
  officer: boolean;
}

export type DecisionResult =
  | { ok: true; outcome: Extract<DecisionOutcome, { ok: true }>; view: DeclarationView; text: string }
  /** `view` only when the approver may see the declaration (a stranger learns nothing about it). */
  | { ok: false; reason: string; view: DeclarationView | null; text: string };

/**
 * Whether this person may see the declaration as its approver: the core's canView (the teacher, anyone who acted
 * or is assigned, an officer) or one who was asked at a step (a leader of the teacher's school, whose colleague
 * decided first). The declarant alone does not count here: the approval side is not their page.
 */
export async function mayViewAsApprover(
  ctx: Pick<DecisionContext, 'db' | 'presets'>,
  id: number,
  who: { teacherId: number; officer: boolean },
): Promise<boolean> {
  const view = await getDeclaration(ctx.db, id);
  if (!view) return false;
  if (who.officer) return true;
  if (view.declaration.teacherId === who.teacherId) return false;
  if (await canView(ctx.db, id, { teacherId: who.teacherId, roles: new Set<Role>() })) return true;
  return (await approversFor(ctx.db, ctx.presets, view.declaration, 'school')).some((p) => p.id === who.teacherId);
}

/** Who a declaration may be handed to: the leaders of the teacher's school, then the officers (not the declarant, not me). */
export async function forwardCandidates(ctx: Pick<DecisionContext, 'db' | 'presets'>, view: DeclarationView, meId: number): Promise<TeacherRow[]> {
  const d = view.declaration;
  const people = [...(await approversFor(ctx.db, ctx.presets, d, 'school')), ...(await approversFor(ctx.db, ctx.presets, d, 'office'))];
  const seen = new Set([meId, d.teacherId]);
  return people.filter((p) => !seen.has(p.id) && seen.add(p.id));
}

export async function decide(ctx: DecisionContext, id: number, decision: Decision, approver: Approver): Promise<DecisionResult> {
  const { db, presets, now, t } = ctx;
  const m = t.declarations.approval;
  const actor: Actor = { label: approver.label, teacherId: approver.teacher.id };
  const viewable = async () => ((await mayViewAsApprover(ctx, id, { teacherId: approver.teacher.id, officer: approver.officer })) ? await getDeclaration(db, id) : null);

  // Nobody decides their own declaration, and the office does not jump the school's step (the core lets officers
  // decide any step, for the CLI): here only the current assignees, or officers at the office step, may act.
  const before = await getDeclaration(db, id);
  if (before?.declaration.teacherId === approver.teacher.id) return { ok: false, reason: 'own', view: null, text: m.refusals.own(id) };
  const me = { teacherId: approver.teacher.id, officer: approver.officer };
  if (before && before.declaration.state === 'pending' && !mayDecideNow(before, me)) return refusal(ctx, id, 'not_assignee', await viewable());
  let outcome: DecisionOutcome;
  if (decision.kind === 'approve') outcome = await approveDeclaration(db, presets, id, actor, now);
  else if (decision.kind === 'return') {
    if (decision.reason.trim().length < 2) return refusal(ctx, id, 'no_reason', await viewable());
    outcome = await returnDeclaration(db, id, decision.reason, actor, now);
  } else {
    const to = await findTeacherByEmployeeNo(db, decision.employeeNo);
    if (!to) return { ok: false, reason: 'unknown_target', view: await viewable(), text: m.refusals.unknownTarget(decision.employeeNo) };
    outcome = await forwardDeclaration(db, id, to.id, actor, now);
  }
  if (!outcome.ok) return refusal(ctx, id, outcome.reason, await viewable());
  await notifyDecision(db, outcome, now, t);
  const view = (await getDeclaration(db, id))!;
  return { ok: true, outcome, view, text: doneText(view, outcome, t) };
}

function doneText(view: DeclarationView, outcome: Extract<DecisionOutcome, { ok: true }>, t: Messages): string {
  const m = t.declarations.approval.done;
  const d = view.declaration;
  const who = m.what(view.teacher.name, d.project);
  switch (outcome.action) {
    case 'approve':
      return outcome.finished ? m.approvedFinal(d.id, who, d.category, d.hours) : m.approvedToOffice(d.id, who, outcome.next.map((p) => p.name));
    case 'return':
      return m.returned(d.id, who, d.returnReason ?? '');
    case 'forward':
      return m.forwarded(d.id, who, outcome.next);
    default:
      return m.escalated(d.id, who);
  }
}

/**
 * A refusal in kind words. A repeat (a redelivered click, a colleague who decided first) says where it stands now
 * rather than "not allowed"; someone with no part in it is told only that it is not theirs.
 */
function refusal(ctx: DecisionContext, id: number, reason: string, view: DeclarationView | null): DecisionResult {
  const r = ctx.t.declarations.approval.refusals;
  if (!view) return { ok: false, reason, view: null, text: r.notYours(id) };
  const status = statusLine(view, ctx.t, ctx.timeZone);
  const text = (() => {
    switch (reason) {
      case 'already_decided':
        return r.alreadyDone(id, status);
      case 'not_assignee':
      case 'wrong_state':
        return view.declaration.state === 'pending' ? r.notYourStep(id, status) : r.alreadyDone(id, status);
      case 'no_reason':
        return r.askReason(id);
      case 'bad_forward':
        return r.badForward;
      default:
        return r.notYours(id);
    }
  })();
  return { ok: false, reason, view, text };
}
