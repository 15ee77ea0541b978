import { type Db } from '../../db/client.js';
import type { InboundEvent } from '../core/messages.js';
import { claimEvents } from './store.js';

interface PendingClaim {
  event: InboundEvent;
  resolve(fresh: boolean): void;
  reject(error: unknown): void;
}

/**
 * Group commit for inbox claims. Every claim made during one turn of the event loop is inserted in one
 * transaction, and each caller hears whether its event was new only after that commit, so an ack still
 * never goes out before its claim is durable. Under a burst this turns fifty commits into one; a lone
 * event waits at most one turn.
 */
export class ClaimBatch {
  private queue: PendingClaim[] = [];
  private flushScheduled = false;

  constructor(private readonly db: Db) {}

  claim(event: InboundEvent): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    this.flushScheduled = false;
    let results: boolean[];
    try {
      results = await claimEvents(this.db, batch.map((c) => c.event));
    } catch (error) {
      // Nothing was claimed: every request in the batch fails and the platform retries it.
      for (const c of batch) c.reject(error);
      return;
    }
    batch.forEach((c, i) => c.resolve(results[i]));
  }
}
