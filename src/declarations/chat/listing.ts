import { z } from 'zod';
import type { CommandContext } from '../../bot/command.js';
import type { BoundCaller } from '../../ledger/caller.js';
import { declarationChat as D } from '../../bot/i18n/zh-CN.declarations.js';
import type { Reply } from '../../core/messages.js';
import { withoutNumberSign } from '../../core/text.js';
import { withdrawDeclaration } from '../service.js';
import type { DeclarationRow } from '../store.js';

/** 重新申报 12 / 撤回申报 #12: the number a teacher reads in 我的申报. */
export const DeclarationIdArgs = z.object({
  id: z
    .string({ error: D.badId })
    .refine((s) => /^\d{1,9}$/.test(withoutNumberSign(s)), D.badId)
    .transform((s) => Number(withoutNumberSign(s))),
});

/** How many declarations 我的申报 lists (newest first). */
const SHOWN = 20;

/** The state as the teacher reads it: a pending one says whose turn it is. */
export function stateLabel(d: { state: string; currentStep: string | null }): string {
  if (d.state === 'pending') return D.states[d.currentStep ?? 'school'] ?? D.states.school;
  return D.states[d.state] ?? d.state;
}

/** 我的申报: each declaration with its state, hours and, if returned, the reason and what can be done. */
export function mineReply(rows: readonly DeclarationRow[]): Reply {
  const m = D.mine;
  if (rows.length === 0) return { text: m.none };
  const lines = [m.header(rows.length)];
  for (const d of rows.slice(0, SHOWN)) {
    lines.push(m.line(d.id, d.project, d.startDate, d.endDate, d.hours, d.category, stateLabel(d)));
    if (d.state === 'returned') {
      if (d.returnReason) lines.push(m.reason(d.returnReason));
      lines.push(m.returnedHow(d.id));
    }
  }
  if (rows.length > SHOWN) lines.push(m.more(rows.length - SHOWN));
  return { text: lines.join('\n') };
}

/** 撤回申报 <编号>: someone else's number reads as not found, so it tells nothing about their declarations. */
export async function withdrawReply(ctx: CommandContext<BoundCaller>, id: number): Promise<Reply> {
  const teacher = ctx.caller.teacher;
  const actor = { label: `${ctx.caller.platform}:${ctx.caller.accountId}`, teacherId: teacher.id };
  const outcome = await withdrawDeclaration(ctx.db, id, actor, ctx.clock.now());
  if (outcome.ok) return { text: D.withdrawn(id, outcome.declaration.project), tone: 'success' };
  if (outcome.reason === 'wrong_state') return { text: D.cannotWithdraw(id, stateLabel({ state: outcome.detail ?? '', currentStep: null })) };
  return { text: D.notFound(id) };
}
