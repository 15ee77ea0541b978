import type { CommandContext } from '../bot/command.js';
import type { Reply } from '../core/messages.js';
import { signInReply } from './replies.js';
import { signInFromChat } from './signin.js';

/** What 签到 and 签退 share: the caller's code (or #id from a card button) checked now, and the answer. */
export function signInOrOut(ctx: CommandContext, code: string | undefined, action: 'in' | 'out'): Reply {
  const { caller, db, clock, timeZone } = ctx;
  const outcome = signInFromChat(db, {
    platform: caller.platform,
    accountId: caller.accountId,
    teacher: caller.teacher!,
    arg: code ?? '',
    action,
    now: clock.now(),
    timeZone,
  });
  return signInReply(ctx.t, outcome, timeZone, ctx.today, action);
}
