import { Hono } from 'hono';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ok, type RawRoute } from '../../src/http/raw-route.js';
import { closeServer, createNodeServer, listen } from '../../src/http/server.js';
import pino from 'pino';
import type { Server } from 'node:http';

/** The node server in front of Hono: webhook routes on the direct path, everything else through Hono. */
describe('node server', () => {
  let server: Server | null = null;
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });

  afterEach(async () => {
    if (server) await closeServer(server);
    server = null;
    logs.length = 0;
  });

  const start = async (routes: RawRoute[], maxBodyBytes = 1024) => {
    const app = new Hono();
    app.get('/healthz', (c) => c.json({ ok: true }));
    app.post('/webhooks/echo', (c) => c.json({ via: 'hono' }));
    app.notFound((c) => c.json({ error: 'not found' }, 404));
    server = createNodeServer({ app, routes, maxBodyBytes, logger });
    return `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
  };
  const echo: RawRoute = {
    method: 'POST',
    path: '/webhooks/echo',
    handle: (r) => ok({ bytes: r.body.length, sha: r.header('x-test'), text: r.body.toString('utf8') }),
  };

  it('hands a direct route the exact bytes and headers, with or without a query string', async () => {
    const base = await start([echo]);
    const body = '{"a": "学时",  "b":1}';
    for (const path of ['/webhooks/echo', '/webhooks/echo?x=1']) {
      const res = await fetch(base + path, { method: 'POST', body, headers: { 'x-test': 'v' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toEqual({ bytes: Buffer.byteLength(body), sha: 'v', text: body });
    }
  });

  it('sends other methods and paths through Hono', async () => {
    const base = await start([echo]);
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
    expect((await fetch(`${base}/webhooks/echo`)).status).toBe(404);
    expect((await fetch(`${base}/nowhere`, { method: 'POST' })).status).toBe(404);
  });

  it('refuses a body over the limit: by its declared length, and when streamed without one', async () => {
    let handled = 0;
    const base = await start([{ ...echo, handle: () => (handled++, ok()) }], 1024);
    const declared = await fetch(`${base}/webhooks/echo`, { method: 'POST', body: 'x'.repeat(5000) });
    expect(declared.status).toBe(413);

    // Chunked: no content-length, so the limit is enforced while reading.
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${base}/webhooks/echo`);
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('y'.repeat(500));
      req.end();
    });
    expect(status).toBe(413);
    expect(handled).toBe(0);
    expect(logs.filter((l) => l.msg === 'request body over limit')).toHaveLength(2);
  });

  it('survives a client that hangs up halfway through the body, handing the route nothing', async () => {
    let handled = 0;
    const base = await start([{ ...echo, handle: () => (handled++, ok()) }], 1024);
    const url = new URL(`${base}/webhooks/echo`);
    await new Promise<void>((resolve) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-length': '900' } });
      req.on('error', () => resolve());
      req.write('z'.repeat(100));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(handled).toBe(0);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('answers 500 and logs when a route throws, and keeps serving', async () => {
    let calls = 0;
    const base = await start([
      {
        ...echo,
        handle: () => {
          if (calls++ === 0) throw new Error('boom');
          return ok({ fine: true });
        },
      },
    ]);
    const first = await fetch(`${base}/webhooks/echo`, { method: 'POST', body: '{}' });
    expect(first.status).toBe(500);
    expect(await first.json()).toEqual({ error: 'internal error' });
    expect(logs.some((l) => l.msg === 'unhandled HTTP error')).toBe(true);
    expect(await (await fetch(`${base}/webhooks/echo`, { method: 'POST', body: '{}' })).json()).toEqual({ fine: true });
  });
});
