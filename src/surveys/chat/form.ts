import { forget } from '../../bot/chat-state.js';
import type { CommandContext } from '../../bot/command.js';
import type { BoundCaller } from '../../ledger/caller.js';
import { surveysText as S } from '../../bot/i18n/zh-CN.surveys.js';
import type { Reply } from '../../core/messages.js';
import { dateIn } from '../../time/zone.js';
import { checkAnswers, parseStoredQuestions } from '../questions.js';
import { hashToken, refusal, takeAnswers } from '../service.js';
import { getRound } from '../store.js';
import { loadSurveyDraft, outcomeReply, redactAnswering, SURVEY_DRAFT_KEY } from './flow.js';
import { parseTicket } from './invitation.js';

/**
 * A submitted Feishu form: `<round>.<token> {fields}`. The clicker must be the invited teacher AND hold that
 * invitation's token, so a forged callback naming another round (or another teacher's) is refused; the token is
 * spent with the answer, so a redelivered or repeated click answers once. The payload is redacted either way.
 */
export async function answerForm(ctx: CommandContext<BoundCaller>, argText: string): Promise<Reply> {
  await redactAnswering(ctx);
  const space = argText.indexOf(' ');
  const ticket = parseTicket(space < 0 ? argText : argText.slice(0, space));
  if (!ticket) return { text: S.flow.badTicket('evaluation'), tone: 'warning' };
  const round = await getRound(ctx.db, ticket.roundId);
  if (!round) return { text: S.flow.notInvited, tone: 'warning' };
  let fields: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(space < 0 ? '{}' : argText.slice(space + 1));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) fields = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: read as an empty form, which names every required question as missing.
  }
  const now = ctx.clock.now();
  const closesOn = dateIn(round.closesAt, ctx.timeZone);
  const teacher = ctx.caller.teacher;
  const tokenHash = hashToken(ticket.token);
  const refused = await refusal(ctx.db, { round, teacher, tokenHash, now });
  if (refused) return outcomeReply(refused, round, closesOn);
  const checked = checkAnswers(parseStoredQuestions(round.questions), fields);
  if (!checked.ok) return { text: S.flow.formProblems(checked.problems), tone: 'warning' };
  const outcome = await takeAnswers(ctx.db, { round, teacher, answers: checked.answers, tokenHash, now, timeZone: ctx.timeZone });
  // Answered by the card: a step-by-step draft of the same round has nothing left to do.
  if (outcome === 'taken' && (await loadSurveyDraft(ctx.db, ctx.caller))?.roundId === round.id) await forget(ctx.db, ctx.caller, SURVEY_DRAFT_KEY);
  return outcomeReply(outcome, round, closesOn);
}
