import type { Messages } from '../../bot/i18n/index.js';
import type { Reply } from '../../bot/types.js';
import { describeFlag } from '../describe.js';
import type { DeclarationView } from '../types.js';

/**
 * The approval request an approver receives. First, plain-text version by the core so the chain works from the
 * start; the approval part turns it into a card with 通过 / 退回 / 转交 buttons and the evidence.
 */
export function approvalRequestReply(view: DeclarationView, t: Messages): Reply {
  const a = t.declarations.approval;
  const c = t.declarations.core;
  const { declaration: d, teacher } = view;
  const lines = [
    a.requestTitle(d.id),
    a.requestLines.teacher(teacher.name, teacher.employeeNo, teacher.school),
    a.requestLines.project(d.project, d.organiser),
    a.requestLines.dates(c.dateRange(d.startDate, d.endDate)),
    a.requestLines.hours(d.category, d.hours),
  ];
  if (d.certificateNo) lines.push(a.requestLines.certificateNo(d.certificateNo));
  lines.push(a.requestLines.evidence(view.evidence.length));
  if (d.currentStep) lines.push(a.requestLines.step(c.stepLabels[d.currentStep] ?? d.currentStep));
  for (const flag of view.flags) lines.push(describeFlag(flag, t));
  lines.push(a.requestHowTo(d.id));
  return { text: lines.join('\n') };
}
