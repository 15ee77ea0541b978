import type { Hono } from 'hono';

/**
 * A platform receiver as a plain function of the request's bytes and headers. Webhooks are the hottest path
 * of the server (every teacher message, every platform retry), so the node server calls these directly
 * instead of converting each request to a fetch Request and back; the same route is also mounted on the
 * Hono app, so in-process requests (`app.http.request`) reach the same code.
 */
export interface RawRequest {
  path: string;
  /** Header value by lower-case name (the first one if repeated). */
  header(name: string): string | undefined;
  /** The body exactly as sent: signatures are computed over these bytes. */
  body: Buffer;
}

export interface RawResponse {
  status: number;
  json: unknown;
}

export interface RawRoute {
  method: 'POST';
  path: string;
  handle(request: RawRequest): Promise<RawResponse> | RawResponse;
}

export const ok = (json: unknown = {}): RawResponse => ({ status: 200, json });
export const unauthorized = (): RawResponse => ({ status: 401, json: { error: 'unauthorized' } });
export const badRequest = (): RawResponse => ({ status: 400, json: { error: 'bad request' } });
export const payloadTooLarge = (): RawResponse => ({ status: 413, json: { error: 'payload too large' } });

export function mountRawRoute(app: Hono, route: RawRoute): void {
  app.on(route.method, route.path, async (c) => {
    const body = Buffer.from(await c.req.arrayBuffer());
    const response = await route.handle({ path: route.path, header: (name) => c.req.header(name), body });
    return c.json(response.json as object, response.status as 200);
  });
}

export function routeKey(method: string, path: string): string {
  return `${method} ${path}`;
}
