/**
 * Feishu's settings: its environment variables (public names: README, .env.example) and what they become. Light on
 * purpose (zod and catalogues only): the CLI loads every platform's settings without loading the platform.
 */
import { z } from 'zod';
import { serverText } from '../../bot/i18n/zh-CN.server.js';
import { bothOrNeither, emptyAsUndefined, optionalString, url, type SettingsSection } from '../../config.js';

const schema = z
  .object({
    FEISHU_APP_ID: optionalString,
    FEISHU_APP_SECRET: optionalString,
    FEISHU_VERIFICATION_TOKEN: optionalString,
    FEISHU_ENCRYPT_KEY: optionalString,
    FEISHU_BASE_URL: url('https://open.feishu.cn'),
    /** Feishu's web login page host (scan-to-sign-in): https://accounts.feishu.cn, or https://accounts.larksuite.com. */
    FEISHU_ACCOUNTS_BASE_URL: url('https://accounts.feishu.cn'),
    FEISHU_MODE: z.preprocess(emptyAsUndefined, z.enum(['webhook', 'websocket']).default('webhook')),
    /**
     * The bot's name as shown in Feishu: only used while its open_id is not yet known (Feishu unreachable at
     * start), to let through group messages whose first mention has exactly this name.
     */
    FEISHU_BOT_NAME: optionalString,
    /**
     * The Feishu webhook with neither FEISHU_VERIFICATION_TOKEN nor FEISHU_ENCRYPT_KEY would accept forged events;
     * it is refused unless this is `true` (a closed test network only).
     */
    FEISHU_ALLOW_UNVERIFIED: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('false').transform((v) => v === 'true')),
  })
  .superRefine(bothOrNeither('FEISHU_APP_ID', 'FEISHU_APP_SECRET', serverText.config.feishuPair))
  .transform((c) => ({
    /** Credentials are set: the platform is on. */
    enabled: Boolean(c.FEISHU_APP_ID && c.FEISHU_APP_SECRET),
    appId: c.FEISHU_APP_ID,
    appSecret: c.FEISHU_APP_SECRET,
    verificationToken: c.FEISHU_VERIFICATION_TOKEN,
    encryptKey: c.FEISHU_ENCRYPT_KEY,
    /** The OpenAPI host (and the long connection's endpoint). */
    baseUrl: c.FEISHU_BASE_URL,
    accountsBaseUrl: c.FEISHU_ACCOUNTS_BASE_URL,
    mode: c.FEISHU_MODE,
    botName: c.FEISHU_BOT_NAME,
    allowUnverified: c.FEISHU_ALLOW_UNVERIFIED,
  }));

export type FeishuSettings = z.infer<typeof schema>;

export const feishuSettings: SettingsSection<FeishuSettings> = { id: 'feishu', schema };
