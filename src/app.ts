import { loadPresetsFor } from './policy/for-config.js';
import type { Hono } from 'hono';
import { BackgroundCheckpointer } from '../db/checkpointer.js';
import type { Db } from '../db/client.js';
import { dialectOf } from '../db/handle.js';
import { closeConfiguredDatabase, openConfiguredDatabase } from '../db/open.js';
import { commands as defaultCommands } from '../commands/index.js';
import { Bot } from './bot/bot.js';
import type { Command } from './bot/command.js';
import { clockStartingAt, systemClock, type Clock } from './clock.js';
import { publicUrl, type Config } from './config.js';
import { filesDirFor } from './outbox/attachments.js';
import { fileRetentionFor } from './outbox/prune-files.js';
import { exportsDirFor } from './certificates/exports.js';
import type { VerifyRoutesDeps } from './http/verify.js';
import { createHttpApp } from './http/app.js';
import { createNodeServer } from './http/server.js';
import type { Server } from 'node:http';
import { pruneHandled } from './inbox/store.js';
import { createLogger, type Logger } from './logger.js';
import { OutboxWorker, type OutboxWorkerOptions } from './outbox/worker.js';
import type { PlatformAdapter } from './platforms/adapter.js';
import { ConsoleAdapter } from './platforms/console/adapter.js';
import type { PlatformDefinition } from './platforms/platform.js';
import { PLATFORMS } from './platforms/registry.js';
import { declarePlatforms } from './core/platform-traits.js';
import { Scheduler } from './schedule/cron.js';
import { BackupSchedule } from './backup/schedule.js';
import { backupDirFor } from './backup/backups.js';
import { onTransportClock, quietDeferral } from './schedule/time.js';
import type { PolicyPreset } from './policy/schema.js';
import { EvidenceWorker, type EvidenceWorkerOptions } from './declarations/evidence/worker.js';
import { evidenceDirFor } from './declarations/evidence/files.js';
import { closeAnswerPool } from './surveys/answer-pool.js';

export interface XueshiOptions {
  config: Config;
  clock?: Clock;
  /** Clock for send retries and pacing; defaults to real time even when the business clock is pinned. */
  transportClock?: Clock;
  logger?: Logger;
  commands?: readonly Command[];
  outbox?: Partial<Omit<OutboxWorkerOptions, 'db' | 'senders'>>;
  /** The verify page's rate limit and timing floor (tests shorten them). */
  verify?: Pick<VerifyRoutesDeps, 'limit' | 'floorMs'>;
  /** The chat platforms to speak (default: the registry's); a test may add one of its own. */
  platforms?: readonly PlatformDefinition[];
  /** A platform's own tuning by its id, e.g. `{ feishu: { identityRetryBaseMs } }` (tests shorten backoffs). */
  platformOptions?: Readonly<Record<string, unknown>>;
  /** Evidence download timings (tests shorten them). */
  evidence?: Partial<Omit<EvidenceWorkerOptions, 'db' | 'sources' | 'dir' | 'maxBytes'>>;
}

export interface Xueshi {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  presets: ReadonlyMap<string, PolicyPreset>;
  bot: Bot;
  outbox: OutboxWorker;
  /** Downloads, checks and stores the files teachers send as evidence (issue 13). */
  evidence: EvidenceWorker;
  http: Hono;
  console: ConsoleAdapter;
  adapters: PlatformAdapter[];
  /** The chat platforms this app knows (enabled or not), in the registry's order. */
  platforms: readonly PlatformDefinition[];
  /** Online backups on BACKUP_CRON; null when unset (or for an in-memory database, or on PostgreSQL: pg_dump). */
  backups: BackupSchedule | null;
  /** Runs WAL checkpoints on a worker thread while started, so commits on the serving thread never do. */
  checkpointer: BackgroundCheckpointer | null;
  /** The HTTP server over `http` with the platforms' webhooks on the direct path; not listening yet. */
  createServer(): Server;
  /** Starts the sender and long connections (HTTP serving is the caller's: see main.ts). */
  start(): Promise<void>;
  stop(): Promise<void>;
}


