import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { z } from 'zod';
import cron from 'node-cron';
import { backupText } from './bot/i18n/zh-CN.backup.js';
import { parseProxyList } from './core/proxy-list.js';
import { serverText } from './bot/i18n/zh-CN.server.js';

/** Every setting the process reads from the environment. This is the only place `process.env` is read. */
export const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
/** An optional string variable; empty counts as unset. */
export const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
/** A URL variable with its default; empty counts as unset. */
export const url = (fallback: string) => z.preprocess(emptyAsUndefined, z.url().default(fallback));

/** A check for two variables that only work together (an app's id and secret): both set or neither; names the missing one. */
export const bothOrNeither =
  <K extends string>(first: K, second: K, message: string) =>
  (c: Partial<Record<K, unknown>>, ctx: z.RefinementCtx) => {
    if (Boolean(c[first]) !== Boolean(c[second])) ctx.addIssue({ code: 'custom', path: [c[first] ? second : first], message });
  };

export const ConfigSchema = z
  .object({
    PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
    HOST: z.preprocess(emptyAsUndefined, z.string().default('0.0.0.0')),
    DATABASE_PATH: z.preprocess(emptyAsUndefined, z.string().default('data/xueshi.db')),
    /**
     * postgres:// or postgresql://… selects PostgreSQL instead of the SQLite file (issue 16): the app and the CLI open
     * a pool on it and apply db/migrations-pg at start (several instances may start at once).
     */
    DATABASE_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .optional()
        .refine((v) => v === undefined || /^postgres(ql)?:\/\/./i.test(v), backupText.config.databaseUrlScheme),
    ),
    /**
     * Connections this instance may hold on PostgreSQL (node-postgres pool). With several instances, their pools
     * together must stay under the server's max_connections (README, city or province deployment).
     */
    DATABASE_POOL_SIZE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1, serverText.config.badPoolSize).max(500, serverText.config.badPoolSize).default(10)),
    /**
     * This process's name among several instances on one database: every log line and /healthz carry it, and
     * leases (outbox, inbox) record it. Default `<hostname>-<pid>`, unique on one machine and across restarts.
     */
    INSTANCE_ID: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[\w.:@-]{1,64}$/, serverText.config.badInstanceId)
        .default(() => `${hostname()}-${process.pid}`),
    ),
    /**
     * Where the app keeps the files it writes (files/ reply attachments, exports/ certificate exports, evidence/
     * unless EVIDENCE_DIR, uploads waiting for import); default: the SQLite database's folder (data/). Several
     * instances on one PostgreSQL must point it at storage they share (NFS, a mounted volume).
     */
    FILES_DIR: optionalString,
    /**
     * How long an instance holds the pending events it took before another instance sharing the database may take
     * them over (one that crashed while holding them): ms, default 30 s. Tests shorten it.
     */
    INBOX_LEASE_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(200).max(600_000).default(30_000)),
    /** The same for outbox rows an instance claimed to send (ms; default 30 s, src/outbox/claims.ts). Tests shorten it. */
    OUTBOX_LEASE_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(200).max(600_000).optional()),
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
  });

/**
 * A part of the settings owned by a module above this one (each chat platform's, in src/platforms/<name>/settings.ts):
 * a zod schema from environment variable names to that module's typed settings. loadConfig parses every section it
 * is given beside the core ones, so a bad value in any of them is reported the same way and stops start-up.
 * Keep a section module light (zod and catalogues only): the CLI loads every section to start.
 */
export interface SettingsSection<S> {
  /** Whose settings these are (a platform's id); one section per id in a Config. */
  readonly id: string;
  /** Reads the environment: variable names in, typed settings out; an issue's path names the variable at fault. */
  readonly schema: z.ZodType<S>;
}

export type CoreConfig = z.infer<typeof ConfigSchema>;

export type Config = CoreConfig & {
  /** Each loaded section's settings by its id: read them with settingsOf. */
  readonly sections: ReadonlyMap<string, unknown>;
};

export class ConfigError extends Error {}

/**
 * Parses the environment: the core settings and every section given (the registered platforms'); a bad value
 * throws a ConfigError whose message names each variable at fault.
 */
export function loadConfig(env: Record<string, string | undefined>, sections: readonly SettingsSection<unknown>[]): Config {
  const issues: z.core.$ZodIssue[] = [];
  const core = ConfigSchema.safeParse(env);
  if (!core.success) issues.push(...core.error.issues);
  const parsed = new Map<string, unknown>();
  for (const section of sections) {
    const result = section.schema.safeParse(env);
    if (result.success) parsed.set(section.id, result.data);
    else issues.push(...result.error.issues);
  }
  if (core.success && issues.length === 0) return { ...core.data, sections: parsed };
  const lines = issues.map((issue) => {
    const name = issue.path.join('.') || '(config)';
    const value = typeof issue.path[0] === 'string' ? env[issue.path[0]] : undefined;
    return `  ${name}${value !== undefined ? `=${JSON.stringify(value)}` : ''}: ${issue.message}`;
  });
  throw new ConfigError(serverText.config.error(lines));
}

/** A section's settings; the config must have been loaded with that section (a programming error otherwise). */
export function settingsOf<S>(config: Pick<Config, 'sections'>, section: SettingsSection<S>): S {
  if (!config.sections.has(section.id)) throw new Error(`configuration loaded without the '${section.id}' settings: pass its section to loadConfig`);
  return config.sections.get(section.id) as S;
}

export type DatabaseChoice = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/** Which database the configuration selects: DATABASE_URL (PostgreSQL) when set, else the SQLite file. */
export function databaseChoice(c: Pick<Config, 'DATABASE_URL' | 'DATABASE_PATH'>): DatabaseChoice {
  return c.DATABASE_URL ? { dialect: 'postgres', url: c.DATABASE_URL } : { dialect: 'sqlite', path: c.DATABASE_PATH };
}

/** The database as a person reads it in a start-up line: the SQLite file, or the PostgreSQL URL without its password. */
export function databaseLabel(c: Pick<Config, 'DATABASE_URL' | 'DATABASE_PATH'>): string {
  const choice = databaseChoice(c);
  if (choice.dialect === 'sqlite') return choice.path;
  try {
    const url = new URL(choice.url);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'PostgreSQL';
  }
}

/** The folder the app keeps its files in: FILES_DIR, else the SQLite database's folder (data/ by default). */
export function filesRootFor(c: Pick<Config, 'FILES_DIR' | 'DATABASE_PATH'>): string {
  return c.FILES_DIR ?? dirname(c.DATABASE_PATH);
}

/** Whether the files have no folder of their own: an in-memory SQLite database without FILES_DIR (temp dirs then). */
export function filesInMemory(c: Pick<Config, 'FILES_DIR' | 'DATABASE_PATH' | 'DATABASE_URL'>): boolean {
  return !c.FILES_DIR && !c.DATABASE_URL && c.DATABASE_PATH === ':memory:';
}

/**
 * Where people reach this server, for every link the bot prints or sends (console login, projector page):
 * PUBLIC_URL, else PUBLIC_BASE_URL, else http://localhost:<the port actually listened on>. No trailing slash.
 */
export function publicUrl(config: Pick<Config, 'PUBLIC_URL' | 'PUBLIC_BASE_URL'>, port: number): string {
  return (config.PUBLIC_URL ?? config.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
}
