import { loadPresetsFor } from '../policy/for-config.js';
import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Writable } from 'node:stream';
import type { Db } from '../../db/client.js';
import { closeConfiguredDatabase, openConfiguredDatabase } from '../../db/open.js';
import { clockStartingAt, systemClock, type Clock } from '../clock.js';
import { databaseChoice, loadConfig, type Config } from '../config.js';
import type { PolicyPreset } from '../policy/schema.js';
import { cliText } from '../bot/i18n/zh-CN.cli.js';
import { PLATFORM_SETTINGS } from '../platforms/settings.js';

/** Exit codes operators script against. */
export const EXIT = { ok: 0, badInput: 1, config: 2 } as const;

/** A failure the officer can fix; the message is printed as is (Chinese) and the process exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.badInput,
  ) {
    super(message);
  }
}

/** What a subcommand may touch: the environment and the two output streams (tests pass their own). */
export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean; columns?: number };
}

export interface CliApp {
  config: Config;
  clock: Clock;
  presets: ReadonlyMap<string, PolicyPreset>;
}


/** Config + clock (XUESHI_NOW respected) + presets. A ConfigError propagates (exit 2 in main). */
export function loadApp(io: CliIo, overrides: Record<string, string> = {}): CliApp {
  const config = loadConfig({ ...io.env, ...overrides }, PLATFORM_SETTINGS);
  const clock = config.XUESHI_NOW ? clockStartingAt(config.XUESHI_NOW) : systemClock;
  const presets = loadPresetsFor(config);
  return { config, clock, presets };
}

/**
 * Opens the database the configuration selects (PostgreSQL on DATABASE_URL, else the SQLite file) for one command
 * and closes it afterwards. With `mustExist`, a missing SQLite file is a configuration error rather than a silently
 * created empty database (a mistyped DATABASE_PATH should not look like an empty roster).
 */
export async function withDatabase<T>(
  config: Pick<Config, 'DATABASE_URL' | 'DATABASE_PATH' | 'DATABASE_POOL_SIZE'>,
  fn: (db: Db) => T | Promise<T>,
  opts: { mustExist?: boolean } = {},
): Promise<T> {
  const choice = databaseChoice(config);
  if (opts.mustExist && choice.dialect === 'sqlite' && choice.path !== ':memory:' && !existsSync(choice.path)) {
    throw new CliError(cliText.databaseMissing(choice.path), EXIT.config);
  }
  const db = await openConfiguredDatabase(config);
  try {
    return await fn(db);
  } finally {
    await closeConfiguredDatabase(db);
  }
}

/** node:util parseArgs with Chinese messages for unknown options and missing/extra arguments. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
  usage: string,
  positionals: { min: number; max: number },
) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message.replace(/^Unknown option '([^']+)'.*$/s, (_, option: string) => cliText.args.unknownOption(option));
    throw new CliError(cliText.withUsage(message, usage));
  }
  const n = parsed.positionals.length;
  if (n < positionals.min) throw new CliError(cliText.withUsage(cliText.args.missing, usage));
  if (n > positionals.max) throw new CliError(cliText.withUsage(cliText.args.extra(parsed.positionals.slice(positionals.max)), usage));
  return parsed;
}

// Shared by certificate.ts and certificates-batch.ts (here, not in either, so the two do not import each other).
export const CERTIFICATES_USAGE = cliText.usage.certificates;
export const CERTIFICATES_BATCH_USAGE = cliText.usage.certificatesBatch;

/** A configured seal that is missing is a configuration error, refused before anything is issued. */
export function requireSealFile(seal: string | undefined): void {
  if (seal && !existsSync(seal)) throw new CliError(cliText.sealMissing(seal), EXIT.config);
}

export const int = (n: number) => n.toLocaleString('en-US');
export const seconds = (ms: number) => cliText.seconds((ms / 1000).toFixed(1));
