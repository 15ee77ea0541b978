import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/client.js';
import type { Outgoing } from '../core/messages.js';
import { parseStoredAudience, resolveRecipients, type BroadcastAudience } from '../broadcasts/audience.js';
import { newSecret, sha256 } from '../admin/auth.js';
import { surveysText as S } from '../bot/i18n/zh-CN.surveys.js';
import { audit } from '../ledger/audit.js';
import type { TeacherRow } from '../ledger/store.js';
import { accountsOf } from '../outbox/address.js';
import { enqueue } from '../outbox/store.js';
import type { SessionRow } from '../sessions/model.js';
import { attendanceRows } from '../sessions/store.js';
import { onTransportClock, quietDeferral } from '../schedule/time.js';
import { dateIn } from '../time/zone.js';
import { invitationReply, ticketOf, type SurveyKind } from './chat/invitation.js';
import { checkQuestions, parseStoredQuestions, type Answers, type Questions } from './questions.js';
import { answerPoolOf } from './answer-pool.js';
import { answersArePooled, getQuestionnaire, insertAnswers, insertInvitations, insertRound, roundOfSession, spendInvitation, invitationOf, type RoundRow } from './store.js';
import { templateFor } from './templates.js';

/** An evaluation stays open this long after its session closes. */
export const EVALUATION_OPEN_MS = 7 * 24 * 3600_000;
/** Its one reminder goes this long after it opened (then held through quiet hours). */
export const EVALUATION_REMIND_AFTER_MS = 24 * 3600_000;
/** A needs survey's reminder, when it is open longer than this. */
export const SURVEY_REMIND_AFTER_MS = 48 * 3600_000;
export const MAX_SURVEY_TITLE = 60;

export interface SurveyDeps {
  db: Db;
  /** Business time: when the round opens. */
  now: Date;
  /** When the invitations are due on the outbox worker's clock (dueNow(clock) from a command, transportNow from a tick). */
  sendAt: Date;
  timeZone: string;
}

export function inviteKey(roundId: number, teacherId: number): string {
  return `survey:${roundId}:invite:${teacherId}`;
}

export function inviteOrigin(roundId: number): string {
  return `survey:${roundId}:invite`;
}

/** SHA-256 of a one-time token: the only form in which it is stored (as the console's login tokens are). */
export const hashToken = sha256;

/**
 * Issues each teacher a one-time token (its hash in survey_invitations) and queues their invitation: the
 * token's plaintext travels only inside a Feishu form card, which is the one place it is needed. Teachers with
 * no chat account are invited too (they may bind later and answer with 评价 / 问卷).
 */
async function invite(
  deps: SurveyDeps,
  round: RoundRow,
  questions: Questions,
  teacherIds: readonly number[],
  o: { date: string | null; quiet: boolean },
): Promise<{ invited: number; queued: number }> {
  const tokens = teacherIds.map((teacherId) => ({ teacherId, token: newSecret() }));
  const invited = await insertInvitations(deps.db, round.id, tokens.map((t) => ({ teacherId: t.teacherId, tokenHash: hashToken(t.token) })));
  const accounts = await accountsOf(deps.db, teacherIds);
  const input = { kind: round.kind as SurveyKind, title: round.title, date: o.date, questions, closesOn: dateIn(round.closesAt, deps.timeZone) };
  const messages: Outgoing[] = [];
  for (const { teacherId, token } of tokens) {
    const account = accounts.get(teacherId);
    if (!account) continue;
    messages.push({
      platform: account.platform,
      target: { type: 'user', accountId: account.accountId },
      reply: invitationReply(input, account.platform, ticketOf(round.id, token)),
      idempotencyKey: inviteKey(round.id, teacherId),
      origin: inviteOrigin(round.id),
    });
  }
  if (!o.quiet) return { invited, queued: await enqueue(deps.db, messages, deps.sendAt) };
  // Opened at night (a session ending at 22:30, a tick after midnight): each invitation waits for the morning,
  // spread by its key. Not marked `quiet`, so that by day identical ones still go out together (DingTalk batchSend).
  let queued = 0;
  for (const m of messages) {
    const until = quietDeferral(m.idempotencyKey, deps.now, deps.timeZone);
    queued += await enqueue(deps.db, [m], until ? onTransportClock(until, deps.now, deps.sendAt) : deps.sendAt);
  }
  return { invited, queued };
}

