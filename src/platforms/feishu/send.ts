import { Client, defaultHttpInstance, type Cache, type HttpInstance, type Logger as SdkLogger } from '@larksuiteoapi/node-sdk';
import type { FeishuSettings } from './settings.js';
import type { Logger } from '../../logger.js';
import type { OutboxMessage } from '../../outbox/outbox.js';
import type { Limit } from '../../outbox/rate-limit.js';
import type { SendResult, Sender } from '../../outbox/sender.js';
import { createReadStream } from 'node:fs';
import { attachmentPath, readAttachment } from '../../outbox/attachments.js';
import { renderReply } from './cards.js';

/** Rate-limit keys. The app key is what a 429 pauses: every Feishu send carries it. */
export const APP_LIMIT_KEY = 'feishu:app';
/**
 * Exact windows, as Feishu counts them, with every call counted at its answer: Feishu counted it on arrival,
 * which is before the answer, so our window never reopens before Feishu's, however long a busy event loop
 * stretched the round trip. What that costs is the round trip once per window, not a fixed margin. A call that
 * still lands over a limit is answered 429 with `x-ogw-ratelimit-reset`, and the app waits exactly that.
 * (A 1.2 s window used to stand in for this: it gave away a sixth of the rate on every broadcast.)
 */
const SECOND = 1000;
const MINUTE = 60_000;

/** Documented IM limits: 50/s and 1000/min per app; 5/s per receiving user; 5/s per group (shared by every bot in it). */
export function feishuLimits(message: Pick<OutboxMessage, 'target'>): Limit[] {
  // `lanes`: which outbox lanes each limit governs whole (the app's: every Feishu lane; a user's: that user's).
  const limits: Limit[] = [
    { key: APP_LIMIT_KEY, limit: 50, windowMs: SECOND, countAtAnswer: true, lanes: 'feishu:', shared: true },
    { key: `${APP_LIMIT_KEY}:minute`, limit: 1000, windowMs: MINUTE, countAtAnswer: true, lanes: 'feishu:', shared: true },
  ];
  const t = message.target;
  if (t.type === 'user') limits.push({ key: `feishu:user:${t.accountId}`, limit: 5, windowMs: SECOND, countAtAnswer: true, lanes: `feishu:user:${t.accountId}` });
  else limits.push({ key: `feishu:chat:${t.chatId}`, limit: 5, windowMs: SECOND, countAtAnswer: true, lanes: `feishu:chat:${t.chatId}` });
  return limits;
}

const RATE_LIMITED = 99991400;
const IM_RATE_LIMITED = 230020;
/** Missing / invalid / expired tenant token: drop the cached one and try again with a fresh one. */
const TOKEN_CODES = new Set([99991661, 99991663, 99991668]);

/** What we could read from a failed call: the SDK rejects with an axios error on every non-2xx. */
export interface FailedCall {
  status?: number;
  code?: number;
  msg?: string;
  headers?: Record<string, unknown>;
  attachment?: boolean;
}

/** The row's file is missing or altered on disk: no retry can help. */
class AttachmentError extends Error {}

export function failureOf(error: unknown): FailedCall {
  if (error instanceof AttachmentError) return { msg: error.message, attachment: true };
  const e = error as { response?: { status?: number; data?: { code?: unknown; msg?: unknown }; headers?: Record<string, unknown> }; message?: string };
  const data = e?.response?.data;
  return {
    status: e?.response?.status,
    code: typeof data?.code === 'number' ? data.code : undefined,
    msg: typeof data?.msg === 'string' ? data.msg : e?.message,
    headers: e?.response?.headers,
  };
}

