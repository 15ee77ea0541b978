/**
 * What a DingTalk reply needs once its session webhook has expired: whether the conversation is a direct
 * chat (answer the user by batchSend) or a group (groupMessages/send), and who the user is. The core's reply
 * target only has room for an opaque `messageId` and the chat id, so the receiver packs this there and the
 * sender unpacks it. (Direct and group conversation ids look alike — both "cid…" — so the id alone won't do.)
 */

export interface ReplyHandle {
  msgId: string;
  chat: 'direct' | 'group';
  /** The sender's staff id (userId for batchSend). */
  user: string;
}

const PREFIX = 'dingtalk-reply:';

export function encodeReplyHandle(h: ReplyHandle): string {
  return PREFIX + JSON.stringify({ msgId: h.msgId, chat: h.chat, user: h.user });
}

/** Null for anything else (e.g. a reply target built before this format existed). */
export function decodeReplyHandle(value: string | undefined): ReplyHandle | null {
  if (!value?.startsWith(PREFIX)) return null;
  try {
    const h = JSON.parse(value.slice(PREFIX.length)) as Partial<ReplyHandle>;
    if (typeof h.msgId !== 'string' || typeof h.user !== 'string' || (h.chat !== 'direct' && h.chat !== 'group')) return null;
    return { msgId: h.msgId, chat: h.chat, user: h.user };
  } catch {
    return null;
  }
}
