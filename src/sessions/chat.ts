import type { CommandContext } from '../bot/command.js';
import type { BoundCaller } from '../ledger/caller.js';
import type { Reply } from '../core/messages.js';
import { asksWhetherSigned } from './syntax.js';
import { mySessions, mySessionsReply } from './my-status.js';
import { signInReply } from './replies.js';
import { signInFromChat } from './signin.js';

/** What 签到 and 签退 share: the caller's code (or #id from a card button) checked now, and the answer. */
export async function signInOrOut(ctx: CommandContext<BoundCaller>, code: string | undefined, action: 'in' | 'out'): Promise<Reply> {
  const { caller, db, clock, timeZone } = ctx;
  if (code && asksWhetherSigned(code)) {
    // Read-only, like 我签到了吗: a question must not sign anyone in to a button session.
    return mySessionsReply(ctx.t, await mySessions(db, caller.teacher, clock.now(), timeZone), clock.now(), timeZone);
  }
  const outcome = await signInFromChat(db, {
    platform: caller.platform,
    accountId: caller.accountId,
    teacher: caller.teacher,
    arg: code ?? '',
    action,
    now: clock.now(),
    timeZone,
  });
  return signInReply(ctx.t, outcome, timeZone, ctx.today, action);
}
