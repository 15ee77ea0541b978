/**
 * The chat side of deciding: what 通过申报 / 退回申报 / 转交申报 (typed, or clicked on the approval card) answer.
 * A decision answers with the card redrawn as it now stands for the clicker (Feishu shows it in place of the one
 * clicked); a refusal the approver may see redraws it too, so a stale card stops offering buttons.
 */
import { consoleBaseUrl } from '../../admin/auth.js';
import type { CommandContext } from '../../bot/command.js';
import { isOfficer, type LeaderCaller, type OfficerCaller } from '../../ledger/caller.js';
import type { Reply } from '../../core/messages.js';
import { approvalCard, RETURN_REASON_FIELD } from './cards.js';
import { stepNames } from './names.js';
import { decide, type Decision, type DecisionContext } from './decide.js';

export function decisionContext(ctx: CommandContext): DecisionContext {
  return { db: ctx.db, presets: ctx.presets, now: ctx.clock.now(), t: ctx.t, timeZone: ctx.timeZone };
}

/** Who may decide on a declaration from chat: what the approval commands' `allow: ['leader', 'officer']` admits. */
export type ApproverCaller = LeaderCaller | OfficerCaller;

/** Runs one decision for the caller (a leader or an officer: the command's `allow` saw to it) and answers it. */
export async function decideFromChat(ctx: CommandContext<ApproverCaller>, id: number, decision: Decision): Promise<Reply> {
  const teacher = ctx.caller.teacher;
  const officer = isOfficer(ctx.caller);
  const result = await decide(decisionContext(ctx), id, decision, { label: `${ctx.caller.platform}:${ctx.caller.accountId}`, teacher, officer });
  const card = result.view
    ? approvalCard(result.view, ctx.t, { baseUrl: consoleBaseUrl(ctx.db), timeZone: ctx.timeZone, viewer: { teacherId: teacher.id, officer }, names: await stepNames(ctx.db, result.view) })
    : undefined;
  if (result.ok) return { text: result.text, tone: 'success', card };
  // Asked for a reason or a 工号: the card stays as it is (no redraw), the answer says how to type it.
  const keepCard = result.reason === 'no_reason' || result.reason === 'unknown_target' || result.reason === 'bad_forward';
  return { text: result.text, tone: result.reason === 'already_decided' ? 'info' : 'warning', card: keepCard ? undefined : card };
}

/**
 * The reason after 退回申报 <编号>: as typed, or from the card's form, which sends its fields as one JSON object
 * ({"reason": "…"}); anything else in that object is ignored.
 */
export function returnReasonOf(text: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  try {
    const fields = JSON.parse(trimmed) as Record<string, unknown>;
    const reason = fields?.[RETURN_REASON_FIELD];
    return typeof reason === 'string' ? reason.trim() : '';
  } catch {
    return trimmed;
  }
}

/** 编号 as typed: 12 or #12. */
export function parseDeclarationId(raw: string): number {
  return Number(raw.replace(/^#/, ''));
}
