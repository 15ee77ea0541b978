import { randomBytes } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OutboxMessage } from '../../../src/outbox/outbox.js';
import type { Limit } from '../../../src/outbox/rate-limit.js';
import { closeServer, deliveryTotals, readJsonBody } from './fake-server.js';
import type { SendResult, Sender } from '../../../src/outbox/sender.js';

/**
 * A fake Feishu OpenAPI (token + im/v1/messages, wire-compatible with the SDK and with FeishuSender) that
 * enforces Feishu's per-app send limits — 50/s AND 1000/min, plus 5/s per receiving user — answering over-limit
 * calls with HTTP 429 {code: 99991400} and `x-ogw-ratelimit-reset`, and that fails a share of calls transiently.
 *
 * - `timeScale` shrinks every window (and the reset header) by that factor so a benchmark of 10,000 sends
 *   finishes in about a minute instead of ten: at scale 10 the limits are 50 per 100 ms and 1000 per 6 s.
 * - Deliveries are de-duplicated by the request's `uuid` as Feishu does: a resend with the same uuid returns
 *   the first message id and is not a second delivery. `uniqueDeliveries` counts what people would see.
 * - Faults: injected ones (`injectNext`) come first, then random transient ones at `transientFailureRate`
 *   (half 500 before delivering, a quarter 503, a quarter "delivered but the answer is malformed", so a resend
 *   must be de-duplicated). A `timeout` fault delivers and then never answers in time; `reset` drops the socket.
 * - `permanent(receiveId)` can refuse a receiver for good (e.g. 230013, outside the app's availability).
 */

export type Fault = '429' | '500' | '502' | '503' | 'timeout' | 'malformed' | 'reset';

export interface RateLimitedPlatformOptions {
  perSecond?: number;
  perMinute?: number;
  perUserPerSecond?: number;
  timeScale?: number;
  transientFailureRate?: number;
  seed?: number;
  /** Time between delivering a send and answering it (ms, real). */
  latencyMs?: number;
  /** How long a `timeout` fault holds the request before dropping it (ms, real). */
  hangMs?: number;
  permanent?: (receiveId: string) => { code: number; msg: string } | null;
}

export interface PlatformStats {
  requests: number;
  /** Calls inside the limits (these count toward the limits, whether they then failed or not). */
  admitted: number;
  rateLimited: number;
  transientFailures: number;
  permanentFailures: number;
  /** Sends whose uuid had been delivered already. */
  duplicatesDropped: number;
  uniqueDeliveries: number;
  /** Receivers that got more than one distinct delivery (must stay 0). */
  receiversWithDuplicates: number;
  maxInAnySecondWindow: number;
  maxInAnyMinuteWindow: number;
}

/** Small deterministic PRNG (mulberry32) so a failure pattern can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SlidingWindow {
  private readonly log: number[] = [];
  private head = 0;
  max = 0;
  constructor(readonly limit: number, readonly windowMs: number) {}
  private trim(now: number): void {
    while (this.head < this.log.length && this.log[this.head] <= now - this.windowMs) this.head++;
    if (this.head > 4096) {
      this.log.splice(0, this.head);
      this.head = 0;
    }
  }
  /** ms until a slot frees, or 0 if one is free now. */
  waitMs(now: number): number {
    this.trim(now);
    const count = this.log.length - this.head;
    return count < this.limit ? 0 : this.log[this.log.length - this.limit] + this.windowMs - now;
  }
  take(now: number): void {
    this.log.push(now);
    this.max = Math.max(this.max, this.log.length - this.head);
  }
}

