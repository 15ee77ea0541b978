import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { messagesFor } from '../src/bot/i18n/index.js';
import { rangeText } from '../src/sessions/replies.js';
import { creditsOf, withdrawQueued } from '../src/sessions/store.js';
import { findSessionByRef, setSessionStatus } from '../src/sessions/service.js';
import { notifyCancelled } from '../src/sessions/notify.js';
import { teacherNamer } from '../src/bot/teacher-names.js';

const missing = messagesFor().sessions.args;

/**
 * 取消培训 <培训编号> <原因>: calls a whole session off. Sign-in stops at once and every bound audience member
 * hears why (if the session has not ended yet). Credit already given is kept: revoking it is a decision per
 * teacher (取消学时), not a side effect.
 */
export default defineCommand({
  name: '取消培训',
  aliases: ['cancelsession'],
  help: (t) => t.sessions.commands.cancel,
  example: (x) => x.t.words.examples.sessionCancel(),
  positional: ['session', 'reason'],
  restIsText: true,
  args: z.object({
    session: z.string({ error: missing.session }).min(1, missing.session),
    reason: z.string({ error: missing.reason }).trim().min(2, missing.reasonTooShort),
  }),
  allow: ['officer'],
  async run(ctx, { session: ref, reason }) {
    const { t, db, clock, caller, timeZone } = ctx;
    const m = t.sessions.cancel;
    const session = await findSessionByRef(db, ref, ctx.today);
    if (!session) return { text: t.sessions.sessionNotFound(ref) };
    if (!(await setSessionStatus(db, session, 'cancelled', `${caller.platform}:${caller.accountId}`, reason))) return { text: m.already(session.title) };

    // Cards and reminders still queued would arrive after the notice: withdrawn with the cancellation.
    await withdrawQueued(db, session);
    const now = clock.now();
    const { credited, awaitingCheckout } = await creditsOf(db, session);
    const kept = [...(credited > 0 ? [m.creditsKept(credited)] : []), ...(awaitingCheckout > 0 ? [m.noCheckout(awaitingCheckout)] : [])];
    const lastMoment = Math.max(session.checkinEnd.getTime(), session.checkoutEnd?.getTime() ?? 0);
    if (now.getTime() > lastMoment) return { text: [m.over(session.title), ...kept].join('\n') };

    const when = `${session.date} ${rangeText(session, 'checkin', timeZone)}`;
    const result = await notifyCancelled(db, session, now, (member) => ({ text: m.notice(member.name, session.title, when, reason) }));
    return { text: [m.done(session.title, result.queued + result.alreadyQueued, result.unbound.map(await teacherNamer(db, t))), ...kept].join('\n') };
  },
});
