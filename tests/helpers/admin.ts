/** Shared by the console's integration tests: an app with ADMIN_TOKEN, sign-in, form posts through app.http.request. */
import { expect } from 'vitest';
import { createTestApp, type TestApp } from './app.js';
import { statement } from '../../db/statements.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const ORIGIN = 'http://localhost';

export function startAdmin(env: Record<string, string> = {}, now?: string): Promise<TestApp> {
  return createTestApp({ ADMIN_TOKEN, ...env }, now ? { now } : {});
}

export interface Signed {
  cookie: string;
  csrf: string;
}

export function cookieOf(res: Response): string {
  const raw = res.headers.get('set-cookie') ?? '';
  const m = /xueshi_admin=([^;]+)/.exec(raw);
  return m ? `xueshi_admin=${m[1]}` : '';
}

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF field on the page');
  return m[1];
}

export async function get(app: TestApp, path: string, cookie = '', headers: Record<string, string> = {}): Promise<Response> {
  return app.http.request(path, { headers: { ...(cookie ? { cookie } : {}), ...headers } });
}

export async function post(
  app: TestApp,
  path: string,
  form: Record<string, string> | FormData,
  o: { cookie?: string; origin?: string | null; ip?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (o.cookie) headers.cookie = o.cookie;
  if (o.origin !== null) headers.origin = o.origin ?? ORIGIN;
  if (o.ip) headers['x-forwarded-for'] = o.ip;
  const body = form instanceof FormData ? form : new URLSearchParams(form);
  if (!(form instanceof FormData)) headers['content-type'] = 'application/x-www-form-urlencoded';
  return app.http.request(path, { method: 'POST', body, headers });
}

/** Signs in with ADMIN_TOKEN and reads the CSRF token from the dashboard. */
export async function signInWithToken(app: TestApp): Promise<Signed> {
  const res = await post(app, '/admin/login', { token: ADMIN_TOKEN });
  expect(res.status).toBe(303);
  const cookie = cookieOf(res);
  expect(cookie).not.toBe('');
  const page = await get(app, '/admin/imports', cookie);
  expect(page.status).toBe(200);
  return { cookie, csrf: csrfOf(await page.text()) };
}

/** The token in a `后台` reply. */
export function tokenOf(reply: string): string {
  const m = /\/admin\/login\?token=([A-Za-z0-9_%-]+)/.exec(reply);
  if (!m) throw new Error(`no login link in: ${reply}`);
  return decodeURIComponent(m[1]);
}

/** Polls a console page until `done(html)` holds (background import passes). */
export async function pageUntil(app: TestApp, path: string, cookie: string, done: (html: string) => boolean, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await get(app, path, cookie);
    const html = await res.text();
    if (done(html)) return html;
    if (Date.now() > deadline) throw new Error(`timed out waiting on ${path}:\n${html.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Rows of `table` matching the SQL condition `where`, on the app's database (either dialect). */
export async function count(app: TestApp, table: string, where = '1=1'): Promise<number> {
  return Number(await statement(app.db, `select count(*) from ${table} where ${where}`).pluck().get());
}
