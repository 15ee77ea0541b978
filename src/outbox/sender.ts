import type { OutboxMessage } from './outbox.js';
import type { Limit } from './rate-limit.js';

export type SendResult =
  | { status: 'sent'; platformMessageId?: string }
  /** Transient: try again later. `retryAfterMs` comes from the platform (e.g. x-ogw-ratelimit-reset); `pauseKey` pauses that limit key for everyone. */
  | {
      status: 'retry';
      error: string;
      retryAfterMs?: number;
      pauseKey?: string;
      /**
       * The request was written and then timed out or was cut off, on a call with no idempotency key: the
       * platform may have delivered it. The worker tries such a message at most once more and counts it as a
       * possible duplicate. Never set where the platform de-duplicates resends (Feishu's uuid).
       */
      outcomeUnknown?: boolean;
    }
  /** Permanent (bot not in chat, user outside availability, message too long): never retried. */
  | { status: 'failed'; error: string };

/** One per platform: turns an outbox message into the platform's API call. Never throws. */
export interface Sender {
  readonly platform: string;
  /** The platform's rate limits that apply to this message (per app, per user, per chat). */
  limitsFor(message: OutboxMessage): Limit[];
  send(message: OutboxMessage): Promise<SendResult>;
  /**
   * Optional: platforms whose API takes many recipients in one call (DingTalk's batchSend, ≤ 20 users). Messages
   * with the same non-null batch key may go together in one call, up to `maxBatch`; `sendBatch` answers one
   * result per message, in order. One call takes one rate-limit slot.
   */
  batchKeyOf?(message: OutboxMessage): string | null;
  readonly maxBatch?: number;
  sendBatch?(messages: readonly OutboxMessage[]): Promise<SendResult[]>;
}
