import { createHash } from 'node:crypto';
import type { Reply, Target } from '../../core/messages.js';
import { systemClock, type Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import type { OutboxMessage } from '../../outbox/outbox.js';
import type { Limit } from '../../outbox/rate-limit.js';
import type { SendResult, Sender } from '../../outbox/sender.js';
import { DEFAULT_TIMEOUT_MS, isRecord, postJson } from './http.js';
import { robotMessage, webhookBody } from './markdown.js';
import { readAttachment } from '../../outbox/attachments.js';
import { MAX_BATCH_USERS, isTokenRejection, type ApiResult, type DingtalkApi, type RobotMessage } from './openapi.js';

/** Rate-limit keys: a 403 QPS answer pauses the API's key for every message that uses that API. */
export const LIMIT_KEYS = {
  oto: 'dingtalk:api:oto',
  group: 'dingtalk:api:group',
  webhook: (conversationId: string) => `dingtalk:webhook:${conversationId}`,
} as const;

/**
 * 20 QPS per app per API; a session webhook, like a group robot webhook, takes about 20 messages a minute. Exact
 * windows, each call counted at its answer (after DingTalk counted it): a QPS refusal costs a whole second.
 */
const API_LIMIT = { limit: 20, windowMs: 1000, countAtAnswer: true, shared: true };
// Per conversation, so not shared: one instance at a time sends on a lane (outbox claims).
const WEBHOOK_LIMIT = { limit: 20, windowMs: 60_000, countAtAnswer: true };

const QPS_CODE = /QpsLimit|Throttl|FlowControl|RateLimit/i;

type Route =
  | { kind: 'webhook'; url: string; conversationId: string }
  | { kind: 'oto'; userId: string }
  | { kind: 'group'; openConversationId: string }
  | { kind: 'none'; error: string };

export interface DingtalkSenderOptions {
  /** Where reply attachments are stored (src/outbox/attachments.ts). */
  filesDir?: string;
  api: DingtalkApi;
  robotCode: string;
  logger: Logger;
  /** Real time: session webhooks expire by DingTalk's clock, not the (possibly pinned) business clock. */
  platformClock?: Clock;
  timeoutMs?: number;
  /** Wait after a QPS or flow-control answer; DingTalk asks for about a second. */
  throttleRetryMs?: number;
  /** Calls a second per app and API: DingTalk's default is 20; an app DingTalk granted more may set its figure. */
  apiQps?: number;
  /** A webhook this close to expiry is treated as expired, so the POST does not race the deadline. */
  webhookMarginMs?: number;
  /**
   * Which session-webhook URLs we may POST to. DingTalk signs only the timestamp, not the body, so a replayed
   * signature could carry any URL; we only post replies to DingTalk's own hosts. Default: trustedWebhook().
   */
  isTrustedWebhook?: (url: URL) => boolean;
  fetch?: typeof fetch;
}

/**
 * Sends outbox messages: in place through the message's session webhook while it lives, else through the
 * OpenAPI (one-to-one batchSend to the user, or groupMessages/send to the group). Never throws.
 */
export class DingtalkSender implements Sender {
  readonly platform = 'dingtalk';
  /** One-to-one messages with the same content go to up to 20 users in one batchSend call. */
  readonly maxBatch = MAX_BATCH_USERS;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly apiLimit: typeof API_LIMIT;

  constructor(private readonly options: DingtalkSenderOptions) {
    this.clock = options.platformClock ?? systemClock;
    this.log = options.logger;
    this.apiLimit = { ...API_LIMIT, limit: options.apiQps ?? API_LIMIT.limit };
  }

  limitsFor(message: OutboxMessage): Limit[] {
    const route = message.reply.file ? this.apiRouteOf(message.target) : this.routeOf(message.target);
    switch (route.kind) {
      case 'webhook':
        return [{ key: LIMIT_KEYS.webhook(route.conversationId), ...WEBHOOK_LIMIT }];
      case 'oto':
        // Every row to a user (lane dingtalk:user:…) goes one-to-one; replies in a direct chat may too, but not always.
        return [{ key: LIMIT_KEYS.oto, ...this.apiLimit, ...(message.target.type === 'user' ? { lanes: 'dingtalk:user:' } : {}) }];
      case 'group':
        return [{ key: LIMIT_KEYS.group, ...this.apiLimit }];
      case 'none':
        return [];
    }
  }

  async send(message: OutboxMessage): Promise<SendResult> {
    try {
      const result = await this.deliver(message);
      if (result.status !== 'sent') {
        this.log[result.status === 'failed' ? 'warn' : 'info'](
          { outboxId: message.id, target: message.target.type, result: result.status, error: result.error },
          'dingtalk send failed',
        );
      }
      return result;
    } catch (error) {
      return { status: 'retry', error: `dingtalk: ${String(error)}` };
    }
  }

  /** Direct messages to users (the OpenAPI's one-to-one route) batch by content; replies and group messages do not. */
  batchKeyOf(message: OutboxMessage): string | null {
    if (message.target.type !== 'user' || message.reply.file) return null;
    return `oto:${createHash('sha256').update(JSON.stringify(message.reply)).digest('base64')}`;
  }

  /** Messages with one batch key: one batchSend to all their users, one result each. Never throws. */
  async sendBatch(messages: readonly OutboxMessage[]): Promise<SendResult[]> {
    const userIds = messages.map((m) => (m.target.type === 'user' ? m.target.accountId : ''));
    if (userIds.some((u) => !u) || new Set(userIds).size !== userIds.length) {
      return messages.map(() => ({ status: 'failed', error: 'dingtalk: a batch must name distinct users' }));
    }
    try {
      const result = await this.options.api.batchSend(this.options.robotCode, userIds, robotMessage(messages[0].reply));
      if (!result.ok) {
        const verdict = this.classify(result, LIMIT_KEYS.oto);
        this.log[verdict.status === 'failed' ? 'warn' : 'info']({ users: userIds.length, result: verdict.status, error: verdict.error }, 'dingtalk batchSend failed');
        return messages.map(() => verdict);
      }
      const invalid = new Set(result.data.invalidStaffIdList);
      const throttled = new Set(result.data.flowControlledStaffIdList);
      return userIds.map((userId): SendResult => {
        if (invalid.has(userId)) return { status: 'failed', error: `dingtalk: invalid staff id ${userId}` };
        if (throttled.has(userId)) return { status: 'retry', error: `dingtalk: user ${userId} is flow-controlled`, retryAfterMs: this.throttleMs };
        return { status: 'sent', platformMessageId: result.data.processQueryKey };
      });
    } catch (error) {
      return messages.map(() => ({ status: 'retry', error: `dingtalk: ${String(error)}` }));
    }
  }

  /** For broadcasts: the same text to many users, ≤ 20 per call, flow-controlled users retried. */
  batchSendText(userIds: readonly string[], reply: Reply | string, options: Partial<BatchSendOptions> = {}): Promise<BatchOutcome[]> {
    return batchSendText(this.options.api, this.options.robotCode, userIds, reply, {
      retryDelayMs: this.options.throttleRetryMs,
      minIntervalMs: 1000 / this.apiLimit.limit,
      logger: this.log,
      ...options,
    });
  }

  private async deliver(message: OutboxMessage): Promise<SendResult> {
    if (message.reply.file) return this.deliverFile(message);
    const route = this.routeOf(message.target);
    const t = message.target;
    if (t.type === 'reply' && t.sessionWebhook && !this.trusted(t.sessionWebhook)) {
      this.log.warn({ outboxId: message.id, webhook: t.sessionWebhook.slice(0, 100) }, 'session webhook is not a DingTalk URL; replying through the OpenAPI instead');
    }
    if (route.kind !== 'webhook') return this.viaApi(route, message.reply);
    const viaWebhook = await this.viaWebhook(route, message.reply);
    if (viaWebhook !== 'refused') return viaWebhook;
    // The session is gone or refuses us (expired early, throttled): the OpenAPI still reaches the chat.
    return this.viaApi(this.apiRouteOf(message.target), message.reply);
  }

  /**
   * A file row: upload (oapi media), then `sampleFile` through the OpenAPI; a session webhook cannot carry a
   * file. DingTalk sends carry no idempotency key, so the message is the row's one send, as any other row.
   */
  private async deliverFile(message: OutboxMessage): Promise<SendResult> {
    const file = message.reply.file!;
    const route = this.apiRouteOf(message.target);
    if (route.kind === 'none' || route.kind === 'webhook') return { status: 'failed', error: 'dingtalk: no OpenAPI route for a file' };
    if (!this.options.filesDir) return { status: 'failed', error: 'dingtalk: no files folder configured for attachments' };
    let bytes: Buffer;
    try {
      bytes = readAttachment(this.options.filesDir, file);
    } catch (error) {
      return { status: 'failed', error: `dingtalk: attachment unreadable: ${String(error)}` };
    }
    const upload = await this.options.api.uploadMedia(bytes, file.name, file.mime);
    if (!upload.ok) return this.classify(upload, route.kind === 'oto' ? LIMIT_KEYS.oto : LIMIT_KEYS.group);
    const extension = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase() ?? 'file';
    const fileMessage: RobotMessage = { msgKey: 'sampleFile', msgParam: { mediaId: upload.data.mediaId, fileName: file.name, fileType: extension } };
    return this.viaApi(route, message.reply, fileMessage);
  }

  private routeOf(target: Target): Route {
    if (target.type === 'user') return { kind: 'oto', userId: target.accountId };
    if (target.type === 'chat') return { kind: 'group', openConversationId: target.chatId };
    const margin = this.options.webhookMarginMs ?? 10_000;
    // No expiry given: try the webhook anyway; a refusal falls back to the OpenAPI.
    const expiresAt = target.sessionWebhookExpiresAt ?? Infinity;
    const alive = Boolean(target.sessionWebhook) && expiresAt - margin > this.clock.now().getTime();
    if (alive && this.trusted(target.sessionWebhook!)) return { kind: 'webhook', url: target.sessionWebhook!, conversationId: target.chatId };
    return this.apiRouteOf(target);
  }

  private trusted(url: string): boolean {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    return (this.options.isTrustedWebhook ?? trustedWebhook())(parsed);
  }

  private apiRouteOf(target: Target): Route {
    if (target.type !== 'reply') return this.routeOf(target);
    if (target.chatType === 'group') return { kind: 'group', openConversationId: target.chatId };
    if (target.chatType === 'direct' && target.accountId) return { kind: 'oto', userId: target.accountId };
    return { kind: 'none', error: 'session webhook expired and the reply target does not say which chat or user it came from' };
  }

  private async viaWebhook(route: Extract<Route, { kind: 'webhook' }>, reply: Reply): Promise<SendResult | 'refused'> {
    const outcome = await postJson(route.url, webhookBody(reply), { timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS, fetch: this.options.fetch });
    if (outcome.kind === 'network') return { status: 'retry', error: `dingtalk session webhook: ${outcome.error}`, outcomeUnknown: outcome.maybeDelivered };
    const { status, body } = outcome;
    if (status >= 500 || status === 429) return { status: 'retry', error: `dingtalk session webhook HTTP ${status}` };
    const errcode = isRecord(body) ? Number(body.errcode ?? 0) : NaN;
    if (status >= 200 && status < 300 && errcode === 0) return { status: 'sent' };
    this.log.info({ status, errcode, errmsg: isRecord(body) ? body.errmsg : undefined, conversationId: route.conversationId }, 'session webhook refused; falling back to the OpenAPI');
    return 'refused';
  }

  private async viaApi(route: Route, reply: Reply, message: RobotMessage = robotMessage(reply)): Promise<SendResult> {
    const { api, robotCode } = this.options;
    switch (route.kind) {
      case 'none':
        return { status: 'failed', error: `dingtalk: ${route.error}` };
      case 'webhook':
        return { status: 'failed', error: 'dingtalk: no OpenAPI route' };
      case 'group': {
        const result = await api.groupSend(robotCode, route.openConversationId, message);
        if (!result.ok) return this.classify(result, LIMIT_KEYS.group);
        return { status: 'sent', platformMessageId: result.data.processQueryKey };
      }
      case 'oto': {
        const result = await api.batchSend(robotCode, [route.userId], message);
        if (!result.ok) return this.classify(result, LIMIT_KEYS.oto);
        const { invalidStaffIdList, flowControlledStaffIdList, processQueryKey } = result.data;
        // Both lists come back inside a 200: the call "worked" but this user got nothing.
        if (invalidStaffIdList.includes(route.userId)) return { status: 'failed', error: `dingtalk: invalid staff id ${route.userId}` };
        if (flowControlledStaffIdList.includes(route.userId)) {
          return { status: 'retry', error: `dingtalk: user ${route.userId} is flow-controlled`, retryAfterMs: this.throttleMs };
        }
        return { status: 'sent', platformMessageId: processQueryKey };
      }
    }
  }

  private classify(result: Extract<ApiResult<unknown>, { ok: false }>, pauseKey: string): SendResult & { status: 'retry' | 'failed' } {
    const verdict = classifyApiFailure(result, this.throttleMs, pauseKey);
    if (result.stage === 'token') {
      this.log.error({ status: result.status, code: result.code, msg: result.message }, 'cannot get a DingTalk access token (check DINGTALK_CLIENT_ID, DINGTALK_CLIENT_SECRET, DINGTALK_API_BASE_URL)');
    }
    return verdict;
  }

  private get throttleMs(): number {
    return this.options.throttleRetryMs ?? 1000;
  }
}

/** https on DingTalk's domains, or any URL on `extraOrigin` (the configured API base, e.g. a local fake). */
export function trustedWebhook(extraOrigin?: string): (url: URL) => boolean {
  return (url) => (url.protocol === 'https:' && /(^|\.)dingtalk\.(com|io)$/i.test(url.hostname)) || (extraOrigin !== undefined && url.origin === extraOrigin);
}

/** Maps a failed OpenAPI call to retry-or-not. Only rate limits, token trouble and server/network faults are transient. */
export function classifyApiFailure(
  f: { status?: number; code?: string; message: string; stage: 'token' | 'call'; maybeDelivered?: boolean },
  throttleRetryMs: number,
  pauseKey: string,
): SendResult & { status: 'retry' | 'failed' } {
  const error = `dingtalk${f.stage === 'token' ? ' token' : ''}${f.status ? ` HTTP ${f.status}` : ''}${f.code ? ` ${f.code}` : ''}: ${f.message}`;
  if (QPS_CODE.test(f.code ?? '') || f.status === 429) return { status: 'retry', error, retryAfterMs: throttleRetryMs, pauseKey };
  // The message did nothing wrong when the token cannot be had (bad secret, endpoint down): try again later.
  if (f.stage === 'token') return { status: 'retry', error };
  // DingTalk sends carry no idempotency key: a call that timed out or was cut off may have been delivered.
  if (f.status === undefined && f.maybeDelivered) return { status: 'retry', error, outcomeUnknown: true };
  if (f.status === undefined || f.status >= 500 || isTokenRejection(f.status, f.code)) return { status: 'retry', error };
  // 400 (bad robotCode, unknown conversation), 403 other than QPS (missing permission), 404: permanent.
  return { status: 'failed', error };
}

export interface BatchOutcome {
  userId: string;
  status: 'sent' | 'invalid' | 'failed';
  processQueryKey?: string;
  error?: string;
  /** A call to this user timed out or was cut off after it went out and was made again: maybe two copies (可能重复). */
  maybeDuplicate?: boolean;
}

export interface BatchSendOptions {
  /** Rounds for flow-controlled users and transient failures before giving up on them. */
  maxRounds: number;
  retryDelayMs?: number;
  /** Spacing between calls, so one broadcast stays under the 20 QPS per-API limit by itself. */
  minIntervalMs: number;
  logger?: Logger;
  sleep: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The same message to many users by one-to-one batchSend: chunks of ≤ 20, paced, and users that come back
 * flow-controlled (or whose chunk hit a QPS limit or a server fault) tried again in later rounds.
 * Resolves to one outcome per distinct user, in the order given.
 */
export async function batchSendText(
  api: DingtalkApi,
  robotCode: string,
  userIds: readonly string[],
  reply: Reply | string,
  options: Partial<BatchSendOptions> = {},
): Promise<BatchOutcome[]> {
  const o: BatchSendOptions = { maxRounds: 5, minIntervalMs: 1000 / API_LIMIT.limit, sleep, ...options };
  const retryDelayMs = o.retryDelayMs ?? 1000;
  const message = robotMessage(typeof reply === 'string' ? { text: reply } : reply);
  const order = [...new Set(userIds)];
  const outcomes = new Map<string, BatchOutcome>();
  const lastError = new Map<string, string>();
  /** Users whose call may have been delivered already (outcome unknown): sent at most once more. */
  const unknown = new Set<string>();
  let pending = order;
  let lastCallAt = -Infinity;

  for (let round = 0; round < o.maxRounds && pending.length > 0; round++) {
    if (round > 0) await o.sleep(retryDelayMs);
    const again: string[] = [];
    for (let i = 0; i < pending.length; i += MAX_BATCH_USERS) {
      const chunk = pending.slice(i, i + MAX_BATCH_USERS);
      const wait = lastCallAt + o.minIntervalMs - performance.now();
      if (wait > 0) await o.sleep(wait);
      lastCallAt = performance.now();
      const result = await api.batchSend(robotCode, chunk, message);
      if (result.ok) {
        const invalid = new Set(result.data.invalidStaffIdList);
        const throttled = new Set(result.data.flowControlledStaffIdList);
        for (const userId of chunk) {
          if (invalid.has(userId)) outcomes.set(userId, { userId, status: 'invalid', error: 'invalid staff id' });
          else if (throttled.has(userId)) {
            again.push(userId);
            lastError.set(userId, 'flow-controlled');
          } else outcomes.set(userId, { userId, status: 'sent', processQueryKey: result.data.processQueryKey, ...(unknown.has(userId) ? { maybeDuplicate: true } : {}) });
        }
        continue;
      }
      const verdict = classifyApiFailure(result, retryDelayMs, LIMIT_KEYS.oto);
      o.logger?.info({ users: chunk.length, round, result: verdict.status, error: verdict.error }, 'dingtalk batchSend chunk failed');
      for (const userId of chunk) {
        if (verdict.status === 'retry' && verdict.outcomeUnknown && unknown.has(userId)) {
          outcomes.set(userId, { userId, status: 'failed', error: `outcome unknown twice; not sent again: ${verdict.error}`, maybeDuplicate: true });
        } else if (verdict.status === 'retry') {
          if (verdict.outcomeUnknown) unknown.add(userId);
          again.push(userId);
          lastError.set(userId, verdict.error);
        } else outcomes.set(userId, { userId, status: 'failed', error: verdict.error });
      }
      // A QPS answer means every further call this second would be refused too.
      if (verdict.status === 'retry' && verdict.retryAfterMs) await o.sleep(verdict.retryAfterMs);
    }
    pending = again;
  }
  for (const userId of pending) {
    outcomes.set(userId, { userId, status: 'failed', error: `gave up after ${o.maxRounds} rounds: ${lastError.get(userId) ?? 'unknown'}`, ...(unknown.has(userId) ? { maybeDuplicate: true } : {}) });
  }
  return order.map((userId) => outcomes.get(userId)!);
}