export class RateLimitedPlatform {
  readonly token = `t-${randomBytes(12).toString('hex')}`;
  readonly perSecond: number;
  readonly perMinute: number;
  readonly timeScale: number;
  /** Unique deliveries per receive_id. */
  readonly deliveries = new Map<string, number>();
  /** Delivered contents per receive_id (texts, in order). */
  readonly contents = new Map<string, string[]>();
  private readonly stats0: Omit<PlatformStats, 'uniqueDeliveries' | 'receiversWithDuplicates' | 'maxInAnySecondWindow' | 'maxInAnyMinuteWindow'> = {
    requests: 0,
    admitted: 0,
    rateLimited: 0,
    transientFailures: 0,
    permanentFailures: 0,
    duplicatesDropped: 0,
  };
  private readonly byUuid = new Map<string, string>();
  private readonly injected: Fault[] = [];
  private readonly second: SlidingWindow;
  private readonly minute: SlidingWindow;
  private readonly perUser = new Map<string, SlidingWindow>();
  private readonly random: () => number;
  private seq = 0;
  /** Sends delivered whose answer is still on its way (see `latencyMs`). */
  answering = 0;
  /** receive_ids in delivery order. */
  readonly order: string[] = [];
  /** Which limit answered the 429s. */
  readonly limitedBy = { second: 0, minute: 0, user: 0 };
  /** performance.now() of every admitted call (for timing analysis). */
  readonly admittedAt: number[] = [];
  firstCallAt: number | null = null;
  firstAdmittedAt: number | null = null;
  lastAdmittedAt: number | null = null;

  private constructor(private readonly server: Server, readonly url: string, private readonly options: RateLimitedPlatformOptions) {
    this.timeScale = options.timeScale ?? 1;
    this.perSecond = options.perSecond ?? 50;
    this.perMinute = options.perMinute ?? 1000;
    this.second = new SlidingWindow(this.perSecond, 1000 / this.timeScale);
    this.minute = new SlidingWindow(this.perMinute, 60_000 / this.timeScale);
    this.random = prng(options.seed ?? 42);
  }

  static async start(options: RateLimitedPlatformOptions = {}, port = 0): Promise<RateLimitedPlatform> {
    let fake!: RateLimitedPlatform;
    const server = createServer((req, res) => void fake.handle(req, res));
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const address = server.address() as AddressInfo;
    fake = new RateLimitedPlatform(server, `http://127.0.0.1:${address.port}`, options);
    return fake;
  }

  /** The next admitted send calls get these faults, in order. */
  injectNext(...faults: Fault[]): void {
    this.injected.push(...faults);
  }

