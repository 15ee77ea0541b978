import { describe, expect, it } from 'vitest';
import { IncomingMessageSchema } from '../../../src/core/messages.js';
import { RobotCallbackSchema, toIncomingMessage } from '../../../src/platforms/dingtalk/events.js';
import { callbackBody } from '../../helpers/fakes/dingtalk-sign.js';

const parse = (body: unknown) => RobotCallbackSchema.parse(body);

describe('toIncomingMessage', () => {
  it('maps a direct text message', () => {
    const body = callbackBody({ kind: 'direct', text: '学时', msgId: 'msgA', staffId: 'manager4711', nick: '张三', sessionWebhookExpiredTime: 1_800_000_000_000 });
    const m = toIncomingMessage(parse(body), 42);
    expect(IncomingMessageSchema.parse(m)).toEqual(m);
    expect(m).toMatchObject({
      kind: 'message',
      platform: 'dingtalk',
      eventId: 'msgA',
      messageId: 'msgA',
      accountId: 'manager4711',
      accountName: '张三',
      chatId: body.conversationId,
      chatType: 'direct',
      text: '学时',
      receivedAt: 42,
      replyVia: { sessionWebhook: body.sessionWebhook, sessionWebhookExpiresAt: 1_800_000_000_000 },
    });
    expect(m.replyVia.messageId).toBe('msgA');
    expect(m.accountId).toBe('manager4711');
  });

  it('maps a group message and trims the space left by the @mention', () => {
    const m = toIncomingMessage(parse(callbackBody({ kind: 'group', text: '学时  ' })), 0);
    expect(m.chatType).toBe('group');
    expect(m.text).toBe('学时');
  });

  it('falls back to senderId when the sender has no staff id', () => {
    const { senderStaffId: _, ...body } = callbackBody({ text: 'hi' });
    expect(toIncomingMessage(parse(body), 0).accountId).toBe(body.senderId);
  });

  it('turns non-text messages into empty text', () => {
    expect(toIncomingMessage(parse(callbackBody({ msgtype: 'picture' })), 0).text).toBe('');
    expect(toIncomingMessage(parse(callbackBody({ msgtype: 'richText' })), 0).text).toBe('');
  });

  it('accepts a minimal body (no webhook, numeric conversationType)', () => {
    const m = toIncomingMessage(parse({ msgId: 'm', msgtype: 'text', text: { content: ' x' }, senderStaffId: 's', conversationId: 'c', conversationType: 1 }), 0);
    expect(m).toMatchObject({ chatType: 'direct', text: 'x', replyVia: { sessionWebhook: undefined } });
  });

  it('rejects bodies that are not robot messages', () => {
    expect(RobotCallbackSchema.safeParse({}).success).toBe(false);
    expect(RobotCallbackSchema.safeParse({ ...callbackBody(), conversationType: '3' }).success).toBe(false);
    expect(RobotCallbackSchema.safeParse({ ...callbackBody(), msgId: '' }).success).toBe(false);
    expect(RobotCallbackSchema.safeParse({ ...callbackBody(), sessionWebhook: 'not a url' }).success).toBe(false);
  });
});

