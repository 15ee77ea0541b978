import { and, asc, desc, eq, gt, gte, isNull, lt, lte, ne, not, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { questionnaires, roles, surveyAnswers, surveyInvitations, surveyRounds, trainingSessions } from '../../db/schema.js';
import { prepared } from '../../db/statements.js';
import type { SessionRow } from '../sessions/model.js';
import type { Questions } from './questions.js';

/* The surveys feature's SQL: questionnaires, rounds, invitations and the anonymous answers. */

export type QuestionnaireRow = typeof questionnaires.$inferSelect;

/* ---------------------------------------------------------------- evaluation templates */

/** The evaluation template kept for exactly this category (null: the default one). */
export function evaluationTemplate(db: Db, category: string | null): QuestionnaireRow | null {
  return (
    db
      .select()
      .from(questionnaires)
      .where(and(eq(questionnaires.kind, 'evaluation'), category === null ? isNull(questionnaires.category) : eq(questionnaires.category, category)))
      .get() ?? null
  );
}

/** Writes (creates or replaces) the evaluation template of a category; null is the default template. */
export function saveEvaluationTemplate(
  db: Db,
  input: { category: string | null; title: string; questions: Questions; by: string; now: Date },
): QuestionnaireRow {
  const existing = evaluationTemplate(db, input.category);
  const json = JSON.stringify(input.questions);
  if (existing) {
    return db
      .update(questionnaires)
      .set({ title: input.title, questions: json, createdBy: input.by, updatedAt: input.now })
      .where(eq(questionnaires.id, existing.id))
      .returning()
      .get();
  }
  return db
    .insert(questionnaires)
    .values({ kind: 'evaluation', title: input.title, questions: json, category: input.category, createdBy: input.by, createdAt: input.now, updatedAt: input.now })
    .returning()
    .get();
}

export function getQuestionnaire(db: Db, id: number): QuestionnaireRow | null {
  return db.select().from(questionnaires).where(eq(questionnaires.id, id)).get() ?? null;
}

/* ---------------------------------------------------------------- rounds */

export type RoundRow = typeof surveyRounds.$inferSelect;
export type NewRound = typeof surveyRounds.$inferInsert;

export function insertRound(db: Db, values: NewRound): RoundRow {
  return db.insert(surveyRounds).values(values).returning().get();
}

export function getRound(db: Db, id: number): RoundRow | null {
  return db.select().from(surveyRounds).where(eq(surveyRounds.id, id)).get() ?? null;
}

export function roundOfSession(db: Db, sessionId: number): RoundRow | null {
  return db.select().from(surveyRounds).where(eq(surveyRounds.sessionId, sessionId)).get() ?? null;
}

export function listRounds(db: Db, options: { kind?: RoundRow['kind']; from?: Date; to?: Date; limit?: number } = {}): RoundRow[] {
  return db
    .select()
    .from(surveyRounds)
    .where(
      and(
        options.kind ? eq(surveyRounds.kind, options.kind) : undefined,
        options.from ? gte(surveyRounds.openedAt, options.from) : undefined,
        options.to ? lt(surveyRounds.openedAt, options.to) : undefined,
      ),
    )
    .orderBy(desc(surveyRounds.openedAt), desc(surveyRounds.id))
    .limit(options.limit ?? 500)
    .all();
}

/** Sessions dated on or after `since`, not cancelled and not yet evaluated: the scheduler checks which are over. */
export function sessionsWithoutRound(db: Db, since: string): SessionRow[] {
  return db
    .select({ s: trainingSessions })
    .from(trainingSessions)
    .leftJoin(surveyRounds, eq(surveyRounds.sessionId, trainingSessions.id))
    .where(and(gte(trainingSessions.date, since), ne(trainingSessions.status, 'cancelled'), isNull(surveyRounds.id)))
    .orderBy(asc(trainingSessions.id))
    .all()
    .map((r) => r.s);
}

/** Open rounds whose one reminder is due and not sent yet. */
export function roundsDueReminder(db: Db, now: Date): RoundRow[] {
  return db
    .select()
    .from(surveyRounds)
    .where(and(lte(surveyRounds.remindAt, now), isNull(surveyRounds.remindedAt), gt(surveyRounds.closesAt, now)))
    .all();
}

/** Marks the reminder sent; false when another tick did it first. */
export function markReminded(db: Db, roundId: number, now: Date): boolean {
  return db.update(surveyRounds).set({ remindedAt: now }).where(and(eq(surveyRounds.id, roundId), isNull(surveyRounds.remindedAt))).run().changes === 1;
}

/** Rounds whose organiser has not been told: closed by now, or every invitee has answered. */
export function roundsDueResults(db: Db, now: Date): RoundRow[] {
  const invited = sql`exists (select 1 from survey_invitations i where i.round_id = ${surveyRounds.id})`;
  const waiting = sql`exists (select 1 from survey_invitations i where i.round_id = ${surveyRounds.id} and i.answered = 0)`;
  return db
    .select()
    .from(surveyRounds)
    .where(and(isNull(surveyRounds.resultsNotifiedAt), or(lte(surveyRounds.closesAt, now), and(invited, not(waiting)))))
    .all();
}

export function markResultsNotified(db: Db, roundId: number, now: Date): boolean {
  return (
    db.update(surveyRounds).set({ resultsNotifiedAt: now }).where(and(eq(surveyRounds.id, roundId), isNull(surveyRounds.resultsNotifiedAt))).run().changes === 1
  );
}

/* ---------------------------------------------------------------- invitations */

export type InvitationRow = typeof surveyInvitations.$inferSelect;

/** One invitation per (round, teacher); a repeat is ignored. Returns how many were added. */
export function insertInvitations(db: Db, roundId: number, rows: readonly { teacherId: number; tokenHash: string }[]): number {
  const insert = prepared(db, `insert or ignore into survey_invitations (round_id, teacher_id, token_hash, answered) values (?, ?, ?, 0)`);
  let added = 0;
  for (const r of rows) added += insert.run(roundId, r.teacherId, r.tokenHash).changes;
  return added;
}

export function invitationOf(db: Db, roundId: number, teacherId: number): InvitationRow | null {
  return (
    db
      .select()
      .from(surveyInvitations)
      .where(and(eq(surveyInvitations.roundId, roundId), eq(surveyInvitations.teacherId, teacherId)))
      .get() ?? null
  );
}

/**
 * Spends an invitation: true only for the one call that turns `answered` on, so a second answer (a redelivered
 * click, a double submit, two devices) finds nothing to spend. With a token hash, it must match too.
 */
export function spendInvitation(db: Db, roundId: number, teacherId: number, tokenHash: string | null): boolean {
  return (
    db
      .update(surveyInvitations)
      .set({ answered: true })
      .where(
        and(
          eq(surveyInvitations.roundId, roundId),
          eq(surveyInvitations.teacherId, teacherId),
          eq(surveyInvitations.answered, false),
          tokenHash === null ? undefined : eq(surveyInvitations.tokenHash, tokenHash),
        ),
      )
      .run().changes === 1
  );
}

/** A teacher's invitations not answered yet, in rounds still open, oldest round first. */
export function openInvitationsOf(db: Db, teacherId: number, now: Date): RoundRow[] {
  return db
    .select({ r: surveyRounds })
    .from(surveyInvitations)
    .innerJoin(surveyRounds, eq(surveyRounds.id, surveyInvitations.roundId))
    .where(and(eq(surveyInvitations.teacherId, teacherId), eq(surveyInvitations.answered, false), gt(surveyRounds.closesAt, now)))
    .orderBy(asc(surveyRounds.openedAt), asc(surveyRounds.id))
    .all()
    .map((row) => row.r);
}

/** Invitees of a round who have not answered and have not turned reminders off. */
export function unansweredToRemind(db: Db, roundId: number): number[] {
  return (
    prepared(
      db,
      `select i.teacher_id from survey_invitations i left join teacher_prefs p on p.teacher_id = i.teacher_id
        where i.round_id = ? and i.answered = 0 and coalesce(p.reminders_off, 0) = 0 order by i.teacher_id`,
    )
      .pluck()
      .all(roundId) as number[]
  );
}

export function invitationCounts(db: Db, roundId: number): { invited: number; answered: number } {
  const row = prepared(db, `select count(*) as invited, coalesce(sum(answered), 0) as answered from survey_invitations where round_id = ?`).get(roundId) as {
    invited: number;
    answered: number;
  };
  return { invited: row.invited, answered: row.answered };
}

/* ---------------------------------------------------------------- answers */

export type AnswerRow = typeof surveyAnswers.$inferSelect;

export function insertAnswer(db: Db, values: AnswerRow): void {
  db.insert(surveyAnswers).values(values).run();
}

/** A round's answers in the table's own order (by random id): nothing about who or when. */
export function answersOf(db: Db, roundId: number): AnswerRow[] {
  return db.select().from(surveyAnswers).where(eq(surveyAnswers.roundId, roundId)).all();
}

export function answerCount(db: Db, roundId: number): number {
  return prepared(db, `select count(*) from survey_answers where round_id = ?`).pluck().get(roundId) as number;
}

/* ---------------------------------------------------------------- for results */

/** Evaluation rounds with their sessions, sessions dated from–to (both included, either may be open). */
export function evaluationRoundsWithSessions(db: Db, from?: string, to?: string): { round: RoundRow; session: SessionRow }[] {
  return db
    .select({ round: surveyRounds, session: trainingSessions })
    .from(surveyRounds)
    .innerJoin(trainingSessions, eq(trainingSessions.id, surveyRounds.sessionId))
    .where(and(eq(surveyRounds.kind, 'evaluation'), from ? gte(trainingSessions.date, from) : undefined, to ? lte(trainingSessions.date, to) : undefined))
    .orderBy(desc(trainingSessions.date), desc(surveyRounds.id))
    .all();
}

/** How many of a round's invitees are of each school or 职务 (the roster as it is now). */
export function invitedBySchoolAndRole(db: Db, roundId: number, by: 'school' | 'role'): Map<string, number> {
  const column = by === 'school' ? 't.school' : 't.position';
  const rows = prepared(
    db,
    `select ${column} as g, count(*) as n from survey_invitations i join teachers t on t.id = i.teacher_id where i.round_id = ? group by 1`,
  ).all(roundId) as { g: string; n: number }[];
  return new Map(rows.map((r) => [r.g, r.n]));
}

/** How a round's invitations (outbox origin `inviteOrigin`) stand, by status: the console's progress. */
export function invitationDelivery(db: Db, origin: string): { pending: number; sent: number; failed: number } {
  const rows = prepared(db, `select status, count(*) as n from outbox where origin = ? group by status`).all(origin) as { status: string; n: number }[];
  const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
  return { pending: by.pending ?? 0, sent: by.sent ?? 0, failed: by.failed ?? 0 };
}

/** The office's officers (roster ids, oldest grant first): told about results no one in particular asked for. */
export function officerTeacherIds(db: Db): number[] {
  return db.select({ id: roles.teacherId }).from(roles).where(eq(roles.role, 'officer')).orderBy(asc(roles.teacherId)).all().map((r) => r.id);
}
