import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { signInOrOut } from '../src/sessions/chat.js';

/** 签退 <签到码> (or 签退 #<培训编号> from a card button): completes a session that has a sign-out window. */
export default defineCommand({
  name: '签退',
  aliases: ['signout', 'checkout'],
  help: (t) => t.sessions.commands.signOut,
  example: (x) => x.t.words.examples.signOut(),
  positional: ['code'],
  restIsText: true,
  args: z.object({ code: z.string().optional() }),
  allow: ['teacher'],
  personal: true,
  run(ctx, { code }) {
    return signInOrOut(ctx, code, 'out');
  },
});
