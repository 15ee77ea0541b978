import { describe, expect, it } from 'vitest';
import { DingtalkApi, TOKEN_HEADER } from '../../../src/platforms/dingtalk/openapi.js';

/** A scripted fetch: records calls and answers token requests with increasing tokens. */
function scripted(options: { ttl?: number; delayMs?: number; send?: (n: number) => Response } = {}) {
  const calls: { url: string; headers: Record<string, string>; body: any }[] = [];
  let tokens = 0;
  let sends = 0;
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, headers: init.headers as Record<string, string>, body: JSON.parse(String(init.body)) });
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    if (url.endsWith('/v1.0/oauth2/accessToken')) return Response.json({ accessToken: `tok${++tokens}`, expireIn: options.ttl ?? 7200 });
    return options.send?.(++sends) ?? Response.json({ processQueryKey: 'q', invalidStaffIdList: [], flowControlledStaffIdList: [] });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls, tokenCalls: () => calls.filter((c) => c.url.endsWith('/accessToken')) };
}

const text = { msgKey: 'sampleText' as const, msgParam: { content: 'hi' } };

describe('DingtalkApi', () => {
  it('fetches one token for concurrent callers and reuses it', async () => {
    const s = scripted({ delayMs: 20 });
    const api = new DingtalkApi({ baseUrl: 'http://fake/', appKey: 'k', appSecret: 's', fetch: s.fetch });
    const tokens = await Promise.all([api.accessToken(), api.accessToken(), api.accessToken()]);
    expect(tokens).toEqual(['tok1', 'tok1', 'tok1']);
    await api.batchSend('robot', ['u1'], text);
    expect(s.tokenCalls()).toHaveLength(1);
    expect(s.tokenCalls()[0]).toMatchObject({ url: 'http://fake/v1.0/oauth2/accessToken', body: { appKey: 'k', appSecret: 's' } });
  });

  it('refreshes before expiry (5 minutes early), by the injected clock', async () => {
    const s = scripted({ ttl: 7200 });
    let now = 0;
    const api = new DingtalkApi({ baseUrl: 'http://fake', appKey: 'k', appSecret: 's', fetch: s.fetch, now: () => now });
    expect(await api.accessToken()).toBe('tok1');
    now = (7200 - 301) * 1000;
    expect(await api.accessToken()).toBe('tok1');
    now = (7200 - 299) * 1000;
    expect(await api.accessToken()).toBe('tok2');
  });

  it('sends msgParam as a JSON string with the token header', async () => {
    const s = scripted();
    const api = new DingtalkApi({ baseUrl: 'http://fake', appKey: 'k', appSecret: 's', fetch: s.fetch });
    const result = await api.groupSend('robot', 'cid1', text);
    expect(result.ok).toBe(true);
    const call = s.calls.find((c) => c.url.endsWith('/v1.0/robot/groupMessages/send'))!;
    expect(call.headers[TOKEN_HEADER]).toBe('tok1');
    expect(call.body).toEqual({ robotCode: 'robot', openConversationId: 'cid1', msgKey: 'sampleText', msgParam: '{"content":"hi"}' });
  });

  it('drops a refused token and retries once with a new one', async () => {
    const s = scripted({ send: (n) => (n === 1 ? Response.json({ code: 'InvalidAuthentication', message: '不合法的access_token' }, { status: 401 }) : Response.json({ processQueryKey: 'q2' })) });
    const api = new DingtalkApi({ baseUrl: 'http://fake', appKey: 'k', appSecret: 's', fetch: s.fetch });
    const result = await api.batchSend('robot', ['u1'], text);
    expect(result).toMatchObject({ ok: true, data: { processQueryKey: 'q2', invalidStaffIdList: [], flowControlledStaffIdList: [] } });
    expect(s.tokenCalls()).toHaveLength(2);
  });

  it('refuses more than 20 users per batchSend without calling', async () => {
    const s = scripted();
    const api = new DingtalkApi({ baseUrl: 'http://fake', appKey: 'k', appSecret: 's', fetch: s.fetch });
    const result = await api.batchSend('robot', Array.from({ length: 21 }, (_, i) => `u${i}`), text);
    expect(result.ok).toBe(false);
    expect(s.calls).toHaveLength(0);
  });

  it('reports a timeout as a failure without a status', async () => {
    const never = (async (_url: string, init: RequestInit) =>
      new Promise((_, reject) => init.signal!.addEventListener('abort', () => reject(new Error('aborted'))))) as unknown as typeof fetch;
    const api = new DingtalkApi({ baseUrl: 'http://fake', appKey: 'k', appSecret: 's', fetch: never, timeoutMs: 30 });
    const result = await api.batchSend('robot', ['u1'], text);
    expect(result).toMatchObject({ ok: false, stage: 'token', status: undefined });
    expect(result.ok === false && result.message).toContain('no answer within 30 ms');
  });
});
