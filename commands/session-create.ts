import { z } from 'zod';
import { consoleBaseUrl } from '../src/admin/auth.js';
import { defineCommand } from '../src/bot/command.js';
import { audienceOf, hasCheckout } from '../src/sessions/model.js';
import { createSession } from '../src/sessions/service.js';
import { sendSignInCards } from '../src/sessions/notify.js';
import { parseCreateText } from '../src/sessions/syntax.js';
import { problemText, projectorPath, rangeText, signInCard } from '../src/sessions/replies.js';
import { describeDate, exampleDate } from '../src/time/parse.js';

/** 新建培训 <标题> <类别> <学时> <日期> <签到时段> [签退 时段] [对象 …] [方式 …] [讲师:…] [项目:…]: see src/sessions/syntax.ts. */
export default defineCommand({
  name: '新建培训',
  aliases: ['newsession', '创建培训', '新建签到'],
  help: (t) => t.sessions.commands.create,
  example: (x) => x.t.words.examples.sessionCreate(x),
  positional: ['spec'],
  restIsText: true,
  args: z.object({ spec: z.string().optional() }),
  allow: ['officer'],
  // The reply carries the projector link's key: never into a group.
  personal: true,
  async run(ctx, { spec }) {
    const { t, db, clock, timeZone } = ctx;
    const s = t.sessions;
    const example = exampleDate(ctx.today);
    const usage = `${s.commands.create.usage}\n${s.createExample(example)}`;
    const parsed = parseCreateText(spec ?? '', { today: ctx.today, preset: ctx.presets.get(ctx.defaultPolicy) });
    if (!parsed.ok) {
      const u = parsed.understood ?? {};
      const understood = s.understood({
        ...u,
        date: u.date && describeDate(u.date),
        checkin: u.checkin && `${u.checkin.start}-${u.checkin.end}`,
      });
      return { text: t.errors.badArgs(usage, [problemText(t, parsed.problem, example), understood].filter(Boolean).join('\n')) };
    }
    const now = clock.now();
    const created = await createSession(db, parsed.value, {
      now,
      timeZone,
      createdBy: `${ctx.caller.platform}:${ctx.caller.accountId}`,
      presets: ctx.presets,
      defaultPolicy: ctx.defaultPolicy,
    });
    if (!created.ok) return { text: t.errors.badArgs(usage, problemText(t, created.problem, example)) };
    const session = created.session;
    const cards =
      session.mode === 'button'
        ? await sendSignInCards(db, session, now, () => signInCard(t, session, timeZone))
        : null;
    return {
      text: s.created({
        id: session.id,
        title: session.title,
        category: session.category,
        hours: session.hours,
        date: session.date,
        checkin: rangeText(session, 'checkin', timeZone)!,
        checkout: hasCheckout(session) ? rangeText(session, 'checkout', timeZone) : null,
        audience: s.audience(audienceOf(session)),
        expected: created.expected.length,
        mode: session.mode,
        staticCode: session.staticCode,
        projectorPath: session.mode === 'button' ? null : projectorPath(session, consoleBaseUrl(db)),
        cards: cards && { queued: cards.queued, unbound: cards.unbound.length },
        trainer: session.trainer,
        project: session.project,
      }),
    };
  },
});
