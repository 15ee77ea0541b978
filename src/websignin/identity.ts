/**
 * Who opened a web page, by the platform's web login (OAuth authorization code): a redirect to the platform's
 * authorize page (inside the Feishu or DingTalk app it passes without a tap), back to our callback with a
 * one-time `code`, exchanged server-side for the account id our bindings use.
 *
 * - Feishu: accounts.feishu.cn/open-apis/authen/v1/authorize → POST /open-apis/authen/v2/oauth/token →
 *   GET /open-apis/authen/v1/user_info → `open_id` (what the bot's events carry as the sender).
 * - DingTalk: login.dingtalk.com/oauth2/auth → POST /v1.0/oauth2/userAccessToken → GET /v1.0/contact/users/me →
 *   `unionId`. The robot knows people by their staff id (senderStaffId, the userid), so the unionId is mapped with
 *   POST oapi /topapi/user/getbyunionid (app access token; needs the 通讯录 read permission) → `result.userid`.
 *
 * Every base URL comes from config so tests point them at fakes. Never throws: a failure is a reason string.
 */
import { scanText } from '../bot/i18n/zh-CN.scan.js';
import { isRecord, parseJson, postJson } from '../platforms/dingtalk/http.js';
import { DingtalkApi } from '../platforms/dingtalk/openapi.js';

/** A platform's id (see src/platforms/registry.ts) as a web login names it. */
export type WebPlatform = string;

export type Identified = { ok: true; accountId: string } | { ok: false; reason: string };

export interface IdentityProvider {
  platform: WebPlatform;
  /** The platform's own in-app browser, by its user agent (it passes the login without a tap). */
  userAgent: RegExp;
  /** The button offered in any other browser, and its style class on the page. */
  button: { label: string; className: string };
  /** Where to send the browser to log in; the platform comes back to `redirectUri` with a code and `state`. */
  authorizeUrl(redirectUri: string, state: string): string;
  /** The account id behind a callback's query parameters (the code is single use). */
  identify(query: Record<string, string | undefined>, redirectUri: string): Promise<Identified>;
}

const TIMEOUT_MS = 8000;
const trim = (url: string) => url.replace(/\/+$/, '');

async function getJson(url: string, headers: Record<string, string>): Promise<{ status: number; body: unknown } | null> {
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

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : null);

export interface FeishuLoginConfig {
  appId: string;
  appSecret: string;
  /** FEISHU_ACCOUNTS_BASE_URL: the authorize page's host. */
  accountsBaseUrl: string;
  /** FEISHU_BASE_URL: the OpenAPI host (token exchange, user_info). */
  apiBaseUrl: string;
}

export function feishuIdentity(c: FeishuLoginConfig): IdentityProvider {
  return {
    platform: 'feishu',
    userAgent: /\b(Lark|Feishu)\//i,
    button: { label: scanText.viaFeishu, className: 'btn' },
    authorizeUrl(redirectUri, state) {
      const q = new URLSearchParams({ client_id: c.appId, redirect_uri: redirectUri, state });
      return `${trim(c.accountsBaseUrl)}/open-apis/authen/v1/authorize?${q}`;
    },
    async identify(query, redirectUri) {
      const code = query.code;
      if (!code) return { ok: false, reason: `feishu: no code (${query.error ?? 'refused'})` };
      const token = await postJson(
        `${trim(c.apiBaseUrl)}/open-apis/authen/v2/oauth/token`,
        { grant_type: 'authorization_code', client_id: c.appId, client_secret: c.appSecret, code, redirect_uri: redirectUri },
        { timeoutMs: TIMEOUT_MS },
      );
      if (token.kind !== 'response') return { ok: false, reason: `feishu token: ${token.error}` };
      const accessToken = isRecord(token.body) ? str(token.body.access_token) : null;
      if (!accessToken) return { ok: false, reason: `feishu token: HTTP ${token.status} ${token.text.slice(0, 200)}` };
      const info = await getJson(`${trim(c.apiBaseUrl)}/open-apis/authen/v1/user_info`, { authorization: `Bearer ${accessToken}` });
      const data = info && isRecord(info.body) && isRecord(info.body.data) ? info.body.data : null;
      const openId = data ? str(data.open_id) : null;
      if (!openId) return { ok: false, reason: `feishu user_info: HTTP ${info?.status ?? 'no answer'}` };
      return { ok: true, accountId: openId };
    },
  };
}