/**
 * The composition root: one database (the one the config selects: PostgreSQL on DATABASE_URL, else the SQLite
 * file, migrated on open), one bot, one outbox, every enabled platform.
 */
export async function createXueshi(options: XueshiOptions): Promise<Xueshi> {
  // Settings and presets first: a bad preset stops start-up before a connection is opened.
  const presets = loadPresetsFor(options.config);
  const db = await openConfiguredDatabase(options.config);
  try {
    return assemble(options, db, presets);
  } catch (error) {
    await closeConfiguredDatabase(db);
    throw error;
  }
}

function assemble(options: XueshiOptions, db: Db, presets: ReadonlyMap<string, PolicyPreset>): Xueshi {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.LOG_LEVEL, { instance: config.INSTANCE_ID });
  const clock = options.clock ?? (config.XUESHI_NOW ? clockStartingAt(config.XUESHI_NOW) : systemClock);
  const onSqlite = dialectOf(db) === 'sqlite';

  let outbox: OutboxWorker | undefined;
  let evidence: EvidenceWorker | undefined;
  const bot = new Bot({
    db,
    clock,
    presets,
    timeZone: config.TIMEZONE,
    defaultPolicy: config.DEFAULT_POLICY,
    certificates: {
      officeName: config.OFFICE_NAME,
      sealPath: config.OFFICE_SEAL_PATH,
      baseUrl: publicUrl(config, config.PORT),
      filesDir: filesDirFor(config),
    },
    commands: options.commands ?? defaultCommands,
    logger,
    transportClock: options.transportClock ?? systemClock,
    onEnqueued: () => {
      outbox?.kick();
      evidence?.kickIfRegistered();
    },
    instanceId: config.INSTANCE_ID,
    leaseMs: config.INBOX_LEASE_MS,
  });
  // Wire-level checks (signature freshness, session-webhook expiry) run on real time even when
  // XUESHI_NOW moves the business clock; tests that pass a clock move both.
  const deps = { bot, config, logger, clock: options.clock ?? systemClock };
  const consoleAdapter = new ConsoleAdapter(bot, clock, filesDirFor(config));
  const adapters: PlatformAdapter[] = [consoleAdapter];
  const platforms = options.platforms ?? PLATFORMS;
  // The features and the outbox read the platforms' traits (card forms, preference) from the ground layer.
  declarePlatforms(platforms);
  for (const platform of platforms) {
    if (platform.enabled(config)) {
      adapters.push(platform.createAdapter(deps, { transportClock: options.transportClock, options: options.platformOptions?.[platform.id] }));
    }
  }

  outbox = new OutboxWorker({
    db,
    senders: adapters.flatMap((a) => (a.sender ? [a.sender] : [])),
    clock: options.transportClock ?? systemClock,
    logger,
    instanceId: config.INSTANCE_ID,
    leaseMs: config.OUTBOX_LEASE_MS,
    // Quiet hours are business time (XUESHI_NOW may shift it); the worker's times are transport time.
    quietUntil: (transportNow, key) => {
      const now = clock.now();
      const until = quietDeferral(key, now, config.TIMEZONE);
      return until ? onTransportClock(until, now, transportNow) : null;
    },
    ...options.outbox,
  });

  evidence = new EvidenceWorker({
    db,
    sources: adapters.flatMap((a) => (a.resources ? [a.resources] : [])),
    dir: evidenceDirFor(config),
    maxBytes: config.MAX_EVIDENCE_BYTES,
    clock: options.transportClock ?? systemClock,
    logger,
    onEnqueued: () => outbox?.kick(),
    ...options.evidence,
  });

  // Deadline reminders, the monthly hours reminder and broadcast reports (no cron with a FixedClock: tests tick).
  const scheduler = new Scheduler({
    db,
    presets,
    timeZone: config.TIMEZONE,
    clock,
    transportClock: options.transportClock ?? systemClock,
    logger,
    onEnqueued: () => outbox?.kick(),
    files: fileRetentionFor(config, exportsDirFor(config)),
    instance: config.INSTANCE_ID,
  });

  const http = createHttpApp({
    adapters,
    maxBodyBytes: config.MAX_BODY_BYTES,
    logger,
    health: () => ({ platforms: adapters.map((a) => a.platform) }),
    instance: config.INSTANCE_ID,
    database: { db, clock: options.transportClock ?? systemClock },
    sessions: { db, clock, timeZone: config.TIMEZONE, baseUrl: config.PUBLIC_BASE_URL ?? `http://127.0.0.1:${config.PORT}` },
    scan: { db, clock, config, logger, platforms },
    admin: { db, clock, presets, config, logger, onEnqueued: () => outbox?.kick() },
    verify: { db, clock, presets, timeZone: config.TIMEZONE, trustedProxies: config.TRUSTED_PROXIES, logger, ...options.verify },
    approve: { db, clock, presets, config, logger, platforms, onEnqueued: () => outbox?.kick() },
  });

  // The SQLite file's online backups; PostgreSQL is backed up with pg_dump (README, "Backups").
  if (config.BACKUP_CRON && !onSqlite) logger.warn('BACKUP_CRON is ignored on PostgreSQL: back it up with pg_dump');
  const backups =
    config.BACKUP_CRON && onSqlite && config.DATABASE_PATH !== ':memory:'
      ? new BackupSchedule({
          dbPath: config.DATABASE_PATH,
          dir: backupDirFor(config),
          keep: config.BACKUP_KEEP,
          timeZone: config.TIMEZONE,
          cronExpression: config.BACKUP_CRON,
          clock: options.transportClock ?? systemClock,
          logger,
        })
      : null;

  // WAL checkpoints are SQLite's; the PostgreSQL server checkpoints by itself.
  const checkpointer = onSqlite ? new BackgroundCheckpointer(db, config.DATABASE_PATH, { logger }) : null;
  let pruneTimer: NodeJS.Timeout | null = null;
  return {
    config,
    db,
    clock,
    logger,
    presets,
    bot,
    outbox,
    evidence,
    http,
    console: consoleAdapter,
    adapters,
    platforms,
    backups,
    createServer: () =>
      createNodeServer({ app: http, routes: adapters.flatMap((a) => a.routes ?? []), maxBodyBytes: config.MAX_BODY_BYTES, logger }),
    checkpointer,
    async start() {
      checkpointer?.start();
      outbox!.start();
      evidence!.start();
      // Events accepted before a crash are still pending: handle them now.
      bot.schedule();
      // Events another instance on the same PostgreSQL accepted and then crashed holding: taken over after their lease.
      bot.watchLeases();
      for (const a of adapters) await a.start?.();
      // Rows are stamped in real time: prune on it too, or a clock pinned ahead (XUESHI_NOW) would delete
      // claims young enough for a platform retry to need them.
      const prune = () =>
        pruneHandled(db, new Date((options.transportClock ?? systemClock).now().getTime() - 7 * 24 * 3600_000)).catch((error: unknown) =>
          logger.error({ err: error }, 'pruning handled inbox rows failed'),
        );
      await prune();
      pruneTimer = setInterval(() => void prune(), 3600_000);
      pruneTimer.unref();
      scheduler.start();
      backups?.start();
    },
    async stop() {
      if (pruneTimer) clearInterval(pruneTimer);
      await scheduler.stop();
      await backups?.stop();
      for (const a of adapters) await a.stop?.();
      await bot.drain();
      bot.close();
      await evidence!.stop();
      await outbox!.stop();
      await checkpointer?.stop();
      // Answers waiting in the survey answer pool (PostgreSQL only) are written before the database closes.
      await closeAnswerPool(db);
      await closeConfiguredDatabase(db);
    },
  };
}

export { loadPresetsFor };
