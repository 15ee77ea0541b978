import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import { payloadTooLarge, routeKey, type RawRequest, type RawResponse, type RawRoute } from './raw-route.js';

export interface NodeServerOptions {
  app: Hono;
  /** Served directly from node's request (see raw-route.ts); everything else goes through Hono. */
  routes: readonly RawRoute[];
  maxBodyBytes: number;
  logger: Logger;
}

/** The one HTTP server: platform webhooks on the direct path, the console, projector pages and health on Hono. */
export function createNodeServer({ app, routes, maxBodyBytes, logger }: NodeServerOptions): Server {
  const viaHono = getRequestListener(app.fetch);
  const byKey = new Map(routes.map((r) => [routeKey(r.method, r.path), r]));
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const route = byKey.get(routeKey(req.method ?? 'GET', query === -1 ? url : url.slice(0, query)));
    if (route) serveRaw(route, req, res, maxBodyBytes, logger);
    else void viaHono(req, res);
  });
  // Platforms keep connections open between events; outlive their idle time so a reused socket is not cut mid-request.
  server.keepAliveTimeout = 65_000;
  return server;
}

export function listen(server: Server, port: number, hostname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function serveRaw(route: RawRoute, req: IncomingMessage, res: ServerResponse, maxBodyBytes: number, logger: Logger): void {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBodyBytes) return tooLarge(route, req, res, logger);

  // Listeners are inline (unnamed) and everything else is a module function: nothing is built per request but
  // the body and one small request view.
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > maxBodyBytes) {
      over = true;
      tooLarge(route, req, res, logger);
    } else chunks.push(chunk);
  });
  req.on('end', () => {
    if (over) return;
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
    let answer: ReturnType<RawRoute['handle']>;
    try {
      answer = route.handle(new NodeRawRequest(route.path, req, body));
    } catch (error) {
      answer = Promise.reject(error);
    }
    Promise.resolve(answer)
      .then(
        (response) => send(res, response, false),
        (error: unknown) => {
          logger.error({ err: error, path: route.path }, 'unhandled HTTP error');
          send(res, { status: 500, json: { error: 'internal error' } }, false);
        },
      )
      .catch((error: unknown) => {
        // The answer itself could not be written (a bad status, a closed socket): log, never crash the process.
        logger.error({ err: error, path: route.path }, 'could not write HTTP answer');
        if (!res.headersSent) res.destroy();
      });
  });
}

function tooLarge(route: RawRoute, req: IncomingMessage, res: ServerResponse, logger: Logger): void {
  logger.warn({ path: route.path }, 'request body over limit');
  // The rest of the body is not read: close the connection rather than leave it half-consumed.
  send(res, payloadTooLarge(), true);
  req.resume();
}

/** A raw route's view of node's request: its bytes and headers. */
class NodeRawRequest implements RawRequest {
  constructor(
    readonly path: string,
    private readonly req: IncomingMessage,
    readonly body: Buffer,
  ) {}

  header(name: string): string | undefined {
    const value = this.req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }
}

function send(res: ServerResponse, { status, json }: RawResponse, close: boolean): void {
  if (res.headersSent) return;
  const body = JSON.stringify(json);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}
