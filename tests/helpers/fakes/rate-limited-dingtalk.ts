import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLIENT_ID, CLIENT_SECRET } from './dingtalk-sign.js';
import { closeServer, deliveryTotals, readJsonBody } from './fake-server.js';
import { prng, SlidingWindow } from './rate-limited-platform.js';

/**
 * A fake DingTalk OpenAPI (token + one-to-one batchSend) that enforces DingTalk's limits as a client meets
 * them: 20 calls per second per API (sliding window; over it: HTTP 403 Forbidden.AccessDenied.QpsLimitForAppkeyAndApi,
 * no reset header, as DingTalk answers) and ≤ 20 userIds per batchSend (more: 400). A share of admitted calls
 * fails with a 500/503 before delivering anything. It counts what people would see: deliveries per user.
 *
 * `latency` places each call anywhere in its round trip, as a real network and gateway may: it waits before the
 * call is counted (the request still on its way) and after (the answer on its way back). A client cannot see
 * where in between the platform counted its call.
 */
export interface RateLimitedDingtalkOptions {
  perSecond?: number;
  transientFailureRate?: number;
  seed?: number;
  /** For the n-th batchSend call (from 1): ms before it is counted, and ms from then until it is answered. */
  latency?: (call: number) => { beforeCount?: number; beforeAnswer?: number };
}

export interface DingtalkStats {
  requests: number;
  /** Calls inside the QPS limit (they count toward it, whether they then failed or not). */
  admitted: number;
  rateLimited: number;
  transientFailures: number;
  /** Admitted calls that delivered to at least one user who had not had the message. */
  deliveringCalls: number;
  /** userIds per admitted, successful call. */
  batchSizes: number[];
  uniqueDeliveries: number;
  receivers: number;
  receiversWithDuplicates: number;
  maxInAnySecondWindow: number;
  firstAdmittedAt: number | null;
  lastAdmittedAt: number | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RateLimitedDingtalk {
  readonly deliveries = new Map<string, number>();
  private readonly tokens = new Set<string>();
  private readonly window: SlidingWindow;
  private readonly random: () => number;
  private readonly counts = { requests: 0, admitted: 0, rateLimited: 0, transientFailures: 0, deliveringCalls: 0 };
  private readonly batchSizes: number[] = [];
  private firstAdmittedAt: number | null = null;
  private lastAdmittedAt: number | null = null;

  private constructor(private readonly server: Server, readonly url: string, private readonly options: RateLimitedDingtalkOptions) {
    this.window = new SlidingWindow(options.perSecond ?? 20, 1000);
    this.random = prng(options.seed ?? 11);
  }

  static async start(options: RateLimitedDingtalkOptions = {}): Promise<RateLimitedDingtalk> {
    let fake!: RateLimitedDingtalk;
    const server = createServer((req, res) => void fake.handle(req, res));
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake = new RateLimitedDingtalk(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, options);
    return fake;
  }

  stats(): DingtalkStats {
    const { unique, receiversWithDuplicates } = deliveryTotals(this.deliveries);
    return {
      ...this.counts,
      batchSizes: this.batchSizes,
      uniqueDeliveries: unique,
      receivers: this.deliveries.size,
      receiversWithDuplicates,
      maxInAnySecondWindow: this.window.max,
      firstAdmittedAt: this.firstAdmittedAt,
      lastAdmittedAt: this.lastAdmittedAt,
    };
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req);
    let json = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const path = new URL(req.url ?? '/', this.url).pathname;
    if (req.method === 'GET' && path === '/__stats') return json(200, this.stats());
    if (path === '/v1.0/oauth2/accessToken') {
      if (body?.appKey !== CLIENT_ID || body?.appSecret !== CLIENT_SECRET) return json(400, { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' });
      const accessToken = randomBytes(16).toString('hex');
      this.tokens.add(accessToken);
      return json(200, { accessToken, expireIn: 7200 });
    }
    if (path !== '/v1.0/robot/oToMessages/batchSend') return json(404, { code: 'InvalidAction.NotFound', message: `no such API ${path}` });
    const call = ++this.counts.requests;
    const token = req.headers['x-acs-dingtalk-access-token'];
    if (typeof token !== 'string' || !this.tokens.has(token)) return json(401, { code: 'InvalidAuthentication', message: '不合法的access_token' });
    const latency = this.options.latency?.(call) ?? {};
    if (latency.beforeCount) await sleep(latency.beforeCount);
    if (latency.beforeAnswer) {
      const answer = json;
      json = (status, payload) => void sleep(latency.beforeAnswer!).then(() => answer(status, payload));
    }
    const now = performance.now();
    if (this.window.waitMs(now) > 0) {
      this.counts.rateLimited++;
      return json(403, { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: 'The request has been rejected because of the QPS limit of the API.' });
    }
    this.window.take(now);
    this.counts.admitted++;
    this.firstAdmittedAt ??= now;
    this.lastAdmittedAt = now;
    const userIds: unknown = body?.userIds;
    if (!Array.isArray(userIds) || userIds.length === 0 || userIds.length > 20) return json(400, { code: 'param.userIds.invalid', message: 'userIds 数量须在 1 到 20 之间' });
    if (this.random() < (this.options.transientFailureRate ?? 0)) {
      this.counts.transientFailures++;
      return json(this.random() < 0.5 ? 500 : 503, { code: 'ServiceUnavailable', message: 'The request has failed due to a temporary failure of the server.' });
    }
    let fresh = false;
    for (const userId of userIds as string[]) {
      const n = this.deliveries.get(userId) ?? 0;
      if (n === 0) fresh = true;
      this.deliveries.set(userId, n + 1);
    }
    if (fresh) this.counts.deliveringCalls++;
    this.batchSizes.push(userIds.length);
    return json(200, { processQueryKey: randomBytes(12).toString('base64'), invalidStaffIdList: [], flowControlledStaffIdList: [] });
  }
}
