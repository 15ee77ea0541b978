import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { attendanceReport } from '../src/sessions/report.js';
import { findSessionByRef } from '../src/sessions/service.js';
import { hasCheckout } from '../src/sessions/model.js';
import { whenIn } from '../src/time/zone.js';
import { teacherNamer } from '../src/bot/teacher-names.js';

/** 签到情况 [培训编号]: signed in / expected / absent, by school, absent names. No number: today's latest session. */
export default defineCommand({
  name: '签到情况',
  aliases: ['attendance', '签到统计'],
  help: (t) => t.sessions.commands.status,
  example: (x) => x.t.words.examples.sessionStatus(),
  positional: ['session'],
  args: z.object({ session: z.string().optional() }),
  allow: ['officer'],
  // Names of absent colleagues: by direct message only.
  personal: true,
  async run(ctx, { session: ref }) {
    const { t, db, clock, timeZone } = ctx;
    const s = t.sessions.status;
    const session = await findSessionByRef(db, ref, ctx.today);
    if (!session) return { text: t.sessions.sessionNotFound(ref ?? '') };
    const r = await attendanceReport(db, session);
    const lines = [s.header(session.id, session.title, whenIn(clock.now(), timeZone, session.date)), s.totals(r.expected, r.signedIn, r.absent)];
    if (hasCheckout(session)) lines.push(s.checkout(r.signedOut, r.signedIn));
    if (r.outside > 0) lines.push(s.outside(r.outside));
    const state = s.state(session.status);
    if (state) lines.push(state);
    const nameOf = await teacherNamer(db, t);
    lines.push(s.bySchool, ...r.bySchool.map((c) => s.school(c.school, c.expected, c.signedIn, c.absent.map(nameOf))));
    return { text: lines.join('\n') };
  },
});
