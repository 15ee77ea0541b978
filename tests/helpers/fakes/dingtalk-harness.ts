import pino from 'pino';
import { schema } from '../../../db/client.js';
import { tables } from '../../../db/handle.js';
import { systemClock } from '../../../src/clock.js';
import { loadConfig } from '../../../src/config.js';
import { PLATFORM_SETTINGS } from '../../../src/platforms/settings.js';
import { mountRawRoute } from '../../../src/http/raw-route.js';
import { createNodeServer, listen } from '../../../src/http/server.js';
import { OutboxWorker } from '../../../src/outbox/worker.js';
import { createDingtalkAdapter, type DingtalkAdapter, type DingtalkAdapterOptions } from '../../../src/platforms/dingtalk/adapter.js';
import { DINGTALK_CALLBACK_PATH } from '../../../src/platforms/dingtalk/webhook.js';
import { createTestApp, type TestApp } from '../app.js';
import { databaseEnv } from '../db.js';
import { FakeDingtalk } from './dingtalk-platform.js';
import { CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, signedHeaders } from './dingtalk-sign.js';

export interface PostResult {
  status: number;
  json: any;
  ms: number;
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/**
 * A real app (temp SQLite) with the DingTalk adapter against a fake DingTalk on loopback, served by a real HTTP
 * server, so tests send the bytes DingTalk would. The adapter is built here rather than by the composition root
 * (the app is created without DingTalk credentials), so a test can shorten timeouts, and its sender runs in a
 * worker of its own next to the console's.
 */
export interface DingtalkHarness {
  app: TestApp;
  fake: FakeDingtalk;
  adapter: DingtalkAdapter;
  worker: OutboxWorker;
  base: string;
  logs: LogLine[];
  post(body: string, headers?: Record<string, string>): Promise<PostResult>;
  /** Signs like DingTalk (timestamp = now unless given) and posts the JSON body. */
  send(body: unknown, o?: { timestamp?: string | number; secret?: string }): Promise<PostResult>;
  /** Waits until the bot has handled every accepted message and nothing due is left to send. */
  settle(): Promise<void>;
  inboxRows(): Promise<(typeof schema.inbox.$inferSelect)[]>;
  outboxRows(): Promise<(typeof schema.outbox.$inferSelect)[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  mode?: 'webhook' | 'stream';
  adapter?: DingtalkAdapterOptions;
  /** Environment variables for the adapter's configuration (DINGTALK_*), over the harness's. */
  env?: Record<string, string>;
}

export async function startDingtalk(o: HarnessOptions = {}): Promise<DingtalkHarness> {
  const fake = await FakeDingtalk.start();
  const app = await createTestApp();
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const config = loadConfig({
    ...databaseEnv(app.config),
    LOG_LEVEL: 'silent',
    DINGTALK_CLIENT_ID: CLIENT_ID,
    DINGTALK_CLIENT_SECRET: CLIENT_SECRET,
    DINGTALK_ROBOT_CODE: ROBOT_CODE,
    DINGTALK_API_BASE_URL: fake.url,
    DINGTALK_OAPI_BASE_URL: fake.url,
    DINGTALK_MODE: o.mode ?? 'webhook',
    ...o.env,
  }, PLATFORM_SETTINGS);
  const adapter = createDingtalkAdapter(
    { bot: app.bot, config, logger, clock: app.fixedClock },
    {
      timeoutMs: 2000,
      throttleRetryMs: 30,
      ...o.adapter,
      stream: { reconnectBaseMs: 20, reconnectMaxMs: 200, connectTimeoutMs: 2000, ...o.adapter?.stream },
    },
  );
  for (const route of adapter.routes ?? []) mountRawRoute(app.http, route);

  // The app's own worker has no DingTalk sender (no credentials in its config): hand its rows to ours.
  await app.outbox.stop();
  const worker = new OutboxWorker({
    db: app.db,
    senders: [app.console.sender, adapter.sender],
    clock: systemClock,
    logger,
    pollMs: 10,
    backoffBaseMs: 20,
    maxBackoffMs: 200,
  });
  worker.start();

  const server = createNodeServer({ app: app.http, routes: adapter.routes ?? [], maxBodyBytes: config.MAX_BODY_BYTES, logger });
  const base = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
  if (o.mode === 'stream') await adapter.start!();

  const post = async (body: string, headers: Record<string, string> = signedHeaders()): Promise<PostResult> => {
    const started = performance.now();
    const res = await fetch(base + DINGTALK_CALLBACK_PATH, { method: 'POST', body, headers });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, json, ms: performance.now() - started };
  };

  return {
    app,
    fake,
    adapter,
    worker,
    base,
    logs,
    post,
    send: (body, s = {}) => post(JSON.stringify(body), signedHeaders(s)),
    async settle() {
      await app.bot.drain();
      await worker.whenIdle();
    },
    inboxRows: async () => app.db.select().from(tables(app.db).inbox),
    outboxRows: async () => app.db.select().from(tables(app.db).outbox),
    async close() {
      await adapter.stop!();
      await worker.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.cleanup();
      await fake.close();
    },
  };
}

/** Polls until `check` returns (or resolves to) a truthy value, or throws after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
