import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { setRemindersOff } from '../src/deadlines/prefs.js';

/** 退订提醒 — stop the monthly hours reminder (deadline reminders to leaders are not affected). */
export default defineCommand({
  name: '退订提醒',
  aliases: ['unsubscribe', '关闭提醒', '取消提醒'],
  help: (t) => t.deadlines.help.unsubscribe,
  example: (x) => x.t.words.examples.remindersOff(),
  positional: [],
  args: z.object({}),
  allow: ['teacher'],
  async run(ctx) {
    const changed = await setRemindersOff(ctx.db, ctx.caller.teacher.id, true, ctx.clock.now());
    return { text: changed ? ctx.t.deadlines.prefs.off : ctx.t.deadlines.prefs.alreadyOff };
  },
});
