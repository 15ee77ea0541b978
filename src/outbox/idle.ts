import type { Logger } from '../logger.js';

/**
 * Callers waiting for a worker to be idle (tests, graceful shutdown): each check asks the worker (which may read
 * the database, so the answer is a promise) and, when it is idle, lets every waiter go.
 */
export class IdleWaiters {
  private waiters: (() => void)[] = [];

  constructor(
    private readonly isIdle: () => Promise<boolean>,
    private readonly logger: Logger,
  ) {}

  /** Resolves once a check finds the worker idle (this call checks at once). */
  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      void this.check();
    });
  }

  /** Never rejects: a failed look is logged, and the next check asks again. */
  async check(): Promise<void> {
    if (this.waiters.length === 0) return;
    try {
      if (!(await this.isIdle())) return;
    } catch (error) {
      this.logger.error({ err: error }, 'could not tell whether the worker is idle');
      return;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