export type OpenEvaluationOutcome =
  | { kind: 'opened'; round: RoundRow; invited: number; queued: number }
  | { kind: 'exists'; round: RoundRow }
  | { kind: 'cancelled' };

/**
 * A session has closed (closed by an officer, or its last window has passed): every teacher who signed in is
 * asked to evaluate it, with the questions of its category's template. Once per session (survey_rounds'
 * unique session id): closing again, a retried command or the scheduler's sweep adds nothing.
 */
export async function openSessionEvaluation(deps: SurveyDeps, session: SessionRow): Promise<OpenEvaluationOutcome> {
  if (session.status === 'cancelled') return { kind: 'cancelled' };
  const existing = await roundOfSession(deps.db, session.id);
  if (existing) return { kind: 'exists', round: existing };
  const template = await templateFor(deps.db, session.category);
  const round = await insertRound(deps.db, {
    kind: 'evaluation',
    questionnaireId: template.row.id,
    questions: JSON.stringify(template.questions),
    sessionId: session.id,
    audience: null,
    title: session.title,
    openedAt: deps.now,
    closesAt: new Date(deps.now.getTime() + EVALUATION_OPEN_MS),
    remindAt: new Date(deps.now.getTime() + EVALUATION_REMIND_AFTER_MS),
    createdBy: session.createdBy,
  });
  const attendees = (await attendanceRows(deps.db, session.id)).map((a) => a.teacherId);
  // Opened by the scheduler as often as by an officer, at any hour: like a reminder, it waits out quiet hours.
  const { invited, queued } = await invite(deps, round, template.questions, attendees, { date: session.date, quiet: true });
  await audit(deps.db, 'scheduler', 'survey_open', { roundId: round.id, sessionId: session.id, invited, queued });
  return { kind: 'opened', round, invited, queued };
}

/** The line a closing officer reads about the evaluation (null when none was opened now). */
export function evaluationNote(outcome: OpenEvaluationOutcome): string | null {
  if (outcome.kind !== 'opened') return null;
  return outcome.invited > 0 ? S.close.invited(outcome.invited) : S.close.noAttendees;
}

export interface SendSurveyInput {
  questionnaireId?: number;
  questions?: unknown;
  title: string;
  audience: BroadcastAudience;
  closesAt: Date;
  /** Who sends it (audit actor, e.g. admin:T0001); also who hears when its results are in. */
  by: string;
}

export type SendSurveyOutcome =
  | { ok: true; round: RoundRow; invited: number; queued: number }
  | { ok: false; problems: string[] };

/**
 * A needs survey to an audience chosen as for broadcasts (all, schools, roles): one round, one invitation per
 * teacher, the messages through the outbox (its pacing and retries, like a broadcast's). Answers keep the
 * respondent's school and 职务 (the invitation says so): a survey is not the anonymous evaluation.
 */
