import { systemClock, type Clock } from '../../clock.js';
import type { AdapterDeps, PlatformAdapter } from '../adapter.js';
import { DingtalkApi } from './openapi.js';
import { dingtalkResources } from './resources.js';
import { filesDirFor } from '../../outbox/attachments.js';
import { DingtalkSender, trustedWebhook } from './send.js';
import { DingtalkStream, GATEWAY_PATH, type StreamOptions } from './stream.js';
import { DINGTALK_CALLBACK_PATH, dingtalkWebhookRoute } from './webhook.js';
import { serverText } from '../../bot/i18n/zh-CN.server.js';
import { settingsOf } from '../../config.js';
import { dingtalkSettings } from './settings.js';

export interface DingtalkAdapterOptions {
  /**
   * Real time, for what DingTalk timestamps: callback freshness and session-webhook expiry. Defaults to the
   * system clock even when the business clock is pinned (XUESHI_NOW), or every real callback would look stale.
   */
  platformClock?: Clock;
  /** OpenAPI and webhook request deadline. */
  timeoutMs?: number;
  /** Wait after a QPS or flow-control answer (DingTalk asks for ~1 s). */
  throttleRetryMs?: number;
  /** Calls a second per app and API (default DingTalk's 20). */
  apiQps?: number;
  stream?: StreamOptions;
}

export interface DingtalkAdapter extends PlatformAdapter {
  readonly sender: DingtalkSender;
  readonly api: DingtalkApi;
  /** Present in stream mode. */
  readonly stream: DingtalkStream | null;
}

/** DingTalk: robot messages by HTTP callback or Stream (DINGTALK_MODE); replies by session webhook or OpenAPI. */
export function createDingtalkAdapter(deps: AdapterDeps, options: DingtalkAdapterOptions = {}): DingtalkAdapter {
  const { config, bot, clock } = deps;
  const settings = settingsOf(config, dingtalkSettings);
  const logger = deps.logger.child({ platform: 'dingtalk' });
  const clientId = settings.clientId ?? '';
  const appSecret = settings.clientSecret ?? '';
  // For an internal app's robot the robot code is the app's key unless the console shows another.
  const robotCode = settings.robotCode ?? clientId;
  const platformClock = options.platformClock ?? systemClock;
  const baseUrl = settings.apiBaseUrl.replace(/\/+$/, '');

  const api = new DingtalkApi({ baseUrl, oapiBaseUrl: settings.oapiBaseUrl, appKey: clientId, appSecret, timeoutMs: options.timeoutMs, now: () => platformClock.now().getTime() });
  const sender = new DingtalkSender({
    api,
    robotCode,
    logger,
    filesDir: filesDirFor(config),
    platformClock,
    timeoutMs: options.timeoutMs,
    throttleRetryMs: options.throttleRetryMs,
    apiQps: options.apiQps,
    isTrustedWebhook: trustedWebhook(new URL(baseUrl).origin),
  });
  const stream =
    settings.mode === 'stream'
      ? new DingtalkStream({
          clientId,
          clientSecret: appSecret,
          gatewayUrl: options.stream?.gatewayUrl ?? baseUrl + GATEWAY_PATH,
          bot,
          clock,
          logger,
          options: options.stream,
        })
      : null;

  return {
    platform: 'dingtalk',
    sender,
    resources: dingtalkResources(api, robotCode),
    api,
    stream,
    routes: settings.mode === 'webhook' ? [dingtalkWebhookRoute({ bot, logger, appSecret, clock, platformClock })] : [],
    async start() {
      await stream?.start();
    },
    async stop() {
      await stream?.stop();
    },
    health() {
      if (!stream) return { mode: 'webhook' };
      return { mode: 'stream', connected: stream.connected, eventsWaiting: stream.waitingCount, lost: stream.lost };
    },
    status() {
      const words = serverText.dingtalk;
      const robot = settings.robotCode ? words.robotCode(robotCode) : words.robotCodeIsClientId(robotCode);
      if (stream) return words.stream(stream.connected ? words.connected : words.disconnected, robot);
      return words.webhook(DINGTALK_CALLBACK_PATH, robot);
    },
  };
}
