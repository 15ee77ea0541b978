import { TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream';
import type { Bot } from '../../bot/bot.js';
import type { IncomingMessage } from '../../core/messages.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { GatewayClient, OPEN, closeGracefully, errorText, withDeadline } from './gateway.js';
import { isRecord, parseJson } from './http.js';
import { RobotCallbackSchema, calledInChat, toIncomingMessage } from './events.js';

/** Path of the connection-open call; the SDK hard-codes it on https://api.dingtalk.com. */
export const GATEWAY_PATH = '/v1.0/gateway/connections/open';

export interface StreamOptions {
  /** Full URL of the connection-open call; defaults to DINGTALK_API_BASE_URL + GATEWAY_PATH. */
  gatewayUrl?: string;
  /**
   * Keepalive, as the official SDKs do it: a WebSocket protocol ping every `pingIntervalMs`; when nothing (no
   * pong, no frame) has come back for `pongTimeoutMs`, the connection is dead and is replaced. A quiet but
   * healthy connection answers its pings and is kept however long nobody writes.
   */
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /**
   * The gateway never redelivers, so a message whose inbox write failed waits in memory (at most `maxWaiting`)
   * and is retried with backoff (base·2ⁿ up to max) until it is stored.
   */
  maxWaiting?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
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

/** A robot message the gateway delivered (and will never deliver again) that is not in the inbox yet. */
interface Waiting {
  event: IncomingMessage;
  frameId?: string;
  since: number;
}

/**
 * Robot messages over the Stream WebSocket (DINGTALK_MODE=stream): no public URL needed. Each CALLBACK frame
 * takes the webhook's path (parse → inbox → ack the frame → work). The gateway does not redeliver a frame, so
 * a message is stored before its ack, and one whose inbox write fails (locked database, full disk) waits in a
 * bounded in-memory queue, retried with backoff and shown on /healthz, never dropped quietly. The connection
 * is supervised here rather than by the SDK: protocol pings with a ~2 minute pong deadline, every drop logged,
 * reconnects backed off with jitter so a fleet does not reconnect in lockstep.
 */
export class DingtalkStream {
  private readonly log: Logger;
  private readonly pingIntervalMs: number;
  private readonly pongTimeoutMs: number;
  private client: GatewayClient | null = null;
  /** Bumped on every connect and drop; events from an older connection are ignored. */
  private generation = 0;
  private attempt = 0;
  /** performance.now() of the last pong or frame on the current connection. */
  private lastHeardAt = 0;
  private lastTickAt = performance.now();
  private framesOnConnection = 0;
  private stopped = true;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private keepaliveTimer: NodeJS.Timeout | null = null;
  private readonly waiting: Waiting[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private retryAttempt = 0;
  /** Connections opened so far (status line, tests). */
  connections = 0;
  connected = false;
  /** Messages lost because the waiting queue was full (each logged at fatal with its body). */
  lost = 0;

  constructor(private readonly deps: StreamDeps) {
    this.log = deps.logger.child({ transport: 'stream' });
    this.pingIntervalMs = deps.options?.pingIntervalMs ?? 30_000;
    this.pongTimeoutMs = deps.options?.pongTimeoutMs ?? 120_000;
  }

  /** Messages received but not yet stored (they are retried; /healthz reports them). */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Opens the first connection. Never throws: a failure is logged and retried in the background. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.keepaliveTimer = setInterval(() => this.keepalive(), this.pingIntervalMs);
    this.keepaliveTimer.unref();
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.keepaliveTimer = this.reconnectTimer = this.retryTimer = null;
    // A last try for what is waiting; whatever still fails is logged in full so it can be re-entered by hand.
    await this.retryWaiting();
    for (const w of this.waiting.splice(0)) {
      this.log.fatal({ message: w.event, frameId: w.frameId }, 'dingtalk stream stopped with a message never stored; it is LOST (body logged here)');
    }
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
      c.registerCallbackListener(TOPIC_ROBOT, (frame) => void this.onRobotFrame(c, frame));
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
    this.lastHeardAt = performance.now();
    this.framesOnConnection = 0;
    socket.once('close', (code, reason) => this.onClose(generation, code, reason.toString()));
    socket.on('pong', () => {
      if (generation === this.generation) this.lastHeardAt = performance.now();
    });
    this.log.info({ connection: this.connections }, 'dingtalk stream connected');
  }

  private onFrame(generation: number, frame: Record<string, unknown>): void {
    if (generation !== this.generation) return;
    this.lastHeardAt = performance.now();
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

  private async onRobotFrame(client: GatewayClient, frame: DWClientDownStream): Promise<void> {
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
    if (!calledInChat(parsed.data)) {
      this.log.info({ messageId, msgId: parsed.data.msgId }, 'dingtalk group message not for the robot (isInAtList false); acked and ignored');
      ack();
      return;
    }
    const event = toIncomingMessage(parsed.data, clock.now().getTime());
    try {
      if (await bot.accept(event)) bot.schedule();
    } catch (error) {
      // The gateway will never send this again: keep it, retry, and say so loudly, then ack.
      this.keep(event, messageId, error);
    }
    ack();
  }

  /** Queues a message whose inbox write failed; only a full queue loses one, and then its body is logged. */
  private keep(event: IncomingMessage, frameId: string | undefined, error: unknown): void {
    const max = this.deps.options?.maxWaiting ?? 1000;
    if (this.waiting.length >= max) {
      this.lost++;
      this.log.fatal(
        { err: errorText(error), frameId, message: event, waiting: this.waiting.length },
        'dingtalk stream message could not be stored and the retry queue is full; it is LOST (body logged here)',
      );
      return;
    }
    this.waiting.push({ event, frameId, since: performance.now() });
    this.log.error(
      { err: errorText(error), frameId, msgId: event.messageId, waiting: this.waiting.length },
      'dingtalk stream message not stored (inbox write failed); kept in memory and retrying — the gateway will not resend it',
    );
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.waiting.length === 0) return;
    const base = this.deps.options?.retryBaseMs ?? 500;
    const max = this.deps.options?.retryMaxMs ?? 30_000;
    const delay = Math.min(max, base * 2 ** Math.min(this.retryAttempt, 20));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.retryWaiting().then(() => this.scheduleRetry());
    }, delay);
  }

  /** Stores waiting messages in arrival order; stops at the first failure (the database is still unwritable). */
  private async retryWaiting(): Promise<void> {
    const { bot } = this.deps;
    while (this.waiting.length > 0) {
      const next = this.waiting[0];
      try {
        if (await bot.accept(next.event)) bot.schedule();
      } catch (error) {
        this.retryAttempt++;
        this.log.error({ err: errorText(error), waiting: this.waiting.length, attempt: this.retryAttempt }, 'dingtalk stream: waiting messages still cannot be stored; retrying');
        return;
      }
      this.waiting.shift();
      this.log.warn({ msgId: next.event.messageId, waitedMs: Math.round(performance.now() - next.since), waiting: this.waiting.length }, 'dingtalk stream message stored after retry');
    }
    this.retryAttempt = 0;
  }

  private onClose(generation: number, code: number, reason: string): void {
    if (generation !== this.generation || this.stopped) return;
    this.connected = false;
    this.client = null;
    this.log.warn({ code, reason }, 'dingtalk stream disconnected');
    this.scheduleReconnect('socket closed');
  }

  /** Pings the gateway; a connection that has answered nothing (no pong, no frame) for the deadline is replaced. */
  private keepalive(): void {
    const now = performance.now();
    // Our own event loop was stalled (a long GC, a starved CPU): pongs may be sitting unread behind this timer,
    // so judge the connection on the next round rather than now.
    const stalled = now - this.lastTickAt > this.pingIntervalMs * 2;
    this.lastTickAt = now;
    if (this.stopped || !this.connected) return;
    const silentMs = Math.round(now - this.lastHeardAt);
    if (silentMs > this.pongTimeoutMs && !stalled) {
      this.log.warn({ silentMs, pongTimeoutMs: this.pongTimeoutMs }, 'dingtalk stream pings unanswered past the deadline; reconnecting');
      this.drop();
      this.scheduleReconnect('keepalive');
      return;
    }
    try {
      this.client?.currentSocket?.ping();
    } catch (error) {
      this.log.warn({ err: errorText(error) }, 'dingtalk stream ping failed');
    }
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