/** Maps a failed call to retry-or-not. Permanent IM errors (bot not in chat, outside availability, too long) are never retried. */
export function classifyFailure(f: FailedCall): SendResult & { status: 'retry' | 'failed' } {
  const error = `feishu${f.status ? ` HTTP ${f.status}` : ''}${f.code !== undefined ? ` code ${f.code}` : ''}: ${f.msg ?? 'no response'}`;
  if (f.status === 429 || f.code === RATE_LIMITED) {
    const reset = Number(f.headers?.['x-ogw-ratelimit-reset']);
    const retryAfterMs = Number.isFinite(reset) && reset > 0 ? Math.ceil(reset * 1000) : 1000;
    return { status: 'retry', error, retryAfterMs, pauseKey: APP_LIMIT_KEY };
  }
  if (f.code === IM_RATE_LIMITED) return { status: 'retry', error };
  if (f.code !== undefined && TOKEN_CODES.has(f.code)) return { status: 'retry', error };
  // No response (network, timeout, token fetch failed) or a server error: transient.
  if (f.status === undefined || f.status >= 500) return { status: 'retry', error };
  return { status: 'failed', error };
}

const TOKEN_ERROR = 'cannot get a Feishu tenant token (check FEISHU_APP_ID, FEISHU_APP_SECRET, FEISHU_BASE_URL)';
const noop = () => undefined;
const SILENT: SdkLogger = { error: noop, warn: noop, info: noop, debug: noop, trace: noop };

/** A token cache for one sender: the SDK's default cache is process-wide, keyed by app id only. */
class TokenCache implements Cache {
  private readonly values = new Map<string, { value: unknown; expiresAt?: number }>();
  async get(key: string | Symbol, options?: { namespace?: string }) {
    const hit = this.values.get(`${options?.namespace ?? ''}/${String(key)}`);
    return hit && (!hit.expiresAt || hit.expiresAt > Date.now()) ? hit.value : undefined;
  }
  async set(key: string | Symbol, value: unknown, expiresAt?: number, options?: { namespace?: string }) {
    this.values.set(`${options?.namespace ?? ''}/${String(key)}`, { value, expiresAt });
    return true;
  }
  clear(): void {
    this.values.clear();
  }
}

/** The SDK's axios instance (it unwraps response bodies) with a timeout, which axios lacks by default. */
function withTimeout(base: HttpInstance, timeoutMs: number): HttpInstance {
  const t = <O extends object>(opts?: O) => ({ timeout: timeoutMs, ...opts });
  return {
    request: (opts) => base.request(t(opts)),
    get: (url, opts) => base.get(url, t(opts)),
    delete: (url, opts) => base.delete(url, t(opts)),
    head: (url, opts) => base.head(url, t(opts)),
    options: (url, opts) => base.options(url, t(opts)),
    post: (url, data, opts) => base.post(url, data, t(opts)),
    put: (url, data, opts) => base.put(url, data, t(opts)),
    patch: (url, data, opts) => base.patch(url, data, t(opts)),
  };
}

export interface FeishuSenderOptions {
  settings: Pick<FeishuSettings, 'appId' | 'appSecret' | 'baseUrl'>;
  logger: Logger;
  timeoutMs?: number;
  /** Where reply attachments are stored (src/outbox/attachments.ts). */
  filesDir?: string;
}

/** Sends outbox messages through the OpenAPI: reply in thread, or create to a user (open_id) or chat (chat_id). */
export class FeishuSender implements Sender {
  readonly platform = 'feishu';
  readonly client: Client;
  private readonly cache = new TokenCache();
  private tokenFetch: Promise<unknown> | null = null;

  constructor(private readonly options: FeishuSenderOptions) {
    const { settings } = options;
    this.client = new Client({
      appId: settings.appId!,
      appSecret: settings.appSecret!,
      domain: settings.baseUrl.replace(/\/+$/, ''),
      cache: this.cache,
      httpInstance: withTimeout(defaultHttpInstance as unknown as HttpInstance, options.timeoutMs ?? 10_000),
      // The SDK logs whole axios errors (request headers included) on every failure; we log a summary
      // instead. (A silent logger, because loggerLevel fatal is 0 and the SDK reads it as "unset".)
      logger: SILENT,
    });
  }

  /**
   * Fetches the token ahead of the first send: a bad app id or secret shows in the log at start-up, and the
   * first burst of sends goes out when the pacer released it instead of one token round trip later.
   */
  async warmUp(): Promise<void> {
    try {
      await this.warmToken();
    } catch (error) {
      const f = failureOf(error);
      this.options.logger.error({ status: f.status, code: f.code, msg: f.msg }, TOKEN_ERROR);
    }
  }

