/** A phone's in-app browser for tests of pages behind the platforms' web login, over real HTTP. */
import { createServer } from 'node:net';
import { CLIENT_ID, CLIENT_SECRET, ROBOT_CODE } from './fakes/dingtalk-sign.js';
import { FEISHU_ENV } from './fakes/feishu-harness.js';

export const DINGTALK_UA =
  'Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 AliApp(DingTalk/7.5.0) com.alibaba.android.rimet/0 DingTalk/7.5.0';
export const FEISHU_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Lark/7.20.0 LarkLocale/zh_CN';

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

/**
 * Config for an app whose platforms (and their web logins) are fakes on loopback at these base URLs, serving
 * itself at `base` (PUBLIC_BASE_URL: the login's redirect address) on `port`.
 */
export function platformEnv(o: { feishu?: string; dingtalk?: string; base: string; port: number }): Record<string, string> {
  return {
    ...(o.feishu ? { ...FEISHU_ENV, FEISHU_BASE_URL: o.feishu, FEISHU_ACCOUNTS_BASE_URL: o.feishu } : {}),
    ...(o.dingtalk
      ? {
          DINGTALK_CLIENT_ID: CLIENT_ID,
          DINGTALK_CLIENT_SECRET: CLIENT_SECRET,
          DINGTALK_ROBOT_CODE: ROBOT_CODE,
          DINGTALK_API_BASE_URL: o.dingtalk,
          DINGTALK_LOGIN_BASE_URL: o.dingtalk,
          DINGTALK_OAPI_BASE_URL: o.dingtalk,
        }
      : {}),
    PUBLIC_BASE_URL: o.base,
    PORT: String(o.port),
  };
}

/** The CSRF token a page's forms carry. */
export const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

/** A phone's in-app browser: keeps cookies per name, follows redirects by hand so each hop is seen. */
export class Phone {
  private readonly jar = new Map<string, string>();
  readonly hops: string[] = [];

  constructor(private readonly userAgent: string) {}

  async get(url: string): Promise<{ status: number; url: string; body: string }> {
    let at = url;
    for (let i = 0; i < 8; i++) {
      const res = await fetch(at, { redirect: 'manual', headers: { 'user-agent': this.userAgent, cookie: this.cookie() } });
      this.keep(res);
      this.hops.push(`${res.status} ${new URL(at).pathname}`);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        at = new URL(location, at).toString();
        continue;
      }
      return { status: res.status, url: at, body: await res.text() };
    }
    throw new Error('too many redirects');
  }

  async post(url: string, form: Record<string, string>, origin = new URL(url).origin): Promise<{ status: number; location: string | null; body: string }> {
    const res = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'user-agent': this.userAgent, cookie: this.cookie(), origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    this.keep(res);
    return { status: res.status, location: res.headers.get('location'), body: await res.text() };
  }

  cookieHeader(): string {
    return this.cookie();
  }

  private cookie(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [k, v] = pair!.split('=');
      if (v) this.jar.set(k!.trim(), v.trim());
      else this.jar.delete(k!.trim());
    }
  }
}

