import { EventDispatcher, LoggerLevel, WSClient, type Logger as SdkLogger } from '@larksuiteoapi/node-sdk';
import type { AdapterDeps } from '../adapter.js';
import type { Logger } from '../../logger.js';
import { settingsOf } from '../../config.js';
import { feishuSettings } from './settings.js';
import type { BotIdentityView } from './bot-identity.js';
import { answerCardClick } from './card-callback.js';
import { CARD_ACTION, MESSAGE_RECEIVED, UNKNOWN_BOT, classifyEnvelope, envelopeFromDispatcher } from './events.js';

/** WSClient.start() silently does nothing for any other app id, so we check first and say why. */
export const APP_ID_PATTERN = /^cli_[0-9a-fA-F]{16}$/;

/**
 * Events over the SDK's WebSocket (FEISHU_MODE=websocket): no public URL needed. Events arrive decrypted and
 * authenticated by the SDK; they take the same path as webhook events (parse → inbox → ack → work).
 */
export class FeishuLongConnection {
  private client: WSClient | null = null;
  private readonly log: Logger;

  constructor(
    private readonly deps: AdapterDeps,
    private readonly identity: BotIdentityView = UNKNOWN_BOT,
  ) {
    this.log = deps.logger.child({ platform: 'feishu', transport: 'websocket' });
  }

  /** Never throws: a bad app id or an unreachable endpoint is logged, and the rest of the app keeps running. */
  async start(): Promise<void> {
    const settings = settingsOf(this.deps.config, feishuSettings);
    const appId = settings.appId ?? '';
    if (!APP_ID_PATTERN.test(appId)) {
      this.log.error({ appId }, 'feishu long connection not started: FEISHU_APP_ID must look like cli_ followed by 16 hex digits (the SDK refuses others)');
      return;
    }
    try {
      this.client = new WSClient({
        appId,
        appSecret: settings.appSecret,
        domain: settings.baseUrl.replace(/\/+$/, ''),
        logger: sdkLogger(this.log),
        loggerLevel: LoggerLevel.warn,
        autoReconnect: true,
        handshakeTimeoutMs: 10_000,
        // A connection that stops answering pings is torn down and reconnected instead of dying silently.
        wsConfig: { pingTimeout: 30 },
        onReady: () => this.log.info('feishu long connection open'),
        onReconnecting: () => this.log.warn('feishu long connection dropped; reconnecting'),
        onReconnected: () => this.log.info('feishu long connection re-established'),
        onError: (err) => this.log.error({ err }, 'feishu long connection gave up; events will not arrive until restart'),
      });
      await this.client.start({ eventDispatcher: createDispatcher(this.deps, this.identity) });
    } catch (err) {
      this.log.error({ err }, 'feishu long connection failed to start');
    }
  }

  async stop(): Promise<void> {
    this.client?.close({ force: true });
    this.client = null;
  }
}

/**
 * Registers our two event types. A message's handler returns at once (the SDK acks when it resolves); a card
 * click's returns the callback answer (toast, redrawn card), which the SDK sends back over the connection.
 */
export function createDispatcher({ bot, logger, clock }: AdapterDeps, identity: BotIdentityView = UNKNOWN_BOT): EventDispatcher {
  const handle = async (data: Record<string, unknown>) => {
    const classified = classifyEnvelope(envelopeFromDispatcher(data), clock.now().getTime(), identity);
    if (classified.kind !== 'event') {
      logger.info({ platform: 'feishu', reason: classified.reason, kind: classified.kind }, 'feishu event ignored');
      return undefined;
    }
    const event = classified.event;
    const fresh = await bot.accept(event);
    if (event.kind === 'card_action') return answerCardClick(bot, event, fresh);
    if (fresh) bot.schedule();
    return undefined;
  };
  return new EventDispatcher({ logger: sdkLogger(logger), loggerLevel: LoggerLevel.warn }).register({
    [MESSAGE_RECEIVED]: handle,
    [CARD_ACTION]: handle,
  });
}

/** The SDK logs arrays of strings and errors; flatten them into one pino line. */
function sdkLogger(log: Logger): SdkLogger {
  const one = (m: unknown): string => {
    if (m instanceof Error) return m.message;
    if (typeof m === 'string') return m;
    try {
      return JSON.stringify(m);
    } catch {
      return String(m);
    }
  };
  const text = (msg: unknown[]) => msg.flat().map(one).join(' ');
  return {
    error: (...msg) => log.error({ sdk: 'lark' }, text(msg)),
    warn: (...msg) => log.warn({ sdk: 'lark' }, text(msg)),
    info: (...msg) => log.info({ sdk: 'lark' }, text(msg)),
    debug: (...msg) => log.debug({ sdk: 'lark' }, text(msg)),
    trace: (...msg) => log.trace({ sdk: 'lark' }, text(msg)),
  };
}
