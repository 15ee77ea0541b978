import { schema } from '../../../db/client.js';
import { tables } from '../../../db/handle.js';
import { listen } from '../../../src/http/server.js';
import type { Logger } from '../../../src/logger.js';
import type { FeishuAdapter, FeishuAdapterOptions } from '../../../src/platforms/feishu/adapter.js';
import { createTestApp, type TestApp } from '../app.js';
import { FakeFeishu } from './feishu-platform.js';
import { APP_ID, ENCRYPT_KEY, VERIFICATION_TOKEN, signedRequest, type SignOptions } from './feishu-sign.js';

export const FEISHU_PATH = '/webhooks/feishu/events';

export interface PostResult {
  status: number;
  json: any;
  ms: number;
}

/**
 * A real app (temp SQLite) configured for Feishu against a fake OpenAPI, served by a real HTTP server on
 * loopback, so tests send the same bytes Feishu would.
 */
export interface FeishuHarness {
  app: TestApp;
  fake: FakeFeishu;
  /** The Feishu adapter the app built (its `identity` learns the bot's open_id from the fake). */
  adapter: FeishuAdapter;
  base: string;
  /** POSTs raw bytes to the events URL. */
  post(body: string, headers?: Record<string, string>, path?: string): Promise<PostResult>;
  /** POSTs an event the way Feishu does: encrypted with the key and signed, timestamped by the app's clock. */
  send(payload: unknown, o?: SignOptions & { encrypted?: boolean; path?: string }): Promise<PostResult>;
  inboxRows(): Promise<(typeof schema.inbox.$inferSelect)[]>;
  outboxRows(): Promise<(typeof schema.outbox.$inferSelect)[]>;
  close(): Promise<void>;
}

export const FEISHU_ENV = {
  FEISHU_APP_ID: APP_ID,
  FEISHU_APP_SECRET: 'sEcReT-0123456789abcdef',
  FEISHU_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
  FEISHU_ENCRYPT_KEY: ENCRYPT_KEY,
};

export interface StartOptions {
  /** Runs on the fake before the app starts (e.g. make bot info fail, as when Feishu is down at start). */
  prepare?(fake: FakeFeishu): void;
  feishu?: FeishuAdapterOptions;
  /** Wait until the bot's open_id is learned before returning (default true, so group @-messages are for it). */
  waitForIdentity?: boolean;
  /** The app's logger (default silent), e.g. one that keeps every line so a test can read what was logged. */
  logger?: Logger;
}

export async function startFeishu(env: Record<string, string> = {}, o: StartOptions = {}): Promise<FeishuHarness> {
  const fake = await FakeFeishu.start();
  o.prepare?.(fake);
  const app = await createTestApp({ ...FEISHU_ENV, FEISHU_BASE_URL: fake.url, ...env }, { platformOptions: { feishu: o.feishu }, ...(o.logger ? { logger: o.logger } : {}) });
  const adapter = app.adapters.find((a) => a.platform === 'feishu') as FeishuAdapter;
  if (o.waitForIdentity !== false && env.FEISHU_MODE !== 'websocket') await adapter.identity.whenKnown(15_000);
  const server = app.createServer();
  const base = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;

  const post = async (
    body: string,
    headers: Record<string, string> = { 'content-type': 'application/json' },
    path = FEISHU_PATH,
  ): Promise<PostResult> => {
    const started = performance.now();
    const res = await fetch(base + path, { method: 'POST', body, headers });
    const text = await res.text();
    const ms = performance.now() - started;
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, json, ms };
  };

  return {
    app,
    fake,
    adapter,
    base,
    post,
    send(payload, o = {}) {
      const { body, headers } = signedRequest(payload, { now: app.fixedClock.now(), ...o });
      return post(body, headers, o.path);
    },
    inboxRows: async () => app.db.select().from(tables(app.db).inbox),
    outboxRows: async () => app.db.select().from(tables(app.db).outbox),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.cleanup();
      await fake.close();
    },
  };
}
