import type { Db } from '../../db/client.js';
import type { Logger } from '../logger.js';
import { markFailed, markRetry, markSent, type Lease } from './store.js';
import { type OutboxMessage } from './outbox.js';
import type { RateLimiter } from './rate-limit.js';
import type { SendResult } from './sender.js';

/** last_error of a message given up after two sends whose outcome is unknown (the report shows it as its reason). */
export const UNKNOWN_TWICE = 'outcome unknown twice (timed out or cut off after the request was sent); not sent again';

export interface RetryPolicy {
  maxAttempts?: number;
  /**
   * Wait before the first retry of a transient failure (a 5xx, a dropped connection). Short by default: the
   * rate limiter already spaces calls, and a broadcast's last window must not wait a whole backoff for one
   * failed call. A platform that keeps failing gets the exponential backoff from the second retry on.
   */
  firstRetryMs?: number;
  /** Backoff base; retry n ≥ 2 waits base·2ⁿ⁻² (jittered), capped at maxBackoffMs. */
  backoffBaseMs?: number;
  maxBackoffMs?: number;
}

/** Writes what one send did to its row: sent, failed for good, or due again after a backoff. */
export async function recordOutcome(
  db: Db,
  { message, result, at: now }: { message: OutboxMessage; result: SendResult; at: Date },
  policy: RetryPolicy,
  limiter: RateLimiter,
  logger: Logger,
  lease?: Lease,
): Promise<void> {
  if (result.status === 'sent') {
    if (!(await markSent(db, message.id, now, result.platformMessageId, lease))) logger.info({ id: message.id }, 'outbox: sent row already marked by another instance');
    return;
  }
  const attempts = message.attempts + 1;
  const unknown = result.status === 'retry' && result.outcomeUnknown === true;
  if (unknown && (message.unknownOutcomes ?? 0) >= 1) {
    // Two requests may both have been delivered already; a third could only add another copy.
    await markFailed(db, message.id, `${UNKNOWN_TWICE}: ${result.error}`, true, lease);
    logger.warn({ id: message.id, platform: message.platform, error: result.error, attempts }, 'outbox message outcome unknown twice; not sent again');
    return;
  }
  if (result.status === 'failed' || attempts >= (policy.maxAttempts ?? 10)) {
    await markFailed(db, message.id, result.error, unknown, lease);
    logger.warn({ id: message.id, platform: message.platform, error: result.error, attempts }, 'outbox message failed for good');
    return;
  }
  if (result.pauseKey && result.retryAfterMs) limiter.pause(result.pauseKey, now.getTime() + result.retryAfterMs);
  const delay = result.retryAfterMs ?? backoff(attempts, policy);
  await markRetry(db, message.id, result.error, new Date(now.getTime() + delay), unknown, lease);
  if (unknown) logger.warn({ id: message.id, platform: message.platform, error: result.error }, 'outbox send outcome unknown (may have been delivered); trying once more');
  logger.info({ id: message.id, platform: message.platform, error: result.error, retryInMs: delay }, 'outbox send will be retried');
}

function backoff(attempts: number, policy: RetryPolicy): number {
  if (attempts <= 1) return policy.firstRetryMs ?? 0;
  const base = policy.backoffBaseMs ?? 1000;
  const capped = Math.min(policy.maxBackoffMs ?? 60_000, base * 2 ** (attempts - 2));
  return Math.round(capped * (0.8 + Math.random() * 0.4));
}
