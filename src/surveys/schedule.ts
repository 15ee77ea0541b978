import { transaction } from '../../db/statements.js';
import { statesOlderThan } from '../bot/store.js';
import { forget } from '../bot/chat-state.js';
import { surveysText as S } from '../bot/i18n/zh-CN.surveys.js';
import { accountsOf } from '../outbox/address.js';
import { enqueue } from '../outbox/store.js';
import type { TickContext } from '../schedule/context.js';
import { onTransportClock, sendTimeFor } from '../schedule/time.js';
import type { Outgoing } from '../core/messages.js';
import { isOver } from '../sessions/model.js';
import { dateIn } from '../time/zone.js';
import { MIN_GROUP_SIZE } from './anonymity.js';
import { answerPoolOf, FLUSH_GRACE_MS } from './answer-pool.js';
import { SURVEY_DRAFT_KEY } from './chat/flow.js';
import { resultsRecipients } from './organiser.js';
import { roundResults } from './results.js';
import { openSessionEvaluation } from './service.js';
import {
  answersArePooled,
  markReminded,
  markResultsNotified,
  roundsDueReminder,
  roundsDueResults,
  sessionsWithoutRound,
  unansweredToRemind,
  type RoundRow,
} from './store.js';

const DAY_MS = 24 * 3600_000;
/** Sessions that ended this long ago or less are still evaluated (a restart, a first install): older ones are not. */
export const EVALUATION_SWEEP_DAYS = 2;
/** Half-answered drafts untouched this long are dropped (their answers were never submitted, so never stored). */
export const SURVEY_DRAFT_LIFETIME_MS = DAY_MS;

export interface SurveyTickReport {
  opened: number;
  reminders: number;
  notices: number;
  deferred: number;
}

/**
 * The scheduler's part of issue 17, worked out from the database and `now` (a re-run sends nothing twice):
 * - a session whose last window has passed (or that was closed) and has no evaluation yet gets one;
 * - a round whose reminder is due gets one reminder to those who have not answered (held in quiet hours);
 * - the organiser of a round that closed, or that everyone answered, is told once;
 * - stale half-answered drafts are deleted.
 * On PostgreSQL this instance's answer pool first writes the rounds that have closed, and a closed round's organiser
 * is told only FLUSH_GRACE_MS after it closed, once every instance's pool has written it (answer-pool.ts).
 */
export async function surveyJobs(ctx: TickContext): Promise<SurveyTickReport> {
  const report: SurveyTickReport = { opened: 0, reminders: 0, notices: 0, deferred: 0 };
  const { db, now } = ctx;
  const deps = { db, now, sendAt: ctx.transportNow, timeZone: ctx.timeZone };
  const since = dateIn(new Date(now.getTime() - EVALUATION_SWEEP_DAYS * DAY_MS), ctx.timeZone);
  const pooled = answersArePooled(db);
  if (pooled) await answerPoolOf(db).flushClosed(now);
  for (const session of await sessionsWithoutRound(db, since)) {
    if (ctx.overBudget()) return { ...report, deferred: report.deferred + 1 };
    if (session.status !== 'closed' && !isOver(session, now)) continue;
    const outcome = await transaction(db, (tx) => openSessionEvaluation({ ...deps, db: tx }, session));
    if (outcome.kind === 'opened') {
      report.opened++;
      ctx.logger.info({ sessionId: session.id, roundId: outcome.round.id, invited: outcome.invited }, 'session evaluation opened');
    }
  }
  for (const round of await roundsDueReminder(db, now)) {
    if (ctx.overBudget()) return { ...report, deferred: report.deferred + 1 };
    report.reminders += await transaction(db, (tx) => remind({ ...ctx, db: tx }, round));
  }
  for (const round of await roundsDueResults(db, pooled ? new Date(now.getTime() - FLUSH_GRACE_MS) : now)) {
    if (ctx.overBudget()) return { ...report, deferred: report.deferred + 1 };
    report.notices += await transaction(db, (tx) => notifyOrganiser({ ...ctx, db: tx }, round));
  }
  await transaction(db, async (tx) => {
    for (const row of await statesOlderThan(tx, SURVEY_DRAFT_KEY, new Date(now.getTime() - SURVEY_DRAFT_LIFETIME_MS))) await forget(tx, row, SURVEY_DRAFT_KEY);
  });
  return report;
}

/**
 * The one reminder: marked first, so a second tick finds it done; each message keyed by round and teacher. All of a
 * round's reminders are due at one time (jittered by the round, not the teacher), so identical ones go out together
 * (DingTalk's batchSend carries 20 users a call); flagged quiet, so a retry that slips into the night waits too.
 */
async function remind(ctx: TickContext, round: RoundRow): Promise<number> {
  if (!(await markReminded(ctx.db, round.id, ctx.now))) return 0;
  const teacherIds = await unansweredToRemind(ctx.db, round.id);
  const accounts = await accountsOf(ctx.db, teacherIds);
  const text = S.remind.text(round.kind, round.title, dateIn(round.closesAt, ctx.timeZone));
  const origin = `survey:${round.id}:remind`;
  const sendAt = onTransportClock(sendTimeFor(origin, round.remindAt ?? ctx.now, ctx.now, ctx.timeZone), ctx.now, ctx.transportNow);
  const messages: Outgoing[] = [];
  for (const teacherId of teacherIds) {
    const account = accounts.get(teacherId);
    if (!account) continue;
    messages.push({ platform: account.platform, target: { type: 'user', accountId: account.accountId }, reply: { text }, idempotencyKey: `${origin}:${teacherId}`, origin, quiet: true });
  }
  return await enqueue(ctx.db, messages, sendAt);
}

/**
 * Tells the organiser once: response rate, and the overall mean only when the group is large enough. A round opened
 * by nobody in particular (the CLI without --by, the ADMIN_TOKEN) is told to every officer, saying so.
 */
async function notifyOrganiser(ctx: TickContext, round: RoundRow): Promise<number> {
  if (!(await markResultsNotified(ctx.db, round.id, ctx.now))) return 0;
  const recipients = await resultsRecipients(ctx.db, round.createdBy);
  const results = await roundResults(ctx.db, round.id);
  // Nobody was asked (no one signed in): there are no results to announce.
  if (recipients.to.length === 0 || !results || results.invited === 0) return 0;
  const lines = [S.organiser.text(round.kind, round.title, results.invited, results.answered, Math.round(results.responseRate * 100))];
  const overall = results.questions.find((q) => q.kind === 'rating' && q.mean !== undefined);
  if (results.suppressed) lines.push(S.organiser.tooFew(MIN_GROUP_SIZE));
  else if (round.kind === 'evaluation' && overall?.mean !== undefined) lines.push(S.organiser.mean(overall.mean));
  lines.push(S.organiser.where);
  if (recipients.office) lines.push(S.organiser.toOffice);
  const key = `survey:${round.id}:results`;
  return await enqueue(
    ctx.db,
    recipients.to.map(({ key: suffix, account }) => ({
      platform: account.platform,
      target: { type: 'user' as const, accountId: account.accountId },
      reply: { text: lines.join('\n') },
      idempotencyKey: key + suffix,
      origin: key,
      quiet: true,
    })),
    ctx.transportNow,
  );
}
