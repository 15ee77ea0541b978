/**
 * What "anonymous" means here, in one place (issue 17; the README says the same to the office):
 * - survey_answers holds no teacher id, no platform id and no exact time: an evaluation's answer keeps the date
 *   only, a needs survey's also the respondent's school and 职务 (a survey is not anonymous by design, and its
 *   intro says so). Its id is random and the table is WITHOUT ROWID, so neither id nor storage order tells when.
 * - survey_invitations says who was asked and whether they answered, never what nor when.
 * - The inbox payload of every message and card click that carried an answer is redacted once handled, the chat
 *   draft holding answers in progress is deleted on submit, logs never carry answer text, and replies never echo it.
 * - Results of a group (a round, a trainer, a school...) with fewer than MIN_GROUP_SIZE answers show the count
 *   only: no distribution, no mean, no comments.
 * - On PostgreSQL, whose heap keeps insertion order and stamps each row with its transaction id, answers are written
 *   apart from the spend, in shuffled batches of at least MIN_GROUP_SIZE (answer-pool.ts, docs/postgres.md §3).
 */
export const MIN_GROUP_SIZE = 5;

/** True when a group's answers may be shown beyond their count. */
export function showable(answerCount: number): boolean {
  return answerCount >= MIN_GROUP_SIZE;
}

/** What replaces an answering event's text in the inbox once it has been handled. */
export const REDACTED = '';
