import type { Db } from '../../db/client.js';
import { surveysText as S } from '../bot/i18n/zh-CN.surveys.js';
import { showable } from './anonymity.js';
import { optionsOf, parseStoredQuestions, RATING_VALUES, type Answers, type Question, type Questions } from './questions.js';
import { answersOf, evaluationRoundsWithSessions, getRound, invitationCounts, invitedBySchoolAndRole, type AnswerRow, type RoundRow } from './store.js';

/**
 * Results as plain objects for the console, the exports and the organiser's notice. Every group (a round, a
 * trainer, a project, a school, a 职务) with fewer than MIN_GROUP_SIZE answers is `suppressed`: its count only,
 * no distribution, no mean, no comments (src/surveys/anonymity.ts).
 */

export interface QuestionResult {
  key: string;
  kind: Question['kind'];
  prompt: string;
  /** Answers to this question (an optional one may be skipped). */
  answered: number;
  distribution?: { label: string; count: number }[];
  /** Ratings only, 1–5, two decimals. */
  mean?: number;
  /** Text answers, in the table's (random) order. */
  comments?: string[];
}

export interface GroupResults {
  invited: number;
  answered: number;
  /** answered / invited, 0–1 (0 when nobody was invited). */
  responseRate: number;
  questions: QuestionResult[];
  suppressed: boolean;
}

export interface RoundResults extends GroupResults {
  round: RoundRow;
}

const rate = (answered: number, invited: number) => (invited > 0 ? Math.round((answered / invited) * 1000) / 1000 : 0);
const round2 = (n: number) => Math.round(n * 100) / 100;

function readAnswers(row: AnswerRow): Answers {
  try {
    return JSON.parse(row.answers) as Answers;
  } catch {
    return {};
  }
}

/** One question over a set of answers. */
function questionResult(q: Question, all: readonly Answers[], suppressed: boolean): QuestionResult {
  const values = all.map((a) => a[q.key]).filter((v) => v !== undefined);
  const base: QuestionResult = { key: q.key, kind: q.kind, prompt: q.prompt, answered: values.length };
  if (suppressed) return base;
  if (q.kind === 'text') return { ...base, comments: values.map(String) };
  if (q.kind === 'rating') {
    const ratings = values.map(Number).filter((v) => Number.isInteger(v) && v >= 1 && v <= 5);
    const distribution = RATING_VALUES.map((v) => ({ label: S.rating.label(v), count: ratings.filter((r) => r === v).length }));
    const mean = ratings.length ? round2(ratings.reduce((s, v) => s + v, 0) / ratings.length) : undefined;
    return { ...base, distribution, ...(mean === undefined ? {} : { mean }) };
  }
  const distribution = optionsOf(q).map((label) => ({ label, count: values.filter((v) => v === label).length }));
  return { ...base, distribution };
}

function groupResults(questions: Questions, rows: readonly AnswerRow[], invited: number): GroupResults {
  const answered = rows.length;
  const suppressed = !showable(answered);
  const all = rows.map(readAnswers);
  return { invited, answered, responseRate: rate(answered, invited), questions: questions.map((q) => questionResult(q, all, suppressed)), suppressed };
}

export async function roundResults(db: Db, roundId: number): Promise<RoundResults | null> {
  const round = await getRound(db, roundId);
  if (!round) return null;
  const { invited } = await invitationCounts(db, roundId);
  return { round, ...groupResults(parseStoredQuestions(round.questions), await answersOf(db, roundId), invited) };
}

export interface GroupedResults extends GroupResults {
  /** The session id, trainer or project; null when the sessions did not name one. */
  key: string | null;
  label: string;
  rounds: number;
  /**
   * Answers behind the distributions, means and comments: only those of rounds with MIN_GROUP_SIZE answers or
   * more (`answered` counts them all). Otherwise a trainer's group minus a session shown on its own would be
   * the answers of that trainer's small session, whose few respondents survey_invitations names.
   */
  pooled: number;
}

/**
 * Evaluations grouped by session, trainer or project (sessions dated from–to, both included). Rounds of one group
 * may use different templates: a question is counted under its key across them (the first prompt seen names it).
 * A round under MIN_GROUP_SIZE answers adds to the group's counts only, never to what is shown beyond them, so
 * no difference of two groups or two date windows (each a union of whole rounds) isolates a small round.
 */
