import { z } from 'zod';

/**
 * A platform's id ('feishu', 'dingtalk', 'console', or whatever src/platforms/registry.ts lists next): a short
 * lower-case name. The core knows no platform by name.
 */
export const PlatformSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/);
export type Platform = string;

/** Kinds of actor strings (`kind:id`) that are not chat platforms: console officers, roster ids, the CLI. */
const OTHER_ACTORS = new Set(['admin', 'teacher', 'cli', 'demo', 'roster']);

/** True when an actor string's kind names a chat platform (an account there can be messaged). */
export function isPlatformId(kind: string): boolean {
  return PlatformSchema.safeParse(kind).success && !OTHER_ACTORS.has(kind);
}

/**
 * A picture or file that came with a message, named by the platform's handle for it (Feishu image_key /
 * file_key, DingTalk downloadCode, a local path on the console). The bytes are fetched later, outside the event's
 * transaction (src/declarations/evidence/).
 */
export const MessageAttachmentSchema = z.object({
  kind: z.enum(['image', 'file']),
  key: z.string().min(1),
  name: z.string().optional(),
});
export type MessageAttachment = z.infer<typeof MessageAttachmentSchema>;

/**
 * The one shape every receiver turns its platform's message into. The core never sees a platform payload.
 * `replyVia` carries what the sender needs to answer in place (a Feishu message id, a DingTalk session webhook).
 */
export const IncomingMessageSchema = z.object({
  kind: z.literal('message'),
  platform: PlatformSchema,
  eventId: z.string().min(1),
  messageId: z.string().min(1).optional(),
  accountId: z.string().min(1),
  accountName: z.string().optional(),
  chatId: z.string().min(1),
  chatType: z.enum(['direct', 'group']),
  text: z.string(),
  /** Pictures and files the message carries; its `text` is then ''. Absent on plain text messages. */
  attachments: z.array(MessageAttachmentSchema).optional(),
  receivedAt: z.number().int(),
  replyVia: z
    .object({
      messageId: z.string().optional(),
      sessionWebhook: z.string().optional(),
      sessionWebhookExpiresAt: z.number().int().optional(),
    })
    .default({}),
});
export type IncomingMessage = z.infer<typeof IncomingMessageSchema>;

/** A button click on a card we sent; `value` is what we put on the button. */
export const CardActionSchema = z.object({
  kind: z.literal('card_action'),
  platform: PlatformSchema,
  eventId: z.string().min(1),
  accountId: z.string().min(1),
  chatId: z.string().optional(),
  messageId: z.string().optional(),
  value: z.record(z.string(), z.unknown()),
  /** What was typed into the card's form (CardSpec.form), by field name, when the click submitted one. */
  form: z.record(z.string(), z.unknown()).optional(),
  receivedAt: z.number().int(),
});
export type CardAction = z.infer<typeof CardActionSchema>;

export const InboundEventSchema = z.discriminatedUnion('kind', [IncomingMessageSchema, CardActionSchema]);
export type InboundEvent = z.infer<typeof InboundEventSchema>;

/**
 * Fields a card collects in one go (a Feishu form). Platforms without forms show the card without it, so the same
 * answers must be possible in chat too.
 */
export interface CardForm {
  /** The command the submit button runs; the fields come back as its argument, one JSON object. */
  command: string;
  /** A line above the fields (where the form is shown). */
  hint?: string;
  /**
   * Words the submit passes before the fields (e.g. which survey round and its one-time token): the command then
   * reads `<args> <fields as JSON>`.
   */
  args?: string;
  /**
   * A text input, or a choice among `options` (the value sent is the option itself). `required`: the platform
   * refuses to submit without it (the command still checks); `maxLength` of a text input (default 100).
   */
  fields: { name: string; label: string; placeholder?: string; options?: readonly string[]; required?: boolean; maxLength?: number }[];
  submitLabel: string;
  /** How the submit button looks (a 退回 is 'danger'); 'primary' by default. */
  submitStyle?: 'primary' | 'default' | 'danger';
}

/** A card described once; each platform renders it its own way (Feishu interactive card, DingTalk markdown). */
export interface CardSpec {
  title: string;
  tone?: 'blue' | 'green' | 'orange' | 'red' | 'grey';
  sections: { heading?: string; lines: string[] }[];
  form?: CardForm;
  buttons?: { label: string; value: Record<string, string>; style?: 'primary' | 'default' | 'danger' }[];
  /**
   * A button that opens a web page (absolute URL) instead of running a command: on Feishu a link button beside the
   * others, on DingTalk an action card (whose buttons can only open links).
   */
  link?: { label: string; url: string };
  note?: string;
}

/** A file sent with a reply; the bytes are stored by hash (src/outbox/attachments.ts), not in the row. */
export interface FileAttachment {
  name: string;
  mime: string;
  sha256: string;
  size: number;
}

export interface Reply {
  text: string;
  card?: CardSpec;
  /** Sent as a file message; `text` goes with it as its own message where the platform cannot caption a file. */
  file?: FileAttachment;
  /** How the outcome reads at a glance: a platform may show it as a toast colour. */
  tone?: 'success' | 'info' | 'warning' | 'error';
}

/** Where an outgoing message goes. */
export const TargetSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('reply'),
    messageId: z.string(),
    chatId: z.string(),
    /** Lets a sender fall back to a direct or group send when the in-place reply channel has expired. */
    chatType: z.enum(['direct', 'group']).optional(),
    accountId: z.string().optional(),
    sessionWebhook: z.string().optional(),
    sessionWebhookExpiresAt: z.number().optional(),
  }),
  z.object({ type: z.literal('user'), accountId: z.string() }),
  z.object({ type: z.literal('chat'), chatId: z.string() }),
]);
export type Target = z.infer<typeof TargetSchema>;

export interface Outgoing {
  platform: Platform;
  target: Target;
  reply: Reply;
  idempotencyKey: string;
  origin?: string;
  /** Scheduled by us rather than asked for (reminders): held while quiet hours last, even when retried. */
  quiet?: boolean;
}
