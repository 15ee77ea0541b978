import { serverText } from '../../bot/i18n/zh-CN.server.js';
import { settingsOf } from '../../config.js';
import { dingtalkIdentity } from './web-login.js';
import type { PlatformDefinition } from '../platform.js';
import { createDingtalkAdapter, type DingtalkAdapterOptions } from './adapter.js';
import { dingtalkSettings } from './settings.js';

/** DingTalk, as the registry knows it. */
export const dingtalkPlatform: PlatformDefinition = {
  id: 'dingtalk',
  // Its ActionCard has buttons only: a form is answered step by step in chat.
  supportsCardForms: false,
  settings: dingtalkSettings,
  enabled: (config) => settingsOf(config, dingtalkSettings).enabled,
  createAdapter: (deps, start) => createDingtalkAdapter(deps, { platformClock: start.transportClock, ...(start.options as DingtalkAdapterOptions | undefined) }),
  offStatus: () => serverText.startup.dingtalkOff,
  webLogin: (config) => {
    const s = settingsOf(config, dingtalkSettings);
    return dingtalkIdentity({ clientId: s.clientId!, clientSecret: s.clientSecret!, loginBaseUrl: s.loginBaseUrl, apiBaseUrl: s.apiBaseUrl, oapiBaseUrl: s.oapiBaseUrl });
  },
};
