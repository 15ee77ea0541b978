/** What the platforms' web logins (src/platforms/<name>/web-login.ts) share: a JSON GET with a deadline. */
import { parseJson } from './dingtalk/http.js';

export const TIMEOUT_MS = 8000;
export const trim = (url: string) => url.replace(/\/+$/, '');

export async function getJson(url: string, headers: Record<string, string>): Promise<{ status: number; body: unknown } | null> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const res = await fetch(url, { headers: { accept: 'application/json', ...headers }, signal: controller.signal });
    return { status: res.status, body: parseJson(await res.text()) };
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

export const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : null);

