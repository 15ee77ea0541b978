import type { Db } from '../../db/client.js';
import { parseStoredQuestions, type Questions } from './questions.js';
import { evaluationTemplate, type QuestionnaireRow } from './store.js';

export interface EvaluationTemplate {
  row: QuestionnaireRow;
  questions: Questions;
  /** True when the category has no template of its own and the default one is used. */
  isDefault: boolean;
}

/**
 * The questions a session of this category is evaluated with: its category's own template, else the default one
 * (seeded by the migration; an officer may replace either). Throws when even the default is missing (a broken
 * install), rather than sending an empty evaluation.
 */
export async function templateFor(db: Db, category: string | null): Promise<EvaluationTemplate> {
  const own = category === null ? null : await evaluationTemplate(db, category);
  const row = own ?? (await evaluationTemplate(db, null));
  if (!row) throw new Error('no default evaluation template (migration 0012 seeds one)');
  return { row, questions: parseStoredQuestions(row.questions), isDefault: own === null };
}