  /** The tenant token for other OpenAPI calls (the resource download): from the cache, or one shared fetch. */
  async tenantToken(): Promise<string> {
    await this.warmToken();
    return this.client.tokenManager.getTenantAccessToken();
  }

  /** Feishu refused the token (missing, invalid, expired): the next call fetches a new one. */
  dropToken(code: number | undefined): boolean {
    if (code === undefined || !TOKEN_CODES.has(code)) return false;
    this.cache.clear();
    return true;
  }

  limitsFor(message: OutboxMessage): Limit[] {
    return feishuLimits(message);
  }

  async send(message: OutboxMessage): Promise<SendResult> {
    const body = { ...renderReply(message.reply), uuid: message.dedupeToken };
    try {
      await this.warmToken();
    } catch (error) {
      // Bad credentials or an unreachable token endpoint: nothing this message did wrong, so try again later.
      const f = failureOf(error);
      this.options.logger.error({ status: f.status, code: f.code, msg: f.msg }, TOKEN_ERROR);
      return { status: 'retry', error: `feishu token: ${f.msg ?? 'no response'}` };
    }
    try {
      const res = await this.deliver(message, message.reply.file ? await this.fileBody(message) : body);
      // Feishu reports most failures with a non-2xx status, but a 200 with a non-zero code is still a failure.
      if (res?.code !== undefined && res.code !== 0) return this.failed(message, { status: 200, code: res.code, msg: res.msg });
      return { status: 'sent', platformMessageId: res?.data?.message_id };
    } catch (error) {
      return this.failed(message, failureOf(error));
    }
  }

  /**
   * A file row (the bot puts each file in a row of its own): upload, then a `file` message under the row's
   * uuid. A retry uploads again, which only leaves an unused file_key behind; the message itself is de-duplicated.
   */
  private async fileBody(message: OutboxMessage) {
    const file = message.reply.file!;
    if (!this.options.filesDir) throw new AttachmentError('no files folder configured for attachments');
    try {
      readAttachment(this.options.filesDir, file);
    } catch (error) {
      throw new AttachmentError(`attachment unreadable: ${String(error)}`);
    }
    // A stream, not a Buffer: the SDK sends a Buffer as a plain form field, a stream as a file part (what Feishu reads).
    const stream = createReadStream(attachmentPath(this.options.filesDir, file));
    const upload = await this.client.im.file.create({ data: { file_type: file.mime === 'application/pdf' ? 'pdf' : 'stream', file_name: file.name, file: stream } });
    if (!upload?.file_key) throw new Error('file upload returned no file_key');
    return { msg_type: 'file', content: JSON.stringify({ file_key: upload.file_key }), uuid: message.dedupeToken };
  }

  /** One message to the row's target: in reply, or created to a user (open_id) or chat (chat_id). */
  private deliver(message: OutboxMessage, body: { msg_type: string; content: string; uuid: string }) {
    const t = message.target;
    return t.type === 'reply'
      ? this.client.im.message.reply({ path: { message_id: t.messageId }, data: body })
      : this.client.im.message.create({
          params: { receive_id_type: t.type === 'user' ? 'open_id' : 'chat_id' },
          data: { ...body, receive_id: t.type === 'user' ? t.accountId : t.chatId },
        });
  }

  private failed(message: OutboxMessage, failure: FailedCall): SendResult {
    if (failure.attachment) return { status: 'failed', error: `feishu: ${failure.msg}` };
    if (failure.code !== undefined && TOKEN_CODES.has(failure.code)) this.cache.clear();
    const result = classifyFailure(failure);
    this.options.logger[result.status === 'failed' ? 'warn' : 'info'](
      { outboxId: message.id, target: message.target.type, status: failure.status, code: failure.code, result: result.status },
      'feishu send failed',
    );
    return result;
  }

  /**
   * The SDK fetches a token whenever its cache is empty, so a burst of first sends would each fetch one.
   * One shared fetch fills the cache; the SDK then reads it from there until 3 minutes before expiry.
   */
  private warmToken(): Promise<unknown> {
    this.tokenFetch ??= this.client.tokenManager.getTenantAccessToken().finally(() => {
      this.tokenFetch = null;
    });
    return this.tokenFetch;
  }
}
