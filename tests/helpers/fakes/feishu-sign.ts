import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Plays Feishu's side of the event protocol with node:crypto (independent of the code under test):
 * encrypt, sign, and build realistic event bodies.
 */

export const ENCRYPT_KEY = 'kH2w9Xq4LmZr7tPv';
export const VERIFICATION_TOKEN = 'v-Tok3nFromConsole';
export const APP_ID = 'cli_a1b2c3d4e5f60718';
/** The bot's own open_id, as the fake's GET /open-apis/bot/v3/info reports it. */
export const BOT_OPEN_ID = 'ou_bot000000000000000000000000001';
export const BOT_NAME = '学时助手';

/** base64(IV ‖ AES-256-CBC-PKCS7(SHA-256(key), IV, json)), as Feishu encrypts event bodies. */
export function encrypt(payload: unknown, key = ENCRYPT_KEY): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', createHash('sha256').update(key).digest(), iv);
  const json = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return Buffer.concat([iv, cipher.update(json, 'utf8'), cipher.final()]).toString('base64');
}

export interface SignOptions {
  key?: string;
  /** Unix seconds as Feishu sends them; defaults to `now`. */
  timestamp?: string;
  now?: Date;
  nonce?: string;
}

export function signatureHeaders(rawBody: string, o: SignOptions = {}): Record<string, string> {
  const timestamp = o.timestamp ?? String(Math.floor((o.now ?? new Date()).getTime() / 1000));
  const nonce = o.nonce ?? randomBytes(8).toString('hex');
  const signature = createHash('sha256')
    .update(timestamp + nonce + (o.key ?? ENCRYPT_KEY) + rawBody)
    .digest('hex');
  return { 'X-Lark-Request-Timestamp': timestamp, 'X-Lark-Request-Nonce': nonce, 'X-Lark-Signature': signature };
}

/** The body and headers Feishu would POST for this event: encrypted with the key and signed over the exact bytes. */
export function signedRequest(payload: unknown, o: SignOptions & { encrypted?: boolean } = {}): { body: string; headers: Record<string, string> } {
  const body = o.encrypted === false ? JSON.stringify(payload) : JSON.stringify({ encrypt: encrypt(payload, o.key) });
  return { body, headers: { 'content-type': 'application/json; charset=utf-8', ...signatureHeaders(body, o) } };
}

export function challenge(value = 'ajls384kdjx98XX', token = VERIFICATION_TOKEN) {
  return { challenge: value, token, type: 'url_verification' };
}

