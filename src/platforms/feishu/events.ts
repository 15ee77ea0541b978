import { z } from 'zod';
import type { CardAction, InboundEvent, IncomingMessage, MessageAttachment } from '../../core/messages.js';
import type { BotIdentityView } from './bot-identity.js';
import { isRecord } from './verify.js';

/** Feishu v2 (schema 2.0) events → the bot's inbound shapes. Pure: no I/O, no clock. */

export const MESSAGE_RECEIVED = 'im.message.receive_v1';
export const CARD_ACTION = 'card.action.trigger';

export const EnvelopeSchema = z.object({
  schema: z.literal('2.0'),
  header: z.object({
    event_id: z.string().min(1),
    event_type: z.string().min(1),
    create_time: z.string().optional(),
    token: z.string().optional(),
    app_id: z.string().optional(),
    tenant_key: z.string().optional(),
  }),
  event: z.unknown(),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** Only what we read; every field Feishu may leave out is optional (user_id is null without the scope). */
export const MessageReceiveSchema = z.object({
  sender: z.object({
    sender_id: z.object({
      open_id: z.string().min(1),
      union_id: z.string().nullish(),
      user_id: z.string().nullish(),
    }),
    sender_type: z.string().optional(),
    tenant_key: z.string().optional(),
  }),
  message: z.object({
    message_id: z.string().min(1),
    chat_id: z.string().min(1),
    chat_type: z.string(),
    message_type: z.string(),
    content: z.string().optional(),
    mentions: z
      .array(z.object({ key: z.string(), name: z.string().optional(), id: z.object({ open_id: z.string().nullish() }).partial().optional() }))
      .nullish(),
    root_id: z.string().nullish(),
    parent_id: z.string().nullish(),
    create_time: z.string().optional(),
  }),
});
export type MessageReceive = z.infer<typeof MessageReceiveSchema>;

export const CardActionTriggerSchema = z.object({
  operator: z.object({ open_id: z.string().min(1), user_id: z.string().nullish(), union_id: z.string().nullish() }),
  // A form's submit button (card JSON 2.0) also sends what was typed, by field name, in form_value.
  action: z.object({ value: z.unknown(), tag: z.string().optional(), form_value: z.record(z.string(), z.unknown()).nullish() }),
  context: z.object({ open_message_id: z.string().optional(), open_chat_id: z.string().optional() }).optional(),
});

export type Classified =
  | { kind: 'event'; event: InboundEvent }
  /** Well-formed but not ours to handle (other event types, the bot's own messages): ack and drop. */
  | { kind: 'ignore'; reason: string }
  | { kind: 'invalid'; reason: string };

/** Nobody known yet: what a receiver uses until the bot's open_id is learned (and in tests of other things). */
export const UNKNOWN_BOT: BotIdentityView = { openId: null };

/**
 * Decides what a decrypted, verified v2 body is. Both receivers (webhook and long connection) call this, so a
 * group message reaches the bot on neither unless it @-mentions the bot (see `addressedToBot`).
 */
export function classifyEnvelope(body: unknown, receivedAt: number, bot: BotIdentityView = UNKNOWN_BOT): Classified {
  if (isRecord(body) && body.schema === undefined && isRecord(body.event)) {
    // Old-style (v1) events: the bot subscribes to none, so there is nothing to retry.
    return { kind: 'ignore', reason: `v1 event ${String(body.event.type)}` };
  }
  const envelope = EnvelopeSchema.safeParse(body);
  if (!envelope.success) return { kind: 'invalid', reason: `not a v2 event envelope: ${z.prettifyError(envelope.error)}` };
  const type = envelope.data.header.event_type;
  try {
    if (type === MESSAGE_RECEIVED) {
      const parsed = MessageReceiveSchema.parse(envelope.data.event);
      if (parsed.sender.sender_type === 'app') return { kind: 'ignore', reason: 'message sent by an app' };
      if (parsed.message.chat_type !== 'p2p') {
        const addressed = addressedToBot(parsed.message.mentions ?? [], bot);
        if (addressed !== 'bot') return { kind: 'ignore', reason: `group message not for the bot (${addressed})` };
      }
      return { kind: 'event', event: incomingMessage(envelope.data, parsed, receivedAt) };
    }
    if (type === CARD_ACTION) {
      const action = toCardAction(envelope.data, receivedAt);
      return action ? { kind: 'event', event: action } : { kind: 'ignore', reason: 'card action without an object value' };
    }
  } catch (error) {
    return { kind: 'invalid', reason: error instanceof z.ZodError ? z.prettifyError(error) : String(error) };
  }
  return { kind: 'ignore', reason: `unhandled event type ${type}` };
}

type Mention = NonNullable<MessageReceive['message']['mentions']>[number];

/**
 * Whether a group message calls the bot: its mentions hold the bot's open_id. `@所有人` (key `@_all`) and
 * mentions of other people are not calls. Until the open_id is learned (Feishu unreachable at start), only a
 * message whose first mention is a person-style mention named exactly FEISHU_BOT_NAME counts; without that
 * setting nothing does ('unknown'): never answer a message that may have been meant for someone else.
 */
export function addressedToBot(mentions: readonly Mention[], bot: BotIdentityView): 'bot' | 'others' | 'nobody' | 'unknown' {
  const people = mentions.filter((m) => m.key !== '@_all');
  if (people.length === 0) return 'nobody';
  if (bot.openId) return people.some((m) => m.id?.open_id === bot.openId) ? 'bot' : 'others';
  const first = mentions[0];
  if (bot.configuredName && first.key !== '@_all' && first.name === bot.configuredName) return 'bot';
  return 'unknown';
}

/** `im.message.receive_v1` → IncomingMessage; null for messages sent by apps (bots must not answer bots). */
export function toIncomingMessage(envelope: Envelope, receivedAt: number): IncomingMessage | null {
  const parsed = MessageReceiveSchema.parse(envelope.event);
  return parsed.sender.sender_type === 'app' ? null : incomingMessage(envelope, parsed, receivedAt);
}

function incomingMessage(envelope: Envelope, { sender, message }: MessageReceive, receivedAt: number): IncomingMessage {
  const attachments = messageAttachments(message.message_type, message.content);
  return {
    kind: 'message',
    platform: 'feishu',
    eventId: envelope.header.event_id,
    messageId: message.message_id,
    accountId: sender.sender_id.open_id,
    chatId: message.chat_id,
    // Anything that is not a one-to-one chat is treated as a group, so personal numbers never land in it.
    chatType: message.chat_type === 'p2p' ? 'direct' : 'group',
    text: messageText(message.message_type, message.content),
    ...(attachments.length ? { attachments } : {}),
    receivedAt,
    replyVia: { messageId: message.message_id },
  };
}

/**
 * The typed text of a text message, without `@_user_N` / `@_all` mention placeholders. Other message
 * types (images, files, rich posts) read as '' and the bot answers that it only reads text.
 */
export function messageText(messageType: string, content: string | undefined): string {
  if (messageType !== 'text' || !content) return '';
  let text: unknown;
  try {
    text = (JSON.parse(content) as { text?: unknown }).text;
  } catch {
    return '';
  }
  if (typeof text !== 'string') return '';
  // A key between spaces leaves one space; one inside a word ("我是@_user_1谁") leaves none. Newlines are kept
  // (a broadcast's body may have several lines).
  return text.replace(/([ \t]*)@_(?:user_\d+|all)([ \t]*)/g, (_, before: string, after: string) => (before || after ? ' ' : '')).trim();
}

/**
 * The pictures and files of an image, file or post (rich text) message, by the keys the resource download takes
 * (`image_key` → type=image, `file_key` → type=file). A post's content is `{title, content: [[element]]}`, or
 * that under a locale key in some versions: both are read. Anything unreadable gives none.
 */
export function messageAttachments(messageType: string, content: string | undefined): MessageAttachment[] {
  if (!content) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return [];
  }
  if (!isRecord(parsed)) return [];
  if (messageType === 'image') return typeof parsed.image_key === 'string' && parsed.image_key ? [{ kind: 'image', key: parsed.image_key }] : [];
  if (messageType === 'file') {
    if (typeof parsed.file_key !== 'string' || !parsed.file_key) return [];
    return [{ kind: 'file', key: parsed.file_key, ...(typeof parsed.file_name === 'string' ? { name: parsed.file_name } : {}) }];
  }
  if (messageType !== 'post') return [];
  const bodies = Array.isArray(parsed.content) ? [parsed] : Object.values(parsed).filter(isRecord);
  const keys = new Set<string>();
  for (const body of bodies) {
    if (!Array.isArray(body.content)) continue;
    for (const line of body.content) {
      if (!Array.isArray(line)) continue;
      for (const element of line) {
        if (isRecord(element) && element.tag === 'img' && typeof element.image_key === 'string' && element.image_key) keys.add(element.image_key);
      }
    }
  }
  return [...keys].map((key) => ({ kind: 'image', key }));
}

/** `card.action.trigger` → CardAction; the button's `value` is the object we put on it. */
export function toCardAction(envelope: Envelope, receivedAt: number): CardAction | null {
  const { operator, action, context } = CardActionTriggerSchema.parse(envelope.event);
  if (!isRecord(action.value)) return null;
  return {
    kind: 'card_action',
    platform: 'feishu',
    eventId: envelope.header.event_id,
    accountId: operator.open_id,
    chatId: context?.open_chat_id,
    messageId: context?.open_message_id,
    value: action.value,
    ...(action.form_value ? { form: action.form_value } : {}),
    receivedAt,
  };
}

/**
 * The SDK's EventDispatcher hands handlers the v2 body flattened (`{schema, ...header, ...event}`);
 * this puts it back in envelope shape so both transports share one parser.
 */
export function envelopeFromDispatcher(data: Record<string, unknown>): unknown {
  const { event_id, event_type, create_time, token, app_id, tenant_key } = data;
  const header = { event_id, event_type, create_time, token, app_id, tenant_key };
  const event: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) if (!(k in header) && k !== 'schema') event[k] = v;
  return { schema: data.schema ?? '2.0', header, event };
}

