import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { createDeadlineFromText } from '../src/deadlines/service.js';

/** 新建截止 <标题> <YYYY-MM-DD[ HH:MM]> [学校:一中,二中|全部] [提前:30,7,3,1,0] — officers add their own deadlines. */
export default defineCommand({
  name: '新建截止',
  aliases: ['newdeadline', '添加截止', '新建截止事项'],
  help: (t) => t.deadlines.help.create,
  example: (x) => x.t.words.examples.deadlineCreate(x),
  positional: ['text'],
  restIsText: true,
  args: z.object({ text: z.string().default('') }),
  allow: ['officer'],
  run(ctx, { text }) {
    const { t, caller } = ctx;
    const outcome = createDeadlineFromText(ctx.db, t, {
      text,
      now: ctx.clock.now(),
      timeZone: ctx.timeZone,
      createdBy: `${caller.platform}:${caller.accountId}`,
    });
    if (!outcome.ok && outcome.usageProblem) return { text: t.errors.badArgs(t.deadlines.help.create.usage, outcome.text) };
    return { text: outcome.text };
  },
});
