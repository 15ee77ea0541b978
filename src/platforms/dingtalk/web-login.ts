/**
 * DingTalk's web login: login.dingtalk.com/oauth2/auth → POST /v1.0/oauth2/userAccessToken → GET
 * /v1.0/contact/users/me → `unionId`. The robot knows people by their staff id (senderStaffId, the userid), so the
 * unionId is mapped with POST oapi /topapi/user/getbyunionid (app access token; needs the 通讯录 read permission) →
 * `result.userid`. Every base URL comes from the settings so tests point them at fakes. Never throws: a failure is
 * a reason string.
 */
import { scanText } from '../../bot/i18n/zh-CN.scan.js';
import type { IdentityProvider } from '../../websignin/identity.js';
import { isRecord, postJson } from './http.js';
import { DingtalkApi } from './openapi.js';
import { TIMEOUT_MS, getJson, str, trim } from '../web-login.js';

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

