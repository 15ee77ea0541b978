/**
 * The webhook bench's traffic: real-format `im.message.receive_v1` events (the test fakes' builder),
 * encrypted and signed as Feishu does, from bound teachers in their own p2p chats.
 */
import { FEISHU_ENV } from '../../tests/helpers/fakes/feishu-harness.js';
import { messageEvent, signedRequest } from '../../tests/helpers/fakes/feishu-sign.js';
import { prepare, type PreparedRequest } from './load.js';

export const BENCH_FEISHU_ENV = FEISHU_ENV;

export const employeeNoOf = (i: number) => `T${String(i).padStart(6, '0')}`;
export const accountIdOf = (i: number) => `ou_bench${String(i).padStart(24, '0')}`;
/** Each teacher's one-to-one chat with the bot has its own chat id (the per-chat send limit keys on it). */
export const chatIdOf = (i: number) => `oc_bench${String(i).padStart(24, '0')}`;

export interface EventBatch {
  requests: PreparedRequest[];
  messageIds: string[];
}

/** `count` events, spread round-robin over `teachers` bound teachers; ids are unique per `tag`. */
export function buildEvents(tag: string, count: number, teachers: number, text = '学时'): EventBatch {
  const requests: PreparedRequest[] = new Array(count);
  const messageIds: string[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const t = k % teachers;
    const messageId = `om_${tag}_${k.toString(36).padStart(8, '0')}`;
    const payload = messageEvent({
      text,
      eventId: `ev_${tag}_${k.toString(36).padStart(8, '0')}`,
      messageId,
      openId: accountIdOf(t),
      chatId: chatIdOf(t),
      chatType: 'p2p',
    });
    const { body, headers } = signedRequest(payload);
    requests[k] = prepare(body, headers);
    messageIds[k] = messageId;
  }
  return { requests, messageIds };
}
