import { describe, expect, it } from 'vitest';
import { APP_LIMIT_KEY, classifyFailure, failureOf, feishuLimits } from '../../../src/platforms/feishu/send.js';

describe('classifyFailure', () => {
  it('429 / 99991400: retry after x-ogw-ratelimit-reset seconds and pause the app key', () => {
    expect(classifyFailure({ status: 429, code: 99991400, headers: { 'x-ogw-ratelimit-reset': '3' } })).toMatchObject({
      status: 'retry',
      retryAfterMs: 3000,
      pauseKey: APP_LIMIT_KEY,
    });
    // Code without the status, and a missing header: still a pause, for a second.
    expect(classifyFailure({ status: 400, code: 99991400 })).toMatchObject({ status: 'retry', retryAfterMs: 1000, pauseKey: APP_LIMIT_KEY });
  });

  it('retries 230020, token errors, 5xx and calls without a response', () => {
    for (const f of [{ status: 400, code: 230020 }, { status: 400, code: 99991663 }, { status: 502 }, { status: 500, code: 1000 }, {}]) {
      const r = classifyFailure(f);
      expect(r.status, JSON.stringify(f)).toBe('retry');
      expect(r).not.toHaveProperty('pauseKey');
    }
  });

  it('fails permanent IM errors for good', () => {
    for (const code of [230002, 230013, 230025, 230001, 99992402]) {
      const r = classifyFailure({ status: 400, code, msg: 'nope' });
      expect(r.status).toBe('failed');
      expect(r.error).toContain(String(code));
    }
    expect(classifyFailure({ status: 200, code: 230002 }).status).toBe('failed');
  });
});

describe('failureOf', () => {
  it('reads status, code, msg and headers from an axios-like error', () => {
    const error = Object.assign(new Error('Request failed with status code 429'), {
      response: { status: 429, data: { code: 99991400, msg: 'limit' }, headers: { 'x-ogw-ratelimit-reset': '2' } },
    });
    expect(failureOf(error)).toEqual({ status: 429, code: 99991400, msg: 'limit', headers: { 'x-ogw-ratelimit-reset': '2' } });
  });

  it('reads a network error as no status', () => {
    expect(failureOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatchObject({
      status: undefined,
      code: undefined,
      msg: 'connect ECONNREFUSED',
    });
  });
});

describe('feishuLimits', () => {
  it('limits the app per second and minute, plus the receiving user or chat (exact 1 s and 60 s windows, each call counted at its answer)', () => {
    expect(feishuLimits({ target: { type: 'user', accountId: 'ou_1' } })).toEqual([
      { key: 'feishu:app', limit: 50, windowMs: 1000, countAtAnswer: true, lanes: 'feishu:', shared: true },
      { key: 'feishu:app:minute', limit: 1000, windowMs: 60_000, countAtAnswer: true, lanes: 'feishu:', shared: true },
      { key: 'feishu:user:ou_1', limit: 5, windowMs: 1000, countAtAnswer: true, lanes: 'feishu:user:ou_1' },
    ]);
    expect(feishuLimits({ target: { type: 'chat', chatId: 'oc_1' } })[2]).toEqual({ key: 'feishu:chat:oc_1', limit: 5, windowMs: 1000, countAtAnswer: true, lanes: 'feishu:chat:oc_1' });
    expect(feishuLimits({ target: { type: 'reply', messageId: 'om_1', chatId: 'oc_2' } })[2]).toEqual({ key: 'feishu:chat:oc_2', limit: 5, windowMs: 1000, countAtAnswer: true, lanes: 'feishu:chat:oc_2' });
  });
});
