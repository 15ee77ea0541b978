import type { Db } from '../../db/client.js';
import { messagesFor, renderSummaryText, type Messages } from '../bot/i18n/index.js';
import type { Reply } from '../core/messages.js';
import { enqueue } from '../outbox/store.js';
import { directMessage } from '../outbox/address.js';
import type { TeacherRow } from '../ledger/store.js';
import { approvalRequestReply } from './approval/cards.js';
import { stepNames } from './approval/names.js';
import { consoleBaseUrl } from '../admin/auth.js';
import { getDeclaration } from './chain.js';
import type { DeclarationRow } from './store.js';
import type { DecisionOutcome, SubmitOutcome } from './types.js';

/**
 * Notices of the approval chain, enqueued in the caller's transaction (the outbox sends them). Each goes to the
 * person's bound account under the key `decl:<id>:<stepIndex>:<teacherId>`: a redelivered event or a second
 * call for the same step adds nothing.
 */
const keyOf = (declarationId: number, stepIndex: number, teacherId: number) => `decl:${declarationId}:${stepIndex}:${teacherId}`;

async function send(db: Db, teacherId: number, reply: Reply, key: string, now: Date): Promise<number> {
  const message = await directMessage(db, teacherId, reply, key, key);
  return message ? enqueue(db, [message], now) : 0;
}

/** The approval request (approvalRequestReply) to each approver. Returns how many were newly enqueued. */
export async function requestApproval(
  db: Db,
  declaration: DeclarationRow,
  approvers: readonly TeacherRow[],
  now: Date,
  stepIndex?: number,
  t: Messages = messagesFor(),
): Promise<number> {
  const view = await getDeclaration(db, declaration.id);
  if (!view || approvers.length === 0) return 0;
  const index = stepIndex ?? view.steps.length;
  const reply = approvalRequestReply(view, t, { baseUrl: consoleBaseUrl(db), names: await stepNames(db, view) });
  let sent = 0;
  for (const a of approvers) sent += await send(db, a.id, reply, keyOf(declaration.id, index, a.id), now);
  return sent;
}

/** After a submission or resubmission: the first approvers are asked. */
export async function notifySubmitted(db: Db, outcome: SubmitOutcome, now: Date, t: Messages = messagesFor()): Promise<number> {
  if (!outcome.ok) return 0;
  return requestApproval(db, outcome.declaration, outcome.assignees, now, outcome.stepIndex, t);
}

/**
 * After a decision: the teacher hears of a final approval (with the new totals, as 学时 answers them), of a
 * school approval that went on to the office, and of a return (with the reason); whoever must decide next
 * (office, forward target, escalation) gets the approval request.
 */
export async function notifyDecision(db: Db, outcome: DecisionOutcome, now: Date, t: Messages = messagesFor()): Promise<number> {
  if (!outcome.ok) return 0;
  const c = t.declarations.core;
  const d = outcome.declaration;
  const teacherKey = keyOf(d.id, outcome.stepIndex, d.teacherId);
  let sent = 0;
  if (outcome.action === 'approve' && outcome.finished) {
    const lines = [c.notices.approvedFinal(d.id, d.project, d.hours, d.category)];
    if (outcome.totals) lines.push('', renderSummaryText(t, outcome.totals.teacher.name, outcome.totals.summary, outcome.totals.asOf));
    sent += await send(db, d.teacherId, { text: lines.join('\n'), tone: 'success' }, teacherKey, now);
  } else if (outcome.action === 'approve') {
    sent += await send(db, d.teacherId, { text: c.notices.approvedStep(d.id, d.project), tone: 'info' }, teacherKey, now);
  } else if (outcome.action === 'return') {
    sent += await send(db, d.teacherId, { text: c.notices.returned(d.id, d.project, d.returnReason ?? ''), tone: 'warning' }, teacherKey, now);
  }
  sent += await requestApproval(db, d, outcome.next, now, outcome.stepIndex, t);
  return sent;
}

/** The record made from a declaration was revoked (撤销记录): the teacher is told why. */
export async function notifyRecordRevoked(
  db: Db,
  declaration: DeclarationRow,
  reason: string,
  stepIndex: number,
  now: Date,
  t: Messages = messagesFor(),
): Promise<number> {
  const key = `${keyOf(declaration.id, stepIndex, declaration.teacherId)}:revoked`;
  return send(db, declaration.teacherId, { text: t.declarations.core.notices.recordRevoked(declaration.id, declaration.project, reason), tone: 'warning' }, key, now);
}

/** The record made from a declaration was corrected (更正记录): the teacher hears the new hours and why. */
export async function notifyRecordCorrected(
  db: Db,
  declaration: DeclarationRow,
  before: Pick<DeclarationRow, 'hours' | 'category'>,
  reason: string,
  stepIndex: number,
  now: Date,
  t: Messages = messagesFor(),
): Promise<number> {
  // One notice per correction: the declaration's updatedAt tells corrections apart.
  const key = `${keyOf(declaration.id, stepIndex, declaration.teacherId)}:corrected:${declaration.updatedAt.getTime()}`;
  const text = t.declarations.core.notices.recordCorrected(declaration.id, declaration.project, before, declaration, reason);
  return send(db, declaration.teacherId, { text, tone: 'info' }, key, now);
}
