import type { AdapterDeps, PlatformAdapter } from '../adapter.js';
import { FeishuLongConnection } from './long-connection.js';
import { FeishuSender } from './send.js';
import { FEISHU_CARDS_PATH, FEISHU_EVENTS_PATH, feishuWebhookRoutes } from './webhook.js';

/** Feishu (Lark): events by webhook or long connection (FEISHU_MODE), replies through the OpenAPI. */
export function createFeishuAdapter(deps: AdapterDeps): PlatformAdapter {
  const { config } = deps;
  const sender = new FeishuSender({ config, logger: deps.logger.child({ platform: 'feishu' }) });
  const longConnection = config.FEISHU_MODE === 'websocket' ? new FeishuLongConnection(deps) : null;
  return {
    platform: 'feishu',
    sender,
    routes: config.FEISHU_MODE === 'webhook' ? feishuWebhookRoutes(deps) : [],
    async start() {
      // Not awaited: an unreachable Feishu must not hold up start-up; warmUp logs its own failure.
      void sender.warmUp();
      await longConnection?.start();
    },
    async stop() {
      await longConnection?.stop();
    },
    status() {
      if (longConnection) return `飞书 Feishu: 已启用 on · 长连接模式 websocket mode (无需公网地址 no public URL needed)`;
      const secured = config.FEISHU_ENCRYPT_KEY ? '签名+加密 signed+encrypted' : '未设置 FEISHU_ENCRYPT_KEY, 不验签 unsigned';
      return `飞书 Feishu: 已启用 on · 回调模式 webhook mode · 事件 event URL: POST ${FEISHU_EVENTS_PATH} · 卡片回调 card URL: POST ${FEISHU_CARDS_PATH} (${secured})`;
    },
  };
}
