import { describe, expect, it } from 'vitest';
import { IncomingMessageSchema } from '../../src/bot/types.js';
import { EnvelopeSchema, classifyEnvelope, messageText, toIncomingMessage } from '../../src/platforms/feishu/events.js';
import { cardAction, groupMention, messageEvent } from '../fakes/feishu-sign.js';

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
