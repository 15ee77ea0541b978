import type { FakeWebLogin } from './web-login.js';
import { readMultipart } from './feishu-platform.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import { CLIENT_ID, CLIENT_SECRET, ROBOT_CODE } from './dingtalk-sign.js';
import { FakeFiles } from './resources.js';

/**
 * A fake DingTalk on 127.0.0.1: the OpenAPI (token, one-to-one batchSend, group send), session webhooks under
 * /robot/sendBySession/*, and the Stream gateway (connection-open call plus a WebSocket that pushes frames).
 * It behaves like DingTalk where a client can tell: tokens are required and expire, flow-controlled and
 * invalid users come back inside a 200, tickets are single-use, SYSTEM pings expect an answer.
 */

// `ws` comes with dingtalk-stream; it has no type declarations here, so describe the little we use.
interface WsSocket {
  readyState: number;
  send(data: string): void;
  close(code?: number): void;
  terminate(): void;
  pong(data?: Buffer): void;
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'close', listener: () => void): void;
  on(event: 'ping', listener: (data: Buffer) => void): void;
}
interface WsServer {
  handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer, done: (ws: WsSocket) => void): void;
  close(): void;
}
const { WebSocketServer } = createRequire(import.meta.url)('ws') as { WebSocketServer: new (o: { noServer: true; autoPong: boolean }) => WsServer };

export const ROBOT_TOPIC = '/v1.0/im/bot/messages/get';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  at: number;
}

export interface FakeResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * Answers no client can tell apart from a lost request, but after the fake has read it and delivered the
 * message: `timeout` holds the request without answering (for `hangMs`, then drops it), `reset` drops the
 * connection at once. DingTalk has no idempotency key, so a resend of either is a second copy.
 */
export type FakeFault = 'timeout' | 'reset';

export type FakeApi = 'token' | 'oto' | 'group' | 'webhook' | 'gateway';

export const qpsLimited: FakeResponse = {
  status: 403,
  body: { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: 'The request has been rejected because of the QPS limit of the API.', requestid: 'R-qps' },
};
export const serverError: FakeResponse = { status: 500, body: { code: 'ServiceUnavailable', message: 'The request has failed due to a temporary failure of the server.', requestid: 'R-500' } };
export const tokenRejected: FakeResponse = { status: 401, body: { code: 'InvalidAuthentication', message: '不合法的access_token', requestid: 'R-401' } };
export const sessionExpired: FakeResponse = { status: 200, body: { errcode: 300001, errmsg: 'session 已过期' } };

/** A message as a user or group would see it. */
export interface Delivered {
  via: 'webhook' | 'oto' | 'group';
  /** The session path, the user id, or the openConversationId. */
  to: string;
  kind: 'text' | 'markdown' | 'file' | 'actionCard';
  text: string;
  title?: string;
  /** actionCard: its one button's label and the link it opens. */
  singleTitle?: string;
  singleURL?: string;
  /** sampleFile: the uploaded media it names. */
  mediaId?: string;
  fileName?: string;
  fileType?: string;
}

/** A file received by the oapi's POST /media/upload?access_token=…&type=file (multipart field `media`). */
export interface UploadedMedia {
  mediaId: string;
  fileName: string;
  bytes: Buffer;
}

export interface GatewayConnection {
  id: number;
  ticket: string;
  socket: WsSocket;
  openedAt: number;
  closedAt?: number;
}

export interface Ack {
  connection: number;
  messageId: string;
  code: unknown;
  data: any;
}

export class FakeDingtalk {
  readonly requests: RecordedRequest[] = [];
  readonly delivered: Delivered[] = [];
  readonly uploads: UploadedMedia[] = [];
  readonly invalidStaff = new Set<string>();
  /** Users reported flow-controlled on the first batchSend that names them, delivered after that. */
  readonly flowControlOnce = new Set<string>();
  tokenTtlSeconds = 7200;
  /** How long a `timeout` fault holds the request before dropping it. */
  hangMs = 1500;
  /** DingTalk's web login (scan-to-sign-in tests): see web-login.ts. */
  webLogin: FakeWebLogin | null = null;
  readonly gateway: FakeGateway;
  /**
   * What people sent, by downloadCode: POST /v1.0/robot/messageFiles/download answers a downloadUrl on this fake
   * (GET /files/<ticket>, no credentials), which serves the bytes.
   */
  readonly files = new FakeFiles();
  private readonly downloadTickets = new Map<string, string>();
  private readonly tokens = new Map<string, number>();
  private readonly failures: Record<FakeApi, (FakeResponse | FakeFault)[]> = { token: [], oto: [], group: [], webhook: [], gateway: [] };

