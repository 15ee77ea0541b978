import type { Db } from '../../db/client.js';
import { messagesFor, type Messages } from '../bot/i18n/index.js';
import { broadcastReports } from '../broadcasts/report.js';
import { materialisePresetDeadlines } from '../deadlines/presets.js';
import { expireDeclarationDrafts } from '../declarations/chat/expiry.js';
import { deadlineReminders } from '../deadlines/reminders.js';
import { declarationReminders } from '../declarations/approval/reminders.js';
import { silentLogger, type Logger } from '../logger.js';
import { pruneFiles, type FileRetention } from '../outbox/prune-files.js';
import type { PolicyPreset } from '../policy/schema.js';
import type { TickContext } from './context.js';
import { paceReminders } from './pace.js';
import { claimJobTicks, pruneJobTicks } from './store.js';
import { transaction } from '../../db/statements.js';
import { surveyJobs } from '../surveys/schedule.js';

export interface SchedulerDeps {
  db: Db;
  presets: ReadonlyMap<string, PolicyPreset>;
  /** config TIMEZONE (Asia/Shanghai). */
  timeZone: string;
  logger?: Logger;
  /** The outbox worker's clock when it differs from the business clock; by default the tick's `now`. */
  transportNow?: () => Date;
  /** Called when a tick enqueued something, so the sender looks at once. */
  onEnqueued?: () => void;
  messages?: Messages;
  /** Time a tick may spend before leaving the rest to the next one (ms; default DEFAULT_TICK_BUDGET_MS). */
  budgetMs?: number;
  /** Sent attachments and exports to remove once past their retention (none for an in-memory database). */
  files?: FileRetention;
  /**
   * INSTANCE_ID. Set (the app always sets it), each job is claimed per minute in job_ticks and runs on the one
   * instance that claimed it; unset (a test or a tool calling a tick directly), every job runs.
   */
  instance?: string;
}

/** Jobs claimed once per tick across instances on one database (all but the per-instance ones). */
export const CLAIMED_JOBS = ['materialise', 'deadlines', 'pace', 'broadcastReports', 'declarations', 'declarationDrafts', 'surveys', 'jobTicks'] as const;
/** Claims are kept this long, then pruned (a day: plenty to see which instance ran what). */
const JOB_TICKS_KEPT_MS = 24 * 3600_000;
/** A claimed job, or one every instance runs on its own (its own disk's files). */
export type JobName = (typeof CLAIMED_JOBS)[number] | 'files';

export const DEFAULT_TICK_BUDGET_MS = 400;

export interface TickReport {
  materialised: number;
  reminders: number;
  escalations: number;
  pace: number;
  broadcastReports: number;
  /** 学时申报 waiting too long: reminders to their approvers, and escalations to the office. */
  declarationReminders: number;
  declarationEscalations: number;
  /** Files removed past their retention (attachments, their terminal copies, exports). */
  prunedFiles: number;
  /** Half-filled 学时申报 drafts dropped (each teacher told once). */
  expiredDrafts: number;
  /** Issue 17: evaluations opened for sessions that ended, reminders queued, organisers told results are in. */
  evaluationsOpened: number;
  surveyReminders: number;
  surveyNotices: number;
  /** Jobs this instance ran this tick (the others were claimed by another instance, or not configured). */
  ran: JobName[];
  /** Units of work left for the next tick because the budget ran out (reminder slots, plus 1 for pace). */
  deferred: number;
  errors: number;
  ms: number;
}

/**
 * One scheduler pass. Everything it does is computed from the database and `now`, never from timers kept in
 * memory: what is due is decided afresh each time and every message has an idempotency key, so running it
 * twice, after a restart, or late after downtime sends each reminder once. Jobs fail independently.
 */
