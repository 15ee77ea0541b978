/**
 * Which rows this instance may send (issue 16: several instances on one PostgreSQL database). Each platform call
 * first claims its rows (store.ts claimRows: FOR UPDATE SKIP LOCKED, a lease until now + leaseMs); rows another
 * instance claimed are dropped from the call. Outcomes are written under the same lease, so a row whose lease ran
 * out and was claimed again elsewhere is not marked twice. On SQLite one process sends: nothing is claimed.
 */
import { hostname } from 'node:os';
import type { Db } from '../../db/client.js';
import { dialectOf } from '../../db/handle.js';
import type { Logger } from '../logger.js';
import type { OutboxMessage } from './outbox.js';
import { claimRows, type Lease } from './store.js';

/** Long enough for a call and its outcome's write, however slow the platform answers (senders time out sooner). */
export const DEFAULT_LEASE_MS = 30_000;

export class OutboxClaims {
  /** Whether rows are claimed before a call (several instances may share the database). */
  readonly enabled: boolean;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    readonly instanceId = `${hostname()}-${process.pid}`,
    private readonly leaseMs = DEFAULT_LEASE_MS,
  ) {
    this.enabled = dialectOf(db) === 'postgres';
  }

  /** This instance's lease at `at`, for reads and outcome writes. */
  lease(at: Date): Lease {
    return { by: this.instanceId, at };
  }

  /** The messages of a call this instance now holds (all of them on SQLite; none when the claim failed). */
  async claim(batch: readonly OutboxMessage[], at: Date): Promise<OutboxMessage[]> {
    if (!this.enabled) return [...batch];
    try {
      const claimed = await claimRows(this.db, batch.map((m) => m.id), this.lease(at), new Date(at.getTime() + this.leaseMs));
      return batch.filter((m) => claimed.has(m.id));
    } catch (error) {
      this.logger.error({ err: error }, 'outbox: claiming rows failed; a later look reads them again');
      return [];
    }
  }
}
