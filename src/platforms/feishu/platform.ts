import { serverText } from '../../bot/i18n/zh-CN.server.js';
import { feishuEnabled } from '../../config.js';
import { feishuIdentity } from '../../websignin/identity.js';
import type { PlatformDefinition } from '../platform.js';
import { createFeishuAdapter, type FeishuAdapterOptions } from './adapter.js';

/** Feishu (Lark), as the registry knows it. */
export const feishuPlatform: PlatformDefinition = {
  id: 'feishu',
  // Card JSON 2.0 forms: a survey's questions and an approval's 退回 reason are answered in the card.
  supportsCardForms: true,
  enabled: feishuEnabled,
  createAdapter: (deps, start) => createFeishuAdapter(deps, start.options as FeishuAdapterOptions | undefined),
  offStatus: () => serverText.startup.feishuOff,
  webLogin: (config) =>
    feishuIdentity({ appId: config.FEISHU_APP_ID!, appSecret: config.FEISHU_APP_SECRET!, accountsBaseUrl: config.FEISHU_ACCOUNTS_BASE_URL, apiBaseUrl: config.FEISHU_BASE_URL }),
};
