import type { Db } from '../../db/client.js';
import { createXueshi, type Xueshi, type XueshiOptions } from '../../src/app.js';
import { FixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { PLATFORM_SETTINGS } from '../../src/platforms/settings.js';
import { silentLogger } from '../../src/logger.js';
import { testDatabase } from './db.js';

export interface TestApp extends Xueshi {
  dir: string;
  fixedClock: FixedClock;
  /** Another connection to the app's database, as a second instance or an onlooker has (close it with closeConnection). */
  openConnection(): Promise<Db>;
  cleanup(): Promise<void>;
}

/**
 * A real app over a fresh test database (tests/helpers/db.ts: a SQLite file in a temp dir, or a PostgreSQL database
 * with TEST_DATABASE_URL), with a clock the test controls. `dir` holds the files the app keeps beside its database.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: Partial<XueshiOptions> & { now?: string } = {},
): Promise<TestApp> {
  const place = await testDatabase();
  // The settings of the platforms the app is built with, as main.ts loads them from the registry's.
  const sections = options.platforms?.map((platform) => platform.settings) ?? PLATFORM_SETTINGS;
  const fixedClock = new FixedClock(options.now ?? '2026-11-25T10:00:00+08:00');
  let app: Xueshi;
  try {
    app = await createXueshi({
      config: loadConfig({ ...place.env, LOG_LEVEL: 'silent', ...env }, sections),
      clock: fixedClock,
      logger: silentLogger,
      outbox: { pollMs: 50, backoffBaseMs: 20, maxBackoffMs: 200 },
      evidence: { pollMs: 50, backoffBaseMs: 20, maxBackoffMs: 200 },
      ...options,
    });
    await app.start();
  } catch (error) {
    await place.drop();
    throw error;
  }
  let stopped = false;
  return Object.assign(app, {
    dir: place.dir,
    fixedClock,
    openConnection: () => place.open(),
    async cleanup() {
      if (!stopped) await app.stop();
      stopped = true;
      await place.drop();
    },
  });
}
