import { describe, expect, it } from 'vitest';
import { IncomingMessageSchema } from '../../../src/core/messages.js';
import {
  EnvelopeSchema,
  addressedToBot,
  classifyCardActionV1,
  classifyEnvelope,
  isCardActionV1,
  messageText,
  toIncomingMessage,
} from '../../../src/platforms/feishu/events.js';
import { BOT_NAME, BOT_OPEN_ID, cardAction, cardActionV1, groupMention, messageEvent } from '../../helpers/fakes/feishu-sign.js';

const AT = 1_764_036_000_000;
const envelope = (body: unknown) => EnvelopeSchema.parse(body);

describe('toIncomingMessage', () => {
  it('maps a full p2p text message', () => {
    const e = messageEvent({ text: '学时', openId: 'ou_abc', chatId: 'oc_p2p', messageId: 'om_1', eventId: 'ev_1' });
    const m = toIncomingMessage(envelope(e), AT)!;
    expect(m).toEqual({
      kind: 'message',
      platform: 'feishu',
      eventId: 'ev_1',
      messageId: 'om_1',
      accountId: 'ou_abc',
      chatId: 'oc_p2p',
      chatType: 'direct',
      text: '学时',
      receivedAt: AT,
      replyVia: { messageId: 'om_1' },
    });
    expect(IncomingMessageSchema.parse(m)).toEqual(m);
  });

  it('maps a minimal payload (user_id null, no mentions, bare header)', () => {
    const m = toIncomingMessage(envelope(messageEvent({ text: '帮助', minimal: true })), AT)!;
    expect(m.text).toBe('帮助');
    expect(m.chatType).toBe('direct');
  });

  it('maps a group message and strips the @_user_1 placeholder', () => {
    const m = toIncomingMessage(envelope(groupMention('绑定 T0001 张三')), AT)!;
    expect(m.chatType).toBe('group');
    expect(m.text).toBe('绑定 T0001 张三');
  });

  it('returns null for messages sent by apps', () => {
    expect(toIncomingMessage(envelope(messageEvent({ senderType: 'app' })), AT)).toBeNull();
  });
});

describe('messageText', () => {
  it.each([
    ['{"text":"@_user_1 学时"}', '学时'],
    ['{"text":"学时 @_user_1"}', '学时'],
    ['{"text":"@_user_1 绑定 @_user_12 T0001"}', '绑定 T0001'],
    ['{"text":"@_all 学时"}', '学时'],
    ['{"text":"  记录  "}', '记录'],
    ['{"text":"@_user_1"}', ''],
    ['not json', ''],
    ['{"title":"x"}', ''],
  ])('%s → %j', (content, text) => {
    expect(messageText('text', content)).toBe(text);
  });

  it('reads non-text messages as empty text', () => {
    expect(messageText('image', '{"image_key":"img_v2_1"}')).toBe('');
    expect(messageText('post', '{"title":"","content":[[{"tag":"text","text":"学时"}]]}')).toBe('');
  });
});

describe('classifyEnvelope', () => {
  it('turns a message event into an inbound event', () => {
    const c = classifyEnvelope(messageEvent({ text: '学时' }), AT);
    expect(c.kind).toBe('event');
  });

  it('turns a card click into a card action carrying the button value', () => {
    const c = classifyEnvelope(cardAction({ command: '记录' }, { openId: 'ou_clicker', eventId: 'ev_card' }), AT);
    expect(c).toEqual({
      kind: 'event',
      event: {
        kind: 'card_action',
        platform: 'feishu',
        eventId: 'ev_card',
        accountId: 'ou_clicker',
        chatId: 'oc_5ce6d572455d361153b7xx51da133945',
        messageId: 'om_card0000000000000000000000000001',
        value: { command: '记录' },
        receivedAt: AT,
      },
    });
  });

  it('ignores other event types, app senders and v1 events', () => {
    expect(classifyEnvelope(messageEvent({ eventType: 'im.message.message_read_v1' }), AT).kind).toBe('ignore');
    expect(classifyEnvelope(messageEvent({ senderType: 'app' }), AT).kind).toBe('ignore');
    expect(classifyEnvelope({ uuid: 'x', token: 't', ts: '1', type: 'event_callback', event: { type: 'message' } }, AT).kind).toBe('ignore');
  });

  it('calls a known event type with a broken body invalid', () => {
    const broken = messageEvent();
    delete (broken.event.message as Partial<typeof broken.event.message>).message_id;
    expect(classifyEnvelope(broken, AT).kind).toBe('invalid');
    expect(classifyEnvelope({ schema: '2.0', header: {} }, AT).kind).toBe('invalid');
    expect(classifyEnvelope('nope', AT).kind).toBe('invalid');
  });
});

