import { and, asc, count, desc, eq, gt, gte, inArray, isNull, lt, lte, ne, not, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { dialectOf, tables } from '../../db/handle.js';
import type { questionnaires, surveyAnswers, surveyInvitations, surveyRounds } from '../../db/schema.js';
import { statement, transaction } from '../../db/statements.js';
import type { SessionRow } from '../sessions/model.js';
import type { Questions } from './questions.js';

/* The surveys feature's SQL: questionnaires, rounds, invitations and the anonymous answers. */

export type QuestionnaireRow = typeof questionnaires.$inferSelect;

/** Rows per multi-row insert: well under both dialects' bound-parameter limits. */
const CHUNK = 500;

/* ---------------------------------------------------------------- evaluation templates */

/** The evaluation template kept for exactly this category (null: the default one). */
export async function evaluationTemplate(db: Db, category: string | null): Promise<QuestionnaireRow | null> {
  const { questionnaires } = tables(db);
  const rows = await db
    .select()
    .from(questionnaires)
    .where(and(eq(questionnaires.kind, 'evaluation'), category === null ? isNull(questionnaires.category) : eq(questionnaires.category, category)))
    .limit(1);
  return rows[0] ?? null;
}

/** Writes (creates or replaces) the evaluation template of a category; null is the default template. */
export async function saveEvaluationTemplate(
  db: Db,
  input: { category: string | null; title: string; questions: Questions; by: string; now: Date },
): Promise<QuestionnaireRow> {
  const { questionnaires } = tables(db);
  const json = JSON.stringify(input.questions);
  return transaction(db, async (tx) => {
    const existing = await evaluationTemplate(tx, input.category);
    if (existing) {
      const [row] = await tx
        .update(questionnaires)
        .set({ title: input.title, questions: json, createdBy: input.by, updatedAt: input.now })
        .where(eq(questionnaires.id, existing.id))
        .returning();
      return row;
    }
    const [row] = await tx
      .insert(questionnaires)
      .values({ kind: 'evaluation', title: input.title, questions: json, category: input.category, createdBy: input.by, createdAt: input.now, updatedAt: input.now })
      .returning();
    return row;
  });
}

export async function getQuestionnaire(db: Db, id: number): Promise<QuestionnaireRow | null> {
  const { questionnaires } = tables(db);
  return (await db.select().from(questionnaires).where(eq(questionnaires.id, id)).limit(1))[0] ?? null;
}

/* ---------------------------------------------------------------- rounds */

export type RoundRow = typeof surveyRounds.$inferSelect;
export type NewRound = typeof surveyRounds.$inferInsert;

export async function insertRound(db: Db, values: NewRound): Promise<RoundRow> {
  const { surveyRounds } = tables(db);
  const [row] = await db.insert(surveyRounds).values(values).returning();
  return row;
}

export async function getRound(db: Db, id: number): Promise<RoundRow | null> {
  const { surveyRounds } = tables(db);
  return (await db.select().from(surveyRounds).where(eq(surveyRounds.id, id)).limit(1))[0] ?? null;
}

export async function roundOfSession(db: Db, sessionId: number): Promise<RoundRow | null> {
  const { surveyRounds } = tables(db);
  return (await db.select().from(surveyRounds).where(eq(surveyRounds.sessionId, sessionId)).limit(1))[0] ?? null;
}

export async function listRounds(db: Db, options: { kind?: RoundRow['kind']; from?: Date; to?: Date; limit?: number } = {}): Promise<RoundRow[]> {
  const { surveyRounds } = tables(db);
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
    .limit(options.limit ?? 500);
}

/** Sessions dated on or after `since`, not cancelled and not yet evaluated: the scheduler checks which are over. */
export async function sessionsWithoutRound(db: Db, since: string): Promise<SessionRow[]> {
  const { surveyRounds, trainingSessions } = tables(db);
  const rows = await db
    .select({ s: trainingSessions })
    .from(trainingSessions)
    .leftJoin(surveyRounds, eq(surveyRounds.sessionId, trainingSessions.id))
    .where(and(gte(trainingSessions.date, since), ne(trainingSessions.status, 'cancelled'), isNull(surveyRounds.id)))
    .orderBy(asc(trainingSessions.id));
  return rows.map((r) => r.s);
}

/** Open rounds whose one reminder is due and not sent yet. */
export async function roundsDueReminder(db: Db, now: Date): Promise<RoundRow[]> {
  const { surveyRounds } = tables(db);
  return db
    .select()
    .from(surveyRounds)
    .where(and(lte(surveyRounds.remindAt, now), isNull(surveyRounds.remindedAt), gt(surveyRounds.closesAt, now)));
}

/** Marks the reminder sent; false when another tick did it first. */
export async function markReminded(db: Db, roundId: number, now: Date): Promise<boolean> {
  const { surveyRounds } = tables(db);
  const changed = await db
    .update(surveyRounds)
    .set({ remindedAt: now })
    .where(and(eq(surveyRounds.id, roundId), isNull(surveyRounds.remindedAt)))
    .returning({ id: surveyRounds.id });
  return changed.length === 1;
}

/**
 * Rounds whose organiser has not been told: closed by `closedBy`, or every invitee has answered and every answer
 * is written (on PostgreSQL answers wait in the answer pool: its written count catches up with the spent
 * invitations only when the pool has flushed the round).
 */
export async function roundsDueResults(db: Db, closedBy: Date): Promise<RoundRow[]> {
  const { surveyRounds } = tables(db);
  const invited = sql`exists (select 1 from survey_invitations i where i.round_id = ${surveyRounds.id})`;
  const waiting = sql`exists (select 1 from survey_invitations i where i.round_id = ${surveyRounds.id} and not i.answered)`;
  const written = sql`(select count(*) from survey_invitations i where i.round_id = ${surveyRounds.id} and i.answered)
    = (select count(*) from survey_answers a where a.round_id = ${surveyRounds.id})`;
  return db
    .select()
    .from(surveyRounds)
    .where(and(isNull(surveyRounds.resultsNotifiedAt), or(lte(surveyRounds.closesAt, closedBy), and(invited, not(waiting), written))));
}

export async function markResultsNotified(db: Db, roundId: number, now: Date): Promise<boolean> {
  const { surveyRounds } = tables(db);
  const changed = await db
    .update(surveyRounds)
    .set({ resultsNotifiedAt: now })
    .where(and(eq(surveyRounds.id, roundId), isNull(surveyRounds.resultsNotifiedAt)))
    .returning({ id: surveyRounds.id });
  return changed.length === 1;
}

/* ---------------------------------------------------------------- invitations */

export type InvitationRow = typeof surveyInvitations.$inferSelect;

/** One invitation per (round, teacher); a repeat is ignored. Returns how many were added. */
export async function insertInvitations(db: Db, roundId: number, rows: readonly { teacherId: number; tokenHash: string }[]): Promise<number> {
  const { surveyInvitations } = tables(db);
  let added = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const values = rows.slice(i, i + CHUNK).map((r) => ({ roundId, teacherId: r.teacherId, tokenHash: r.tokenHash, answered: false }));
    added += (await db.insert(surveyInvitations).values(values).onConflictDoNothing().returning({ t: surveyInvitations.teacherId })).length;
  }
  return added;
}