let counter = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(16)}${(++counter).toString(16).padStart(6, '0')}`;

export interface MessageEventOptions {
  text?: string;
  eventId?: string;
  messageId?: string;
  openId?: string;
  chatId?: string;
  chatType?: 'p2p' | 'group';
  messageType?: string;
  content?: string;
  senderType?: 'user' | 'app';
  token?: string;
  /** The smallest body Feishu may send: no mentions, user_id null, no tenant keys or thread ids. */
  minimal?: boolean;
  mentions?: { key: string; name: string; openId: string }[];
  eventType?: string;
}

/** An `im.message.receive_v1` envelope (schema 2.0) shaped like the ones Feishu sends. */
export function messageEvent(o: MessageEventOptions = {}) {
  const now = Date.now();
  const eventId = o.eventId ?? unique('5e3702a84e847582be8db7fb73283c');
  const messageId = o.messageId ?? unique('om_5ce6d572455d361153b7cb5');
  const openId = o.openId ?? 'ou_84aad35d084aa403a838cf73ee18467';
  const chatType = o.chatType ?? 'p2p';
  const chatId = o.chatId ?? (chatType === 'p2p' ? 'oc_5ce6d572455d361153b7xx51da133945' : 'oc_group7d6ee2c9b1e0f0aa11');
  const content = o.content ?? JSON.stringify({ text: o.text ?? '帮助' });
  const header = {
    event_id: eventId,
    event_type: o.eventType ?? 'im.message.receive_v1',
    create_time: String(now),
    token: o.token ?? VERIFICATION_TOKEN,
    app_id: APP_ID,
    tenant_key: '2ca1d211f64f6438',
  };
  if (o.minimal) {
    return {
      schema: '2.0',
      header: { event_id: eventId, event_type: header.event_type, token: header.token },
      event: {
        sender: { sender_id: { open_id: openId, user_id: null }, sender_type: o.senderType ?? 'user' },
        message: { message_id: messageId, chat_id: chatId, chat_type: chatType, message_type: o.messageType ?? 'text', content },
      },
    };
  }
  return {
    schema: '2.0',
    header,
    event: {
      sender: {
        sender_id: { union_id: 'on_8ed6aa67826108097d9ee143816345', user_id: 'e33ggbyz', open_id: openId },
        sender_type: o.senderType ?? 'user',
        tenant_key: header.tenant_key,
      },
      message: {
        message_id: messageId,
        root_id: '',
        parent_id: '',
        create_time: String(now),
        update_time: String(now),
        chat_id: chatId,
        thread_id: '',
        chat_type: chatType,
        message_type: o.messageType ?? 'text',
        content,
        mentions: (o.mentions ?? []).map((m) => ({
          key: m.key,
          id: { union_id: 'on_bot0000000000000000000000000000', user_id: null, open_id: m.openId },
          name: m.name,
          tenant_key: header.tenant_key,
        })),
        user_agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Lark/7.20.0',
      },
    },
  };
}

/** A group message that @-mentions the bot, as Feishu delivers it: `@_user_1` in the text, the bot in mentions. */
export function groupMention(text: string, o: MessageEventOptions = {}) {
  return messageEvent({
    ...o,
    chatType: 'group',
    text: `@_user_1 ${text}`,
    mentions: [{ key: '@_user_1', name: BOT_NAME, openId: BOT_OPEN_ID }],
  });
}

/** A `card.action.trigger` callback for a button whose value we set. */
export function cardAction(value: Record<string, unknown>, o: { openId?: string; eventId?: string; token?: string } = {}) {
  return {
    schema: '2.0',
    header: {
      event_id: o.eventId ?? unique('card0a84e847582be8db7fb73283c'),
      token: o.token ?? VERIFICATION_TOKEN,
      create_time: String(Date.now() * 1000),
      event_type: 'card.action.trigger',
      tenant_key: '2ca1d211f64f6438',
      app_id: APP_ID,
    },
    event: {
      operator: { tenant_key: '2ca1d211f64f6438', user_id: null, open_id: o.openId ?? 'ou_84aad35d084aa403a838cf73ee18467' },
      token: 'c-295ee57216a5dc9de90fefd0aadb4b1d7d337bc1',
      action: { value, tag: 'button' },
      host: 'im_message',
      context: { open_message_id: 'om_card0000000000000000000000000001', open_chat_id: 'oc_5ce6d572455d361153b7xx51da133945' },
    },
  };
}

/**
 * A v1 card callback, as apps configured with the older "message card request URL" receive it: flat, with the
 * card-update credential in `token` (not the Verification Token).
 */
export function cardActionV1(value: Record<string, unknown>, o: { openId?: string; token?: string } = {}) {
  return {
    open_id: o.openId ?? 'ou_84aad35d084aa403a838cf73ee18467',
    user_id: 'e33ggbyz',
    open_message_id: 'om_card0000000000000000000000000001',
    open_chat_id: 'oc_5ce6d572455d361153b7xx51da133945',
    tenant_key: '2ca1d211f64f6438',
    token: o.token ?? `c-${randomBytes(20).toString('hex')}`,
    action: { value, tag: 'button' },
  };
}

/**
 * The body and headers of a plaintext v1 card callback: signed as both official SDKs verify it,
 * hex(SHA-1(timestamp + nonce + verificationToken + body)).
 */
export function signedCardV1Request(payload: unknown, o: { verificationToken?: string; now?: Date; nonce?: string } = {}) {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor((o.now ?? new Date()).getTime() / 1000));
  const nonce = o.nonce ?? randomBytes(8).toString('hex');
  const signature = createHash('sha1')
    .update(timestamp + nonce + (o.verificationToken ?? VERIFICATION_TOKEN) + body)
    .digest('hex');
  return {
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'X-Lark-Request-Timestamp': timestamp,
      'X-Lark-Request-Nonce': nonce,
      'X-Lark-Signature': signature,
    },
  };
}