  stats(): PlatformStats {
    const { unique, receiversWithDuplicates } = deliveryTotals(this.deliveries);
    return {
      ...this.stats0,
      uniqueDeliveries: unique,
      receiversWithDuplicates,
      maxInAnySecondWindow: this.second.max,
      maxInAnyMinuteWindow: this.minute.max,
    };
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req);
    const url = new URL(req.url ?? '/', this.url);
    const json = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(payload));
    };
    if (req.method === 'POST' && url.pathname === '/open-apis/auth/v3/tenant_access_token/internal') {
      if (!body?.app_id || !body?.app_secret) return json(400, { code: 10003, msg: 'invalid param' });
      return json(200, { code: 0, msg: 'ok', tenant_access_token: this.token, expire: 7200 });
    }
    if (req.method === 'GET' && url.pathname === '/__stats') {
      // For a fake running in another process (the benchmark): what it saw.
      const spanMs = this.firstCallAt !== null && this.lastAdmittedAt !== null ? this.lastAdmittedAt - this.firstCallAt : 0;
      return json(200, { stats: this.stats(), spanMs, limitedBy: this.limitedBy, receivers: this.deliveries.size, admittedAt: url.searchParams.has('timeline') ? this.admittedAt : undefined });
    }
    if (req.method !== 'POST' || url.pathname !== '/open-apis/im/v1/messages') return json(404, { code: 404, msg: 'no route' });

    this.stats0.requests++;
    this.firstCallAt ??= performance.now();
    if (req.headers.authorization !== `Bearer ${this.token}`) return json(400, { code: 99991663, msg: 'Invalid access token for authorization.' });
    const receiveId = String(body?.receive_id ?? '');
    const now = performance.now();
    let user = this.perUser.get(receiveId);
    if (!user) {
      user = new SlidingWindow(this.options.perUserPerSecond ?? 5, 1000 / this.timeScale);
      this.perUser.set(receiveId, user);
    }
    const bySecond = this.second.waitMs(now);
    const byMinute = this.minute.waitMs(now);
    const byUser = user.waitMs(now);
    const wait = Math.max(bySecond, byMinute, byUser);
    if (wait > 0) {
      this.stats0.rateLimited++;
      if (byMinute > 0) this.limitedBy.minute++;
      else if (bySecond > 0) this.limitedBy.second++;
      else this.limitedBy.user++;
      // Seconds to wait, as Feishu sends it (fractional under a time scale).
      const reset = Math.max(0.001, Math.ceil(wait) / 1000).toFixed(3);
      return json(429, { code: 99991400, msg: 'request trigger frequency limit' }, { 'x-ogw-ratelimit-reset': reset, 'x-ogw-ratelimit-limit': String(this.perSecond) });
    }
    this.second.take(now);
    this.minute.take(now);
    user.take(now);
    this.stats0.admitted++;
    this.admittedAt.push(now);
    this.firstAdmittedAt ??= now;
    this.lastAdmittedAt = now;


    // A receiver refused for good is refused before any fault is drawn (it does not use one up).
    const permanent = this.options.permanent?.(receiveId);
    if (permanent) {
      this.stats0.permanentFailures++;
      return json(400, permanent);
    }
    let fault: Fault | undefined = this.injected.shift();
    if (!fault && this.random() < (this.options.transientFailureRate ?? 0)) {
      const r = this.random();
      fault = r < 0.5 ? '500' : r < 0.75 ? '503' : 'malformed';
    }
    if (fault === '429') {
      this.stats0.rateLimited++;
      return json(429, { code: 99991400, msg: 'request trigger frequency limit' }, { 'x-ogw-ratelimit-reset': (0.05).toFixed(3) });
    }
    if (fault === '500' || fault === '502' || fault === '503') {
      this.stats0.transientFailures++;
      return json(Number(fault), { code: 1000 + Number(fault), msg: 'internal error' });
    }
    if (fault === 'reset') {
      this.stats0.transientFailures++;
      req.socket.destroy();
      return;
    }
    const messageId = this.deliver(receiveId, body);
    // Delivered, answer not yet sent: a client killed now never learns it went through.
    if (this.options.latencyMs) {
      this.answering++;
      await new Promise((r) => setTimeout(r, this.options.latencyMs));
      this.answering--;
    }
    if (fault === 'timeout') {
      this.stats0.transientFailures++;
      // Delivered, but the answer never comes in time: the client must resend, and the uuid saves the day.
      await new Promise((r) => setTimeout(r, this.options.hangMs ?? 2000));
      req.socket.destroy();
      return;
    }
    if (fault === 'malformed') {
      this.stats0.transientFailures++;
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"code":0,"msg":"success","data":{"message_id":');
      return;
    }
    return json(200, { code: 0, msg: 'success', data: { message_id: messageId } });
  }

  private deliver(receiveId: string, body: any): string {
    const uuid: string | undefined = body?.uuid;
    const seen = uuid ? this.byUuid.get(uuid) : undefined;
    if (seen) {
      this.stats0.duplicatesDropped++;
      return seen;
    }
    const messageId = `om_${(++this.seq).toString(36)}`;
    if (uuid) this.byUuid.set(uuid, messageId);
    this.deliveries.set(receiveId, (this.deliveries.get(receiveId) ?? 0) + 1);
    this.order.push(receiveId);
    let text = '';
    try {
      const content = JSON.parse(body?.content ?? '{}');
      text = typeof content.text === 'string' ? content.text : JSON.stringify(content);
    } catch {
      text = String(body?.content ?? '');
    }
    const list = this.contents.get(receiveId) ?? [];
    list.push(text);
    this.contents.set(receiveId, list);
    return messageId;
  }
}

export interface TestSenderOptions {
  baseUrl: string;
  perSecond?: number;
  perMinute?: number;
  timeScale?: number;
  timeoutMs?: number;
  /** Added to every window on our side, so clock skew between us and the platform does not cost a 429. */
  marginMs?: number;
  /** Share of the per-second limit to use (default all of it: the worker counts each call at its answer, which is conservative). */
  burstShare?: number;
}

