import type { Db } from '../../db/client.js';
import type { Messages } from '../bot/i18n/index.js';
import type { Outgoing, Platform, Reply } from '../core/messages.js';
import { systemClock, type Clock } from '../clock.js';
import { audit } from '../ledger/audit.js';
import { accountsOf } from '../outbox/address.js';
import { enqueue } from '../outbox/store.js';
import {
  addRecipients,
  getBroadcast,
  insertBroadcast,
  markCancelled,
  markSending,
  outboxIdsByKey,
  recipientOutcomes,
  sendingSince,
  type BroadcastRow,
} from './store.js';
import { parseStoredAudience, resolveRecipients, type BroadcastAudience } from './audience.js';


/** Longest text a broadcast may carry (a Feishu card holds 30 KB; 4,000 characters stay well inside). */
export const MAX_BROADCAST_CHARS = 4000;
/** A preview not confirmed within this time must be prepared again (the roster may have changed). */
export const PREVIEW_TTL_MS = 24 * 3600_000;

export function broadcastKey(broadcastId: number, teacherId: number): string {
  return `broadcast:${broadcastId}:${teacherId}`;
}

export function broadcastOrigin(broadcastId: number): string {
  return `broadcast:${broadcastId}`;
}

export function reportKey(broadcastId: number): string {
  return `broadcast-report:${broadcastId}`;
}

/** Who prepared a broadcast: the officer's roster id, so they can confirm from any of their chat accounts. */
export function ownerOf(teacherId: number): string {
  return `teacher:${teacherId}`;
}

export interface RequestedVia {
  platform: Platform;
  accountId: string;
}

export function parseRequestedVia(json: string | null): RequestedVia | null {
  if (!json) return null;
  try {
    const v = JSON.parse(json) as Partial<RequestedVia>;
    return typeof v.platform === 'string' && typeof v.accountId === 'string' ? (v as RequestedVia) : null;
  } catch {
    return null;
  }
}

export interface Headcount {
  total: number;
  bound: number;
  unbound: number;
}

export async function headcount(
  db: Db,
  audience: BroadcastAudience,
): Promise<Headcount & { ids: number[]; accounts: Map<number, { platform: Platform; accountId: string }> }> {
  const ids = await resolveRecipients(db, audience);
  const accounts = await accountsOf(db, ids);
  return { ids, accounts, total: ids.length, bound: accounts.size, unbound: ids.length - accounts.size };
}

export async function createPreview(
  db: Db,
  input: { text: string; audience: BroadcastAudience; ownerTeacherId: number; requestedVia: RequestedVia | null; now: Date },
): Promise<{ broadcast: BroadcastRow; count: Headcount }> {
  const count = await headcount(db, input.audience);
  const broadcast = await insertBroadcast(db, {
    text: input.text,
    audience: JSON.stringify(input.audience),
    status: 'preview',
    recipientCount: count.total,
    createdBy: ownerOf(input.ownerTeacherId),
    requestedVia: input.requestedVia ? JSON.stringify(input.requestedVia) : null,
    createdAt: input.now,
  });
  return { broadcast, count: { total: count.total, bound: count.bound, unbound: count.unbound } };
}

/** What each recipient receives: a card (Feishu renders it; DingTalk shows markdown) with the text as fallback. */
export function broadcastReply(t: Messages, text: string, sender: string, date: string): Reply {
  const m = t.broadcasts.message;
  return {
    text: m.text(text, sender, date),
    card: { title: m.title, tone: 'blue', sections: [{ lines: text.split('\n') }], note: m.note(sender, date) },
  };
}

/**
 * "Due now" for the outbox worker, which runs on real time: the earlier of the business clock and real time,
 * so a broadcast goes out at once even when XUESHI_NOW puts the business clock ahead.
 */
export function dueNow(clock: Clock): Date {
  return new Date(Math.min(clock.now().getTime(), systemClock.now().getTime()));
}

export type ConfirmOutcome =
  | { kind: 'started'; count: Headcount }
  | { kind: 'notFound' }
  | { kind: 'notOwner' }
  | { kind: 'alreadySending' }
  | { kind: 'cancelled' }
  | { kind: 'expired' };

/**
 * Sends a previewed broadcast: one outbox row per bound recipient (key broadcast:<id>:<teacher>, origin
 * broadcast:<id>) and one broadcast_recipients row per recipient (outbox id null when not bound), all in the
 * caller's transaction. A second confirmation finds the broadcast already sending and adds nothing.
 */
