import { findTeacherById } from '../ledger/store.js';
import type { Messages } from '../bot/i18n/index.js';
import type { Reply } from '../core/messages.js';
import { enqueue } from '../outbox/store.js';
import type { TickContext } from '../schedule/context.js';
import { BROADCAST_COMMANDS } from './commands.js';
import { hasOutboxKey, pendingCount } from './store.js';
import { broadcastOrigin, broadcastProgress, parseRequestedVia, reportKey, sendingBroadcasts, type BroadcastProgress } from './broadcasts.js';

/** The progress text of `通知进度` and the CLI, and the final report's body. */
export function progressLines(t: Messages, p: BroadcastProgress): string[] {
  const m = t.broadcasts.progress;
  if (p.status === 'preview') return [m.notConfirmed(p.id)];
  if (p.status === 'cancelled') return [m.cancelled(p.id)];
  const lines = [m.header(p.id, p.excerpt, p.done), m.sent(p.delivered + p.failed, p.bound), m.delivered(p.delivered), m.failed(p.failed)];
  for (const f of p.failures.slice(0, 5)) lines.push(m.failureLine(f.reason, f.count));
  if (p.failures.length > 5) lines.push(m.moreFailures(p.failures.length - 5));
  // Only where it happened (DingTalk timeouts): on Feishu every resend is de-duplicated by the platform.
  if (p.maybeDuplicate > 0) lines.push(m.maybeDuplicate(p.maybeDuplicate));
  lines.push(m.unbound(p.unbound), m.pending(p.pending));
  return lines;
}

export function progressReply(t: Messages, p: BroadcastProgress): Reply {
  const lines = progressLines(t, p);
  if (p.status !== 'sending') return { text: lines.join('\n') };
  return {
    text: lines.join('\n'),
    card: {
      title: t.broadcasts.progress.cardTitle(p.id, p.done),
      tone: p.done ? (p.failed > 0 ? 'orange' : 'green') : 'blue',
      sections: [{ lines: lines.slice(1) }],
      buttons: p.done ? undefined : [{ label: t.broadcasts.progress.refresh, value: { command: BROADCAST_COMMANDS.progress, args: String(p.id) } }],
    },
  };
}

/**
 * When every row of a broadcast has left `pending`, the officer who sent it gets the final delivery report,
 * once (idempotency key broadcast-report:<id>), on the account they sent it from.
 */
export async function broadcastReports(ctx: TickContext): Promise<number> {
  const { db, now, transportNow, t } = ctx;
  let sent = 0;
  for (const b of await sendingBroadcasts(db, now)) {
    const key = reportKey(b.id);
    if (await hasOutboxKey(db, key)) continue;
    if ((await pendingCount(db, broadcastOrigin(b.id))) > 0) continue;
    const progress = await broadcastProgress(db, b.id);
    if (!progress || progress.bound === 0) continue;
    const via = parseRequestedVia(b.requestedVia);
    if (!via) continue;
    const ownerId = Number(b.createdBy.replace(/^teacher:/, ''));
    const owner = Number.isInteger(ownerId) ? await findTeacherById(db, ownerId) : null;
    if (!owner) continue;
    sent += await enqueue(
      db,
      [{ platform: via.platform, target: { type: 'user', accountId: via.accountId }, reply: progressReply(t, progress), idempotencyKey: key, origin: key }],
      transportNow,
    );
  }
  return sent;
}
