import { z } from 'zod';
import { surveysText as S } from '../bot/i18n/zh-CN.surveys.js';

/** A rating question is answered 1–5 (5 best); the labels people see are in the catalogue (S.rating). */
export const RATING_VALUES = [1, 2, 3, 4, 5] as const;
export const MAX_QUESTIONS = 12;
export const MAX_OPTIONS = 10;
/** Longest free-text answer kept (a comment); longer ones are refused with the limit, never cut silently. */
export const MAX_TEXT_ANSWER = 500;

const QuestionSchema = z
  .strictObject(
    {
    key: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, S.schema.key),
    kind: z.enum(['rating', 'choice', 'text'], { error: S.schema.kind }),
    prompt: z.string().trim().min(1, S.schema.prompt).max(100, S.schema.promptLong),
    options: z.array(z.string().trim().min(1, S.schema.option).max(40, S.schema.optionLong)).min(2, S.schema.optionsFew).max(MAX_OPTIONS, S.schema.optionsMany).optional(),
    required: z.boolean({ error: S.schema.required }),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? S.schema.unknownKeys(issue.keys) : S.schema.notObject) },
  )
  .superRefine((q, ctx) => {
    if (q.kind === 'choice' && !q.options) ctx.addIssue({ code: 'custom', message: S.schema.choiceNeedsOptions(q.key) });
    if (q.kind !== 'choice' && q.options) ctx.addIssue({ code: 'custom', message: S.schema.onlyChoiceHasOptions(q.key) });
    if (q.options && new Set(q.options).size !== q.options.length) ctx.addIssue({ code: 'custom', message: S.schema.optionsRepeat(q.key) });
  });

/** A question list: 1–12 questions, keys unique, at least one question that must be answered. */
export const QuestionsSchema = z
  .array(QuestionSchema, { error: S.schema.notList })
  .min(1, S.schema.empty)
  .max(MAX_QUESTIONS, S.schema.tooMany(MAX_QUESTIONS))
  .superRefine((qs, ctx) => {
    const seen = new Set<string>();
    for (const q of qs) {
      if (seen.has(q.key)) ctx.addIssue({ code: 'custom', message: S.schema.keyRepeat(q.key) });
      seen.add(q.key);
    }
    if (!qs.some((q) => q.required)) ctx.addIssue({ code: 'custom', message: S.schema.noneRequired });
  });

export type Question = z.infer<typeof QuestionSchema>;
export type Questions = z.infer<typeof QuestionsSchema>;

/** One respondent's answers by question key: a rating 1–5, an option's text, or free text. Skipped keys are absent. */
export type AnswerValue = number | string;
export type Answers = Record<string, AnswerValue>;

export type QuestionsCheck = { ok: true; questions: Questions } | { ok: false; problems: string[] };

/** Validates a question list (from a file, the console or the database), with every problem in Chinese. */
export function checkQuestions(value: unknown): QuestionsCheck {
  const parsed = QuestionsSchema.safeParse(value);
  if (parsed.success) return { ok: true, questions: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((i) => (i.path.length ? `${S.schema.at(i.path)}${i.message}` : i.message)) };
}

/** Reads stored JSON that was validated when written; a row that no longer parses is a bug, so it throws. */
export function parseStoredQuestions(json: string): Questions {
  return QuestionsSchema.parse(JSON.parse(json));
}

/** The options a question offers, as people see them: 1–5 for a rating, the listed options for a choice. */
export function optionsOf(q: Question): string[] {
  if (q.kind === 'rating') return RATING_VALUES.map((v) => S.rating.label(v));
  return q.options ?? [];
}

/**
 * Reads one answer as typed or picked (a digit, an option's number or text, a rating label) into its stored
 * value; null when it is not an answer to this question.
 */
export function readAnswer(q: Question, raw: string): AnswerValue | null {
  // A comment is kept as written (full-width punctuation and all); a choice is read through NFKC (５ → 5).
  if (q.kind === 'text') {
    const comment = raw.trim();
    return comment && comment.length <= MAX_TEXT_ANSWER ? comment : null;
  }
  const text = raw.normalize('NFKC').trim();
  if (!text) return null;
  const options = optionsOf(q);
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  const index = Number.isInteger(n) && n >= 1 && n <= options.length ? n - 1 : options.indexOf(text);
  if (index < 0) return null;
  return q.kind === 'rating' ? RATING_VALUES[index] : options[index];
}

/** Checks a whole set of answers (a submitted form): every required one there, every one valid. */
export function checkAnswers(questions: Questions, raw: Record<string, unknown>): { ok: true; answers: Answers } | { ok: false; problems: string[] } {
  const answers: Answers = {};
  const problems: string[] = [];
  for (const q of questions) {
    const value = raw[q.key];
    const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
    if (!text.trim()) {
      if (q.required) problems.push(S.answer.missing(q.prompt));
      continue;
    }
    const read = readAnswer(q, text);
    if (read === null) problems.push(q.kind === 'text' ? S.answer.tooLong(q.prompt, MAX_TEXT_ANSWER) : S.answer.notAnOption(q.prompt));
    else answers[q.key] = read;
  }
  return problems.length ? { ok: false, problems } : { ok: true, answers };
}
