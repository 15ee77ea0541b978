/**
 * Platforms registered in one place (issue 15, item 6): a third platform is a folder (its PlatformDefinition and
 * its settings section) and a line in the list the app is built from. This one, defined only here, has its own
 * environment variable read and checked by loadConfig like Feishu's and DingTalk's, reaches the bot by the same path Feishu and
 * DingTalk take: its webhook served by the app's own node server, its event claimed and handled by the bot, the
 * reply sent by its sender from the outbox, its long connection started and stopped with the app, its web login
 * offered by the pages' login chooser, its off-line on the start-up banner.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig, settingsOf, type SettingsSection } from '../../src/config.js';
import type { IncomingMessage } from '../../src/core/messages.js';
import { ok } from '../../src/http/raw-route.js';
import { webLogins } from '../../src/http/web-login.js';
import type { OutboxMessage } from '../../src/outbox/outbox.js';
import type { PlatformDefinition } from '../../src/platforms/platform.js';
import { PLATFORMS } from '../../src/platforms/registry.js';
import { PLATFORM_SETTINGS } from '../../src/platforms/settings.js';
import { chooseProvider } from '../../src/websignin/identity.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const EVENTS_PATH = '/fakechat/events';

/** A tiny chat platform: JSON events {id, user, text} by webhook, replies recorded, a "connection" flag. */
const fakechatSettings: SettingsSection<{ enabled: boolean }> = {
  id: 'fakechat',
  schema: z
    .object({ FAKECHAT_ENABLED: z.enum(['true', 'false'], { message: '应为 true 或 false' }).default('false') })
    .transform((env) => ({ enabled: env.FAKECHAT_ENABLED === 'true' })),
};

