import type { CardForm, CardSpec, Reply } from '../../core/messages.js';

const plain = (content: string) => ({ tag: 'plain_text', content });

/**
 * A card with a form → card JSON 2.0 (forms exist only there): the sections as markdown, the buttons and the link
 * (2.0 has no action module: each button stands in the body with its behaviour), then a form container with an
 * input (or a static select) per field and a submit button whose callback value names the command. The click
 * arrives as card.action.trigger with the fields in action.form_value. A button running the form's own command
 * is left out: the form's submit takes its place (退回 with its reason typed on the card).
 */
function renderFormCard(card: CardSpec, form: CardForm): Record<string, unknown> {
  const elements: Record<string, unknown>[] = card.sections.map((section) => ({
    tag: 'markdown',
    content: (section.heading ? [`**${escapeMarkdown(section.heading)}**`, ...section.lines.map(escapeMarkdown)] : section.lines.map(escapeMarkdown)).join('\n'),
  }));
  for (const b of card.buttons ?? []) {
    if (b.value.command === form.command) continue;
    elements.push({ tag: 'button', text: plain(b.label), type: b.style ?? 'default', behaviors: [{ type: 'callback', value: b.value }] });
  }
  if (card.link) elements.push({ tag: 'button', text: plain(card.link.label), type: 'default', behaviors: [{ type: 'open_url', default_url: card.link.url }] });
  const fields = form.fields.map((f) => ({
    ...(f.options
      ? { tag: 'select_static', name: f.name, placeholder: plain(f.placeholder ?? f.label), options: f.options.map((o) => ({ text: plain(o), value: o })) }
      : { tag: 'input', name: f.name, label: plain(f.label), placeholder: plain(f.placeholder ?? f.label), max_length: f.maxLength ?? 100 }),
    ...(f.required ? { required: true } : {}),
  }));
  elements.push({
    tag: 'form',
    name: 'form',
    elements: [
      ...(form.hint ? [{ tag: 'markdown', content: escapeMarkdown(form.hint) }] : []),
      ...fields,
      {
        tag: 'button',
        name: 'submit',
        text: plain(form.submitLabel),
        type: form.submitStyle ?? 'primary',
        form_action_type: 'submit',
        behaviors: [{ type: 'callback', value: { command: form.command, ...(form.args ? { args: form.args } : {}) } }],
      },
    ],
  });
  if (card.note) elements.push({ tag: 'markdown', content: escapeMarkdown(card.note), text_size: 'notation' });
  return {
    schema: '2.0',
    config: { width_mode: 'fill' },
    header: { title: plain(card.title), template: card.tone ?? 'blue' },
    body: { elements },
  };
}

/** Our one card description → a Feishu interactive (message) card, JSON 1.0 layout (2.0 when it has a form). */
export function renderCard(card: CardSpec): Record<string, unknown> {
  if (card.form) return renderFormCard(card, card.form);
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
