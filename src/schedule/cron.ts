import cron, { type ScheduledTask } from 'node-cron';
import { FixedClock, systemClock, type Clock } from '../clock.js';
import { silentLogger } from '../logger.js';
import { runSchedulerTick, type SchedulerDeps, type TickReport } from './tick.js';

/** Every minute, at second 17: off the round minute; each tick is cheap when nothing is due. */
export const TICK_CRON = '17 * * * * *';
/** A tick that ran out of budget is followed by another this soon, not a minute later. */
const CATCH_UP_DELAY_MS = 250;

export interface SchedulerOptions extends Omit<SchedulerDeps, 'transportNow'> {
  /** Business clock: what "now" is for reminders. */
  clock: Clock;
  /** The outbox worker's clock (real time by default). */
  transportClock?: Clock;
  cronExpression?: string;
}

/**
 * Runs runSchedulerTick from node-cron in TIMEZONE, and once at start to catch up after downtime.
 * With a FixedClock (tests) time does not move by itself, so no cron is armed: tests call tick() or
 * runSchedulerTick directly after moving the clock.
 */
export class Scheduler {
  private task: ScheduledTask | null = null;
  private startTimer: NodeJS.Timeout | null = null;
  private running = false;
  private catchUp: NodeJS.Timeout | null = null;

  constructor(private readonly options: SchedulerOptions) {}

  get armed(): boolean {
    return this.task !== null;
  }

  start(): void {
    if (this.task || this.options.clock instanceof FixedClock) return;
    this.task = cron.schedule(this.options.cronExpression ?? TICK_CRON, () => this.safeTick(), {
      timezone: this.options.timeZone,
      name: 'xueshi-scheduler',
      noOverlap: true,
    });
    this.startTimer = setTimeout(() => void this.safeTick(), 1000);
    this.startTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.startTimer) clearTimeout(this.startTimer);
    if (this.catchUp) clearTimeout(this.catchUp);
    this.startTimer = null;
    this.catchUp = null;
    const task = this.task;
    this.task = null;
    if (task) {
      await task.stop();
      await task.destroy();
    }
  }

  /** One tick at the clock's current time. */
  tick(): Promise<TickReport> {
    const transport = this.options.transportClock ?? systemClock;
    return runSchedulerTick({ ...this.options, transportNow: () => transport.now() }, this.options.clock.now());
  }

  private async safeTick(): Promise<void> {
    if (this.running || !this.task) return;
    this.running = true;
    let deferred = 0;
    try {
      deferred = (await this.tick()).deferred;
    } catch (error) {
      (this.options.logger ?? silentLogger).error({ err: error }, 'scheduler tick failed');
    } finally {
      this.running = false;
    }
    // Over budget (a busy 09:00, catching up after downtime): carry on shortly, letting I/O through between ticks.
    if (deferred > 0 && !this.catchUp) {
      this.catchUp = setTimeout(() => {
        this.catchUp = null;
        void this.safeTick();
      }, CATCH_UP_DELAY_MS);
      this.catchUp.unref();
    }
  }
}