export interface DingtalkLoginConfig {
  clientId: string;
  clientSecret: string;
  /** DINGTALK_LOGIN_BASE_URL: the authorize page's host. */
  loginBaseUrl: string;
  /** DINGTALK_API_BASE_URL: api.dingtalk.com (user token, users/me, app token). */
  apiBaseUrl: string;
  /** DINGTALK_OAPI_BASE_URL: oapi.dingtalk.com (unionId → userid). */
  oapiBaseUrl: string;
}

export function dingtalkIdentity(c: DingtalkLoginConfig): IdentityProvider {
  const app = new DingtalkApi({ baseUrl: c.apiBaseUrl, appKey: c.clientId, appSecret: c.clientSecret, timeoutMs: TIMEOUT_MS });
  return {
    platform: 'dingtalk',
    userAgent: /\bDingTalk\//i,
    button: { label: scanText.viaDingtalk, className: 'btn ding' },
    authorizeUrl(redirectUri, state) {
      const q = new URLSearchParams({ client_id: c.clientId, response_type: 'code', scope: 'openid', prompt: 'consent', redirect_uri: redirectUri, state });
      return `${trim(c.loginBaseUrl)}/oauth2/auth?${q}`;
    },
    async identify(query, _redirectUri) {
      // DingTalk names it authCode (and also code on newer pages).
      const code = query.authCode ?? query.code;
      if (!code) return { ok: false, reason: 'dingtalk: no authCode' };
      const token = await postJson(
        `${trim(c.apiBaseUrl)}/v1.0/oauth2/userAccessToken`,
        { clientId: c.clientId, clientSecret: c.clientSecret, code, grantType: 'authorization_code' },
        { timeoutMs: TIMEOUT_MS },
      );
      if (token.kind !== 'response') return { ok: false, reason: `dingtalk token: ${token.error}` };
      const accessToken = isRecord(token.body) ? str(token.body.accessToken) : null;
      if (!accessToken) return { ok: false, reason: `dingtalk token: HTTP ${token.status} ${token.text.slice(0, 200)}` };
      const me = await getJson(`${trim(c.apiBaseUrl)}/v1.0/contact/users/me`, { 'x-acs-dingtalk-access-token': accessToken });
      const unionId = me && isRecord(me.body) ? str(me.body.unionId) : null;
      if (!unionId) return { ok: false, reason: `dingtalk users/me: HTTP ${me?.status ?? 'no answer'}` };
      let appToken: string;
      try {
        appToken = await app.accessToken();
      } catch (error) {
        return { ok: false, reason: `dingtalk app token: ${(error as Error).message}` };
      }
      const mapped = await postJson(`${trim(c.oapiBaseUrl)}/topapi/user/getbyunionid?access_token=${encodeURIComponent(appToken)}`, { unionid: unionId }, { timeoutMs: TIMEOUT_MS });
      if (mapped.kind !== 'response') return { ok: false, reason: `dingtalk getbyunionid: ${mapped.error}` };
      const body = isRecord(mapped.body) ? mapped.body : {};
      const userId = body.errcode === 0 && isRecord(body.result) ? str(body.result.userid) : null;
      if (!userId) return { ok: false, reason: `dingtalk getbyunionid: ${mapped.text.slice(0, 200)}` };
      return { ok: true, accountId: userId };
    },
  };
}

/**
 * The login to use for a page: the one asked for (`?via=`), else the app the browser is in, else the only one
 * configured; null when the person must choose.
 */
export function chooseProvider(providers: ReadonlyMap<WebPlatform, IdentityProvider>, asked: string | undefined, userAgent: string | undefined): WebPlatform | null {
  if (asked && providers.has(asked)) return asked;
  const detected = userAgent ? [...providers.values()].find((p) => p.userAgent.test(userAgent)) : undefined;
  if (detected) return detected.platform;
  return providers.size === 1 ? [...providers.keys()][0] : null;
}