/**
 * A minimal Feishu sender for tests and the benchmark: POSTs to /open-apis/im/v1/messages with the row's
 * dedupe token as `uuid`, and classifies answers the way the outbox expects (429 → retry after the reset,
 * pausing the app key; 5xx, timeouts, dropped sockets, malformed bodies → retry; other 4xx → failed for good).
 */
export class RateLimitedTestSender implements Sender {
  readonly platform = 'feishu';
  private token: Promise<string> | null = null;
  private readonly o: Required<TestSenderOptions>;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(options: TestSenderOptions) {
    this.o = { perSecond: 50, perMinute: 1000, timeScale: 1, timeoutMs: 5000, marginMs: 0, burstShare: 1, ...options };
  }

  limitsFor(message: OutboxMessage): Limit[] {
    const { perSecond, perMinute, timeScale, marginMs, burstShare } = this.o;
    const limits: Limit[] = [
      { key: 'feishu:app', limit: Math.max(1, Math.floor(perSecond * burstShare)), windowMs: 1000 / timeScale + marginMs },
      { key: 'feishu:app:minute', limit: perMinute, windowMs: 60_000 / timeScale + marginMs },
      // Spread each second's calls over five slices: a burst packed into a few milliseconds reaches the
      // platform compressed or stretched by jitter and trips its one-second window.
      { key: 'feishu:app:fifth', limit: Math.max(1, Math.floor((perSecond * burstShare) / 5)), windowMs: 200 / timeScale },
    ];
    if (message.target.type === 'user') limits.push({ key: `feishu:user:${message.target.accountId}`, limit: 5, windowMs: 1000 / timeScale + marginMs });
    return limits;
  }

  async send(message: OutboxMessage): Promise<SendResult> {
    let token: string;
    try {
      token = await this.getToken();
    } catch (error) {
      this.token = null;
      return { status: 'retry', error: `token: ${String(error)}` };
    }
    const t = message.target;
    const receiveId = t.type === 'user' ? t.accountId : t.chatId;
    const body = JSON.stringify({
      receive_id: receiveId,
      msg_type: 'text',
      content: JSON.stringify({ text: message.reply.text }),
      uuid: message.dedupeToken,
    });
    let answer: { status: number; headers: Record<string, string | string[] | undefined>; text: string };
    try {
      answer = await this.post(`/open-apis/im/v1/messages?receive_id_type=${t.type === 'user' ? 'open_id' : 'chat_id'}`, body, token);
    } catch (error) {
      return { status: 'retry', error: `feishu: ${(error as Error).message}` };
    }
    let data: { code?: number; msg?: string; data?: { message_id?: string } } | null = null;
    try {
      data = JSON.parse(answer.text);
    } catch {
      return { status: 'retry', error: `feishu HTTP ${answer.status}: malformed body` };
    }
    if (answer.status === 429 || data?.code === 99991400) {
      const reset = Number(answer.headers['x-ogw-ratelimit-reset']);
      return {
        status: 'retry',
        error: `feishu HTTP ${answer.status} code 99991400`,
        retryAfterMs: Number.isFinite(reset) && reset > 0 ? Math.ceil(reset * 1000) : 1000,
        pauseKey: 'feishu:app',
      };
    }
    if (answer.status >= 200 && answer.status < 300 && data?.code === 0) return { status: 'sent', platformMessageId: data.data?.message_id };
    const error = `feishu HTTP ${answer.status} code ${data?.code}: ${data?.msg ?? ''}`;
    if (answer.status >= 500 || data?.code === 230020) return { status: 'retry', error };
    if (data?.code === 99991663) {
      this.token = null;
      return { status: 'retry', error };
    }
    return { status: 'failed', error };
  }

  /** node:http with a keep-alive agent: a third of fetch's cost per call, which matters at benchmark rates. */
  private post(path: string, body: string, token?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.o.baseUrl}${path}`,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(body),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.setTimeout(this.o.timeoutMs, () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private getToken(): Promise<string> {
    this.token ??= this.post('/open-apis/auth/v3/tenant_access_token/internal', JSON.stringify({ app_id: 'cli_0123456789abcdef', app_secret: 'secret' })).then(
      (r) => (JSON.parse(r.text) as { tenant_access_token: string }).tenant_access_token,
    );
    return this.token;
  }
}
