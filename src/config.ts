import { z } from 'zod';
import cron from 'node-cron';
import { backupText } from './bot/i18n/zh-CN.backup.js';
import { parseProxyList } from './core/proxy-list.js';
import { serverText } from './bot/i18n/zh-CN.server.js';

/** Every setting the process reads from the environment. This is the only place `process.env` is read. */
const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
const url = (fallback: string) => z.preprocess(emptyAsUndefined, z.url().default(fallback));

export const ConfigSchema = z
  .object({
    PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
    HOST: z.preprocess(emptyAsUndefined, z.string().default('0.0.0.0')),
    DATABASE_PATH: z.preprocess(emptyAsUndefined, z.string().default('data/xueshi.db')),
    /**
     * postgres:// or postgresql://… selects PostgreSQL instead of the SQLite file (issue 16). Until the stores are
     * asynchronous the app refuses to start with it (assertRunnableDatabase), rather than pretend.
     */
    DATABASE_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .optional()
        .refine((v) => v === undefined || /^postgres(ql)?:\/\/./i.test(v), backupText.config.databaseUrlScheme),
    ),
    /** Online backups of the SQLite file on a schedule (node-cron, in TIMEZONE), e.g. `30 2 * * *`; off when unset. */
    BACKUP_CRON: z.preprocess(emptyAsUndefined, z.string().optional().refine((v) => v === undefined || cron.validate(v), backupText.config.backupCron)),
    /** Where backups go; default `backups` beside the database. */
    BACKUP_DIR: optionalString,
    /** Backups kept (the oldest beyond this are deleted after each backup). */
    BACKUP_KEEP: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(10_000).default(14)),
    TIMEZONE: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .default('Asia/Shanghai')
        .refine((tz) => {
          try {
            new Intl.DateTimeFormat('en', { timeZone: tz });
            return true;
          } catch {
            return false;
          }
        }, serverText.config.badTimeZone),
    ),
    DEFAULT_POLICY: z.preprocess(emptyAsUndefined, z.string().default('laibin')),
    LOG_LEVEL: z.preprocess(
      emptyAsUndefined,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
    XUESHI_NOW: z.preprocess(emptyAsUndefined, z.iso.datetime({ offset: true, local: true }).or(z.iso.date()).optional()),
    /** Upper bound on a webhook body; Feishu events are a few KB. */
    MAX_BODY_BYTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1024).default(256 * 1024)),
    /** Upper bound on a console upload (streamed to disk, never held in memory): 100 MB. */
    MAX_UPLOAD_BYTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1024).default(100 * 1024 * 1024)),

    /** Upper bound on one evidence file (a certificate photo or PDF), checked as it streams in: 10 MiB. */
    MAX_EVIDENCE_BYTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1024).default(10 * 1024 * 1024)),
    /** Where evidence files are kept (content-addressed); default `evidence` beside the database. Nothing serves this folder. */
    EVIDENCE_DIR: optionalString,

    FEISHU_APP_ID: optionalString,
    FEISHU_APP_SECRET: optionalString,
    FEISHU_VERIFICATION_TOKEN: optionalString,
    FEISHU_ENCRYPT_KEY: optionalString,
    FEISHU_BASE_URL: url('https://open.feishu.cn'),
    /** Feishu's web login page host (scan-to-sign-in): https://accounts.feishu.cn, or https://accounts.larksuite.com. */
    FEISHU_ACCOUNTS_BASE_URL: url('https://accounts.feishu.cn'),
    FEISHU_MODE: z.preprocess(emptyAsUndefined, z.enum(['webhook', 'websocket']).default('webhook')),
    /**
     * The Feishu webhook with neither FEISHU_VERIFICATION_TOKEN nor FEISHU_ENCRYPT_KEY would accept forged events;
     * it is refused unless this is `true` (a closed test network only).
     */
    /**
     * The bot's name as shown in Feishu: only used while its open_id is not yet known (Feishu unreachable at
     * start), to let through group messages whose first mention has exactly this name.
     */
    FEISHU_BOT_NAME: optionalString,
    FEISHU_ALLOW_UNVERIFIED: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('false').transform((v) => v === 'true')),

    DINGTALK_CLIENT_ID: optionalString,
    DINGTALK_CLIENT_SECRET: optionalString,
    DINGTALK_ROBOT_CODE: optionalString,
    DINGTALK_API_BASE_URL: url('https://api.dingtalk.com'),
    /** DingTalk's web login page host (scan-to-sign-in). */
    DINGTALK_LOGIN_BASE_URL: url('https://login.dingtalk.com'),
    /** DingTalk's older OpenAPI host (unionId → userid for scan-to-sign-in). */
    DINGTALK_OAPI_BASE_URL: url('https://oapi.dingtalk.com'),
    DINGTALK_MODE: z.preprocess(emptyAsUndefined, z.enum(['webhook', 'stream']).default('webhook')),

    /** Officer console: a fixed token for first setup (log in at /admin/login); off when unset. */
    ADMIN_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, serverText.config.adminTokenShort).optional()),
    /**
     * Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or CIDR ranges, e.g.
     * `127.0.0.1,::1` for nginx on the same machine). Unset: none, and the socket address is the client's.
     */
    TRUSTED_PROXIES: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .optional()
        .refine((v) => v === undefined || parseProxyList(v) !== null, serverText.config.badProxies),
    ),
    /** Where people reach this server, for links the bot sends (the console login link); default http://127.0.0.1:PORT. */
    PUBLIC_BASE_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
    /** Alias of PUBLIC_BASE_URL (the name the quick start uses); PUBLIC_URL wins when both are set. */
    PUBLIC_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
    /** The office that issues 学时证明, printed at the top and by the seal. */
    OFFICE_NAME: z.preprocess(emptyAsUndefined, z.string().max(60).default(serverText.config.defaultOfficeName)),
    /** A PNG or JPEG of the office seal drawn on each 学时证明; none when unset. */
    OFFICE_SEAL_PATH: optionalString,
    /**
     * Days files the server wrote are kept: sent reply attachments (data/files), the terminal's copies of them and
     * the console's certificate exports (data/exports). An attachment a pending or failed message names is kept.
     */
    FILES_RETENTION_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(3650).default(7)),
  })
  .superRefine((c, ctx) => {
    if (Boolean(c.FEISHU_APP_ID) !== Boolean(c.FEISHU_APP_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: [c.FEISHU_APP_ID ? 'FEISHU_APP_SECRET' : 'FEISHU_APP_ID'],
        message: serverText.config.feishuPair,
      });
    }
    if (Boolean(c.DINGTALK_CLIENT_ID) !== Boolean(c.DINGTALK_CLIENT_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: [c.DINGTALK_CLIENT_ID ? 'DINGTALK_CLIENT_SECRET' : 'DINGTALK_CLIENT_ID'],
        message: serverText.config.dingtalkPair,
      });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** Parses the environment; a bad value throws a ConfigError whose message names each variable at fault. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(config)';
    const value = typeof issue.path[0] === 'string' ? env[issue.path[0]] : undefined;
    return `  ${name}${value !== undefined ? `=${JSON.stringify(value)}` : ''}: ${issue.message}`;
  });
  throw new ConfigError(serverText.config.error(lines));
}