function fakechat() {
  const sent: OutboxMessage[] = [];
  const connection = { open: false, opened: 0 };
  const definition: PlatformDefinition = {
    id: 'fakechat',
    supportsCardForms: false,
    settings: fakechatSettings,
    enabled: (config) => settingsOf(config, fakechatSettings).enabled,
    createAdapter: (deps) => ({
      platform: 'fakechat',
      routes: [
        {
          method: 'POST',
          path: EVENTS_PATH,
          async handle(request) {
            const body = JSON.parse(request.body.toString('utf8')) as { id: string; user: string; text: string };
            const event: IncomingMessage = {
              kind: 'message',
              platform: 'fakechat',
              eventId: body.id,
              messageId: body.id,
              accountId: body.user,
              chatId: body.user,
              chatType: 'direct',
              text: body.text,
              receivedAt: deps.clock.now().getTime(),
              replyVia: {},
            };
            if (await deps.bot.acceptGrouped(event)) deps.bot.schedule();
            return ok();
          },
        },
      ],
      sender: {
        platform: 'fakechat',
        limitsFor: () => [],
        async send(message) {
          sent.push(message);
          return { status: 'sent', platformMessageId: `fc-${sent.length}` };
        },
      },
      async start() {
        connection.open = true;
        connection.opened++;
      },
      async stop() {
        connection.open = false;
      },
      status: () => 'fakechat: on',
    }),
    offStatus: () => 'fakechat: off',
    webLogin: () => ({
      platform: 'fakechat',
      userAgent: /\bFakeChat\//,
      button: { label: 'FakeChat', className: 'btn' },
      authorizeUrl: (redirectUri, state) => `https://login.fakechat.test/auth?state=${state}&redirect_uri=${encodeURIComponent(redirectUri)}`,
      identify: async () => ({ ok: true, accountId: 'fc-user' }),
    }),
  };
  return { definition, sent, connection };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function until<T>(read: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('platform registry', () => {
  let app: TestApp | null = null;
  let server: Server | null = null;
  afterEach(async () => {
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = null;
    await app?.cleanup();
    app = null;
  });

  it('lists Feishu then DingTalk, each found by id with its adapter, banner line and web login', async () => {
    expect(PLATFORMS.map((p) => p.id)).toEqual(['feishu', 'dingtalk']);
    for (const p of PLATFORMS) {
      expect(typeof p.createAdapter).toBe('function');
      expect(p.offStatus()).toContain(p.id);
      expect(p.webLogin).toBeDefined();
    }
  });

  it("the CLI's settings list (loaded without the platforms) is the registry's, in its order", () => {
    expect(PLATFORM_SETTINGS).toEqual(PLATFORMS.map((p) => p.settings));
  });

  it("loadConfig reads and checks the registered platforms' sections: a bad value is named like a core one", () => {
    const sections = [...PLATFORM_SETTINGS, fakechatSettings];
    expect(settingsOf(loadConfig({ FAKECHAT_ENABLED: 'true' }, sections), fakechatSettings)).toEqual({ enabled: true });
    expect(() => loadConfig({ FAKECHAT_ENABLED: 'yes', FEISHU_MODE: 'ws', PORT: 'x' }, sections)).toThrow(ConfigError);
    const message = (() => {
      try {
        loadConfig({ FAKECHAT_ENABLED: 'yes', FEISHU_MODE: 'ws', PORT: 'x' }, sections);
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain('FAKECHAT_ENABLED="yes": 应为 true 或 false');
    expect(message).toContain('FEISHU_MODE="ws"');
    expect(message).toContain('PORT="x"');
    // A config loaded without a section cannot be read as if it had it.
    expect(() => settingsOf(loadConfig({}, PLATFORM_SETTINGS), fakechatSettings)).toThrow(/fakechat/);
  });

  it('a platform registered only in a test reaches the bot the way the real ones do, and its reply goes out by its sender', async () => {
    const fake = fakechat();
    app = await createTestApp({ FAKECHAT_ENABLED: 'true' }, { platforms: [...PLATFORMS, fake.definition] });
    // Built and started with the app: adapter, long connection.
    expect(app.adapters.map((a) => a.platform)).toEqual(['console', 'fakechat']);
    expect(fake.connection).toEqual({ open: true, opened: 1 });

    server = app.createServer();
    const base = await listen(server);
    const post = (id: string) =>
      fetch(`${base}${EVENTS_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, user: 'fc-user', text: '帮助' }) });
    expect((await post('e1')).status).toBe(200);
    // The platform retries: the same event again is claimed once, answered once.
    expect((await post('e1')).status).toBe(200);

    const reply = await until(() => fake.sent[0]);
    expect(reply.platform).toBe('fakechat');
    expect(reply.target).toEqual({ type: 'chat', chatId: 'fc-user' });
    expect(reply.reply.text).toBe((await app.bot.respond({ kind: 'message', platform: 'fakechat', eventId: 'x', accountId: 'fc-user', chatId: 'fc-user', chatType: 'direct', text: '帮助', receivedAt: 0, replyVia: {} }, 'x'))[0].reply.text);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.sent).toHaveLength(1);

    // Its web login is offered next to the others, and its own app's browser is sent straight to it.
    const logins = webLogins(app.config, app.platforms);
    expect([...logins.keys()]).toEqual(['fakechat']);
    expect(chooseProvider(logins, undefined, 'Mozilla/5.0 FakeChat/3.1')).toBe('fakechat');

    // /healthz lists it; stopping the app closes its connection.
    const health = (await (await fetch(`${base}/healthz`)).json()) as { platforms: string[] };
    expect(health.platforms).toContain('fakechat');
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = null;
    await app.cleanup();
    app = null;
    expect(fake.connection.open).toBe(false);
  });

  it('without its line the same platform does not exist: no route, no adapter', async () => {
    app = await createTestApp();
    expect(app.adapters.map((a) => a.platform)).toEqual(['console']);
    server = app.createServer();
    const base = await listen(server);
    const res = await fetch(`${base}${EVENTS_PATH}`, { method: 'POST', body: JSON.stringify({ id: 'e1', user: 'u', text: '帮助' }) });
    expect(res.status).toBe(404);
    expect(app.platforms.map((p) => p.offStatus())).toEqual(PLATFORMS.map((p) => p.offStatus()));
  });
});
