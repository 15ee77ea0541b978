/** Seeds for the console's survey pages: a closed session's evaluation with answers given through takeAnswers. */
import type { Db } from '../../db/client.js';
import { findTeacherById } from '../../src/ledger/store.js';
import { setSessionStatus } from '../../src/sessions/service.js';
import { openSessionEvaluation, takeAnswers } from '../../src/surveys/service.js';
import { flushAnswers } from '../../src/surveys/answer-pool.js';
import type { RoundRow } from '../../src/surveys/store.js';
import { addSession, signIn } from './surveys.js';

export interface Evaluated {
  title: string;
  date?: string;
  trainer?: string;
  project?: string;
  category?: string;
}

/**
 * A closed session attended by `attendees`, its evaluation opened at `now`, and the first `scores.length` attendees
 * answering: every rating question gets their score, the default template's comment gets `comments[i]` (when
 * given). Returns the round.
 */
export async function evaluated(db: Db, now: Date, s: Evaluated, attendees: readonly number[], scores: readonly number[], comments: readonly (string | undefined)[] = []): Promise<RoundRow> {
  const session = await addSession(db, { title: s.title, date: s.date ?? '2026-11-25', start: '08:00', end: '09:00', createdBy: 'cli:test', trainer: s.trainer, project: s.project, category: s.category });
  await signIn(db, session, attendees);
  // Closed as an officer closes it; the evaluation opens as the close does (pages/sessions.tsx, the CLI).
  await setSessionStatus(db, session, 'closed', 'cli:test');
  const opened = await openSessionEvaluation({ db, now, sendAt: now, timeZone: 'Asia/Shanghai' }, session);
  if (opened.kind !== 'opened') throw new Error(`evaluation of ${s.title} not opened`);
  for (const [i, score] of scores.entries()) {
    const comment = comments[i];
    const answers = { overall: score, content: score, trainer: score, usefulness: score, ...(comment ? { comment } : {}) };
    const outcome = await takeAnswers(db, { round: opened.round, teacher: (await findTeacherById(db, attendees[i]))!, answers, tokenHash: null, now, timeZone: 'Asia/Shanghai' });
    if (outcome !== 'taken') throw new Error(`answer ${i} of ${s.title}: ${outcome}`);
  }
  await flushAnswers(db);
  return opened.round;
}
