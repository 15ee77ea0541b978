import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { signInOrOut } from '../src/sessions/chat.js';

/** 签到 <签到码>, or 签到 #<培训编号> from a card button (button-mode sessions only; the audience is checked). */
export default defineCommand({
  name: '签到',
  aliases: ['signin', 'checkin'],
  help: (t) => t.sessions.commands.signIn,
  example: (x) => x.t.words.examples.signIn(),
  positional: ['code'],
  restIsText: true,
  args: z.object({ code: z.string().optional() }),
  allow: ['teacher'],
  personal: true,
  run(ctx, { code }) {
    return signInOrOut(ctx, code, 'in');
  },
});
