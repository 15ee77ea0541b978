/** The outbox worker's (worker.ts) timings and sizes. */

export const NEWEST_PER_TICK = 5;
/** Send outcomes are written together after this long (one transaction instead of one per message). */
export const RECORD_BATCH_MS = 3;
/**
 * Rows a look may find blocked by limits that hold only their own lane (no `Limit.lanes` wider than it) before it
 * stops reading the oldest rows and walks the lanes instead.
 */
export const MAX_BLOCKED_PER_TICK = 16;
/** Lanes (index seeks) a look may walk past the rows it read, when held lanes filled them (src/outbox/lanes.ts). */
export const LANE_STEPS = 64;
/** A kick within this long of a look already scheduled waits for that look. */
export const KICK_COALESCE_MS = 25;
/** Calls built ahead of the rate limiter's next free slots (a DingTalk window of 20, most of a Feishu one). */
export const READY_CALLS = 32;
/** Down to this many ready calls, a look at the table builds more. */
export const READY_REFILL_AT = 8;
/**
 * Calls are built ready this long before their slot frees, not sooner: building them while the answers of the
 * window before are still coming in would delay those answers, and each answer is when a slot reopens.
 */
export const READY_AHEAD_MS = 200;

/**
 * Why the last look at the table stopped, which says whether an answer or a drained ready queue needs another:
 * 'done' (every due row is in flight or ready), 'limited' (the rest wait for the rate limiter; a look is timed
 * for READY_AHEAD_MS before their slot), 'readyFull', 'callsFull' (maxInFlight), 'pageEnd' (more rows than read).
 */
export type LookStop = 'done' | 'limited' | 'readyFull' | 'callsFull' | 'pageEnd';
