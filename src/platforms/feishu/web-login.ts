/**
 * Feishu's web login: accounts.feishu.cn/open-apis/authen/v1/authorize → POST /open-apis/authen/v2/oauth/token →
 * GET /open-apis/authen/v1/user_info → `open_id` (what the bot's events carry as the sender). Every base URL comes
 * from the settings so tests point them at fakes. Never throws: a failure is a reason string.
 */
import { scanText } from '../../bot/i18n/zh-CN.scan.js';
import type { IdentityProvider } from '../../websignin/identity.js';
import { isRecord, postJson } from '../dingtalk/http.js';
import { TIMEOUT_MS, getJson, str, trim } from '../web-login.js';

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

