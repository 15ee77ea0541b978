import { z } from 'zod';
import type { IncomingMessage, MessageAttachment } from '../../core/messages.js';

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
    /** picture / file / richText bodies (read by `messageAttachments`; a JSON string in some tools). */
    content: z.unknown().optional(),
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
  const attachments = messageAttachments(body.msgtype, body.content);
  return {
    kind: 'message',
    platform: 'dingtalk',
    eventId: body.msgId,
    messageId: body.msgId,
    accountId,
    accountName: body.senderNick || undefined,
    chatId: body.conversationId,
    chatType,
    // Pictures, files and rich text come as attachments with no text; voice and video are not read (the bot
    // answers an empty text with a hint).
    text: body.msgtype === 'text' ? (body.text?.content ?? '').trim() : '',
    ...(attachments.length ? { attachments } : {}),
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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/**
 * The pictures and files of a picture, file or richText message, by the `downloadCode` that
 * `/v1.0/robot/messageFiles/download` exchanges for a URL: picture `{downloadCode, pictureDownloadCode}`, file
 * `{downloadCode, fileName, fileId, spaceId}`, richText `{richText: [{text} | {type:'picture', downloadCode}]}`.
 */
export function messageAttachments(msgtype: string, raw: unknown): MessageAttachment[] {
  let content = raw;
  if (typeof content === 'string') {
    try {
      content = JSON.parse(content);
    } catch {
      return [];
    }
  }
  if (!isObject(content)) return [];
  const pictureCode = (o: Record<string, unknown>) => nonEmpty(o.downloadCode) ?? nonEmpty(o.pictureDownloadCode);
  if (msgtype === 'picture') {
    const key = pictureCode(content);
    return key ? [{ kind: 'image', key }] : [];
  }
  if (msgtype === 'file') {
    const key = nonEmpty(content.downloadCode);
    const name = nonEmpty(content.fileName);
    return key ? [{ kind: 'file', key, ...(name ? { name } : {}) }] : [];
  }
  if (msgtype !== 'richText' || !Array.isArray(content.richText)) return [];
  return content.richText.flatMap((item): MessageAttachment[] => {
    if (!isObject(item) || (item.type !== undefined && item.type !== 'picture')) return [];
    const key = pictureCode(item);
    return key ? [{ kind: 'image', key }] : [];
  });
}
