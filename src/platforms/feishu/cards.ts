import type { CardSpec, Reply } from '../../bot/types.js';

/** Our one card description → a Feishu interactive (message) card, JSON 1.0 layout. */
export function renderCard(card: CardSpec): Record<string, unknown> {
  const elements: Record<string, unknown>[] = [];
  card.sections.forEach((section, i) => {
    if (i > 0) elements.push({ tag: 'hr' });
    const lines = section.heading ? [`**${escapeMarkdown(section.heading)}**`, ...section.lines.map(escapeMarkdown)] : section.lines.map(escapeMarkdown);
    elements.push({ tag: 'markdown', content: lines.join('\n') });
  });
  const actions: Record<string, unknown>[] = (card.buttons ?? []).map((b) => ({
    tag: 'button',
    text: { tag: 'plain_text', content: b.label },
    type: b.style ?? 'default',
    // Comes back verbatim as event.action.value in card.action.trigger.
    value: b.value,
  }));
  // A link button opens the page in Feishu's browser; it sends no callback.
  if (card.link) actions.push({ tag: 'button', text: { tag: 'plain_text', content: card.link.label }, type: 'default', url: card.link.url });
  if (actions.length) elements.push({ tag: 'action', actions });
  if (card.note) elements.push({ tag: 'note', elements: [{ tag: 'plain_text', content: card.note }] });
  return {
    config: { wide_screen_mode: true },
    header: { title: { tag: 'plain_text', content: card.title }, template: card.tone ?? 'blue' },
    elements,
  };
}

/** The body of a send or reply call: a card when the reply has one, plain text otherwise. */
export function renderReply(reply: Reply): { msg_type: 'text' | 'interactive'; content: string } {
  if (reply.card) return { msg_type: 'interactive', content: JSON.stringify(renderCard(reply.card)) };
  return { msg_type: 'text', content: JSON.stringify({ text: reply.text }) };
}

/**
 * Names and project titles are data, not formatting. Feishu's card markdown documents HTML entities (not
 * backslashes) for showing its syntax characters literally.
 */
const ENTITIES: Record<string, string> = { '*': '&#42;', _: '&#95;', '~': '&#126;', '`': '&#96;', '[': '&#91;', ']': '&#93;', '<': '&lt;', '>': '&gt;' };
export function escapeMarkdown(s: string): string {
  return s.replace(/[*_~`[\]<>]/g, (ch) => ENTITIES[ch]);
}
