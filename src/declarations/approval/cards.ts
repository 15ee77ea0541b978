import type { Messages } from '../../bot/i18n/index.js';
import type { CardSpec, Reply } from '../../core/messages.js';
import { dateTimeIn } from '../../time/zone.js';
import { describeFlag } from '../describe.js';
import type { DeclarationStepRow, DeclarationView } from '../types.js';
import { APPROVAL_COMMANDS } from './command-names.js';

export interface CardOptions {
  /** The server's public address; the card links to `<baseUrl>/approve/<id>` (none when empty). */
  baseUrl?: string;
  timeZone?: string;
  /**
   * Whose card it is: 通过 / 退回 / 转交 are drawn only while this person may still decide it (absent: an approval
   * request, sent to those who may). A card redrawn after a click shows the clicker what is left to them.
   */
  viewer?: { teacherId: number; officer: boolean };
  /** Names for the history (stepNames): who acted, who it was handed to. Without it the history names no one. */
  names?: ReadonlyMap<number, string>;
}

/** The name of the 退回 form's reason field (the command reads it back from the submitted JSON). */
export const RETURN_REASON_FIELD = 'reason';

/** The page an approver opens after the platform's web login (details, evidence, the three decisions). */
export function approvalPageUrl(baseUrl: string, id: number): string {
  return `${baseUrl.replace(/\/+$/, '')}/approve/${id}`;
}

/**
 * Whether this person may decide it now: a current assignee (the school's leaders, whoever it was handed to, the
 * officers once it is escalated), or any officer at the office step. The school decides first: the office does not
 * jump a school step unless it was escalated to it. Nobody decides their own.
 */
export function mayDecideNow(view: DeclarationView, viewer: { teacherId: number; officer: boolean }): boolean {
  const d = view.declaration;
  if (d.state !== 'pending' || viewer.teacherId === d.teacherId) return false;
  return view.assignees.some((a) => a.id === viewer.teacherId) || (viewer.officer && d.currentStep === 'office');
}

/** Who did the last decision-like step (for the status line): name and time. */
function lastStep(view: DeclarationView, actions: readonly DeclarationStepRow['action'][]): DeclarationStepRow | null {
  for (let i = view.steps.length - 1; i >= 0; i--) if (actions.includes(view.steps[i]!.action)) return view.steps[i]!;
  return null;
}

/** Where the declaration stands, in one line: who must decide it, or how it ended. */
export function statusLine(view: DeclarationView, t: Messages, timeZone = 'Asia/Shanghai'): string {
  const a = t.declarations.approval;
  const c = t.declarations.core;
  const d = view.declaration;
  const names = view.assignees.map((p) => p.name);
  const decided = lastStep(view, ['approve', 'return', 'withdraw']);
  const when = decided ? dateTimeIn(decided.at, timeZone) : '';
  switch (d.state) {
    case 'pending':
      return a.status.pending(c.stepLabels[d.currentStep ?? 'school'] ?? '', names);
    case 'approved':
      return a.status.approved(when) + (d.recordRevokedAt ? c.revokedMark : '');
    case 'returned':
      return a.status.returned(when, d.returnReason ?? '');
    default:
      return a.status.other(c.stateLabels[d.state] ?? d.state, when);
  }
}

/** The history, oldest first: when, who, what (the reason of a return, to whom it was handed). */
export function historyLines(view: DeclarationView, t: Messages, timeZone = 'Asia/Shanghai', names: ReadonlyMap<number, string> = new Map()): string[] {
  const name = (id: number | null) => (id === null ? '' : (names.get(id) ?? ''));
  return view.steps.map((s) =>
    t.declarations.approval.historyLine(dateTimeIn(s.at, timeZone), name(s.actorTeacherId), t.declarations.core.actionLabels[s.action] ?? s.action, s.reason ?? (name(s.toTeacherId) || null)),
  );
}

