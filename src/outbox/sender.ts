import type { OutboxMessage } from './outbox.js';
import type { Limit } from './rate-limit.js';

export type SendResult =
  | { status: 'sent'; platformMessageId?: string }
  /** Transient: try again later. `retryAfterMs` comes from the platform (e.g. x-ogw-ratelimit-reset); `pauseKey` pauses that limit key for everyone. */
  | { status: 'retry'; error: string; retryAfterMs?: number; pauseKey?: string }
  /** Permanent (bot not in chat, user outside availability, message too long): never retried. */
  | { status: 'failed'; error: string };

/** One per platform: turns an outbox message into the platform's API call. Never throws. */
export interface Sender {
  readonly platform: string;
  /** The platform's rate limits that apply to this message (per app, per user, per chat). */
  limitsFor(message: OutboxMessage): Limit[];
  send(message: OutboxMessage): Promise<SendResult>;
}
