import { DWClient, TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream';
import type { Bot } from '../../bot/bot.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { isRecord, parseJson, postJson } from './http.js';
import { RobotCallbackSchema, toIncomingMessage } from './events.js';

/** Path of the connection-open call; the SDK hard-codes it on https://api.dingtalk.com. */
export const GATEWAY_PATH = '/v1.0/gateway/connections/open';

export interface StreamOptions {
  /** Full URL of the connection-open call; defaults to DINGTALK_API_BASE_URL + GATEWAY_PATH. */
  gatewayUrl?: string;
  /** Watchdog: no frame at all (the gateway's SYSTEM pings included) for this long → reconnect. */
  idleTimeoutMs?: number;
  /** Reconnect backoff: attempt n waits about base·2ⁿ (jittered), capped at max. */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** Deadline for the open call plus the WebSocket handshake. */
  connectTimeoutMs?: number;
}

export interface StreamDeps {
  clientId: string;
  clientSecret: string;
  gatewayUrl: string;
  bot: Bot;
  clock: Clock;
  logger: Logger;
  options?: StreamOptions;
}

/** The parts of the SDK's `ws` socket we touch (the SDK keeps it private). */
interface Socket {
  readyState: number;
  once(event: 'close', listener: (code: number, reason: Buffer) => void): void;
  close(code?: number): void;
  terminate(): void;
}
const OPEN = 1;
const CLOSED = 3;

interface FrameHooks {
  frame(frame: Record<string, unknown>): void;
  garbage(error: string): void;
}

/**
 * The SDK's client with two changes: the connection-open call goes to a URL we choose (the SDK's GATEWAY_URL
 * is a constant, so tests could not point it at a fake), and every downstream frame is reported before the SDK
 * handles it, so the watchdog sees pings and a malformed frame cannot throw out of the socket's listener.
 */
class GatewayClient extends DWClient {
  constructor(
    credentials: { clientId: string; clientSecret: string },
    private readonly gatewayUrl: string,
    private readonly timeoutMs: number,
    private readonly hooks: FrameHooks,
  ) {
    super({ ...credentials, keepAlive: false, ua: 'xueshi' });
    // We reconnect ourselves (with backoff and a fresh client); the SDK's own loop retries every second forever.
    this.config.autoReconnect = false;
    // The SDK's default array is shared by every client it makes; registerCallbackListener would grow it.
    this.config.subscriptions = [{ type: 'EVENT', topic: '*' }];
  }

  override async getEndpoint(): Promise<this> {
    const { clientId, clientSecret, ua, subscriptions } = this.config;
    const outcome = await postJson(this.gatewayUrl, { clientId, clientSecret, ua, subscriptions }, { timeoutMs: this.timeoutMs });
    if (outcome.kind === 'network') throw new Error(`stream gateway: ${outcome.error}`);
    const body = outcome.body;
    if (outcome.status !== 200 || !isRecord(body) || typeof body.endpoint !== 'string' || typeof body.ticket !== 'string') {
      throw new Error(`stream gateway HTTP ${outcome.status}: ${outcome.text.slice(0, 200)}`);
    }
    (this as unknown as { dw_url: string }).dw_url = `${body.endpoint}?ticket=${encodeURIComponent(body.ticket)}`;
    return this;
  }

  override onDownStream(data: string): void {
    const frame = parseJson(String(data));
    if (!isRecord(frame)) {
      this.hooks.garbage('frame is not a JSON object');
      return;
    }
    this.hooks.frame(frame);
    try {
      super.onDownStream(String(data));
    } catch (error) {
      this.hooks.garbage(String(error));
    }
  }

  get currentSocket(): Socket | undefined {
    return (this as unknown as { socket?: Socket }).socket;
  }
}

/**
 * Robot messages over the Stream WebSocket (DINGTALK_MODE=stream): no public URL needed. Each CALLBACK frame
 * takes the webhook's path (parse → inbox → ack the frame → work). The connection is supervised here rather
 * than by the SDK: a watchdog reconnects a connection that went quiet, every drop is logged, and reconnects
 * back off with jitter so a fleet does not reconnect in lockstep.
 */
export class DingtalkStream {
  private readonly log: Logger;
  private readonly idleTimeoutMs: number;
  private client: GatewayClient | null = null;
  /** Bumped on every connect and drop; events from an older connection are ignored. */
  private generation = 0;
  private attempt = 0;
  private lastFrameAt = 0;
  private framesOnConnection = 0;
  private stopped = true;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  /** Connections opened so far (status line, tests). */
  connections = 0;
  connected = false;

  constructor(private readonly deps: StreamDeps) {
    this.log = deps.logger.child({ transport: 'stream' });
    this.idleTimeoutMs = deps.options?.idleTimeoutMs ?? 60_000;
  }

  /** Opens the first connection. Never throws: a failure is logged and retried in the background. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    const every = Math.max(10, Math.min(5000, Math.floor(this.idleTimeoutMs / 4)));
    this.watchdog = setInterval(() => this.checkIdle(), every);
    this.watchdog.unref();
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.watchdog = this.reconnectTimer = null;
    this.generation++;
    this.connected = false;
    const socket = this.client?.currentSocket;
    this.client = null;
    if (socket) await closeGracefully(socket);
    this.log.info('dingtalk stream stopped');
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    const { clientId, clientSecret, gatewayUrl, options } = this.deps;
    const timeoutMs = options?.connectTimeoutMs ?? 15_000;
    let client: GatewayClient | undefined;
    try {
      // A fresh client per connection: the SDK's client keeps per-socket state it never resets.
      const c = (client = new GatewayClient({ clientId, clientSecret }, gatewayUrl, timeoutMs, {
        frame: (f) => this.onFrame(generation, f),
        garbage: (error) => this.log.warn({ error }, 'dingtalk stream frame unreadable; ignored'),
      }));
      c.registerCallbackListener(TOPIC_ROBOT, (frame) => this.onRobotFrame(c, frame));
      await client.getEndpoint();
      await withDeadline(client._connect(), timeoutMs, 'websocket handshake');
    } catch (error) {
      client?.currentSocket?.terminate();
      if (generation !== this.generation || this.stopped) return;
      this.log.warn({ err: errorText(error), gatewayUrl }, 'dingtalk stream connect failed');
      this.scheduleReconnect('connect failed');
      return;
    }
    const socket = client.currentSocket;
    if (generation !== this.generation || this.stopped || !socket || socket.readyState !== OPEN) {
      socket?.terminate();
      if (!this.stopped && generation === this.generation) this.scheduleReconnect('socket closed during connect');
      return;
    }
    this.client = client;
    this.connected = true;
    this.connections++;
    this.lastFrameAt = performance.now();
    this.framesOnConnection = 0;
    socket.once('close', (code, reason) => this.onClose(generation, code, reason.toString()));
    this.log.info({ connection: this.connections }, 'dingtalk stream connected');
  }

  private onFrame(generation: number, frame: Record<string, unknown>): void {
    if (generation !== this.generation) return;
    this.lastFrameAt = performance.now();
    // Backoff resets only once the gateway talks: a server that accepts and hangs up must not cause a storm.
    if (this.framesOnConnection++ === 0) this.attempt = 0;
    const headers = isRecord(frame.headers) ? frame.headers : {};
    if (frame.type === 'SYSTEM' && headers.topic === 'disconnect') {
      // The gateway stops delivering right after announcing this; waiting for its close would lose messages.
      this.log.info('dingtalk stream: gateway announced a disconnect; reconnecting now');
      this.drop();
      this.scheduleReconnect('gateway disconnect', 0);
    }
  }

  private onRobotFrame(client: GatewayClient, frame: DWClientDownStream): void {
    const messageId = frame.headers?.messageId;
    const { bot, clock } = this.deps;
    const ack = () => {
      if (!messageId) return;
      try {
        client.socketCallBackResponse(messageId, {});
      } catch (error) {
        this.log.warn({ err: errorText(error), messageId }, 'dingtalk stream ack failed');
      }
    };
    const parsed = RobotCallbackSchema.safeParse(parseJson(String(frame.data)));
    if (!parsed.success) {
      // Acked anyway: the gateway would redeliver it for a minute and it would never parse.
      this.log.warn({ messageId, reason: parsed.error.issues[0]?.message }, 'dingtalk stream callback malformed; acked and dropped');
      ack();
      return;
    }
    let fresh: boolean;
    try {
      fresh = bot.accept(toIncomingMessage(parsed.data, clock.now().getTime()));
    } catch (error) {
      // Not acked: the gateway redelivers, and the inbox may be writable by then.
      this.log.error({ err: errorText(error), messageId }, 'dingtalk stream callback not stored; leaving it unacked');
      return;
    }
    ack();
    if (fresh) bot.schedule();
  }

  private onClose(generation: number, code: number, reason: string): void {
    if (generation !== this.generation || this.stopped) return;
    this.connected = false;
    this.client = null;
    this.log.warn({ code, reason }, 'dingtalk stream disconnected');
    this.scheduleReconnect('socket closed');
  }

  private checkIdle(): void {
    if (this.stopped || !this.connected) return;
    const silentMs = Math.round(performance.now() - this.lastFrameAt);
    if (silentMs <= this.idleTimeoutMs) return;
    this.log.warn({ silentMs, idleTimeoutMs: this.idleTimeoutMs }, 'dingtalk stream silent past the watchdog limit; reconnecting');
    this.drop();
    this.scheduleReconnect('watchdog');
  }

  /** Abandons the current connection without waiting for the peer (it may be gone). */
  private drop(): void {
    this.generation++;
    const socket = this.client?.currentSocket;
    this.client = null;
    if (this.connected) this.log.warn('dingtalk stream disconnected (closed by us)');
    this.connected = false;
    socket?.terminate();
  }

  private scheduleReconnect(reason: string, delayMs?: number): void {
    if (this.stopped || this.reconnectTimer) return;
    const base = this.deps.options?.reconnectBaseMs ?? 1000;
    const max = this.deps.options?.reconnectMaxMs ?? 60_000;
    const delay = delayMs ?? Math.round(Math.min(max, base * 2 ** this.attempt) * (0.5 + Math.random() / 2));
    this.attempt++;
    this.log.info({ reason, delayMs: delay, attempt: this.attempt }, 'dingtalk stream reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** A close handshake, but never more than a second of it: the peer may be gone. */
function closeGracefully(socket: Socket): Promise<void> {
  if (socket.readyState === CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.terminate();
      resolve();
    }, 1000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      socket.close(1000);
    } catch {
      socket.terminate();
    }
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