/** The details an approver reads, one line each (also the plain text of the card). */
export function detailLines(view: DeclarationView, t: Messages): string[] {
  const a = t.declarations.approval;
  const c = t.declarations.core;
  const { declaration: d, teacher } = view;
  const stored = view.evidence.filter((e) => e.status === 'stored').length;
  return [
    a.requestLines.teacher(teacher.name, teacher.employeeNo, teacher.school),
    a.requestLines.project(d.project),
    a.requestLines.organiser(d.organiser),
    a.requestLines.dates(c.dateRange(d.startDate, d.endDate)),
    a.requestLines.hours(d.category, d.hours),
    a.requestLines.certificateNo(d.certificateNo),
    a.requestLines.evidence(view.evidence.length, stored),
  ];
}

/**
 * The approval card: the teacher, school, project, organiser, dates, hours, category, certificate number, the
 * evidence (count, and a link to see it after login), duplicate warnings with the earlier item, the history, and
 * 通过 / 退回 / 转交 while the card's reader may still decide. A click is the command typed by the clicker
 * (通过申报 / 退回申报 / 转交申报 <id>): 退回 without a reason and 转交 without a 工号 answer how to give them.
 */
export function approvalCard(view: DeclarationView, t: Messages, o: CardOptions = {}): CardSpec {
  const a = t.declarations.approval;
  const d = view.declaration;
  const tz = o.timeZone ?? 'Asia/Shanghai';
  const pending = d.state === 'pending';
  const actionable = pending && (!o.viewer || mayDecideNow(view, o.viewer));
  const sections: CardSpec['sections'] = [{ lines: detailLines(view, t) }];
  if (view.flags.length > 0) sections.push({ heading: a.flagsHeading, lines: view.flags.map((f) => describeFlag(f, t)) });
  const history = historyLines(view, t, tz, o.names).slice(-4);
  sections.push({ heading: a.statusHeading, lines: [statusLine(view, t, tz), ...history] });
  const id = String(d.id);
  return {
    title: pending ? a.requestTitle(d.id) : a.decidedTitle(d.id, t.declarations.core.stateLabels[d.state] ?? d.state),
    tone: !pending ? (d.state === 'approved' ? 'green' : d.state === 'returned' ? 'red' : 'grey') : view.flags.length > 0 ? 'orange' : 'blue',
    sections,
    buttons: actionable
      ? [
          { label: a.buttons.approve, value: { command: APPROVAL_COMMANDS.approve, args: id }, style: 'primary' },
          { label: a.buttons.return, value: { command: APPROVAL_COMMANDS.return, args: id }, style: 'danger' },
          { label: a.buttons.forward, value: { command: APPROVAL_COMMANDS.forward, args: id } },
        ]
      : [],
    link: o.baseUrl ? { label: a.buttons.open, url: approvalPageUrl(o.baseUrl, d.id) } : undefined,
    // Where cards take forms (Feishu), 退回 is a form with the reason typed on the card; elsewhere its button asks.
    form: actionable
      ? {
          command: APPROVAL_COMMANDS.return,
          args: id,
          hint: a.returnForm.hint,
          fields: [{ name: RETURN_REASON_FIELD, label: a.returnForm.label, placeholder: a.returnForm.placeholder, required: true, maxLength: 200 }],
          submitLabel: a.buttons.return,
          submitStyle: 'danger',
        }
      : undefined,
    note: actionable ? a.requestHowTo(d.id) : undefined,
  };
}

/** The approval request an approver receives (notify.ts sends it to each assignee). */
export function approvalRequestReply(view: DeclarationView, t: Messages, o: CardOptions = {}): Reply {
  const a = t.declarations.approval;
  const d = view.declaration;
  const lines = [a.requestTitle(d.id), ...detailLines(view, t), ...view.flags.map((f) => describeFlag(f, t))];
  if (o.baseUrl) lines.push(a.openLink(approvalPageUrl(o.baseUrl, d.id)));
  lines.push(a.requestHowTo(d.id));
  return { text: lines.join('\n'), card: approvalCard(view, t, o) };
}
