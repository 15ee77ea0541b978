import type { Messages } from '../bot/i18n/index.js';
import type { DecisionOutcome, FlagWithOther } from './types.js';

/** One 重复参训 warning in words, naming the earlier item. */
export function describeFlag(flag: FlagWithOther, t: Messages): string {
  const c = t.declarations.core;
  const o = flag.otherDeclaration;
  const r = flag.otherRecord;
  const other = o
    ? c.flagOtherDeclaration(o.id, o.project, c.dateRange(o.startDate, o.endDate), c.stateLabels[o.state] ?? o.state)
    : r
      ? c.flagOtherRecord(r.recordKey, r.project, r.date, r.hours)
      : '';
  return c.flagLine(flag.kind, other);
}

/** Why a decision was refused, in words (chat, card toast, CLI, console share it). */
export function decisionRefusalText(t: Messages, id: number, outcome: Extract<DecisionOutcome, { ok: false }>): string {
  const r = t.declarations.core.refusals;
  switch (outcome.reason) {
    case 'not_found':
      return r.not_found(id);
    case 'not_assignee':
      return r.not_assignee(id);
    case 'already_decided':
      return r.already_decided(id);
    case 'wrong_state':
      return r.wrong_state(id, outcome.detail ?? '');
    case 'no_reason':
      return r.no_reason;
    case 'bad_forward':
      return r.bad_forward;
  }
}

/** What was done, in words, for the one who decided (the teacher's own notice is in notify.ts). */
export function decisionDoneText(t: Messages, outcome: Extract<DecisionOutcome, { ok: true }>, teacherName: string): string {
  const c = t.declarations.core.decided;
  const d = outcome.declaration;
  switch (outcome.action) {
    case 'approve':
      return outcome.finished
        ? c.final(d.id, teacherName, d.category, d.hours, `declaration:${d.id}`)
        : c.onToOffice(d.id, outcome.next.map((p) => p.name));
    case 'return':
      return c.returned(d.id, teacherName, d.returnReason ?? '');
    case 'forward':
    case 'escalate':
      return c.forwarded(d.id, outcome.next.map((p) => p.name));
  }
}
