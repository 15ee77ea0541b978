import { like } from 'drizzle-orm';
import { schema, type Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import { createXueshi } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { PLATFORM_SETTINGS } from '../../src/platforms/settings.js';
import { setRemindersOff } from '../../src/deadlines/prefs.js';
import { bindAccount } from '../../src/ledger/accounts.js';
import { grantRole } from '../../src/ledger/roles.js';
import { silentLogger } from '../../src/logger.js';
import { runSchedulerTick, type TickReport } from '../../src/schedule/tick.js';
import type { TestApp } from './app.js';
import { addTeacher } from './seed.js';
import { databaseEnv } from './db.js';

export const TZ = 'Asia/Shanghai';

/** A Beijing wall-clock time as an instant: bj('2026-03-02 09:00:30'). */
export function bj(local: string): Date {
  return new Date(`${local.replace(' ', 'T')}+08:00`);
}

/**
 * One scheduler tick at a Beijing time. Send times are written on the business clock (the test's), which is in
 * the real past, so the app's sender delivers them at once; `hold` writes them a year ahead of real time
 * instead, to look at rows that are still queued.
 */
export function tick(app: Pick<TestApp, 'db' | 'presets' | 'fixedClock'>, at?: string, opts: { hold?: boolean } = {}): Promise<TickReport> {
  if (at) app.fixedClock.set(bj(at));
  const transportNow = opts.hold ? () => new Date(Date.now() + 365 * 86_400_000) : undefined;
  return runSchedulerTick({ db: app.db, presets: app.presets, timeZone: TZ, transportNow }, app.fixedClock.now());
}

export type OutboxRow = typeof schema.outbox.$inferSelect;

export async function rowsLike(db: Db, prefix: string): Promise<OutboxRow[]> {
  const { outbox } = tables(db);
  return db.select().from(outbox).where(like(outbox.idempotencyKey, `${prefix}%`));
}

export async function keysLike(db: Db, prefix: string): Promise<string[]> {
  return (await rowsLike(db, prefix)).map((r) => r.idempotencyKey).sort();
}

/** Adds a teacher bound to a console account; returns the id. */
export async function person(
  db: Db,
  no: string,
  name: string,
  school: string,
  opts: {
    roles?: ('leader' | 'officer')[];
    bound?: boolean;
    policyId?: string;
    homeroom?: boolean;
    position?: string;
    /** Deadline tests opt everyone out of the monthly hours reminder so it does not mix into their replies. */
    remindersOff?: boolean;
  } = {},
): Promise<number> {
  const id = await addTeacher(db, { employeeNo: no, name, school, policyId: opts.policyId ?? 'laibin', homeroom: opts.homeroom, position: opts.position });
  if (opts.remindersOff) await setRemindersOff(db, id, true, new Date());
  for (const role of opts.roles ?? []) await grantRole(db, id, role, 'test');
  if (opts.bound !== false) await bindAccount(db, 'console', `acc-${no}`, id);
  return id;
}

/** A second process on the same database: what a restart looks like. */
export async function restart(app: TestApp): Promise<TestApp> {
  const clock = app.fixedClock;
  await app.stop();
  app.stop = async () => {};
  const again = await createXueshi({ config: loadConfig({ ...databaseEnv(app.config), LOG_LEVEL: 'silent' }, PLATFORM_SETTINGS), logger: silentLogger, clock });
  await again.start();
  const dir = app.dir;
  return Object.assign(again, {
    dir,
    fixedClock: clock,
    async cleanup() {
      await again.stop();
      await app.cleanup();
    },
  }) as unknown as TestApp;
}
