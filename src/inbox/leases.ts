import type { Db } from '../../db/client.js';
import { dialectOf } from '../../db/handle.js';

/** How long an instance holds the pending events it took before another may take them (docs/postgres.md §2). */
export const INBOX_LEASE_MS = 30_000;

/**
 * On PostgreSQL, where several instances share the inbox: calls `look` (a drain) every half lease, so events nobody
 * handles (an instance crashed after acking them, or while handling them) are taken over soon after their lease
 * ends, even when no new event arrives here. Returns what stops it. SQLite has one process, which takes its
 * pending events at start: nothing to watch.
 */
export function watchLeases(db: Db, leaseMs: number, look: () => void): () => void {
  if (dialectOf(db) !== 'postgres') return () => undefined;
  const timer = setInterval(look, leaseMs / 2);
  timer.unref();
  return () => clearInterval(timer);
}
