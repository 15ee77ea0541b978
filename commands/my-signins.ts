import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { mySessions, mySessionsReply } from '../src/sessions/my-status.js';

/**
 * 我签到了吗 (also 我签到没有, 签到状态, /signed): today's sessions of the caller, whether they signed in and out
 * and when, or how to. Read-only: it never signs anyone in, whatever follows the question.
 */
export default defineCommand({
  name: '我签到了吗',
  aliases: ['签到状态', '我的签到', 'signed'],
  help: (t) => t.sessions.commands.mine,
  example: (x) => x.t.words.examples.mySignIns(),
  positional: [],
  restIsText: true,
  args: z.object({}),
  allow: ['teacher'],
  personal: true,
  async run({ t, db, clock, timeZone, caller }) {
    const now = clock.now();
    return mySessionsReply(t, await mySessions(db, caller.teacher, now, timeZone), now, timeZone);
  },
});
