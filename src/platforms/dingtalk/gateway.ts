import { DWClient } from 'dingtalk-stream';
import { isRecord, parseJson, postJson } from './http.js';

/* The Stream connection's plumbing: the SDK client pointed where we choose, and socket helpers. */

/** The parts of the SDK's `ws` socket we touch (the SDK keeps it private). */
export interface Socket {
  readyState: number;
  once(event: 'close', listener: (code: number, reason: Buffer) => void): void;
  on(event: 'pong', listener: () => void): void;
  ping(data?: unknown, mask?: boolean, cb?: (err?: Error) => void): void;
  close(code?: number): void;
  terminate(): void;
}
export const OPEN = 1;
export const CLOSED = 3;

export interface FrameHooks {
  frame(frame: Record<string, unknown>): void;
  garbage(error: string): void;
}

/**
 * The SDK's client with two changes: the connection-open call goes to a URL we choose (the SDK's GATEWAY_URL
 * is a constant, so tests could not point it at a fake), and every downstream frame is reported before the SDK
 * handles it, so the watchdog sees pings and a malformed frame cannot throw out of the socket's listener.
 */
export class GatewayClient extends DWClient {
  constructor(
    credentials: { clientId: string; clientSecret: string },
    private readonly gatewayUrl: string,
    private readonly timeoutMs: number,
    private readonly hooks: FrameHooks,
  ) {
    // The SDK's keepalive kills a connection after one 8 s pong delay; ours (DingtalkStream) waits ~2 minutes.
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

export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** A close handshake, but never more than a second of it: the peer may be gone. */
export function closeGracefully(socket: Socket): Promise<void> {
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

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
