import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/logger.js';
import type { OutboxMessage } from '../../../src/outbox/outbox.js';
import { DingtalkApi } from '../../../src/platforms/dingtalk/openapi.js';
import { DingtalkSender, LIMIT_KEYS, classifyApiFailure, trustedWebhook } from '../../../src/platforms/dingtalk/send.js';

const clock = new FixedClock('2026-11-25T10:00:00+08:00');
const sender = new DingtalkSender({
  api: new DingtalkApi({ baseUrl: 'http://127.0.0.1:9', appKey: 'k', appSecret: 's' }),
  robotCode: 'robot',
  logger: silentLogger,
  platformClock: clock,
});
const reply = (chat: 'direct' | 'group', expiresInMs: number): OutboxMessage => ({
  id: 1,
  platform: 'dingtalk',
  target: {
    type: 'reply',
    messageId: 'm',
    chatType: chat,
    accountId: 'u1',
    chatId: 'cid1',
    sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=x',
    sessionWebhookExpiresAt: clock.now().getTime() + expiresInMs,
  },
  reply: { text: 'hi' },
  idempotencyKey: 'k',
  dedupeToken: 't',
  attempts: 0,
});

describe('routing and limits', () => {
  it('paces a live session webhook at 20 a minute per conversation', () => {
    expect(sender.limitsFor(reply('direct', 3600_000))).toEqual([{ key: LIMIT_KEYS.webhook('cid1'), limit: 20, windowMs: 60_000, countAtAnswer: true }]);
  });

  it('routes an expired (or nearly expired) direct reply to batchSend, a group one to group send', () => {
    expect(sender.limitsFor(reply('direct', 5_000))[0].key).toBe(LIMIT_KEYS.oto);
    expect(sender.limitsFor(reply('direct', -1))[0].key).toBe(LIMIT_KEYS.oto);
    expect(sender.limitsFor(reply('group', -1))[0].key).toBe(LIMIT_KEYS.group);
  });

  it('fails, without any call, a reply that has neither a live webhook nor a chat type to fall back on', async () => {
    const m = reply('direct', -1);
    const result = await sender.send({ ...m, target: { ...m.target, chatType: undefined, accountId: undefined } as OutboxMessage['target'] });
    expect(result.status).toBe('failed');
  });
});

describe('classifyApiFailure', () => {
  const c = (f: Parameters<typeof classifyApiFailure>[0]) => classifyApiFailure(f, 1000, LIMIT_KEYS.oto);
  it('retries QPS limits after a pause of that API', () => {
    expect(c({ status: 403, code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: 'qps', stage: 'call' })).toMatchObject({
      status: 'retry',
      retryAfterMs: 1000,
      pauseKey: LIMIT_KEYS.oto,
    });
    expect(c({ status: 429, message: 'slow down', stage: 'call' })).toMatchObject({ status: 'retry', pauseKey: LIMIT_KEYS.oto });
  });
  it('retries server faults, timeouts, token trouble; fails other client errors', () => {
    expect(c({ status: 500, message: 'x', stage: 'call' }).status).toBe('retry');
    expect(c({ message: 'timeout', stage: 'call' }).status).toBe('retry');
    expect(c({ status: 401, code: 'InvalidAuthentication', message: 'x', stage: 'call' }).status).toBe('retry');
    expect(c({ status: 400, code: 'invalidClientIdOrSecret', message: 'x', stage: 'token' }).status).toBe('retry');
    expect(c({ status: 403, code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied', message: 'x', stage: 'call' }).status).toBe('failed');
    expect(c({ status: 400, code: 'param.invalid', message: 'x', stage: 'call' }).status).toBe('failed');
  });
});

describe('trustedWebhook', () => {
  it('accepts https on DingTalk domains and the configured API origin only', () => {
    const trust = trustedWebhook('http://127.0.0.1:4000');
    expect(trust(new URL('https://oapi.dingtalk.com/robot/sendBySession?session=abc'))).toBe(true);
    expect(trust(new URL('https://api.dingtalk.io/robot/sendBySession?session=abc'))).toBe(true);
    expect(trust(new URL('http://oapi.dingtalk.com/robot/sendBySession'))).toBe(false);
    expect(trust(new URL('https://oapi.dingtalk.com.evil.example/x'))).toBe(false);
    expect(trust(new URL('https://evildingtalk.com/x'))).toBe(false);
    expect(trust(new URL('http://127.0.0.1:4000/robot/sendBySession/x'))).toBe(true);
    expect(trust(new URL('http://127.0.0.1:4001/robot/sendBySession/x'))).toBe(false);
  });
});
