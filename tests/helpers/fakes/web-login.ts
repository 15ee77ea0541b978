/**
 * The platforms' web login (OAuth authorization code), faked for scan-to-sign-in tests. Installed into the fake
 * Feishu and fake DingTalk servers, so one fake per platform answers both its OpenAPI and its login pages
 * (FEISHU_ACCOUNTS_BASE_URL / DINGTALK_LOGIN_BASE_URL / DINGTALK_OAPI_BASE_URL point at the same fake):
 *
 * - Feishu: GET /open-apis/authen/v1/authorize (passes at once, as inside the Feishu app) → 302 to redirect_uri
 *   with ?code&state; POST /open-apis/authen/v2/oauth/token {grant_type, client_id, client_secret, code,
 *   redirect_uri} → {code: 0, access_token, expires_in, token_type}; GET /open-apis/authen/v1/user_info (Bearer)
 *   → {code: 0, data: {open_id, union_id, name}}.
 * - DingTalk: GET /oauth2/auth → 302 with ?authCode&state; POST /v1.0/oauth2/userAccessToken {clientId,
 *   clientSecret, code, grantType} → {accessToken, refreshToken, expireIn}; GET /v1.0/contact/users/me
 *   (x-acs-dingtalk-access-token) → {nick, unionId, openId}; POST /topapi/user/getbyunionid?access_token
 *   {unionid} → {errcode: 0, result: {contact_type: 0, userid}}.
 *
 * `user` is whoever is "logged in" to the platform app on the phone; codes are single use.
 */
import { randomBytes } from 'node:crypto';

export interface LoginRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export interface LoginResponse {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface WebUser {
  /** Feishu open_id, or DingTalk userid (staff id). */
  id: string;
  /** DingTalk unionId (Feishu: derived). */
  unionId?: string;
  name?: string;
}

const token = (p: string) => `${p}-${randomBytes(10).toString('hex')}`;

export class FakeWebLogin {
  /** Who the phone's app is logged in as; null: the person refuses the login. */
  user: WebUser | null = null;
  readonly authorizeRequests: LoginRequest[] = [];
  /** Runs when the authorize page is shown (a test moves the clock: the person lingers there). */
  onAuthorize: (() => void) | null = null;
  /** Codes that come back from the authorize page: exchanged once. */
  private readonly codes = new Map<string, { user: WebUser; redirectUri: string }>();
  private readonly tokens = new Map<string, WebUser>();

  constructor(
    readonly platform: 'feishu' | 'dingtalk',
    private readonly clientId: string,
    private readonly clientSecret: string,
    /** DingTalk: is this app token valid (the fake's own token store)? */
    private readonly appTokenValid: (t: string) => boolean = () => true,
  ) {}

  route(r: LoginRequest): LoginResponse | null {
    return this.platform === 'feishu' ? this.feishu(r) : this.dingtalk(r);
  }

  private authorize(r: LoginRequest, codeParam: string): LoginResponse {
    this.authorizeRequests.push(r);
    this.onAuthorize?.();
    const { client_id, redirect_uri, state } = r.query;
    if (client_id !== this.clientId || !redirect_uri) return { status: 400, body: { error: 'invalid_client' } };
    const back = new URL(redirect_uri);
    if (this.user) {
      const code = token('code');
      this.codes.set(code, { user: this.user, redirectUri: redirect_uri });
      back.searchParams.set(codeParam, code);
    } else back.searchParams.set('error', 'access_denied');
    if (state !== undefined) back.searchParams.set('state', state);
    return { status: 302, body: {}, headers: { location: back.toString() } };
  }

  private feishu(r: LoginRequest): LoginResponse | null {
    if (r.method === 'GET' && r.path === '/open-apis/authen/v1/authorize') return this.authorize(r, 'code');
    if (r.method === 'POST' && r.path === '/open-apis/authen/v2/oauth/token') {
      const b = r.body ?? {};
      if (b.grant_type !== 'authorization_code' || b.client_id !== this.clientId || b.client_secret !== this.clientSecret) {
        return { status: 400, body: { code: 20002, error: 'invalid_client', error_description: 'client authentication failed' } };
      }
      const grant = this.codes.get(b.code);
      this.codes.delete(b.code);
      if (!grant || grant.redirectUri !== b.redirect_uri) return { status: 400, body: { code: 20003, error: 'invalid_grant', error_description: 'code is invalid or used' } };
      const access = token('u');
      this.tokens.set(access, grant.user);
      return { status: 200, body: { code: 0, access_token: access, expires_in: 7200, token_type: 'Bearer', scope: '' } };
    }
    if (r.method === 'GET' && r.path === '/open-apis/authen/v1/user_info') {
      const auth = String(r.headers.authorization ?? '');
      const user = this.tokens.get(auth.replace(/^Bearer /, ''));
      if (!user) return { status: 401, body: { code: 99991668, msg: 'Invalid access token for authorization.' } };
      return { status: 200, body: { code: 0, msg: 'success', data: { open_id: user.id, union_id: user.unionId ?? `on_${user.id}`, name: user.name ?? '' } } };
    }
    return null;
  }

  private dingtalk(r: LoginRequest): LoginResponse | null {
    if (r.method === 'GET' && r.path === '/oauth2/auth') {
      if (r.query.response_type !== 'code' || r.query.scope !== 'openid') return { status: 400, body: { error: 'invalid_request' } };
      return this.authorize(r, 'authCode');
    }
    if (r.method === 'POST' && r.path === '/v1.0/oauth2/userAccessToken') {
      const b = r.body ?? {};
      if (b.clientId !== this.clientId || b.clientSecret !== this.clientSecret || b.grantType !== 'authorization_code') {
        return { status: 400, body: { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' } };
      }
      const grant = this.codes.get(b.code);
      this.codes.delete(b.code);
      if (!grant) return { status: 400, body: { code: 'invalidAuthCode', message: '不合法的临时授权码' } };
      const access = token('ua');
      this.tokens.set(access, grant.user);
      return { status: 200, body: { accessToken: access, refreshToken: token('r'), expireIn: 7200 } };
    }
    if (r.method === 'GET' && r.path === '/v1.0/contact/users/me') {
      const user = this.tokens.get(String(r.headers['x-acs-dingtalk-access-token'] ?? ''));
      if (!user) return { status: 401, body: { code: 'InvalidAuthentication', message: '不合法的access_token' } };
      return { status: 200, body: { nick: user.name ?? '', unionId: user.unionId, openId: `open-${user.unionId}`, stateCode: '86' } };
    }
    if (r.method === 'POST' && r.path === '/topapi/user/getbyunionid') {
      if (!this.appTokenValid(r.query.access_token ?? '')) return { status: 200, body: { errcode: 40014, errmsg: '不合法的access_token' } };
      const users = [...this.tokens.values(), ...[...this.codes.values()].map((c) => c.user)];
      const user = users.find((u) => u.unionId === r.body?.unionid);
      if (!user) return { status: 200, body: { errcode: 60121, errmsg: '找不到该用户' } };
      return { status: 200, body: { errcode: 0, errmsg: 'ok', result: { contact_type: 0, userid: user.id }, request_id: 'R-u' } };
    }
    return null;
  }
}
