import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { questionnaires } from '../../db/schema.js';
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
