import { z } from 'zod';
import { DEFAULT_TIMEOUT_MS, isRecord, postJson, type HttpOutcome } from './http.js';

/**
 * The slice of the DingTalk OpenAPI (api.dingtalk.com, v1.0) the bot uses: an app access token, one-to-one
 * robot messages and group robot messages. Never throws; every call resolves to an ApiResult the sender classifies.
 */

export const PATHS = {
  token: '/v1.0/oauth2/accessToken',
  batchSend: '/v1.0/robot/oToMessages/batchSend',
  groupSend: '/v1.0/robot/groupMessages/send',
  messageFileDownload: '/v1.0/robot/messageFiles/download',
} as const;

export const TOKEN_HEADER = 'x-acs-dingtalk-access-token';
/** DingTalk's documented cap on userIds per batchSend. */
export const MAX_BATCH_USERS = 20;

export type MsgKey = 'sampleText' | 'sampleMarkdown' | 'sampleFile' | 'sampleActionCard';
export interface RobotMessage {
  msgKey: MsgKey;
  /** The template parameters, e.g. {content} or {title, text}; sent as a JSON string, as the API wants. */
  msgParam: Record<string, string>;
}

export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  | {
      ok: false;
      /** Absent when nothing came back (network, timeout). */
      status?: number;
      code?: string;
      message: string;
      /** Which call failed: the token fetch or the API call itself. */
      stage: 'token' | 'call';
      /** No answer, but the request may have reached DingTalk (a timeout or reset after it was written). */
      maybeDelivered?: boolean;
    };

/** A call that did not succeed. */
type ApiFailed = Extract<ApiResult<never>, { ok: false }>;

const BatchSendResponse = z.object({
  processQueryKey: z.string().optional(),
  invalidStaffIdList: z.array(z.string()).nullish().transform((v) => v ?? []),
  flowControlledStaffIdList: z.array(z.string()).nullish().transform((v) => v ?? []),
});
export type BatchSendResponse = z.infer<typeof BatchSendResponse>;

const GroupSendResponse = z.object({ processQueryKey: z.string().optional() });
export type GroupSendResponse = z.infer<typeof GroupSendResponse>;

const MessageFileResponse = z.object({ downloadUrl: z.url() });
export type MessageFileResponse = z.infer<typeof MessageFileResponse>;

const TokenResponse = z.object({ accessToken: z.string().min(1), expireIn: z.coerce.number().positive() });

export interface DingtalkApiOptions {
  baseUrl: string;
  /** oapi.dingtalk.com (DINGTALK_OAPI_BASE_URL): media upload lives on the old API, with the same app token. */
  oapiBaseUrl?: string;
  appKey: string;
  appSecret: string;
  timeoutMs?: number;
  /** Refresh this long before the token expires, so a call never goes out with a token about to die. */
  refreshMarginMs?: number;
  /** Real time (token lifetimes are real seconds). */
  now?: () => number;
  fetch?: typeof fetch;
}

/** A refused or expired token: fetch a new one and try once more. */
export function isTokenRejection(status: number | undefined, code: string | undefined): boolean {
  return status === 401 || /InvalidAuthentication|token.?(expired|invalid)|invalid.?(access.?)?token/i.test(code ?? '');
}

export class DingtalkApi {
  private token: { value: string; refreshAt: number } | null = null;
  private refreshing: Promise<string> | null = null;
  private readonly base: string;
  private readonly now: () => number;

  constructor(private readonly options: DingtalkApiOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.now = options.now ?? Date.now;
  }

