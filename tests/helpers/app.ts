import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createXueshi, type Xueshi, type XueshiOptions } from '../../src/app.js';
import { FixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';

export interface TestApp extends Xueshi {
  dir: string;
  fixedClock: FixedClock;
  cleanup(): Promise<void>;
}

/** A real app over a real SQLite file in a fresh temp dir, with a clock the test controls. */
export async function createTestApp(
  env: Record<string, string> = {},
  options: Partial<XueshiOptions> & { now?: string } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'xueshi-test-'));
  const config = loadConfig({ DATABASE_PATH: join(dir, 'xueshi.db'), LOG_LEVEL: 'silent', ...env });
  const fixedClock = new FixedClock(options.now ?? '2026-11-25T10:00:00+08:00');
  const app = createXueshi({
    config,
    clock: fixedClock,
    logger: silentLogger,
    outbox: { pollMs: 50, backoffBaseMs: 20, maxBackoffMs: 200 },
    evidence: { pollMs: 50, backoffBaseMs: 20, maxBackoffMs: 200 },
    ...options,
  });
  await app.start();
  let stopped = false;
  return Object.assign(app, {
    dir,
    fixedClock,
    async cleanup() {
      if (!stopped) await app.stop();
      stopped = true;
      rmSync(dir, { recursive: true, force: true });
    },
  });
}
