import pino from 'pino';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bot } from '../../../src/bot/bot.js';
import type { InboundEvent } from '../../../src/core/messages.js';
import { FixedClock } from '../../../src/clock.js';
import { loadConfig } from '../../../src/config.js';
import { PLATFORM_SETTINGS } from '../../../src/platforms/settings.js';
import { createFeishuAdapter } from '../../../src/platforms/feishu/adapter.js';
import { FeishuLongConnection, createDispatcher } from '../../../src/platforms/feishu/long-connection.js';
import { FakeFeishu, waitFor } from '../../helpers/fakes/feishu-platform.js';
import { APP_ID, BOT_OPEN_ID, cardAction, groupMention, messageEvent } from '../../helpers/fakes/feishu-sign.js';

/** A bot stand-in that records what the receiver hands it. */
function recordingBot(fresh = true) {
  const accepted: InboundEvent[] = [];
  let scheduled = 0;
  const bot = {
    accept: (e: InboundEvent) => (accepted.push(e), fresh),
    schedule: () => void scheduled++,
    drain: async () => undefined,
    firstReplyTo: () => null,
    handleNow: () => false,
  } as unknown as Bot;
  return { bot, accepted, scheduled: () => scheduled };
}

function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

const clock = new FixedClock('2026-11-25T10:00:00+08:00');

describe('Feishu long connection: dispatcher', () => {
  it('takes a message event through the SDK dispatcher to bot.accept and bot.schedule', async () => {
    const r = recordingBot();
    const config = loadConfig({ FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 's', FEISHU_MODE: 'websocket' }, PLATFORM_SETTINGS);
    const dispatcher = createDispatcher({ bot: r.bot, config, logger: pino({ level: 'silent' }), clock }, { openId: BOT_OPEN_ID });
    // WSClient hands the dispatcher the plain v2 body and skips the signature check, exactly like this.
    await dispatcher.invoke(groupMention('学时', { eventId: 'ev_ws_1', messageId: 'om_ws_1', openId: 'ou_ws' }), { needCheck: false });
    expect(r.accepted).toEqual([
      expect.objectContaining({ kind: 'message', eventId: 'ev_ws_1', messageId: 'om_ws_1', accountId: 'ou_ws', chatType: 'group', text: '学时', receivedAt: clock.now().getTime() }),
    ]);
    expect(r.scheduled()).toBe(1);

    await dispatcher.invoke(messageEvent({ minimal: true, text: '帮助' }), { needCheck: false });
    expect(r.accepted[1]).toMatchObject({ kind: 'message', text: '帮助', chatType: 'direct' });
  });

  it('passes card clicks and does not schedule duplicates', async () => {
    const r = recordingBot(false);
    const config = loadConfig({ FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 's', FEISHU_MODE: 'websocket' }, PLATFORM_SETTINGS);
    const dispatcher = createDispatcher({ bot: r.bot, config, logger: pino({ level: 'silent' }), clock });
    await dispatcher.invoke(cardAction({ command: '记录' }), { needCheck: false });
    expect(r.accepted).toEqual([expect.objectContaining({ kind: 'card_action', value: { command: '记录' } })]);
    expect(r.scheduled()).toBe(0);
  });
});

describe('Feishu long connection: start', () => {
  let fake: FakeFeishu | undefined;
  let connection: FeishuLongConnection | undefined;
  afterEach(async () => {
    await connection?.stop();
    await fake?.close();
  });

  it('does not start with an app id the SDK would refuse, says why, and does not throw', async () => {
    fake = await FakeFeishu.start();
    const { logger, lines } = capturingLogger();
    const config = loadConfig({ FEISHU_APP_ID: 'my-app', FEISHU_APP_SECRET: 's', FEISHU_MODE: 'websocket', FEISHU_BASE_URL: fake.url }, PLATFORM_SETTINGS);
    connection = new FeishuLongConnection({ bot: recordingBot().bot, config, logger, clock });
    await expect(connection.start()).resolves.toBeUndefined();
    expect(lines.some((l) => l.level >= 50 && l.msg.includes('cli_'))).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.requests).toHaveLength(0);
  });

  it('asks FEISHU_BASE_URL for an endpoint and logs when Feishu refuses', async () => {
    fake = await FakeFeishu.start();
    const { logger, lines } = capturingLogger();
    const config = loadConfig({ FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 'sec', FEISHU_MODE: 'websocket', FEISHU_BASE_URL: fake.url }, PLATFORM_SETTINGS);
    connection = new FeishuLongConnection({ bot: recordingBot().bot, config, logger, clock });
    await connection.start();
    await waitFor(() => fake!.requests.some((r) => r.path === '/callback/ws/endpoint'), { what: 'endpoint discovery' });
    expect(fake.requests[0].body).toMatchObject({ AppID: APP_ID, AppSecret: 'sec' });
    await waitFor(() => lines.some((l) => l.level >= 50 && l.msg.includes('gave up')), { what: 'a give-up log line' });
  });
});

describe('Feishu adapter in websocket mode', () => {
  it('mounts no webhook and says so in its status line', () => {
    const config = loadConfig({ FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 's', FEISHU_MODE: 'websocket' }, PLATFORM_SETTINGS);
    const adapter = createFeishuAdapter({ bot: recordingBot().bot, config, logger: pino({ level: 'silent' }), clock });
    const routes: string[] = [];
    adapter.mount?.({ post: (path: string) => routes.push(path) } as never);
    expect(routes).toEqual([]);
    expect(adapter.status()).toContain('websocket');
  });
});
