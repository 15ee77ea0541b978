import type { Bot } from '../../bot/bot.js';
import type { Clock } from '../../clock.js';
import { badRequest, ok, unauthorized, type RawRequest, type RawResponse, type RawRoute } from '../../http/raw-route.js';
import type { Logger } from '../../logger.js';
import { parseJson } from './http.js';
import { RobotCallbackSchema, calledInChat, toIncomingMessage } from './events.js';
import { SIGN_HEADERS, verifyCallback } from './verify.js';

export const DINGTALK_CALLBACK_PATH = '/webhooks/dingtalk';

export interface WebhookDeps {
  bot: Bot;
  logger: Logger;
  appSecret: string;
  /** Business clock: stamps `receivedAt`. */
  clock: Clock;
  /** Real time, to compare with DingTalk's timestamp (differs from `clock` when XUESHI_NOW pins a demo date). */
  platformClock: Clock;
}

/**
 * The HTTP receiver: verify the sign, claim the message in the inbox, answer 200 at once, handle it after.
 * DingTalk gives the robot only a few seconds, so nothing slow happens before the answer.
 */
export function dingtalkWebhookRoute(deps: WebhookDeps): RawRoute {
  const log = deps.logger.child({ path: DINGTALK_CALLBACK_PATH });
  return { method: 'POST', path: DINGTALK_CALLBACK_PATH, handle: (request) => receive(request, deps, log) };
}

async function receive(request: RawRequest, deps: WebhookDeps, log: Logger): Promise<RawResponse> {
  const verdict = verifyCallback({
    timestamp: request.header(SIGN_HEADERS.timestamp),
    sign: request.header(SIGN_HEADERS.sign),
    appSecret: deps.appSecret,
    now: deps.platformClock.now(),
  });
  if (!verdict.ok) {
    log.warn({ reason: verdict.reason, ip: request.header('x-forwarded-for') }, 'dingtalk callback rejected');
    return unauthorized();
  }

  const parsed = RobotCallbackSchema.safeParse(parseJson(request.body.toString('utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    log.warn({ reason: issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'not JSON' }, 'dingtalk callback malformed');
    return badRequest();
  }

  if (!calledInChat(parsed.data)) {
    log.info({ msgId: parsed.data.msgId }, 'dingtalk group message not for the robot (isInAtList false); ignored');
    return ok();
  }
  // One INSERT claims the msgId; a retry or a concurrent duplicate loses it and is only acked.
  if (await deps.bot.acceptGrouped(toIncomingMessage(parsed.data, deps.clock.now().getTime()))) deps.bot.schedule();
  return ok();
}