export async function invitationOf(db: Db, roundId: number, teacherId: number): Promise<InvitationRow | null> {
  const { surveyInvitations } = tables(db);
  const rows = await db
    .select()
    .from(surveyInvitations)
    .where(and(eq(surveyInvitations.roundId, roundId), eq(surveyInvitations.teacherId, teacherId)))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * Spends an invitation: true only for the one call that turns `answered` on, so a second answer (a redelivered
 * click, a double submit, two devices) finds nothing to spend. With a token hash, it must match too.
 */
export async function spendInvitation(db: Db, roundId: number, teacherId: number, tokenHash: string | null): Promise<boolean> {
  const { surveyInvitations } = tables(db);
  const changed = await db
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
    .returning({ t: surveyInvitations.teacherId });
  return changed.length === 1;
}

/** Of these (round, teacher) pairs, those whose invitation is spent (committed): the answer pool's check. */
export async function spentInvitations(db: Db, roundId: number, teacherIds: readonly number[]): Promise<Set<number>> {
  const { surveyInvitations } = tables(db);
  if (teacherIds.length === 0) return new Set();
  const rows = await db
    .select({ t: surveyInvitations.teacherId })
    .from(surveyInvitations)
    .where(and(eq(surveyInvitations.roundId, roundId), eq(surveyInvitations.answered, true), inArray(surveyInvitations.teacherId, [...teacherIds])));
  return new Set(rows.map((r) => r.t));
}

/** A teacher's invitations not answered yet, in rounds still open, oldest round first. */
export async function openInvitationsOf(db: Db, teacherId: number, now: Date): Promise<RoundRow[]> {
  const { surveyInvitations, surveyRounds } = tables(db);
  const rows = await db
    .select({ r: surveyRounds })
    .from(surveyInvitations)
    .innerJoin(surveyRounds, eq(surveyRounds.id, surveyInvitations.roundId))
    .where(and(eq(surveyInvitations.teacherId, teacherId), eq(surveyInvitations.answered, false), gt(surveyRounds.closesAt, now)))
    .orderBy(asc(surveyRounds.openedAt), asc(surveyRounds.id));
  return rows.map((row) => row.r);
}

/** Invitees of a round who have not answered and have not turned reminders off. */
export async function unansweredToRemind(db: Db, roundId: number): Promise<number[]> {
  const { surveyInvitations, teacherPrefs } = tables(db);
  const rows = await db
    .select({ id: surveyInvitations.teacherId })
    .from(surveyInvitations)
    .leftJoin(teacherPrefs, eq(teacherPrefs.teacherId, surveyInvitations.teacherId))
    .where(and(eq(surveyInvitations.roundId, roundId), eq(surveyInvitations.answered, false), or(isNull(teacherPrefs.remindersOff), eq(teacherPrefs.remindersOff, false))))
    .orderBy(asc(surveyInvitations.teacherId));
  return rows.map((r) => r.id);
}

export async function invitationCounts(db: Db, roundId: number): Promise<{ invited: number; answered: number }> {
  const { surveyInvitations } = tables(db);
  const [row] = await db
    .select({ invited: count(), answered: count(sql`case when ${surveyInvitations.answered} then 1 end`) })
    .from(surveyInvitations)
    .where(eq(surveyInvitations.roundId, roundId));
  return { invited: row.invited, answered: row.answered };
}

/* ---------------------------------------------------------------- answers */

export type AnswerRow = typeof surveyAnswers.$inferSelect;

/**
 * Stores answers. On SQLite one row at a time is fine (WITHOUT ROWID: rows sit in the order of their random id).
 * On PostgreSQL only the answer pool calls this, with a shuffled batch in its own transaction (answer-pool.ts).
 */
export async function insertAnswers(db: Db, rows: readonly AnswerRow[]): Promise<void> {
  const { surveyAnswers } = tables(db);
  for (let i = 0; i < rows.length; i += CHUNK) await db.insert(surveyAnswers).values(rows.slice(i, i + CHUNK));
}

/** A round's answers in the table's own order (SQLite: by random id; PostgreSQL: shuffled batches): nothing about who or when. */
export async function answersOf(db: Db, roundId: number): Promise<AnswerRow[]> {
  const { surveyAnswers } = tables(db);
  return db.select().from(surveyAnswers).where(eq(surveyAnswers.roundId, roundId));
}

export async function answerCount(db: Db, roundId: number): Promise<number> {
  const { surveyAnswers } = tables(db);
  const [row] = await db.select({ n: count() }).from(surveyAnswers).where(eq(surveyAnswers.roundId, roundId));
  return row.n;
}

/** Whether the database keeps each answer as it comes (SQLite) or through the answer pool (PostgreSQL, docs/postgres.md §3). */
export const answersArePooled = (db: Db) => dialectOf(db) === 'postgres';

/* ---------------------------------------------------------------- for results */

/** Evaluation rounds with their sessions, sessions dated from–to (both included, either may be open). */
export async function evaluationRoundsWithSessions(db: Db, from?: string, to?: string): Promise<{ round: RoundRow; session: SessionRow }[]> {
  const { surveyRounds, trainingSessions } = tables(db);
  return db
    .select({ round: surveyRounds, session: trainingSessions })
    .from(surveyRounds)
    .innerJoin(trainingSessions, eq(trainingSessions.id, surveyRounds.sessionId))
    .where(and(eq(surveyRounds.kind, 'evaluation'), from ? gte(trainingSessions.date, from) : undefined, to ? lte(trainingSessions.date, to) : undefined))
    .orderBy(desc(trainingSessions.date), desc(surveyRounds.id));
}

/** How many of a round's invitees are of each school or 职务 (the roster as it is now). */
export async function invitedBySchoolAndRole(db: Db, roundId: number, by: 'school' | 'role'): Promise<Map<string, number>> {
  const column = by === 'school' ? 't.school' : 't.position';
  const rows = await statement<[number], { g: string; n: number }>(
    db,
    `select ${column} as g, cast(count(*) as integer) as n from survey_invitations i join teachers t on t.id = i.teacher_id where i.round_id = ? group by ${column}`,
  ).all(roundId);
  return new Map(rows.map((r) => [r.g, r.n]));
}

/** How a round's invitations (outbox origin `inviteOrigin`) stand, by status: the console's progress. */
export async function invitationDelivery(db: Db, origin: string): Promise<{ pending: number; sent: number; failed: number }> {
  const rows = await statement<[string], { status: string; n: number }>(
    db,
    `select status, cast(count(*) as integer) as n from outbox where origin = ? group by status`,
  ).all(origin);
  const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
  return { pending: by.pending ?? 0, sent: by.sent ?? 0, failed: by.failed ?? 0 };
}

/** The office's officers (roster ids, oldest grant first): told about results no one in particular asked for. */
export async function officerTeacherIds(db: Db): Promise<number[]> {
  const { roles } = tables(db);
  const rows = await db.select({ id: roles.teacherId }).from(roles).where(eq(roles.role, 'officer')).orderBy(asc(roles.teacherId));
  return rows.map((r) => r.id);
}
