/**
 * DingTalk's settings: its environment variables (public names: README, .env.example) and what they become. Light
 * on purpose (zod and catalogues only): the CLI loads every platform's settings without loading the platform.
 */
import { z } from 'zod';
import { serverText } from '../../bot/i18n/zh-CN.server.js';
import { bothOrNeither, emptyAsUndefined, optionalString, url, type SettingsSection } from '../../config.js';

const schema = z
  .object({
    DINGTALK_CLIENT_ID: optionalString,
    DINGTALK_CLIENT_SECRET: optionalString,
    DINGTALK_ROBOT_CODE: optionalString,
    DINGTALK_API_BASE_URL: url('https://api.dingtalk.com'),
    /** DingTalk's web login page host (scan-to-sign-in). */
    DINGTALK_LOGIN_BASE_URL: url('https://login.dingtalk.com'),
    /** DingTalk's older OpenAPI host (unionId → userid for scan-to-sign-in, media upload). */
    DINGTALK_OAPI_BASE_URL: url('https://oapi.dingtalk.com'),
    DINGTALK_MODE: z.preprocess(emptyAsUndefined, z.enum(['webhook', 'stream']).default('webhook')),
  })
  .superRefine(bothOrNeither('DINGTALK_CLIENT_ID', 'DINGTALK_CLIENT_SECRET', serverText.config.dingtalkPair))
  .transform((c) => ({
    /** Credentials are set: the platform is on. */
    enabled: Boolean(c.DINGTALK_CLIENT_ID && c.DINGTALK_CLIENT_SECRET),
    clientId: c.DINGTALK_CLIENT_ID,
    clientSecret: c.DINGTALK_CLIENT_SECRET,
    /** Set only when the console shows a robot code other than the app's key. */
    robotCode: c.DINGTALK_ROBOT_CODE,
    apiBaseUrl: c.DINGTALK_API_BASE_URL,
    loginBaseUrl: c.DINGTALK_LOGIN_BASE_URL,
    oapiBaseUrl: c.DINGTALK_OAPI_BASE_URL,
    mode: c.DINGTALK_MODE,
  }));

export type DingtalkSettings = z.infer<typeof schema>;

export const dingtalkSettings: SettingsSection<DingtalkSettings> = { id: 'dingtalk', schema };
