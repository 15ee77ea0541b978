import { serverText } from '../../bot/i18n/zh-CN.server.js';
import { dingtalkEnabled } from '../../config.js';
import { dingtalkIdentity } from '../../websignin/identity.js';
import type { PlatformDefinition } from '../platform.js';
import { createDingtalkAdapter, type DingtalkAdapterOptions } from './adapter.js';

/** DingTalk, as the registry knows it. */
export const dingtalkPlatform: PlatformDefinition = {
  id: 'dingtalk',
  // Its ActionCard has buttons only: a form is answered step by step in chat.
  supportsCardForms: false,
  enabled: dingtalkEnabled,
  createAdapter: (deps, start) => createDingtalkAdapter(deps, { platformClock: start.transportClock, ...(start.options as DingtalkAdapterOptions | undefined) }),
  offStatus: () => serverText.startup.dingtalkOff,
  webLogin: (config) =>
    dingtalkIdentity({
      clientId: config.DINGTALK_CLIENT_ID!,
      clientSecret: config.DINGTALK_CLIENT_SECRET!,
      loginBaseUrl: config.DINGTALK_LOGIN_BASE_URL,
      apiBaseUrl: config.DINGTALK_API_BASE_URL,
      oapiBaseUrl: config.DINGTALK_OAPI_BASE_URL,
    }),
};
