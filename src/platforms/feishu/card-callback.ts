import type { Bot } from '../../bot/bot.js';
import type { CardAction, Reply } from '../../core/messages.js';
import { renderCard } from './cards.js';

/** Feishu waits 3 s for a card callback's answer; leave room for the network. */
const CARD_ANSWER_BUDGET_MS = 2_000;

/**
 * What a card click is answered with, on either transport (webhook response or long-connection reply). The
 * click's effect commits before we answer, so the toast tells the truth; its reply is also sent to the
 * clicker as a message, which keeps a record when the toast is missed. A duplicate click (`fresh` false) is
 * answered from the first one's reply.
 */
export async function answerCardClick(bot: Bot, click: CardAction, fresh: boolean): Promise<Record<string, unknown>> {
  // Ahead of any backlog: Feishu waits for this answer, the backlog's senders do not.
  if (fresh && !(await bot.handleNow(click))) {
    // Claimed but taken by a drain already under way: wait for it, within Feishu's budget.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([bot.drain(), new Promise((r) => (timer = setTimeout(r, CARD_ANSWER_BUDGET_MS)))]);
    clearTimeout(timer);
  }
  return cardCallbackAnswer(await bot.firstReplyTo(click));
}

/** Feishu's card-callback answer: a toast with the first line of the reply, and the redrawn card if there is one. */
export function cardCallbackAnswer(reply: Reply | null): Record<string, unknown> {
  if (!reply) return {};
  const answer: Record<string, unknown> = {
    toast: { type: reply.tone ?? 'info', content: reply.text.split('\n')[0].slice(0, 200) },
  };
  if (reply.card) answer.card = { type: 'raw', data: renderCard(reply.card) };
  return answer;
}
