import type { Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { PlatformDefinition } from '../platforms/platform.js';
import type { Logger } from '../logger.js';
import type { IdentityProvider, WebPlatform } from '../websignin/identity.js';
import { completeLogin, type PendingLogins } from '../websignin/pending.js';

/** The web logins of every registered platform the configuration enables (scan-to-sign-in and the approval page share them). */
export function webLogins(config: Config, platforms: readonly PlatformDefinition[]): Map<WebPlatform, IdentityProvider> {
  const providers = new Map<WebPlatform, IdentityProvider>();
  for (const platform of platforms) {
    if (platform.webLogin && platform.enabled(config)) providers.set(platform.id, platform.webLogin(config));
  }
  return providers;
}

/**
 * The headers of the pages a chat links to (scan-to-sign-in, the approval page): never cached, indexed, framed or
 * sent as a referrer; `csp` says what the page may load. A header the route set itself is kept.
 */
export function guardPages(app: Hono, prefix: string, csp: string): void {
  const headers: Record<string, string> = {
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Robots-Tag': 'noindex, nofollow',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': csp,
  };
  app.use(`${prefix}/*`, async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(headers)) if (!c.res.headers.has(k)) c.res.headers.set(k, v);
  });
}

/**
 * This browser's id, which a web login's return must come back with (a link forwarded to someone else's phone does
 * not complete there): a random cookie under `path`, made on first use and kept 30 days.
 */
export function browserId(c: Context, cookie: string, path: string, secure: boolean): string {
  const known = getCookie(c, cookie);
  if (known && /^[\w-]{20,64}$/.test(known)) return known;
  const browser = randomBytes(24).toString('base64url');
  setCookie(c, cookie, browser, { path, httpOnly: true, sameSite: 'Lax', secure, maxAge: 30 * 24 * 3600 });
  return browser;
}

/** What a page says when a web login does not come back usable. */
export interface LoginReturnWords {
  notFoundTitle: string;
  notFound: string;
  staleTitle: string;
  stale: string;
  loginFailedTitle: string;
  loginFailed: string;
}

/**
 * The platform's return to `…/auth/:platform`: the login this browser started and the account behind it, or the
 * page refusing it: an unknown platform 404, a stale or foreign login 400, a failed code exchange 502 (logged as
 * `<what>: web login failed`).
 */
export async function returnedLogin<T extends { browser: string; platform: WebPlatform }>(
  c: Context,
  o: {
    providers: ReadonlyMap<WebPlatform, IdentityProvider>;
    pending: PendingLogins<T>;
    cookie: string;
    redirectUri: (p: WebPlatform) => string;
    words: LoginReturnWords;
    refuse: (c: Context, status: 400 | 404 | 502, title: string, text: string) => Response | Promise<Response>;
    logger: Logger;
    what: string;
  },
): Promise<{ login: T; accountId: string } | Response> {
  const platform = c.req.param('platform') ?? '';
  const back = await completeLogin({ providers: o.providers, pending: o.pending, platform, query: c.req.query(), browser: getCookie(c, o.cookie), redirectUri: o.redirectUri });
  if (back.kind === 'unknown') return o.refuse(c, 404, o.words.notFoundTitle, o.words.notFound);
  if (back.kind === 'stale') return o.refuse(c, 400, o.words.staleTitle, o.words.stale);
  if (back.kind === 'failed') {
    o.logger.warn({ platform, reason: back.reason }, `${o.what}: web login failed`);
    return o.refuse(c, 502, o.words.loginFailedTitle, o.words.loginFailed);
  }
  return back;
}
