import { forget, recall, remember } from '../../bot/chat-state.js';
import type { CommandContext } from '../../bot/command.js';
import { surveysText as S } from '../../bot/i18n/zh-CN.surveys.js';
import type { Reply } from '../../core/messages.js';
import { redactPayload } from '../../inbox/store.js';
import type { BoundCaller, Caller } from '../../ledger/caller.js';
import { dateIn } from '../../time/zone.js';
import type { Db } from '../../../db/client.js';
import { MAX_TEXT_ANSWER, optionsOf, parseStoredQuestions, readAnswer, type Answers, type Question, type Questions } from '../questions.js';
import { takeAnswers, type TakeOutcome } from '../service.js';
import { getRound, invitationOf, openInvitationsOf, type RoundRow } from '../store.js';
import { thanksReply, type SurveyKind } from './invitation.js';

/**
 * Answering one question at a time (DingTalk, the console, or Feishu without the card): the answers so far sit
 * in chat_state until the last one, then are submitted and the draft deleted, in the same transaction. Every
 * message this flow reads has its inbox payload redacted, and no reply repeats an answer.
 */

export const SURVEY_DRAFT_KEY = 'survey-draft';

interface SurveyDraft {
  v: 1;
  roundId: number;
  index: number;
  answers: Answers;
}

export async function loadSurveyDraft(db: Db, caller: Caller): Promise<SurveyDraft | null> {
  const d = await recall<SurveyDraft>(db, caller, SURVEY_DRAFT_KEY);
  return d && d.v === 1 && Number.isInteger(d.roundId) && Number.isInteger(d.index) && typeof d.answers === 'object' ? d : null;
}

export async function hasSurveyDraft(db: Db, caller: Caller): Promise<boolean> {
  return (await loadSurveyDraft(db, caller)) !== null;
}

const kindOf = (round: RoundRow): SurveyKind => round.kind;

function questionText(questions: Questions, index: number): string {
  const q = questions[index];
  const lines = [S.flow.question(index + 1, questions.length, q.prompt, q.required)];
  if (q.kind === 'rating') lines.push(...optionsOf(q).map((label) => S.flow.ratingOption(label)));
  if (q.kind === 'choice') lines.push(...optionsOf(q).map((label, i) => S.flow.option(i + 1, label)));
  lines.push(q.kind === 'text' ? S.flow.replyText(q.required) : S.flow.replyNumber(q.required));
  return lines.join('\n');
}

/** The answering message's payload is forgotten once handled (it holds an answer, or a step towards one). */
export async function redactAnswering(ctx: CommandContext): Promise<void> {
  if (ctx.message) await redactPayload(ctx.db, ctx.message);
}

/** 评价 / 问卷 [序号]: starts (or resumes) answering the oldest open one of that kind, or the numbered one. */
export async function startAnswering(ctx: CommandContext<BoundCaller>, kind: SurveyKind, ref: string | undefined): Promise<Reply> {
  const teacher = ctx.caller.teacher;
  const now = ctx.clock.now();
  const open = await loadSurveyDraft(ctx.db, ctx.caller);
  if (open) {
    const round = await getRound(ctx.db, open.roundId);
    // Still open and still unanswered (it may have been answered meanwhile by the Feishu card): resume it.
    if (round && round.closesAt > now && (await invitationOf(ctx.db, round.id, teacher.id))?.answered === false) {
      const questions = parseStoredQuestions(round.questions);
      return { text: [S.flow.resumed(round.title), questionText(questions, open.index)].join('\n') };
    }
    await forget(ctx.db, ctx.caller, SURVEY_DRAFT_KEY);
  }
  const pending = (await openInvitationsOf(ctx.db, teacher.id, now)).filter((r) => r.kind === kind);
  if (pending.length === 0) return { text: S.flow.nonePending(kind) };
  const n = ref && /^\d+$/.test(ref.normalize('NFKC')) ? Number(ref.normalize('NFKC')) : 1;
  const round = pending[n - 1];
  if (!round) return { text: S.flow.noSuchNumber(n, pending.length) };
  const questions = parseStoredQuestions(round.questions);
  await remember(ctx.db, ctx.caller, SURVEY_DRAFT_KEY, { v: 1, roundId: round.id, index: 0, answers: {} } satisfies SurveyDraft, now);
  const more = pending.length > 1 ? [S.flow.morePending(pending.length - 1)] : [];
  return { text: [S.flow.start(kind, round.title, questions.length), questionText(questions, 0), ...more].join('\n') };
}

