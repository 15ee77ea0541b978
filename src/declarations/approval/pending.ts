/** What an approver asks in chat besides deciding: 待审申报 (their queue) and who a declaration may be handed to. */
import type { CommandContext } from '../../bot/command.js';
import { isOfficer } from '../../ledger/caller.js';
import type { Reply } from '../../core/messages.js';
import { daysBetween } from '../../policy/dates.js';
import { dateIn } from '../../time/zone.js';
import { getDeclaration, listPendingFor } from '../service.js';
import { flagsOf } from '../store.js';
import { mayDecideNow } from './cards.js';
import { decisionContext, type ApproverCaller } from './chat.js';
import { forwardCandidates, mayViewAsApprover } from './decide.js';

/** Lines shown in chat at most; the rest are counted (the console lists them all). */
export const PENDING_SHOWN = 15;
const CANDIDATES_SHOWN = 10;

export async function pendingReply(ctx: CommandContext<ApproverCaller>): Promise<Reply> {
  const m = ctx.t.declarations.approval.pending;
  const me = ctx.caller.teacher;
  const items = await listPendingFor(ctx.db, me.id);
  if (items.length === 0) return { text: m.empty, tone: 'info' };
  const lines: string[] = [];
  for (const { declaration: d, teacher } of items.slice(0, PENDING_SHOWN)) {
    const since = dateIn(d.submittedAt ?? d.createdAt, ctx.timeZone);
    const flagged = (await flagsOf(ctx.db, d.id)).length > 0;
    lines.push(m.line(d.id, teacher.name, teacher.school, d.project, d.category, d.hours, daysBetween(since, ctx.today), flagged));
  }
  if (items.length > PENDING_SHOWN) lines.push(m.more(items.length - PENDING_SHOWN));
  return {
    text: [m.header(items.length), ...lines, m.howTo].join('\n'),
    card: { title: m.header(items.length), tone: 'blue', sections: [{ lines }], note: m.howTo },
  };
}

/** 转交申报 <编号> without a 工号: how to type it, and the leaders of the teacher's school and officers it may go to. */
export async function forwardCandidatesReply(ctx: CommandContext<ApproverCaller>, id: number): Promise<Reply> {
  const m = ctx.t.declarations.approval;
  const me = ctx.caller.teacher;
  const officer = isOfficer(ctx.caller);
  const view = (await mayViewAsApprover(decisionContext(ctx), id, { teacherId: me.id, officer })) ? await getDeclaration(ctx.db, id) : null;
  if (!view) return { text: m.refusals.notYours(id), tone: 'warning' };
  if (!mayDecideNow(view, { teacherId: me.id, officer })) return { text: m.refusals.notYourStep(id, m.refusals.noLongerYours), tone: 'info' };
  const names = (await forwardCandidates(decisionContext(ctx), view, me.id)).map((p) => m.forwardCandidate(p.name, p.employeeNo, p.school));
  return { text: m.forwardHowTo(id, names.slice(0, CANDIDATES_SHOWN)), tone: 'info' };
}
