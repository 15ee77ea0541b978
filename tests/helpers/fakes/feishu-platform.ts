import type { FakeWebLogin } from './web-login.js';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeFiles } from './resources.js';

/**
 * A fake Feishu OpenAPI on 127.0.0.1: the token endpoint and the IM send/reply endpoints, with Feishu's
 * behaviour where it matters to a sender (bearer token required, `uuid` idempotency for an hour, failure
 * responses with Feishu's codes and headers). Every request is recorded; delivered messages separately.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  /** performance.now() when the request arrived. */
  at: number;
}

export interface DeliveredMessage {
  messageId: string;
  uuid?: string;
  /** `reply` for the reply API; otherwise the receive_id_type. */
  via: 'reply' | 'open_id' | 'chat_id' | string;
  /** The replied-to message id, or the receive_id. */
  to: string;
  msgType: string;
  /** Parsed `content`: `{text}` for text, the card for interactive. */
  content: any;
  at: number;
}

export interface FakeResponse {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Deliver the message but still answer with this failure: a response lost on the way back. */
  deliverAnyway?: boolean;
}

export const rateLimited = (resetSeconds: number): FakeResponse => ({
  status: 429,
  body: { code: 99991400, msg: 'request trigger frequency limit' },
  headers: { 'x-ogw-ratelimit-reset': String(resetSeconds), 'x-ogw-ratelimit-limit': '50' },
});
export const imRateLimited: FakeResponse = { status: 400, body: { code: 230020, msg: 'This operation triggers the frequency limit.' } };
export const botNotInChat: FakeResponse = { status: 400, body: { code: 230002, msg: 'The bot can not be outside the group.' } };
export const serverError: FakeResponse = { status: 500, body: { code: 1000, msg: 'internal error' } };

const newToken = () => `t-${randomBytes(12).toString('hex')}`;

/** A file received by POST /open-apis/im/v1/files (multipart: file_type, file_name, file). */
export interface UploadedFile {
  fileKey: string;
  fileType: string;
  fileName: string;
  bytes: Buffer;
}

/** Reads a multipart body the way a server would (the platform's side; our code only writes multipart). */
export async function readMultipart(headers: Record<string, string | string[] | undefined>, raw: Buffer) {
  const form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': String(headers['content-type']) }, body: new Uint8Array(raw) }).formData();
  const fields: Record<string, string> = {};
  const files: Record<string, { name: string; bytes: Buffer }> = {};
  for (const [key, value] of form.entries()) {
    if (typeof value === 'string') fields[key] = value;
    else files[key] = { name: value.name, bytes: Buffer.from(await value.arrayBuffer()) };
  }
  return { fields, files };
}

export class FakeFeishu {
  readonly requests: RecordedRequest[] = [];
  readonly uploads: UploadedFile[] = [];
  readonly delivered: DeliveredMessage[] = [];
  /** Distinct per fake, so a token cached from another test's server would be refused here. */
  token = newToken();
  private readonly failures: FakeResponse[] = [];
  /** What GET /open-apis/bot/v3/info reports, and how many of its next calls fail first (Feishu down). */
  bot = { open_id: 'ou_bot000000000000000000000000001', app_name: '学时助手' };
  private botInfoFailures = 0;
  /** Feishu's web login (scan-to-sign-in tests): see web-login.ts. */
  webLogin: FakeWebLogin | null = null;
  private readonly byUuid = new Map<string, { messageId: string; at: number }>();
  private seq = 0;
  /**
   * What people sent: GET /open-apis/im/v1/messages/:message_id/resources/:file_key?type=image|file serves a file
   * put here under `messageId/key` (Feishu checks that the key belongs to the message).
   */
  readonly files = new FakeFiles();

  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<FakeFeishu> {
    let fake!: FakeFeishu;
    const server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeFeishu(server, `http://127.0.0.1:${port}`);
    return fake;
  }

  /** Invalidates the token handed out so far, as when it expires early or the secret is reset. */
  rotateToken(): void {
    this.token = newToken();
  }

  /** The next message calls (send or reply) get these answers, in order; later ones succeed. */
  failNext(...responses: FakeResponse[]): void {
    this.failures.push(...responses);
  }

  /** The next `n` bot-info calls answer 503, as when Feishu is unreachable while the bot starts. */
  failBotInfo(n: number): void {
    this.botInfoFailures = n;
  }

  botInfoRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/open-apis/bot/v3/info');
  }

  tokenRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/open-apis/auth/v3/tenant_access_token/internal');
  }

  messageRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith('/open-apis/im/v1/messages'));
  }

  /** Texts delivered (cards render as their JSON), in arrival order. */
  texts(): string[] {
    return this.delivered.map((d) => (d.msgType === 'text' ? d.content.text : JSON.stringify(d.content)));
  }

  /** A file someone sent in message `messageId` under `key` (image_key / file_key). */
  putResource(messageId: string, key: string, bytes: Buffer | string, type?: string): void {
    this.files.put(`${messageId}/${key}`, bytes, type);
  }

  resourceRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.includes('/resources/'));
  }

  async close(): Promise<void> {
    this.files.closeStalled();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const text = raw.toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    let body: any = text;
    try {
      body = String(req.headers['content-type']).startsWith('multipart/form-data')
        ? await readMultipart(req.headers, raw)
        : text
          ? JSON.parse(text)
          : undefined;
    } catch {
      // keep the raw text
    }
    const request: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      at: performance.now(),
    };
    this.requests.push(request);
    const resource = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/resources\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && resource) return this.download(request, `${decodeURIComponent(resource[1])}/${decodeURIComponent(resource[2])}`, res);
    const answer = this.route(request);
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
    res.end(JSON.stringify(answer.body));
  }

  private download(r: RecordedRequest, key: string, res: ServerResponse): void {
    const refuse = (answer: FakeResponse) => {
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(answer.body));
    };
    if (r.headers.authorization !== `Bearer ${this.token}`) return refuse({ status: 400, body: { code: 99991663, msg: 'Invalid access token for authorization.' } });
    if (r.query.type !== 'image' && r.query.type !== 'file') return refuse({ status: 400, body: { code: 234001, msg: 'Invalid request param.' } });
    if (!this.files.has(key)) return refuse({ status: 400, body: { code: 234003, msg: 'File not in msg.' } });
    const error = this.files.takeError(key);
    if (error) return refuse(error);
    this.files.serve(key, res);
  }

  private route(r: RecordedRequest): FakeResponse {
    const login = this.webLogin?.route(r);
    if (login) return login;
    if (r.method === 'POST' && r.path === '/open-apis/auth/v3/tenant_access_token/internal') {
      if (!r.body?.app_id || !r.body?.app_secret) return { status: 400, body: { code: 10003, msg: 'invalid param' } };
      return { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: this.token, expire: 7200 } };
    }
    if (r.method === 'GET' && r.path === '/open-apis/bot/v3/info') {
      if (this.botInfoFailures > 0) {
        this.botInfoFailures--;
        return { status: 503, body: { code: 1000, msg: 'service unavailable' } };
      }
      if (r.headers.authorization !== `Bearer ${this.token}`) {
        return { status: 400, body: { code: 99991663, msg: 'Invalid access token for authorization.' } };
      }
      return { status: 200, body: { code: 0, msg: 'ok', bot: { activate_status: 2, ip_white_list: [], ...this.bot } } };
    }
    const reply = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/.exec(r.path);
    if (r.method === 'POST' && (reply || r.path === '/open-apis/im/v1/messages')) {
      if (r.headers.authorization !== `Bearer ${this.token}`) {
        return { status: 400, body: { code: 99991663, msg: 'Invalid access token for authorization.' } };
      }
      if (!reply && !['open_id', 'chat_id', 'user_id', 'union_id', 'email'].includes(r.query.receive_id_type)) {
        return { status: 400, body: { code: 99992402, msg: 'field validation failed: receive_id_type' } };
      }
      const failure = this.failures.shift();
      if (failure && !failure.deliverAnyway) return failure;
      const messageId = this.deliver(r, reply?.[1]);
      return failure ?? { status: 200, body: { code: 0, msg: 'success', data: { message_id: messageId, msg_type: r.body?.msg_type } } };
    }
    if (r.method === 'POST' && r.path === '/open-apis/im/v1/files') {
      if (r.headers.authorization !== `Bearer ${this.token}`) {
        return { status: 400, body: { code: 99991663, msg: 'Invalid access token for authorization.' } };
      }
      const file = r.body?.files?.file;
      const { file_type: fileType, file_name: fileName } = r.body?.fields ?? {};
      if (!file || !fileType || !fileName || file.bytes.length === 0) return { status: 400, body: { code: 234001, msg: 'Invalid request param.' } };
      const fileKey = `file_v3_${randomBytes(8).toString('hex')}`;
      this.uploads.push({ fileKey, fileType, fileName, bytes: file.bytes });
      return { status: 200, body: { code: 0, msg: 'success', data: { file_key: fileKey } } };
    }
    if (r.method === 'POST' && r.path === '/callback/ws/endpoint') {
      // Long-connection discovery; the fake has no WebSocket side, so it refuses as Feishu refuses bad credentials.
      return { status: 200, body: { code: 514, msg: 'auth failed (fake has no long connection)', data: {} } };
    }
    return { status: 404, body: { code: 404, msg: `no route ${r.method} ${r.path}` } };
  }

  /** Feishu's idempotency: the same uuid within an hour returns the first message id and delivers nothing new. */
  private deliver(r: RecordedRequest, replyTo: string | undefined): string {
    const uuid: string | undefined = r.body?.uuid;
    const seen = uuid ? this.byUuid.get(uuid) : undefined;
    if (seen && r.at - seen.at < 3600_000) return seen.messageId;
    const messageId = `om_${(++this.seq).toString().padStart(4, '0')}${randomBytes(8).toString('hex')}`;
    if (uuid) this.byUuid.set(uuid, { messageId, at: r.at });
    let content: any = r.body?.content;
    try {
      content = JSON.parse(content);
    } catch {
      // not JSON: keep as sent
    }
    this.delivered.push({
      messageId,
      uuid,
      via: replyTo ? 'reply' : r.query.receive_id_type,
      to: replyTo ?? r.body?.receive_id,
      msgType: r.body?.msg_type,
      content,
      at: r.at,
    });
    return messageId;
  }
}

/** Polls until `check` returns (or resolves to) true (retries are scheduled in the future, so "idle" is not "done"). */
export async function waitFor(check: () => boolean | Promise<boolean>, { timeoutMs = 5000, intervalMs = 10, what = 'condition' } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