export type DatabaseChoice = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/** Which database the configuration selects: DATABASE_URL (PostgreSQL) when set, else the SQLite file. */
export function databaseChoice(c: Pick<Config, 'DATABASE_URL' | 'DATABASE_PATH'>): DatabaseChoice {
  return c.DATABASE_URL ? { dialect: 'postgres', url: c.DATABASE_URL } : { dialect: 'sqlite', path: c.DATABASE_PATH };
}

/**
 * The app and the CLI run on SQLite only until the stores are asynchronous (docs/postgres.md): with DATABASE_URL
 * they stop here with a clear configuration error instead of quietly using the SQLite file.
 */
export function assertRunnableDatabase(c: Pick<Config, 'DATABASE_URL' | 'DATABASE_PATH'>): void {
  if (databaseChoice(c).dialect === 'postgres') throw new ConfigError(backupText.config.postgresNotYet);
}

export function feishuEnabled(c: Config): boolean {
  return Boolean(c.FEISHU_APP_ID && c.FEISHU_APP_SECRET);
}

export function dingtalkEnabled(c: Config): boolean {
  return Boolean(c.DINGTALK_CLIENT_ID && c.DINGTALK_CLIENT_SECRET);
}

/**
 * Where people reach this server, for every link the bot prints or sends (console login, projector page):
 * PUBLIC_URL, else PUBLIC_BASE_URL, else http://localhost:<the port actually listened on>. No trailing slash.
 */
export function publicUrl(config: Pick<Config, 'PUBLIC_URL' | 'PUBLIC_BASE_URL'>, port: number): string {
  return (config.PUBLIC_URL ?? config.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
}