const isWord = (text: string, words: readonly string[]) => words.includes(text);

/** One reply inside the flow: an answer, 跳过 or 取消. */
export async function continueAnswering(ctx: CommandContext<BoundCaller>, raw: string): Promise<Reply> {
  await redactAnswering(ctx);
  const draft = await loadSurveyDraft(ctx.db, ctx.caller);
  const round = draft ? await getRound(ctx.db, draft.roundId) : null;
  if (!draft || !round) {
    await forget(ctx.db, ctx.caller, SURVEY_DRAFT_KEY);
    return { text: S.flow.nonePending('evaluation') };
  }
  const now = ctx.clock.now();
  const kind = kindOf(round);
  const closesOn = dateIn(round.closesAt, ctx.timeZone);
  if (round.closesAt <= now) {
    await forget(ctx.db, ctx.caller, SURVEY_DRAFT_KEY);
    return { text: S.flow.closed(round.title, closesOn) };
  }
  const questions = parseStoredQuestions(round.questions);
  const text = raw.normalize('NFKC').trim();
  if (isWord(text, S.words.cancel)) {
    await forget(ctx.db, ctx.caller, SURVEY_DRAFT_KEY);
    return { text: S.flow.cancelled(kind, closesOn) };
  }
  const q: Question = questions[Math.min(draft.index, questions.length - 1)];
  if (isWord(text, S.words.skip)) {
    if (q.required) return { text: [S.flow.mustAnswer, questionText(questions, draft.index)].join('\n') };
  } else {
    const value = readAnswer(q, raw);
    if (value === null) {
      const why = q.kind === 'text' && text.length > MAX_TEXT_ANSWER ? S.flow.textTooLong(MAX_TEXT_ANSWER) : S.flow.notUnderstood;
      return { text: [why, questionText(questions, draft.index)].join('\n') };
    }
    draft.answers[q.key] = value;
  }
  draft.index += 1;
  if (draft.index < questions.length) {
    await remember(ctx.db, ctx.caller, SURVEY_DRAFT_KEY, draft, now);
    return { text: questionText(questions, draft.index) };
  }
  // The last answer: submit, and the draft with the answers goes in the same transaction.
  await forget(ctx.db, ctx.caller, SURVEY_DRAFT_KEY);
  const outcome = await takeAnswers(ctx.db, { round, teacher: ctx.caller.teacher, answers: draft.answers, tokenHash: null, now, timeZone: ctx.timeZone });
  return outcomeReply(outcome, round, closesOn);
}

/** What a submission's outcome says to the teacher (never what they answered). */
export function outcomeReply(outcome: TakeOutcome, round: RoundRow, closesOn: string): Reply {
  switch (outcome) {
    case 'taken':
      return thanksReply(kindOf(round));
    case 'already':
      return { text: S.flow.already(round.title), tone: 'info' };
    case 'closed':
      return { text: S.flow.closed(round.title, closesOn), tone: 'warning' };
    case 'bad_token':
      return { text: S.flow.badTicket(kindOf(round)), tone: 'warning' };
    case 'not_invited':
      return { text: S.flow.notInvited, tone: 'warning' };
  }
}

/** Added to another command's reply while answers are in progress. */
export async function surveyKeptNote(db: Db, caller: Caller): Promise<string | null> {
  const draft = await loadSurveyDraft(db, caller);
  const round = draft ? await getRound(db, draft.roundId) : null;
  return round ? S.flow.keptNote(round.title) : null;
}

/** 我的问卷: the open evaluations and surveys still waiting for this teacher, numbered per kind as 评价 N / 问卷 N take them. */
export async function pendingList(ctx: CommandContext<BoundCaller>): Promise<Reply> {
  const rounds = await openInvitationsOf(ctx.db, ctx.caller.teacher.id, ctx.clock.now());
  if (rounds.length === 0) return { text: S.mine.none };
  const lines = [S.mine.heading(rounds.length)];
  for (const kind of ['evaluation', 'survey'] as const) {
    rounds
      .filter((r) => r.kind === kind)
      .forEach((r, i) => lines.push(S.mine.line(kind, i + 1, r.title, dateIn(r.closesAt, ctx.timeZone))));
  }
  lines.push(S.mine.how);
  return { text: lines.join('\n') };
}
