import { z } from 'zod';
import type { IncomingMessage } from '../../bot/types.js';

/**
 * The robot message callback body (HTTP callback and Stream CALLBACK `data` alike) → the bot's inbound shape.
 * Pure: no I/O; the caller passes the receive time.
 */

const id = z.string().min(1);
/** DingTalk sends these as strings, but numbers have been seen in hand-written test tools: accept both. */
const stringish = z.union([z.string(), z.number()]).transform(String);
const epochMs = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);

export const RobotCallbackSchema = z
  .object({
    msgId: id,
    msgtype: z.string().min(1),
    text: z.object({ content: z.string() }).partial().optional(),
    senderStaffId: z.string().optional(),
    senderId: z.string().optional(),
    senderNick: z.string().optional(),
    conversationId: id,
    conversationType: stringish.pipe(z.enum(['1', '2'])),
    conversationTitle: z.string().optional(),
    isInAtList: z.boolean().optional(),
    robotCode: z.string().optional(),
    chatbotUserId: z.string().optional(),
    createAt: epochMs.optional(),
    sessionWebhook: z.url().optional(),
    sessionWebhookExpiredTime: epochMs.optional(),
  })
  // Users outside the org have no staff id; without either id there is nobody to answer.
  .refine((b) => Boolean(b.senderStaffId || b.senderId), { message: 'neither senderStaffId nor senderId', path: ['senderStaffId'] });
export type RobotCallback = z.infer<typeof RobotCallbackSchema>;

export function toIncomingMessage(body: RobotCallback, receivedAt: number): IncomingMessage {
  const accountId = (body.senderStaffId || body.senderId)!;
  const chatType = body.conversationType === '2' ? 'group' : 'direct';
  return {
    kind: 'message',
    platform: 'dingtalk',
    eventId: body.msgId,
    messageId: body.msgId,
    accountId,
    accountName: body.senderNick || undefined,
    chatId: body.conversationId,
    chatType,
    // Pictures, voice, files and rich text are not read yet: the bot answers an empty text with a hint.
    text: body.msgtype === 'text' ? (body.text?.content ?? '').trim() : '',
    receivedAt,
    replyVia: {
      messageId: body.msgId,
      sessionWebhook: body.sessionWebhook,
      sessionWebhookExpiresAt: body.sessionWebhookExpiredTime,
    },
  };
}

/**
 * Whether the robot was called. In a group DingTalk delivers only messages that @ the robot, and says so in
 * `isInAtList`; one that says false (another robot's or a person's @, forwarded by a misconfigured robot) is
 * not for us. A missing flag is taken on DingTalk's word (it delivers only @-messages to robots in groups).
 */
export function calledInChat(body: RobotCallback): boolean {
  return body.conversationType !== '2' || body.isInAtList !== false;
}