export async function runSchedulerTick(deps: SchedulerDeps, now: Date): Promise<TickReport> {
  const started = performance.now();
  const logger = deps.logger ?? silentLogger;
  const stopAt = started + (deps.budgetMs ?? DEFAULT_TICK_BUDGET_MS);
  const ctx: TickContext = {
    db: deps.db,
    presets: deps.presets,
    timeZone: deps.timeZone,
    now,
    transportNow: deps.transportNow?.() ?? now,
    t: deps.messages ?? messagesFor('zh-CN'),
    logger,
    overBudget: () => performance.now() > stopAt,
  };
  const report: TickReport = {
    materialised: 0,
    reminders: 0,
    escalations: 0,
    pace: 0,
    broadcastReports: 0,
    declarationReminders: 0,
    declarationEscalations: 0,
    prunedFiles: 0,
    expiredDrafts: 0,
    evaluationsOpened: 0,
    surveyReminders: 0,
    surveyNotices: 0,
    ran: [],
    deferred: 0,
    errors: 0,
    ms: 0,
  };
  // Several instances on one database: each job runs on whichever instance claims it for this minute. The minute is
  // real (transport) time, which instances agree on even when XUESHI_NOW moves the business clock; cron fires at
  // second 17, so clocks a few seconds apart still name the same minute.
  let mine: ReadonlySet<string> | null = null;
  const instance = deps.instance;
  if (instance !== undefined) {
    const tick = startOfMinute(ctx.transportNow);
    try {
      mine = await transaction(ctx.db, (tx) => claimJobTicks(tx, tick, CLAIMED_JOBS, instance));
    } catch (error) {
      report.errors++;
      logger.error({ err: error }, 'scheduler could not claim its tick; the next tick tries again');
      mine = new Set();
    }
  }
  // A job may wait on the database (store calls are async); jobs still run one after another.
  const job = async (name: JobName, fn: () => void | Promise<void>) => {
    if (mine && name !== 'files' && !mine.has(name)) return;
    report.ran.push(name);
    try {
      await fn();
    } catch (error) {
      report.errors++;
      logger.error({ err: error, job: name }, 'scheduler job failed');
    }
  };
  await job('materialise', async () => {
    report.materialised = await materialisePresetDeadlines(ctx.db, ctx.presets, now, ctx.timeZone);
  });
  await job('deadlines', async () => {
    const r = await deadlineReminders(ctx);
    report.reminders = r.reminders;
    report.escalations = r.escalations;
    report.deferred += r.deferred;
  });
  await job('pace', async () => {
    const r = await paceReminders(ctx);
    report.pace = r.sent;
    if (r.deferred) report.deferred += 1;
  });
  await job('broadcastReports', async () => {
    report.broadcastReports = await broadcastReports(ctx);
  });
  await job('declarations', async () => {
    const r = await declarationReminders(ctx);
    report.declarationReminders = r.reminders;
    report.declarationEscalations = r.escalations;
    report.deferred += r.deferred;
  });
  const files = deps.files;
  if (files) {
    await job('files', async () => {
      // Files are stamped in real time: compared with the transport clock, never a business clock pinned ahead.
      const r = await pruneFiles(ctx.db, files, ctx.transportNow);
      report.prunedFiles = r.attachments + r.copies + r.exports;
      if (report.prunedFiles > 0) logger.info(r, 'removed files past their retention');
    });
  }
  await job('declarationDrafts', async () => {
    report.expiredDrafts = await expireDeclarationDrafts(ctx);
  });
  await job('surveys', async () => {
    const r = await surveyJobs(ctx);
    report.evaluationsOpened = r.opened;
    report.surveyReminders = r.reminders;
    report.surveyNotices = r.notices;
    report.deferred += r.deferred;
  });
  if (instance !== undefined) {
    await job('jobTicks', async () => {
      await transaction(ctx.db, (tx) => pruneJobTicks(tx, new Date(ctx.transportNow.getTime() - JOB_TICKS_KEPT_MS)));
    });
  }
  report.ms = performance.now() - started;
  if (report.deferred > 0) logger.info({ deferred: report.deferred }, 'scheduler tick over budget; the next tick carries on');
  if (report.reminders + report.escalations + report.pace + report.broadcastReports + report.declarationReminders + report.declarationEscalations + report.expiredDrafts + report.evaluationsOpened + report.surveyReminders + report.surveyNotices > 0) {
    logger.info({ ...report, ms: Math.round(report.ms) }, 'scheduler enqueued messages');
    deps.onEnqueued?.();
  }
  return report;
}

function startOfMinute(at: Date): Date {
  return new Date(at.getTime() - (at.getTime() % 60_000));
}