export async function confirmBroadcast(
  db: Db,
  input: { id: number; teacherId: number; now: Date; sendAt: Date; reply: Reply },
): Promise<ConfirmOutcome> {
  const row = await getBroadcast(db, input.id);
  if (!row) return { kind: 'notFound' };
  if (row.createdBy !== ownerOf(input.teacherId)) return { kind: 'notOwner' };
  if (row.status === 'sending') return { kind: 'alreadySending' };
  if (row.status === 'cancelled') return { kind: 'cancelled' };
  if (input.now.getTime() - row.createdAt.getTime() > PREVIEW_TTL_MS) return { kind: 'expired' };

  const audience = parseStoredAudience(row.audience);
  const count = await headcount(db, audience);
  const origin = broadcastOrigin(row.id);
  const messages: Outgoing[] = [];
  for (const teacherId of count.ids) {
    const account = count.accounts.get(teacherId);
    if (!account) continue;
    messages.push({
      platform: account.platform,
      target: { type: 'user', accountId: account.accountId },
      reply: input.reply,
      idempotencyKey: broadcastKey(row.id, teacherId),
      origin,
    });
  }
  await enqueue(db, messages, input.sendAt);
  const outboxIds = await outboxIdsByKey(db, origin);
  await addRecipients(db, row.id, count.ids, (teacherId) => outboxIds.get(broadcastKey(row.id, teacherId)) ?? null);
  await markSending(db, row.id, input.now, count.total);
  await audit(db, ownerOf(input.teacherId), 'broadcast_confirm', { id: row.id, total: count.total, bound: count.bound });
  return { kind: 'started', count: { total: count.total, bound: count.bound, unbound: count.unbound } };
}

export async function cancelBroadcast(
  db: Db,
  id: number,
  teacherId: number,
): Promise<'cancelled' | 'notFound' | 'notOwner' | 'alreadySending' | 'alreadyCancelled'> {
  const row = await getBroadcast(db, id);
  if (!row) return 'notFound';
  if (row.createdBy !== ownerOf(teacherId)) return 'notOwner';
  if (row.status === 'sending') return 'alreadySending';
  if (row.status === 'cancelled') return 'alreadyCancelled';
  await markCancelled(db, id);
  return 'cancelled';
}

export interface BroadcastProgress {
  id: number;
  status: BroadcastRow['status'];
  excerpt: string;
  /** Everyone the audience covered at confirmation. */
  total: number;
  /** Recipients with an outbox row (a bound account). */
  bound: number;
  unbound: number;
  /** Accepted by the platform. */
  delivered: number;
  failed: number;
  pending: number;
  /**
   * Recipients who may have got the notice twice: a send timed out or was cut off after it went out (DingTalk
   * has no idempotency key) and was sent once more. Counted inside delivered / failed as well.
   */
  maybeDuplicate: number;
  failures: { reason: string; count: number }[];
  done: boolean;
}

/** Delivery state of a broadcast, read from its recipients and their outbox rows. */
export async function broadcastProgress(db: Db, id: number): Promise<BroadcastProgress | null> {
  const row = await getBroadcast(db, id);
  if (!row) return null;
  const excerpt = row.text.length > 60 ? `${row.text.slice(0, 60)}…` : row.text;
  const base = { id, status: row.status, excerpt };
  if (row.status !== 'sending') {
    return { ...base, total: row.recipientCount, bound: 0, unbound: 0, delivered: 0, failed: 0, pending: 0, maybeDuplicate: 0, failures: [], done: false };
  }
  const counts = await recipientOutcomes(db, id);
  let maybeDuplicate = 0;
  let delivered = 0;
  let failed = 0;
  let pending = 0;
  let unbound = 0;
  const failures: { reason: string; count: number }[] = [];
  for (const c of counts) {
    maybeDuplicate += c.dup;
    if (c.status === null) unbound += c.n;
    else if (c.status === 'sent') delivered += c.n;
    else if (c.status === 'pending') pending += c.n;
    else {
      failed += c.n;
      failures.push({ reason: c.reason ?? '', count: c.n });
    }
  }
  failures.sort((a, b) => b.count - a.count);
  const bound = delivered + failed + pending;
  return { ...base, total: bound + unbound, bound, unbound, delivered, failed, pending, maybeDuplicate, failures, done: pending === 0 };
}

/** Broadcasts still sending (confirmed within `withinMs`), oldest first. */
export function sendingBroadcasts(db: Db, now: Date, withinMs = 7 * 24 * 3600_000): Promise<BroadcastRow[]> {
  return sendingSince(db, new Date(now.getTime() - withinMs));
}

