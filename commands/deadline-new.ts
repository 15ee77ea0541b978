import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { createDeadlineFromText, createUsage } from '../src/deadlines/service.js';

/** 新建截止 <标题> <日期>[ 时间] [学校:一中,二中|全部] [提前:30,7,3,1,0] — officers add their own deadlines. */
export default defineCommand({
  name: '新建截止',
  aliases: ['newdeadline', '添加截止', '新建截止事项'],
  help: (t) => t.deadlines.help.create,
  example: (x) => x.t.words.examples.deadlineCreate(x),
  positional: ['text'],
  restIsText: true,
  args: z.object({ text: z.string().default('') }),
  allow: ['officer'],
  async run(ctx, { text }) {
    const { t, caller } = ctx;
    const now = ctx.clock.now();
    const outcome = await createDeadlineFromText(ctx.db, t, {
      text,
      now,
      timeZone: ctx.timeZone,
      createdBy: `${caller.platform}:${caller.accountId}`,
    });
    if (!outcome.ok && outcome.usageProblem) return { text: t.errors.badArgs(createUsage(t, now, ctx.timeZone), outcome.text) };
    return { text: outcome.text };
  },
});
