import { createHmac, randomBytes } from 'node:crypto';

/**
 * Plays DingTalk's side of the robot callback with node:crypto (independent of the code under test): the
 * signature headers and realistic callback bodies.
 */

export const CLIENT_ID = 'dingq7x2m4k9p1z8w3v5';
export const CLIENT_SECRET = 'Zp4-Secret_Of_The_App_0123456789abcdefghijklmnopqrstuvwxyzAB';
export const ROBOT_CODE = 'dingq7x2m4k9p1z8w3v5';
export const CORP_ID = 'ding0f1e2d3c4b5a6978';

/** base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), as DingTalk signs the callback. */
export function sign(timestamp: string | number, secret = CLIENT_SECRET): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

export function signedHeaders(o: { timestamp?: string | number; secret?: string; now?: number } = {}): Record<string, string> {
  const timestamp = String(o.timestamp ?? o.now ?? Date.now());
  return { 'content-type': 'application/json; charset=utf-8', timestamp, sign: sign(timestamp, o.secret) };
}

export interface CallbackOptions {
  kind?: 'direct' | 'group';
  text?: string;
  msgtype?: string;
  msgId?: string;
  staffId?: string;
  nick?: string;
  conversationId?: string;
  conversationTitle?: string;
  /** The session webhook URL to reply on (point it at the fake). */
  sessionWebhook?: string;
  /** ms epoch; DingTalk sets about 90 minutes after createAt. */
  sessionWebhookExpiredTime?: number;
  createAt?: number;
}

const lwcp = () => `$:LWCP_v1:$${randomBytes(18).toString('base64')}`;

/**
 * A robot message callback as DingTalk sends it (HTTP body, or a Stream CALLBACK frame's `data`): a direct chat
 * by default; in a group the bot was @-mentioned and the mention is cut from the content, leaving a space.
 */
export function callbackBody(o: CallbackOptions = {}): Record<string, unknown> {
  const kind = o.kind ?? 'direct';
  const createAt = o.createAt ?? Date.now();
  const staffId = o.staffId ?? 'manager4711';
  const body: Record<string, unknown> = {
    conversationId: o.conversationId ?? (kind === 'group' ? 'cidGroupJ4s8fTmg+Qw1ZrA==' : `cidDirect${staffId}k2Lm9Q==`),
    chatbotCorpId: CORP_ID,
    chatbotUserId: lwcp(),
    msgId: o.msgId ?? `msg${randomBytes(12).toString('base64url')}`,
    senderNick: o.nick ?? '张三',
    isAdmin: false,
    senderStaffId: staffId,
    sessionWebhookExpiredTime: o.sessionWebhookExpiredTime ?? createAt + 90 * 60_000,
    createAt,
    senderCorpId: CORP_ID,
    conversationType: kind === 'group' ? '2' : '1',
    senderId: lwcp(),
    sessionWebhook: o.sessionWebhook ?? 'https://oapi.dingtalk.com/robot/sendBySession?session=unused',
    robotCode: ROBOT_CODE,
    msgtype: o.msgtype ?? 'text',
  };
  if ((o.msgtype ?? 'text') === 'text') body.text = { content: kind === 'group' ? ` ${o.text ?? ''}` : (o.text ?? '') };
  else body.content = { downloadCode: randomBytes(8).toString('hex'), pictureDownloadCode: randomBytes(8).toString('hex') };
  if (kind === 'group') {
    body.conversationTitle = o.conversationTitle ?? '第一中学教研组';
    body.isInAtList = true;
    body.atUsers = [{ dingtalkId: body.chatbotUserId }];
  }
  return body;
}
