/**
 * The console's guards: response headers, "who is signed in" (server-side session behind an HttpOnly,
 * SameSite=Lax cookie) and CSRF. Every POST must come from our own pages: the Origin header (when the browser
 * sends one, which all current browsers do on POST) must be ours, and the form must carry the session's CSRF
 * token (a random value stored with the session, put in a hidden field on every form).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { sameSecret, sessionUser } from '../../admin/auth.js';
import { SESSION_COOKIE, type AdminEnv, type AdminServices } from './context.js';

const HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'X-Robots-Tag': 'noindex, nofollow',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
};

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  for (const [k, v] of Object.entries(HEADERS)) if (!c.res.headers.has(k)) c.res.headers.set(k, v);
};

/** Our own origins: the one the request came to, and PUBLIC_BASE_URL's (behind a reverse proxy they differ). */
export function originAllowed(c: Context, svc: Pick<AdminServices, 'baseUrl'>): boolean {
  const origin = c.req.header('origin');
  if (!origin) {
    // No Origin (old browser, or a tool): refuse only what the browser itself says is cross-site.
    return c.req.header('sec-fetch-site') !== 'cross-site';
  }
  if (origin === 'null') return false;
  const allowed = new Set<string>([new URL(c.req.url).origin, new URL(svc.baseUrl).origin]);
  const host = c.req.header('host');
  if (host) {
    allowed.add(`http://${host}`);
    allowed.add(`https://${host}`);
  }
  return allowed.has(origin);
}

const PUBLIC = /^\/admin\/(login(\/link)?|assets\/[\w.-]+)$/;

/**
 * POSTs whose body is a file streamed to disk: the guard checks their Origin only, and the route checks the
 * form's CSRF token as the stream arrives, before any file byte is stored (see upload.ts).
 */
export function isStreamedUpload(path: string): boolean {
  return path === '/admin/imports';
}

/**
 * Signed-in officers only. A page asked for without a session redirects to the login page; anything else
 * (a POST, a JSON poll) gets 401. Sets c.var.user.
 */
export function requireSession(svc: AdminServices): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    if (PUBLIC.test(c.req.path)) return next();
    // Not in a transaction() of its own: BEGIN IMMEDIATE would take the write lock on every page, and wait out the
    // busy timeout while a bulk import holds it (the console then failed during imports). It mostly reads; its rare
    // write (last seen, at most once a minute) runs as a statement of its own.
    const user = await sessionUser(svc.db, getCookie(c, SESSION_COOKIE), svc.clock.now());
    if (!user) {
      const hadCookie = Boolean(getCookie(c, SESSION_COOKIE));
      if (c.req.method === 'GET' && !c.req.path.endsWith('.json')) return c.redirect(`/admin/login${hadCookie ? '?ended=1' : ''}`, 303);
      return c.json({ error: 'not signed in' }, 401);
    }
    c.set('user', user);
    return next();
  };
}

/** POSTs of signed-in pages: same origin and the session's CSRF token, else 403 and nothing happens. */
export function requireCsrf(svc: AdminServices, refuse: (c: Context) => Response | Promise<Response>): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    if (c.req.method !== 'POST' || PUBLIC.test(c.req.path)) return next();
    if (!originAllowed(c, svc)) return refuse(c);
    if (isStreamedUpload(c.req.path)) return next();
    const user = c.get('user');
    let token = c.req.header('x-csrf-token') ?? '';
    if (!token) {
      const type = c.req.header('content-type') ?? '';
      if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
        try {
          const body = await c.req.parseBody();
          token = typeof body._csrf === 'string' ? body._csrf : '';
        } catch {
          token = '';
        }
      }
    }
    if (!user || !token || !sameSecret(token, user.csrfToken)) return refuse(c);
    return next();
  };
}