/**
 * The older card callback (apps whose console has a "message card request URL", `card.action.trigger_v1`): a
 * flat body. Its `token` is the card-update credential ("c-..."), not the Verification Token.
 */
export const CardActionV1Schema = z.object({
  open_id: z.string().min(1),
  user_id: z.string().nullish(),
  open_message_id: z.string().optional(),
  open_chat_id: z.string().optional(),
  tenant_key: z.string().optional(),
  token: z.string().optional(),
  action: z.object({ value: z.unknown(), tag: z.string().optional(), option: z.string().optional() }),
});

/** A body in the v1 card callback shape (no schema, no event, an action and an operator open_id). */
export function isCardActionV1(body: Record<string, unknown>): boolean {
  return body.schema === undefined && body.event === undefined && isRecord(body.action) && typeof body.open_id === 'string';
}

/**
 * v1 card callback → CardAction, the same shape a `card.action.trigger` click becomes. v1 carries no event id,
 * so the request's nonce (with the clicker and the update token) stands in for one: a replayed request is
 * handled once, and two people clicking the same card are two clicks.
 */
export function classifyCardActionV1(body: unknown, receivedAt: number, nonce: string): Classified {
  const parsed = CardActionV1Schema.safeParse(body);
  if (!parsed.success) return { kind: 'invalid', reason: `not a v1 card callback: ${z.prettifyError(parsed.error)}` };
  const { open_id, open_message_id, open_chat_id, token, action } = parsed.data;
  if (!isRecord(action.value)) return { kind: 'ignore', reason: 'card action without an object value' };
  return {
    kind: 'event',
    event: {
      kind: 'card_action',
      platform: 'feishu',
      eventId: `card-v1:${open_id}:${token ?? ''}:${nonce}`,
      accountId: open_id,
      chatId: open_chat_id,
      messageId: open_message_id,
      value: action.value,
      receivedAt,
    },
  };
}