export async function sendSurvey(deps: SurveyDeps, input: SendSurveyInput): Promise<SendSurveyOutcome> {
  let questions: Questions;
  if (input.questionnaireId !== undefined) {
    const row = await getQuestionnaire(deps.db, input.questionnaireId);
    if (!row) return { ok: false, problems: [S.send.noQuestionnaire(input.questionnaireId)] };
    questions = parseStoredQuestions(row.questions);
  } else {
    const checked = checkQuestions(input.questions);
    if (!checked.ok) return checked;
    questions = checked.questions;
  }
  const title = input.title.trim();
  const problems: string[] = [];
  if (!title) problems.push(S.send.titleMissing);
  if (title.length > MAX_SURVEY_TITLE) problems.push(S.send.titleLong(MAX_SURVEY_TITLE));
  if (input.closesAt.getTime() <= deps.now.getTime()) problems.push(S.send.closesPast);
  const recipients = await resolveRecipients(deps.db, input.audience);
  if (recipients.length === 0) problems.push(S.send.nobody);
  if (problems.length) return { ok: false, problems };
  const openMs = input.closesAt.getTime() - deps.now.getTime();
  const round = await insertRound(deps.db, {
    kind: 'survey',
    questionnaireId: input.questionnaireId ?? null,
    questions: JSON.stringify(questions),
    sessionId: null,
    audience: JSON.stringify(input.audience),
    title,
    openedAt: deps.now,
    closesAt: input.closesAt,
    // One reminder, when the survey stays open long enough for one to be useful.
    remindAt: openMs > 2 * SURVEY_REMIND_AFTER_MS ? new Date(deps.now.getTime() + SURVEY_REMIND_AFTER_MS) : null,
    createdBy: input.by,
  });
  // Sent by an officer, like a broadcast: at once (and batched where the platform can, DingTalk's batchSend).
  const { invited, queued } = await invite(deps, round, questions, recipients, { date: null, quiet: false });
  await audit(deps.db, input.by, 'survey_send', { roundId: round.id, title, invited, queued });
  return { ok: true, round, invited, queued };
}

/** The audience a survey round was sent to (null for an evaluation). */
export function audienceOfRound(round: RoundRow): BroadcastAudience | null {
  return round.audience ? parseStoredAudience(round.audience) : null;
}

export type TakeOutcome = 'taken' | 'already' | 'not_invited' | 'closed' | 'bad_token';

/**
 * Why this teacher may not answer this round now (null: they may). Checked before the answers are read, so one
 * who was not invited learns nothing about the questions.
 */
export async function refusal(
  db: Db,
  input: { round: RoundRow; teacher: TeacherRow; tokenHash: string | null; now: Date },
): Promise<Exclude<TakeOutcome, 'taken'> | null> {
  const invitation = await invitationOf(db, input.round.id, input.teacher.id);
  if (!invitation) return 'not_invited';
  if (input.tokenHash !== null && invitation.tokenHash !== input.tokenHash) return 'bad_token';
  if (invitation.answered) return 'already';
  if (input.round.closesAt.getTime() <= input.now.getTime()) return 'closed';
  return null;
}

/**
 * Takes one respondent's answers: spends their invitation (once) and keeps the answers under a random id with
 * the date only. On SQLite both happen in the caller's transaction, so both or neither. On PostgreSQL the answer
 * goes to the answer pool instead, written later in a shuffled batch (answer-pool.ts: its own transaction, so no
 * xmin ties it to this spend). `tokenHash` is given when the answers came with a ticket (a Feishu form): it must
 * be the invitation's own. Nothing here logs or returns the answers.
 */
export async function takeAnswers(
  db: Db,
  input: { round: RoundRow; teacher: TeacherRow; answers: Answers; tokenHash: string | null; now: Date; timeZone: string },
): Promise<TakeOutcome> {
  const { round, teacher } = input;
  const refused = await refusal(db, input);
  if (refused) return refused;
  if (!(await spendInvitation(db, round.id, teacher.id, input.tokenHash))) return 'already';
  const survey = round.kind === 'survey';
  const row = {
    id: randomBytes(16).toString('hex'),
    roundId: round.id,
    answeredOn: dateIn(input.now, input.timeZone),
    answers: JSON.stringify(input.answers),
    school: survey ? teacher.school : null,
    role: survey ? teacher.position : null,
  };
  if (answersArePooled(db)) answerPoolOf(db).add(round, teacher.id, row, input.now);
  else await insertAnswers(db, [row]);
  return 'taken';
}