export async function resultsBy(db: Db, options: { by: 'session' | 'trainer' | 'project'; from?: string; to?: string }): Promise<GroupedResults[]> {
  const groups = new Map<string, { key: string | null; label: string; rounds: RoundRow[] }>();
  for (const { round, session } of await evaluationRoundsWithSessions(db, options.from, options.to)) {
    const raw = options.by === 'session' ? String(session.id) : options.by === 'trainer' ? session.trainer : session.project;
    const key = raw?.trim() || null;
    const label = options.by === 'session' ? S.results.sessionLabel(session.id, session.title, session.date) : (key ?? S.results.unnamed);
    const id = key ?? '';
    const group = groups.get(id) ?? { key, label, rounds: [] };
    group.rounds.push(round);
    groups.set(id, group);
  }
  const results: GroupedResults[] = [];
  for (const g of groups.values()) {
    const questions = new Map<string, Question>();
    const pooled: AnswerRow[] = [];
    let invited = 0;
    let answered = 0;
    for (const round of g.rounds) {
      for (const q of parseStoredQuestions(round.questions)) if (!questions.has(q.key)) questions.set(q.key, q);
      const rows = await answersOf(db, round.id);
      answered += rows.length;
      if (showable(rows.length)) pooled.push(...rows);
      invited += (await invitationCounts(db, round.id)).invited;
    }
    const shown = groupResults([...questions.values()], pooled, invited);
    results.push({ key: g.key, label: g.label, rounds: g.rounds.length, ...shown, answered, responseRate: rate(answered, invited), pooled: pooled.length });
  }
  return results;
}

export interface SurveyGroupResults extends GroupResults {
  /** The school or 职务 (as the roster had it when the answer came). */
  group: string;
}

/**
 * A needs survey's results per school or per 职务. `invited` counts the invitees of that school / 职务 as the
 * roster has them now. Groups under the minimum size show their count only, like everything else, and so may a
 * small shown one beside them (complementary suppression, below).
 */
export async function surveyResultsByGroup(db: Db, roundId: number, by: 'school' | 'role'): Promise<SurveyGroupResults[]> {
  const round = await getRound(db, roundId);
  if (!round) return [];
  const questions = parseStoredQuestions(round.questions);
  const byGroup = new Map<string, AnswerRow[]>();
  for (const row of await answersOf(db, roundId)) {
    const group = (by === 'school' ? row.school : row.role) ?? S.results.unnamed;
    byGroup.set(group, [...(byGroup.get(group) ?? []), row]);
  }
  const invited = await invitedBySchoolAndRole(db, roundId, by);
  const names = new Set([...byGroup.keys(), ...invited.keys()]);
  const hidden = complementary(new Map([...names].map((g) => [g, byGroup.get(g)?.length ?? 0])));
  return [...names]
    .sort((a, b) => a.localeCompare(b, 'zh-CN'))
    .map((group) => {
      const results = groupResults(questions, byGroup.get(group) ?? [], invited.get(group) ?? 0);
      return { group, ...(hidden.has(group) ? suppress(results) : results) };
    });
}

/** A group's results with everything beyond the counts taken away. */
function suppress(results: GroupResults): GroupResults {
  return { ...results, suppressed: true, questions: results.questions.map(({ key, kind, prompt, answered }) => ({ key, kind, prompt, answered })) };
}

/**
 * The groups of one partition (a round's schools or 职务) to show as counts only. Those under MIN_GROUP_SIZE, and,
 * when their answers together are fewer than MIN_GROUP_SIZE but some, the smallest others too until they are not:
 * the round's own results minus the shown groups are then at least MIN_GROUP_SIZE answers, never one school's two.
 */
function complementary(sizes: ReadonlyMap<string, number>): Set<string> {
  const hidden = new Set([...sizes].filter(([, n]) => !showable(n)).map(([g]) => g));
  let hiddenAnswers = [...hidden].reduce((sum, g) => sum + (sizes.get(g) ?? 0), 0);
  const shownBySize = [...sizes].filter(([g]) => !hidden.has(g)).sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0], 'zh-CN'));
  for (const [group, n] of shownBySize) {
    if (hiddenAnswers === 0 || showable(hiddenAnswers)) break;
    hidden.add(group);
    hiddenAnswers += n;
  }
  return hidden;
}
