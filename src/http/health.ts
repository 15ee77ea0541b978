/**
 * /healthz (issue 16, item 5): always 200 while serving (a restart would lose messages waiting in memory), with
 * this instance's id, each platform's state, `eventsWaiting` (messages received but not yet stored), whether the
 * database answers (`select 1` within a second: `ok` | `unreachable`) and the queue depths behind it: `inboxPending`
 * (events accepted, not handled yet) and `outboxDue` (messages whose time has come, not sent yet). With several
 * instances each reports its own view; a monitor alerts on `database` ≠ ok, `eventsWaiting` > 0 or a growing queue.
 */
import type { Db } from '../../db/client.js';
import type { Clock } from '../clock.js';
import { countPendingEvents } from '../inbox/store.js';
import { pingDatabase } from '../meta/store.js';
import { countDueMessages } from '../outbox/store.js';
import type { PlatformAdapter } from '../platforms/adapter.js';

/** A health check must answer even when the database does not: it waits this long, then says `unreachable`. */
export const DATABASE_CHECK_TIMEOUT_MS = 1000;

export interface DatabaseHealthDeps {
  db: Db;
  /** Transport time: the outbox's due times are real time. */
  clock: Clock;
  timeoutMs?: number;
}

export interface HealthDeps {
  adapters: readonly PlatformAdapter[];
  health: () => Record<string, unknown>;
  /** INSTANCE_ID. */
  instance?: string;
  database?: DatabaseHealthDeps;
}

export type DatabaseHealth = { database: 'ok'; inboxPending: number; outboxDue: number } | { database: 'unreachable' };

export async function healthOf(deps: HealthDeps): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = { ok: true, ...(deps.instance !== undefined && { instance: deps.instance }), ...deps.health() };
  let eventsWaiting = 0;
  for (const adapter of deps.adapters) {
    const health = adapter.health?.();
    if (!health) continue;
    body[adapter.platform] = health;
    eventsWaiting += health.eventsWaiting ?? 0;
  }
  body.eventsWaiting = eventsWaiting;
  if (eventsWaiting > 0) body.warning = `${eventsWaiting} message(s) received but not yet stored (database not writable?); retrying`;
  if (deps.database) Object.assign(body, await databaseHealth(deps.database));
  return body;
}

/** Reachability and queue depths, or `unreachable` when the database fails or takes longer than the timeout. */
export async function databaseHealth(deps: DatabaseHealthDeps): Promise<DatabaseHealth> {
  const { db } = deps;
  const checks = Promise.all([pingDatabase(db), countPendingEvents(db), countDueMessages(db, deps.clock.now())]);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), deps.timeoutMs ?? DATABASE_CHECK_TIMEOUT_MS);
  });
  try {
    const result = await Promise.race([checks, timedOut]);
    if (result === 'timeout') {
      // Still waiting on a connection: its eventual failure is this check's answer already, not an unhandled error.
      checks.catch(() => undefined);
      return { database: 'unreachable' };
    }
    const [, inboxPending, outboxDue] = result;
    return { database: 'ok', inboxPending, outboxDue };
  } catch {
    return { database: 'unreachable' };
  } finally {
    clearTimeout(timer);
  }
}