describe('addressedToBot (one rule for both receivers)', () => {
  const bot = { key: '@_user_1', name: BOT_NAME, id: { open_id: BOT_OPEN_ID } };
  const other = { key: '@_user_2', name: '李老师', id: { open_id: 'ou_other' } };
  const all = { key: '@_all', name: '所有人', id: { open_id: '' } };
  const known = { openId: BOT_OPEN_ID };
  const unknown = { openId: null };
  const unknownNamed = { openId: null, configuredName: BOT_NAME };

  it.each([
    ['@bot', [bot], known, 'bot'],
    ['@someone @bot', [other, bot], known, 'bot'],
    ['@所有人', [all], known, 'nobody'],
    ['@所有人 only, even with a name configured', [all], unknownNamed, 'nobody'],
    ['@someone', [other], known, 'others'],
    ['someone named like the bot', [{ ...other, name: BOT_NAME }], known, 'others'],
    ['no mentions', [], known, 'nobody'],
    ['@bot before the open_id is known, no name configured', [bot], unknown, 'unknown'],
    ['@bot first, name configured', [bot], unknownNamed, 'bot'],
    ['@someone first, name configured', [other, bot], unknownNamed, 'unknown'],
    ['@所有人 first, name configured', [all, bot], unknownNamed, 'unknown'],
  ] as const)('%s → %s', (_, mentions, identity, expected) => {
    expect(addressedToBot(mentions as never, identity)).toBe(expected);
  });

  it('classifyEnvelope ignores group messages not for the bot and keeps direct chats', () => {
    const allGroup = messageEvent({ chatType: 'group', text: '@_all 学时', mentions: [{ key: '@_all', name: '所有人', openId: '' }] });
    expect(classifyEnvelope(allGroup, AT, { openId: BOT_OPEN_ID })).toMatchObject({ kind: 'ignore' });
    expect(classifyEnvelope(groupMention('学时'), AT, { openId: BOT_OPEN_ID })).toMatchObject({ kind: 'event', event: { text: '学时' } });
    expect(classifyEnvelope(groupMention('学时'), AT, { openId: 'ou_another_bot' })).toMatchObject({ kind: 'ignore' });
    expect(classifyEnvelope(messageEvent({ text: '学时' }), AT, { openId: null })).toMatchObject({ kind: 'event' });
  });
});

describe('messageText: the key stripped wherever it stands', () => {
  it.each([
    ['{"text":"我是@_user_1谁"}', '我是谁'],
    ['{"text":"签到 @_user_1 123456"}', '签到 123456'],
    ['{"text":"@_user_1 发布通知 全部 第一行\\n第二行"}', '发布通知 全部 第一行\n第二行'],
  ])('%s → %j', (content, text) => {
    expect(messageText('text', content)).toBe(text);
  });
});

describe('v1 card callbacks', () => {
  it('recognises the flat shape and maps it to the same CardAction as a v2 click', () => {
    const v1 = cardActionV1({ command: '签到', args: '#1' }, { openId: 'ou_abc', token: 'c-1' });
    expect(isCardActionV1(v1)).toBe(true);
    expect(isCardActionV1(cardAction({ command: '签到' }))).toBe(false);
    expect(classifyCardActionV1(v1, AT, 'n1')).toEqual({
      kind: 'event',
      event: {
        kind: 'card_action',
        platform: 'feishu',
        eventId: 'card-v1:ou_abc:c-1:n1',
        accountId: 'ou_abc',
        chatId: v1.open_chat_id,
        messageId: v1.open_message_id,
        value: { command: '签到', args: '#1' },
        receivedAt: AT,
      },
    });
  });

  it('ignores a v1 click whose value is not an object, and calls a shape without an operator invalid', () => {
    expect(classifyCardActionV1({ ...cardActionV1({}), action: { value: 'x', tag: 'button' } }, AT, 'n')).toMatchObject({ kind: 'ignore' });
    expect(classifyCardActionV1({ action: { value: {} } }, AT, 'n')).toMatchObject({ kind: 'invalid' });
  });
});
