import { serverText } from '../../bot/i18n/zh-CN.server.js';
import { settingsOf } from '../../config.js';
import { feishuIdentity } from './web-login.js';
import type { PlatformDefinition } from '../platform.js';
import { createFeishuAdapter, type FeishuAdapterOptions } from './adapter.js';
import { feishuSettings } from './settings.js';

/** Feishu (Lark), as the registry knows it. */
export const feishuPlatform: PlatformDefinition = {
  id: 'feishu',
  // Card JSON 2.0 forms: a survey's questions and an approval's 退回 reason are answered in the card.
  supportsCardForms: true,
  settings: feishuSettings,
  enabled: (config) => settingsOf(config, feishuSettings).enabled,
  createAdapter: (deps, start) => createFeishuAdapter(deps, start.options as FeishuAdapterOptions | undefined),
  offStatus: () => serverText.startup.feishuOff,
  webLogin: (config) => {
    const s = settingsOf(config, feishuSettings);
    return feishuIdentity({ appId: s.appId!, appSecret: s.appSecret!, accountsBaseUrl: s.accountsBaseUrl, apiBaseUrl: s.baseUrl });
  },
};
