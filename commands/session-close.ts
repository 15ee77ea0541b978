import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { messagesFor } from '../src/bot/i18n/index.js';
import { findSessionByRef, setSessionStatus } from '../src/sessions/service.js';
import { liveCounts } from '../src/sessions/report.js';
import { dueNow } from '../src/broadcasts/broadcasts.js';
import { evaluationNote, openSessionEvaluation } from '../src/surveys/service.js';

const missing = messagesFor().sessions.args;

/** 结束培训 <培训编号>: closes sign-in early; later attempts hear "签到已结束". Credit already given stays. */
export default defineCommand({
  name: '结束培训',
  aliases: ['closesession', '结束签到'],
  help: (t) => t.sessions.commands.close,
  example: (x) => x.t.words.examples.sessionClose(),
  positional: ['session'],
  args: z.object({ session: z.string({ error: missing.session }).min(1, missing.session) }),
  allow: ['officer'],
  async run(ctx, { session: ref }) {
    const { t, db, caller } = ctx;
    const m = t.sessions.close;
    const session = await findSessionByRef(db, ref, ctx.today);
    if (!session) return { text: t.sessions.sessionNotFound(ref) };
    if (session.status === 'cancelled') return { text: m.cancelled(session.title) };
    if (!(await setSessionStatus(db, session, 'closed', `${caller.platform}:${caller.accountId}`))) return { text: m.already(session.title) };
    const counts = await liveCounts(db, session);
    // Everyone who signed in is asked to evaluate it now (the scheduler would, a minute later, for a session left open).
    const evaluation = await openSessionEvaluation({ db, now: ctx.clock.now(), sendAt: dueNow(ctx.clock), timeZone: ctx.timeZone }, session);
    return { text: [m.done(session.title, counts.signedIn, counts.expected), evaluationNote(evaluation)].filter(Boolean).join('\n') };
  },
});
