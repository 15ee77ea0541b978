import type { Context, Hono } from 'hono';
import type { Bot } from '../../bot/bot.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { parseJson } from './http.js';
import { RobotCallbackSchema, toIncomingMessage } from './events.js';
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
export function mountDingtalkWebhook(app: Hono, deps: WebhookDeps): void {
  app.post(DINGTALK_CALLBACK_PATH, (c) => receive(c, deps));
}

async function receive(c: Context, deps: WebhookDeps): Promise<Response> {
  const log = deps.logger.child({ path: DINGTALK_CALLBACK_PATH });
  const verdict = verifyCallback({
    timestamp: c.req.header(SIGN_HEADERS.timestamp),
    sign: c.req.header(SIGN_HEADERS.sign),
    appSecret: deps.appSecret,
    now: deps.platformClock.now(),
  });
  if (!verdict.ok) {
    log.warn({ reason: verdict.reason, ip: c.req.header('x-forwarded-for') }, 'dingtalk callback rejected');
    return c.json({ error: 'unauthorized' }, 401);
  }

  const raw = await c.req.text();
  const parsed = RobotCallbackSchema.safeParse(parseJson(raw));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    log.warn({ reason: issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'not JSON' }, 'dingtalk callback malformed');
    return c.json({ error: 'bad request' }, 400);
  }

  // One INSERT claims the msgId; a retry or a concurrent duplicate loses it and is only acked.
  if (deps.bot.accept(toIncomingMessage(parsed.data, deps.clock.now().getTime()))) deps.bot.schedule();
  return c.json({});
}
