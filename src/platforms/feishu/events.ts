import { z } from 'zod';
import type { CardAction, InboundEvent, IncomingMessage } from '../../bot/types.js';
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
  action: z.object({ value: z.unknown(), tag: z.string().optional() }),
  context: z.object({ open_message_id: z.string().optional(), open_chat_id: z.string().optional() }).optional(),
});

export type Classified =
  | { kind: 'event'; event: InboundEvent }
  /** Well-formed but not ours to handle (other event types, the bot's own messages): ack and drop. */
  | { kind: 'ignore'; reason: string }
  | { kind: 'invalid'; reason: string };

/** Decides what a decrypted, verified v2 body is. */
export function classifyEnvelope(body: unknown, receivedAt: number): Classified {
  if (isRecord(body) && body.schema === undefined && isRecord(body.event)) {
    // Old-style (v1) events: the bot subscribes to none, so there is nothing to retry.
    return { kind: 'ignore', reason: `v1 event ${String(body.event.type)}` };
  }
  const envelope = EnvelopeSchema.safeParse(body);
  if (!envelope.success) return { kind: 'invalid', reason: `not a v2 event envelope: ${z.prettifyError(envelope.error)}` };
  const type = envelope.data.header.event_type;
  try {
    if (type === MESSAGE_RECEIVED) {
      const message = toIncomingMessage(envelope.data, receivedAt);
      return message ? { kind: 'event', event: message } : { kind: 'ignore', reason: 'message sent by an app' };
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

/** `im.message.receive_v1` → IncomingMessage; null for messages sent by apps (bots must not answer bots). */
export function toIncomingMessage(envelope: Envelope, receivedAt: number): IncomingMessage | null {
  const { sender, message } = MessageReceiveSchema.parse(envelope.event);
  if (sender.sender_type === 'app') return null;
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
  return text.replace(/\s*@_(?:user_\d+|all)\s*/g, ' ').trim();
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
