import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { setRemindersOff } from '../src/deadlines/prefs.js';

/** 订阅提醒 — receive the monthly hours reminder again (on by default). */
export default defineCommand({
  name: '订阅提醒',
  aliases: ['subscribe', '开启提醒', '打开提醒'],
  help: (t) => t.deadlines.help.subscribe,
  example: (x) => x.t.words.examples.remindersOn(),
  positional: [],
  args: z.object({}),
  allow: ['teacher'],
  async run(ctx) {
    const changed = await setRemindersOff(ctx.db, ctx.caller.teacher.id, false, ctx.clock.now());
    return { text: changed ? ctx.t.deadlines.prefs.on : ctx.t.deadlines.prefs.alreadyOn };
  },
});
