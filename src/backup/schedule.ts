import cron, { type ScheduledTask } from 'node-cron';
import { FixedClock, type Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { makeBackup, type BackupOutcome, type BackupPlan } from './backups.js';

export interface BackupScheduleOptions extends BackupPlan {
  /** BACKUP_CRON, read in `timeZone`. */
  cronExpression: string;
  /** Names the files: real time (the transport clock), so a demo's pinned date never orders or prunes them. */
  clock: Clock;
  logger: Logger;
}

/**
 * Backups on a schedule inside the running bot (BACKUP_CRON, node-cron in TIMEZONE). As with the scheduler,
 * a FixedClock (tests) arms no cron: tests move the clock and call run(). One backup at a time; one that fails
 * is logged, and the next tick tries again.
 */
export class BackupSchedule {
  private task: ScheduledTask | null = null;
  private current: Promise<BackupOutcome | null> | null = null;

  constructor(private readonly options: BackupScheduleOptions) {}

  get armed(): boolean {
    return this.task !== null;
  }

  start(): void {
    if (this.task || this.options.clock instanceof FixedClock) return;
    this.task = cron.schedule(this.options.cronExpression, () => void this.run(), {
      timezone: this.options.timeZone,
      name: 'xueshi-backup',
      noOverlap: true,
    });
  }

  /** One backup now, at the clock's time; null when it failed (logged). A call while one runs joins it. */
  run(): Promise<BackupOutcome | null> {
    this.current ??= makeBackup(this.options, this.options.clock.now())
      .then((outcome) => {
        const { backup, pruned } = outcome;
        this.options.logger.info({ path: backup.path, bytes: backup.bytes, ms: backup.ms, pruned }, 'backup done');
        return outcome;
      })
      .catch((error: unknown) => {
        this.options.logger.error({ err: error }, 'backup failed');
        return null;
      })
      .finally(() => {
        this.current = null;
      });
    return this.current;
  }

  /** Stops the cron and waits for a backup under way, so the database is not closed under it. */
  async stop(): Promise<void> {
    const task = this.task;
    this.task = null;
    if (task) {
      await task.stop();
      await task.destroy();
    }
    await this.current;
  }
}