  private constructor(private server: Server, readonly url: string) {
    this.gateway = new FakeGateway(this);
  }

  static async start(): Promise<FakeDingtalk> {
    let fake!: FakeDingtalk;
    const server = createServer((req, res) => void fake.handle(req, res));
    server.on('upgrade', (req, socket, head) => fake.gateway.upgrade(req, socket as Socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake = new FakeDingtalk(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return fake;
  }

  /** The next calls to that API get these answers, in order; later ones succeed. */
  failNext(api: FakeApi, ...responses: (FakeResponse | FakeFault)[]): void {
    this.failures[api].push(...responses);
  }

  /**
   * Stops listening for `ms` (connections are refused: nothing reaches DingTalk), then listens again on the
   * same port. Open keep-alive connections are dropped first, so the next call has to connect.
   */
  async refuseConnectionsFor(ms: number): Promise<void> {
    const port = Number(new URL(this.url).port);
    const old = this.server;
    old.closeAllConnections();
    await new Promise<void>((resolve) => old.close(() => resolve()));
    setTimeout(() => {
      const server = createServer((req, res) => void this.handle(req, res));
      server.on('upgrade', (req, socket, head) => this.gateway.upgrade(req, socket as Socket, head));
      server.listen(port, '127.0.0.1');
      this.server = server;
    }, ms);
  }

  /** Invalidates every token handed out so far (an app secret reset). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  sessionWebhook(session = randomBytes(6).toString('hex')): string {
    return `${this.url}/robot/sendBySession/${session}`;
  }

  calls(api: FakeApi): RecordedRequest[] {
    const match: Record<FakeApi, (p: string) => boolean> = {
      token: (p) => p === '/v1.0/oauth2/accessToken',
      oto: (p) => p === '/v1.0/robot/oToMessages/batchSend',
      group: (p) => p === '/v1.0/robot/groupMessages/send',
      webhook: (p) => p.startsWith('/robot/sendBySession/'),
      gateway: (p) => p === '/v1.0/gateway/connections/open',
    };
    return this.requests.filter((r) => match[api](r.path));
  }

  deliveredTo(to: string): Delivered[] {
    return this.delivered.filter((d) => d.to === to || d.to.endsWith(`/${to}`));
  }

  downloadRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/v1.0/robot/messageFiles/download');
  }

  async close(): Promise<void> {
    this.files.closeStalled();
    this.gateway.closeAll();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString('utf8');
    let body: any;
    try {
      body = String(req.headers['content-type']).startsWith('multipart/form-data') ? await readMultipart(req.headers, bytes) : raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname;
    if (req.method === 'POST' && path === '/media/upload') {
      // The old oapi: token in the query, HTTP 200 with errcode either way.
      const answerOld = (b: Record<string, unknown>) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(b));
      };
      this.requests.push({ method: 'POST', path, headers: req.headers, body, at: performance.now() });
      if (!this.tokenValid(url.searchParams.get('access_token') ?? '')) return answerOld({ errcode: 40014, errmsg: '不合法的access_token' });
      const media = body?.files?.media;
      if (url.searchParams.get('type') !== 'file' || !media || media.bytes.length <= 5) return answerOld({ errcode: 40004, errmsg: '不合法的媒体文件类型' });
      const mediaId = `@lA${randomBytes(10).toString('hex')}`;
      this.uploads.push({ mediaId, fileName: media.name, bytes: media.bytes });
      return answerOld({ errcode: 0, errmsg: 'ok', type: 'file', media_id: mediaId, created_at: Date.now() });
    }
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body, at: performance.now() };
    this.requests.push(recorded);
    const login = this.webLogin?.route({ method: req.method ?? 'GET', path, query: Object.fromEntries(url.searchParams), headers: req.headers, body });
    if (login) {
      res.writeHead(login.status, { 'content-type': 'application/json', ...login.headers });
      return void res.end(JSON.stringify(login.body));
    }
    const reply = (r: FakeResponse) => {
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
      res.end(JSON.stringify(r.body));
    };
    /** A fault delivers first (the request was read and acted on), then leaves the client without an answer. */
    const answer = (failure: FakeResponse | FakeFault | undefined, deliver: () => FakeResponse): void => {
      if (failure === undefined) return reply(deliver());
      if (typeof failure === 'object') return reply(failure);
      deliver();
      if (failure === 'reset') req.socket.destroy();
      else setTimeout(() => req.socket.destroy(), this.hangMs);
    };
    const ticket = /^\/files\/([\w-]+)$/.exec(path);
    if (req.method === 'GET' && ticket) {
      const code = this.downloadTickets.get(ticket[1]);
      if (!code) return reply({ status: 403, body: { code: 'AccessDenied', message: 'Request has expired.' } });
      const error = this.files.takeError(code);
      return error ? reply(error) : this.files.serve(code, res);
    }
    if (req.method !== 'POST') return reply({ status: 405, body: { code: 'MethodNotAllowed', message: 'POST only' } });

    if (path === '/v1.0/oauth2/accessToken') return answer(this.failures.token.shift(), () => this.issueToken(body));
    if (path === '/v1.0/gateway/connections/open') return answer(this.failures.gateway.shift(), () => this.gateway.open(body));
    if (path.startsWith('/robot/sendBySession/')) return answer(this.failures.webhook.shift(), () => this.sessionSend(path, body));

    if (path === '/v1.0/robot/messageFiles/download') {
      if (!this.tokenValid(String(req.headers['x-acs-dingtalk-access-token'] ?? ''))) return reply(tokenRejected);
      if (body?.robotCode !== ROBOT_CODE || !this.files.has(String(body?.downloadCode))) {
        return reply({ status: 400, body: { code: 'InvalidParameter.DownloadCode', message: 'downloadCode 无效', requestid: 'R-dl' } });
      }
      const id = randomBytes(12).toString('hex');
      this.downloadTickets.set(id, String(body.downloadCode));
      return reply({ status: 200, body: { downloadUrl: `${this.url}/files/${id}` } });
    }
    const api = path === '/v1.0/robot/oToMessages/batchSend' ? 'oto' : path === '/v1.0/robot/groupMessages/send' ? 'group' : null;
    if (!api) return reply({ status: 404, body: { code: 'InvalidAction.NotFound', message: `no such API ${path}` } });
    const token = req.headers['x-acs-dingtalk-access-token'];
    const expiresAt = typeof token === 'string' ? this.tokens.get(token) : undefined;
    if (!expiresAt || expiresAt < Date.now()) return reply(tokenRejected);
    return answer(this.failures[api].shift(), () => (api === 'oto' ? this.batchSend(body) : this.groupSend(body)));
  }

  /** Whether an app access token was handed out by this fake and is still valid. */
  tokenValid(token: string): boolean {
    const expiresAt = this.tokens.get(token);
    return expiresAt !== undefined && expiresAt >= Date.now();
  }

  private issueToken(body: any): FakeResponse {
    if (body?.appKey !== CLIENT_ID || body?.appSecret !== CLIENT_SECRET) {
      return { status: 400, body: { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret', requestid: 'R-tok' } };
    }
    const accessToken = randomBytes(16).toString('hex');
    this.tokens.set(accessToken, Date.now() + this.tokenTtlSeconds * 1000);
    return { status: 200, body: { accessToken, expireIn: this.tokenTtlSeconds } };
  }

  private batchSend(body: any): FakeResponse {
    const bad = this.checkRobotCall(body);
    if (bad) return bad;
    if (!Array.isArray(body.userIds) || body.userIds.length === 0 || body.userIds.length > 20) {
      return { status: 400, body: { code: 'param.userIds.invalid', message: 'userIds 数量须在 1 到 20 之间' } };
    }
    const invalidStaffIdList: string[] = [];
    const flowControlledStaffIdList: string[] = [];
    for (const userId of body.userIds as string[]) {
      if (this.invalidStaff.has(userId)) invalidStaffIdList.push(userId);
      else if (this.flowControlOnce.delete(userId)) flowControlledStaffIdList.push(userId);
      else this.delivered.push({ via: 'oto', to: userId, ...readParam(body.msgKey, body.msgParam) });
    }
    return { status: 200, body: { processQueryKey: randomBytes(16).toString('base64'), invalidStaffIdList, flowControlledStaffIdList } };
  }

  private groupSend(body: any): FakeResponse {
    const bad = this.checkRobotCall(body);
    if (bad) return bad;
    if (typeof body.openConversationId !== 'string') return { status: 400, body: { code: 'param.openConversationId.missing', message: 'openConversationId 不能为空' } };
    this.delivered.push({ via: 'group', to: body.openConversationId, ...readParam(body.msgKey, body.msgParam) });
    return { status: 200, body: { processQueryKey: randomBytes(16).toString('base64') } };
  }

  private checkRobotCall(body: any): FakeResponse | null {
    if (typeof body?.robotCode !== 'string' || !body.robotCode) return { status: 400, body: { code: 'param.robotCode.missing', message: 'robotCode 不能为空' } };
    if (typeof body.msgParam !== 'string') return { status: 400, body: { code: 'param.msgParam.invalid', message: 'msgParam 须为 JSON 字符串' } };
    if (body.msgKey === 'sampleFile' && !this.uploads.some((u) => u.mediaId === JSON.parse(body.msgParam).mediaId)) {
      return { status: 400, body: { code: 'param.mediaId.invalid', message: 'mediaId 无效' } };
    }
    if (!['sampleText', 'sampleMarkdown', 'sampleFile', 'sampleActionCard'].includes(body.msgKey)) return { status: 400, body: { code: 'param.msgKey.invalid', message: `unknown msgKey ${body.msgKey}` } };
    return null;
  }

  private sessionSend(path: string, body: any): FakeResponse {
    if (body?.msgtype === 'text' && typeof body.text?.content === 'string') {
      this.delivered.push({ via: 'webhook', to: path, kind: 'text', text: body.text.content });
      return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
    }
    if (body?.msgtype === 'markdown' && typeof body.markdown?.text === 'string') {
      this.delivered.push({ via: 'webhook', to: path, kind: 'markdown', text: body.markdown.text, title: body.markdown.title });
      return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
    }
    if (body?.msgtype === 'actionCard' && typeof body.actionCard?.text === 'string' && typeof body.actionCard.singleURL === 'string') {
      const c = body.actionCard;
      this.delivered.push({ via: 'webhook', to: path, kind: 'actionCard', text: c.text, title: c.title, singleTitle: c.singleTitle, singleURL: c.singleURL });
      return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
    }
    return { status: 200, body: { errcode: 40035, errmsg: '缺少参数 json' } };
  }
}

function readParam(msgKey: string, msgParam: string): Pick<Delivered, 'kind' | 'text' | 'title' | 'mediaId' | 'fileName' | 'fileType' | 'singleTitle' | 'singleURL'> {
  const p = JSON.parse(msgParam);
  if (msgKey === 'sampleActionCard') return { kind: 'actionCard', text: p.text, title: p.title, singleTitle: p.singleTitle, singleURL: p.singleURL };
  if (msgKey === 'sampleFile') return { kind: 'file', text: p.fileName, mediaId: p.mediaId, fileName: p.fileName, fileType: p.fileType };
  return msgKey === 'sampleMarkdown' ? { kind: 'markdown', text: p.text, title: p.title } : { kind: 'text', text: p.content };
}

/** The Stream side: connection-open call, single-use tickets, a WebSocket that pushes frames and records acks. */
export class FakeGateway {
  readonly connections: GatewayConnection[] = [];
  readonly acks: Ack[] = [];
  /** Answers the client sent to our SYSTEM pings. */
  readonly pingReplies: string[] = [];
  private readonly tickets = new Set<string>();
  /** Pongs are sent by hand so a test can stop them (a half-dead connection that still looks open). */
  private readonly wss: WsServer = new WebSocketServer({ noServer: true, autoPong: false });
  private pinger: NodeJS.Timeout | null = null;
  private silent = false;
  private pongsMuted = false;
  /** WebSocket protocol pings the client sent, over all connections. */
  pingsReceived = 0;

  constructor(private readonly fake: FakeDingtalk) {}

  open(body: any): FakeResponse {
    if (body?.clientId !== CLIENT_ID || body?.clientSecret !== CLIENT_SECRET) {
      return { status: 401, body: { code: 'InvalidAuthentication', message: 'clientId or clientSecret invalid' } };
    }
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return { status: 200, body: { endpoint: `${this.fake.url.replace(/^http/, 'ws')}/connect`, ticket } };
  }

  upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', this.fake.url);
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/connect' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const connection: GatewayConnection = { id: this.connections.length + 1, ticket, socket: ws, openedAt: performance.now() };
      this.connections.push(connection);
      ws.on('close', () => {
        connection.closedAt = performance.now();
      });
      ws.on('message', (data) => this.onUpstream(connection, data.toString('utf8')));
      ws.on('ping', (data) => {
        this.pingsReceived++;
        if (!this.pongsMuted) ws.pong(data);
      });
    });
  }

  /** SYSTEM pings every `ms` on open connections, as the real gateway keeps a quiet line alive. */
  pingEvery(ms: number): void {
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = setInterval(() => {
      if (this.silent) return;
      const c = this.current();
      if (c) this.frame(c, 'SYSTEM', { topic: 'ping' }, JSON.stringify({ opaque: randomUUID() }));
    }, ms);
  }

  /** From now on nothing is sent: no pings, no messages (a half-dead connection). */
  goSilent(): void {
    this.silent = true;
  }

  speakAgain(): void {
    this.silent = false;
  }

  /** Stops answering the client's protocol pings (with goSilent: a connection dead in one direction). */
  mutePongs(): void {
    this.pongsMuted = true;
  }

  answerPongs(): void {
    this.pongsMuted = false;
  }

  /** Pushes a robot message to the newest open connection; returns the frame's messageId. */
  pushCallback(body: Record<string, unknown>, messageId = `msg-frame-${randomUUID()}`): string {
    const c = this.current();
    if (!c) throw new Error('no open stream connection');
    this.frame(c, 'CALLBACK', { topic: ROBOT_TOPIC, messageId }, JSON.stringify(body));
    return messageId;
  }

  /** Announces a disconnect, as the gateway does before it goes away for maintenance. */
  announceDisconnect(): void {
    const c = this.current();
    if (c) this.frame(c, 'SYSTEM', { topic: 'disconnect' }, JSON.stringify({ reason: 'maintenance' }));
  }

  /** Drops the newest connection from the server side. */
  kick(): void {
    this.current()?.socket.terminate();
  }

  openConnections(): GatewayConnection[] {
    return this.connections.filter((c) => c.closedAt === undefined && c.socket.readyState === 1);
  }

  closeAll(): void {
    if (this.pinger) clearInterval(this.pinger);
    for (const c of this.connections) c.socket.terminate();
    this.wss.close();
  }

  private current(): GatewayConnection | undefined {
    const open = this.openConnections();
    return open[open.length - 1];
  }

  private frame(c: GatewayConnection, type: 'SYSTEM' | 'CALLBACK' | 'EVENT', headers: Record<string, string>, data: string): void {
    const messageId = headers.messageId ?? `sys-${randomUUID()}`;
    c.socket.send(
      JSON.stringify({
        specVersion: '1.0',
        type,
        headers: { appId: CLIENT_ID, connectionId: `conn-${c.id}`, contentType: 'application/json', messageId, time: String(Date.now()), ...headers },
        data,
      }),
    );
  }

  private onUpstream(c: GatewayConnection, text: string): void {
    let msg: any;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (msg?.headers?.topic === 'ping') {
      this.pingReplies.push(msg.data);
      return;
    }
    if (typeof msg?.headers?.messageId === 'string') {
      let data: unknown = msg.data;
      try {
        data = JSON.parse(msg.data);
      } catch {
        // keep the raw string
      }
      this.acks.push({ connection: c.id, messageId: msg.headers.messageId, code: msg.code, data });
    }
  }
}
