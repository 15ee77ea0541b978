import { filesDirFor } from '../../outbox/attachments.js';
import type { AdapterDeps, PlatformAdapter } from '../adapter.js';
import { FeishuBotIdentity, botInfoVia } from './bot-identity.js';
import { FeishuLongConnection } from './long-connection.js';
import { feishuResources } from './resources.js';
import { FeishuSender } from './send.js';
import { FEISHU_CARDS_PATH, FEISHU_EVENTS_PATH, REFUSED_MESSAGE, feishuWebhookRoutes, webhookRefused } from './webhook.js';
import { serverText } from '../../bot/i18n/zh-CN.server.js';
import { settingsOf } from '../../config.js';
import { feishuSettings } from './settings.js';

export interface FeishuAdapterOptions {
  /** Backoff while learning the bot's open_id (GET /open-apis/bot/v3/info) fails: base·2ⁿ up to max. */
  identityRetryBaseMs?: number;
  identityRetryMaxMs?: number;
}

export interface FeishuAdapter extends PlatformAdapter {
  readonly identity: FeishuBotIdentity;
}

/** Feishu (Lark): events by webhook or long connection (FEISHU_MODE), replies through the OpenAPI. */
export function createFeishuAdapter(deps: AdapterDeps, options: FeishuAdapterOptions = {}): FeishuAdapter {
  const { config } = deps;
  const settings = settingsOf(config, feishuSettings);
  const logger = deps.logger.child({ platform: 'feishu' });
  const sender = new FeishuSender({ settings, logger, filesDir: filesDirFor(config) });
  const identity = new FeishuBotIdentity({
    // Through the sender's client, after its token warm-up (shared, not repeated): no token fetch of its own.
    fetchInfo: async () => {
      await sender.warmUp();
      return botInfoVia(sender.client);
    },
    configuredName: settings.botName,
    logger,
    retryBaseMs: options.identityRetryBaseMs,
    retryMaxMs: options.identityRetryMaxMs,
  });
  const longConnection = settings.mode === 'websocket' ? new FeishuLongConnection(deps, identity) : null;
  const refused = settings.mode === 'webhook' && webhookRefused(settings);
  return {
    platform: 'feishu',
    sender,
    resources: feishuResources(sender, settings.baseUrl),
    identity,
    routes: settings.mode === 'webhook' ? feishuWebhookRoutes(deps, identity) : [],
    async start() {
      if (refused) logger.error(REFUSED_MESSAGE);
      // Not awaited: an unreachable Feishu must not hold up start-up; both log their own failures and the
      // identity keeps retrying in the background.
      void sender.warmUp();
      identity.start();
      await longConnection?.start();
    },
    async stop() {
      identity.stop();
      await longConnection?.stop();
    },
    health() {
      return {
        mode: settings.mode,
        ...(refused ? { webhook: 'refused: no verification token or encrypt key' } : {}),
        // Unknown: Feishu was unreachable since start, and group messages are ignored until it answers.
        botOpenId: identity.openId ?? 'unknown',
      };
    },
    status() {
      const words = serverText.feishu;
      if (longConnection) return words.longConnection;
      if (refused) return words.refused;
      return words.webhook(FEISHU_EVENTS_PATH, FEISHU_CARDS_PATH, settings.encryptKey ? words.encrypted : words.unsigned);
    },
  };
}
