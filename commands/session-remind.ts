import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { rangeText, signInCard } from '../src/sessions/replies.js';
import { findSessionByRef } from '../src/sessions/service.js';
import { remindAbsent } from '../src/sessions/notify.js';
import { whenIn } from '../src/time/zone.js';
import { teacherNamer } from '../src/bot/teacher-names.js';

/**
 * 提醒未签到 [培训编号]: a direct message to every absent audience member with a bound account. Running it
 * twice within one 10-minute round messages nobody twice (one outbox key per session, teacher and round).
 */
export default defineCommand({
  name: '提醒未签到',
  aliases: ['remindabsent', '催签到'],
  help: (t) => t.sessions.commands.remind,
  example: (x) => x.t.words.examples.sessionRemind(),
  positional: ['session'],
  args: z.object({ session: z.string().optional() }),
  allow: ['officer'],
  personal: true,
  async run(ctx, { session: ref }) {
    const { t, db, clock, timeZone } = ctx;
    const m = t.sessions.remind;
    const session = await findSessionByRef(db, ref, ctx.today);
    if (!session) return { text: t.sessions.sessionNotFound(ref ?? '') };
    if (session.status !== 'open') return { text: m.notOpen(session.title, session.status) };
    const now = clock.now();
    if (now.getTime() >= session.checkinEnd.getTime() + 60_000) return { text: m.over(session.title, whenIn(session.checkinEnd, timeZone, ctx.today)) };
    const checkin = rangeText(session, 'checkin', timeZone)!;
    const result = await remindAbsent(db, session, now, (member) =>
      session.mode === 'button'
        ? signInCard(t, session, timeZone, m.messageButton(member.name, session.title, session.date, checkin))
        : { text: m.message(member.name, session.title, session.date, checkin) },
    );
    if (result.total === 0) return { text: m.nobody(session.title) };
    return { text: m.done(result.total, result.queued, result.alreadyQueued, result.unbound.map(await teacherNamer(db, t))) };
  },
});
