import type { Db } from '../../db/client.js';
import type { Messages } from '../bot/i18n/index.js';
import type { Logger } from '../logger.js';
import type { PolicyPreset } from '../policy/schema.js';

/** What every scheduled job gets: the database, the policy presets, the time zone and "now". */
export interface TickContext {
  db: Db;
  presets: ReadonlyMap<string, PolicyPreset>;
  timeZone: string;
  /** Business time (XUESHI_NOW in demos, a FixedClock in tests). */
  now: Date;
  /** The outbox worker's "now"; send times are written relative to it (see onTransportClock). */
  transportNow: Date;
  t: Messages;
  logger: Logger;
  /**
   * True once this tick has used its time budget: jobs stop between units of work (a reminder slot, a chunk of
   * teachers) and the next tick carries on. A tick is synchronous, so this bounds how long it holds the
   * event loop (webhooks must be answered within 3 s) and the database's write lock.
   */
  overBudget(): boolean;
}
