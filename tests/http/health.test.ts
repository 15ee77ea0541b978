/**
 * /healthz over real HTTP (issue 16, item 5): the instance id, whether the database answers and the queue depths
 * behind it, besides every field operators script against already (ok, platforms, eventsWaiting). On the run's
 * database (SQLite, or PostgreSQL with TEST_DATABASE_URL); a database that is gone, refuses or never answers is
 * reported `unreachable` within about a second, never a hung request.
 */
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { asDb } from '../../db/handle.js';
import { openPostgres } from '../../db/postgres.js';
import { FixedClock } from '../../src/clock.js';
import type { InboundEvent } from '../../src/core/messages.js';
import { createHttpApp } from '../../src/http/app.js';
import { closeServer, createNodeServer, listen } from '../../src/http/server.js';
import { claimEvent, markDone } from '../../src/inbox/store.js';
import { silentLogger } from '../../src/logger.js';
import { enqueue } from '../../src/outbox/store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { closeConnection, closeTestDb, onPostgres, openTestDb, testDatabase } from '../helpers/db.js';

const NOW = new Date('2026-11-25T02:00:00Z');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The HTTP app as the composition root builds it (health part only), served on a real port; returns its /healthz URL. */
async function serve(db: Db, instance = 'city-a-1'): Promise<string> {
  const http = createHttpApp({
    adapters: [],
    maxBodyBytes: 1024,
    logger: silentLogger,
    health: () => ({ platforms: [] }),
    instance,
    database: { db, clock: new FixedClock(NOW) },
  });
  const server: Server = createNodeServer({ app: http, routes: [], maxBodyBytes: 1024, logger: silentLogger });
  const port = await listen(server, 0, '127.0.0.1');
  cleanups.push(() => closeServer(server));
  return `http://127.0.0.1:${port}/healthz`;
}

async function get(url: string): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const started = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, ms: performance.now() - started };
}

const event = (eventId: string): InboundEvent => ({
  kind: 'message', platform: 'feishu', eventId, messageId: `om_${eventId}`, accountId: 'ou_1', chatId: 'oc_1', chatType: 'direct', text: '学时', receivedAt: 0, replyVia: { messageId: `om_${eventId}` },
});
const message = (key: string) => ({ platform: 'feishu' as const, target: { type: 'user' as const, accountId: 'ou_1' }, reply: { text: '提醒' }, idempotencyKey: key });

describe(`/healthz on ${onPostgres() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('reports the instance, the database ok and the queue depths, keeping the fields it had', async () => {
    const db = await openTestDb();
    cleanups.push(() => closeTestDb(db));
    for (const id of ['e1', 'e2', 'e3']) expect(await claimEvent(db, event(id))).toBe(true);
    await markDone(db, 1, NOW); // handled: not pending any more
    await enqueue(db, [message('due-1'), message('due-2')], new Date(NOW.getTime() - 60_000));
    await enqueue(db, [message('later')], new Date(NOW.getTime() + 3600_000));
    const { status, body } = await get(await serve(db, 'city-a-1'));
    expect(status).toBe(200);
    expect(body).toEqual({ ok: true, instance: 'city-a-1', platforms: [], eventsWaiting: 0, database: 'ok', inboxPending: 2, outboxDue: 2 });
  });

  it('a closed connection is `unreachable` at once, still 200 (serving goes on; messages in memory are kept)', async () => {
    const place = await testDatabase();
    cleanups.push(() => place.drop());
    const db = await place.open();
    const url = await serve(db);
    await closeConnection(db);
    const { status, body, ms } = await get(url);
    expect(status).toBe(200);
    expect(body).toEqual({ ok: true, instance: 'city-a-1', platforms: [], eventsWaiting: 0, database: 'unreachable' });
    expect(ms).toBeLessThan(900);
  });
});

describe('/healthz when PostgreSQL is not there', () => {
  const sockets: Socket[] = [];

  /** A TCP server that accepts connections and never says a word: a PostgreSQL server hung or behind a dead link. */
  async function silentServer(): Promise<number> {
    const server: TcpServer = createTcpServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const s of sockets.splice(0)) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return (server.address() as { port: number }).port;
  }

  async function pool(port: number): Promise<Db> {
    const pg = await openPostgres(`postgres://xueshi@127.0.0.1:${port}/xueshi`, { migrate: false, poolSize: 2 });
    pg.$client.on('error', () => undefined);
    cleanups.push(async () => {
      for (const s of sockets.splice(0)) s.destroy();
      await pg.$client.end().catch(() => undefined);
    });
    return asDb(pg);
  }

  it('a server that never answers: `unreachable` after the one-second limit, not a hung request', async () => {
    const url = await serve(await pool(await silentServer()));
    const { status, body, ms } = await get(url);
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, database: 'unreachable' });
    expect(body).not.toHaveProperty('inboxPending');
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(3000);
    // Asked again while the first connection attempt still hangs: the same answer in the same time.
    const again = await get(url);
    expect(again.body).toMatchObject({ database: 'unreachable' });
    expect(again.ms).toBeLessThan(3000);
  });

  it('a stopped server (connection refused): `unreachable` at once', async () => {
    // A port something listened on a moment ago and nothing does now.
    const listener = createTcpServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as { port: number }).port;
    await new Promise<void>((resolve) => listener.close(() => resolve()));
    const { body, ms } = await get(await serve(await pool(port)));
    expect(body).toMatchObject({ ok: true, database: 'unreachable' });
    expect(ms).toBeLessThan(900);
  });
});

// The composition root wires it: INSTANCE_ID from the environment, the app's own database.
describe('/healthz of the app', () => {
  it('carries INSTANCE_ID and the app database’s state', async () => {
    const app: TestApp = await createTestApp({ INSTANCE_ID: 'xs-healthz-1' });
    cleanups.push(() => app.cleanup());
    const server = app.createServer();
    const port = await listen(server, 0, '127.0.0.1');
    cleanups.push(() => closeServer(server));
    const { body } = await get(`http://127.0.0.1:${port}/healthz`);
    expect(body).toMatchObject({ ok: true, instance: 'xs-healthz-1', eventsWaiting: 0, database: 'ok', inboxPending: 0, outboxDue: 0 });
    expect(body.platforms).toEqual(app.adapters.map((a) => a.platform));
  });
});
