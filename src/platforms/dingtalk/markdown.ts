import type { CardSpec, Reply } from '../../core/messages.js';
import type { RobotMessage } from './openapi.js';
import { serverText } from '../../bot/i18n/zh-CN.server.js';

/**
 * Our one card description → DingTalk robot markdown. DingTalk has no interactive buttons in plain robot
 * messages (ActionCard buttons only open links), so each button becomes a line telling the user what to send.
 */

export function renderMarkdown(card: CardSpec): { title: string; text: string } {
  const blocks: string[] = [`### ${escapeMarkdown(card.title)}`];
  for (const section of card.sections) {
    const lines: string[] = [];
    if (section.heading) lines.push(`**${escapeMarkdown(section.heading)}**`);
    // DingTalk's markdown joins single newlines into one paragraph; two keep the lines apart.
    lines.push(...section.lines.map(escapeMarkdown));
    blocks.push(lines.join('\n\n'));
  }
  const actions = (card.buttons ?? []).map((b) => {
    const command = [b.value.command, b.value.args].filter(Boolean).join(' ');
    return command ? serverText.dingtalk.buttonToSend(escapeMarkdown(b.label), escapeMarkdown(command)) : `- ${escapeMarkdown(b.label)}`;
  });
  if (actions.length) blocks.push(actions.join('\n'));
  if (card.note) blocks.push(`> ${escapeMarkdown(card.note)}`);
  // `title` is what the notification preview shows; it is plain text.
  return { title: card.title, text: blocks.join('\n\n') };
}

/** A card with a link: an action card whose one button opens the page (DingTalk's in-app browser). */
function actionCard(card: CardSpec & { link: { label: string; url: string } }): Record<string, string> {
  return { ...renderMarkdown(card), singleTitle: card.link.label, singleURL: card.link.url };
}

/** Session-webhook body (the `msgtype` format). */
export function webhookBody(reply: Reply): Record<string, unknown> {
  if (reply.card?.link) return { msgtype: 'actionCard', actionCard: actionCard({ ...reply.card, link: reply.card.link }) };
  if (reply.card) return { msgtype: 'markdown', markdown: renderMarkdown(reply.card) };
  return { msgtype: 'text', text: { content: reply.text } };
}

/** OpenAPI body (the `msgKey` template format). */
export function robotMessage(reply: Reply): RobotMessage {
  if (reply.card?.link) return { msgKey: 'sampleActionCard', msgParam: actionCard({ ...reply.card, link: reply.card.link }) };
  if (reply.card) return { msgKey: 'sampleMarkdown', msgParam: renderMarkdown(reply.card) };
  return { msgKey: 'sampleText', msgParam: { content: reply.text } };
}

/** Names and project titles are data, not formatting. */
export function escapeMarkdown(s: string): string {
  return s.replace(/([\\*_`#[\]>|~])/g, '\\$1');
}