  /** The cached token, or one fetch shared by every caller that needs it now. Throws ApiFailure. */
  async accessToken(): Promise<string> {
    if (this.token && this.now() < this.token.refreshAt) return this.token.value;
    this.refreshing ??= this.fetchToken().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Drops the cached token if it is still the one that was refused (a newer one may already be in place). */
  invalidateToken(value?: string): void {
    if (!value || this.token?.value === value) this.token = null;
  }

  batchSend(robotCode: string, userIds: readonly string[], message: RobotMessage): Promise<ApiResult<BatchSendResponse>> {
    if (userIds.length === 0 || userIds.length > MAX_BATCH_USERS) {
      return Promise.resolve({ ok: false, message: `batchSend takes 1..${MAX_BATCH_USERS} userIds, got ${userIds.length}`, stage: 'call' });
    }
    return this.call(PATHS.batchSend, { robotCode, userIds, msgKey: message.msgKey, msgParam: JSON.stringify(message.msgParam) }, BatchSendResponse);
  }

  groupSend(robotCode: string, openConversationId: string, message: RobotMessage): Promise<ApiResult<GroupSendResponse>> {
    return this.call(PATHS.groupSend, { robotCode, openConversationId, msgKey: message.msgKey, msgParam: JSON.stringify(message.msgParam) }, GroupSendResponse);
  }

  /** A short-lived URL of a file someone sent the robot (the `downloadCode` of a picture/file/richText message). */
  messageFileUrl(robotCode: string, downloadCode: string): Promise<ApiResult<MessageFileResponse>> {
    return this.call(PATHS.messageFileDownload, { downloadCode, robotCode }, MessageFileResponse);
  }

  /**
   * Uploads a file for a `sampleFile` message: `POST {oapi}/media/upload?access_token=…&type=file`, multipart
   * field `media` → `media_id`. Answers in the old API's way: HTTP 200 with `errcode`/`errmsg`.
   */
  async uploadMedia(bytes: Buffer, fileName: string, mime: string): Promise<ApiResult<{ mediaId: string }>> {
    const token = await this.tokenOrFailure();
    if (typeof token !== 'string') return token;
    const base = (this.options.oapiBaseUrl ?? 'https://oapi.dingtalk.com').replace(/\/+$/, '');
    const form = new FormData();
    form.append('media', new Blob([new Uint8Array(bytes)], { type: mime }), fileName);
    let res: Response;
    try {
      res = await (this.options.fetch ?? fetch)(`${base}/media/upload?access_token=${encodeURIComponent(token)}&type=file`, {
        method: 'POST',
        body: form,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      return { ok: false, message: `media upload: ${String(error)}`, stage: 'call' };
    }
    const body: unknown = await res.json().catch(() => null);
    const errcode = isRecord(body) ? Number(body.errcode ?? 0) : NaN;
    const mediaId = isRecord(body) && typeof body.media_id === 'string' ? body.media_id : '';
    if (res.ok && errcode === 0 && mediaId) return { ok: true, status: res.status, data: { mediaId } };
    if (errcode === 40014 || errcode === 42001) this.invalidateToken(token);
    return {
      ok: false,
      status: res.status >= 400 ? res.status : errcode === 40014 || errcode === 42001 ? 401 : res.status >= 500 ? res.status : 400,
      code: Number.isFinite(errcode) ? String(errcode) : undefined,
      message: `media upload: ${isRecord(body) ? String(body.errmsg ?? '') : 'unreadable answer'}`,
      stage: 'call',
    };
  }

  private async call<T>(path: string, body: unknown, schema: z.ZodType<T>): Promise<ApiResult<T>> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.tokenOrFailure();
      if (typeof token !== 'string') return token;
      const outcome = await postJson(this.base + path, body, { headers: { [TOKEN_HEADER]: token }, timeoutMs: this.timeoutMs, fetch: this.options.fetch });
      const result = toResult(outcome, schema);
      if (!result.ok && isTokenRejection(result.status, result.code)) {
        this.invalidateToken(token);
        // A token revoked early (app secret reset) is worth one immediate retry; twice means something else.
        if (attempt === 0) continue;
      }
      return result;
    }
  }

  /** The access token, or the failed result to return when none can be had. */
  private async tokenOrFailure(): Promise<string | ApiFailed> {
    try {
      return await this.accessToken();
    } catch (error) {
      const f = error instanceof ApiFailure ? error : new ApiFailure(String(error));
      return { ok: false, status: f.status, code: f.code, message: f.message, stage: 'token' };
    }
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  private async fetchToken(): Promise<string> {
    const { appKey, appSecret } = this.options;
    const outcome = await postJson(this.base + PATHS.token, { appKey, appSecret }, { timeoutMs: this.timeoutMs, fetch: this.options.fetch });
    const result = toResult(outcome, TokenResponse);
    if (!result.ok) throw new ApiFailure(`access token: ${result.message}`, result.status, result.code);
    const ttlMs = result.data.expireIn * 1000;
    // Never refresh sooner than halfway through the lifetime, even if a short-lived token is handed out.
    const margin = Math.min(this.options.refreshMarginMs ?? 5 * 60_000, ttlMs / 2);
    this.token = { value: result.data.accessToken, refreshAt: this.now() + ttlMs - margin };
    return result.data.accessToken;
  }
}

export class ApiFailure extends Error {
  constructor(message: string, readonly status?: number, readonly code?: string) {
    super(message);
  }
}

/** DingTalk v1.0 errors are non-2xx with `{code, message, requestid}`. */
function toResult<T>(outcome: HttpOutcome, schema: z.ZodType<T>): ApiResult<T> {
  if (outcome.kind === 'network') return { ok: false, message: outcome.error, stage: 'call', maybeDelivered: outcome.maybeDelivered };
  const { status, body, text } = outcome;
  if (status >= 200 && status < 300) {
    const parsed = schema.safeParse(body);
    if (parsed.success) return { ok: true, status, data: parsed.data };
    return { ok: false, status, message: `unexpected response: ${text.slice(0, 200)}`, stage: 'call' };
  }
  const code = isRecord(body) && typeof body.code === 'string' ? body.code : undefined;
  const message = isRecord(body) && typeof body.message === 'string' ? body.message : text.slice(0, 200) || `HTTP ${status}`;
  return { ok: false, status, code, message, stage: 'call' };
}
