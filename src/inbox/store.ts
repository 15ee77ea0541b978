import { and, asc, count, eq, sql } from 'drizzle-orm';
import { type Db } from '../../db/client.js';
import { dialectOf, tables } from '../../db/handle.js';
import { statement, transaction } from '../../db/statements.js';
import type { inbox } from '../../db/schema.js';
import type { InboundEvent } from '../core/messages.js';
import { claimKeyOf, eventKeyOf } from './inbox.js';

export type InboxRow = typeof inbox.$inferSelect;

/**
 * Claims an event with one atomic insert (on PostgreSQL too: the unique claim key decides between instances). A
 * retry or a concurrent duplicate loses and gets `false`: it must be acked and dropped.
 */
export async function claimEvent(db: Db, event: InboundEvent): Promise<boolean> {
  const result = await statement(db, `insert into inbox (claim_key, event_key, platform, payload) values (?, ?, ?, ?) on conflict do nothing`).run(
    claimKeyOf(event),
    eventKeyOf(event),
    event.platform,
    JSON.stringify(event),
  );
  return result.changes === 1;
}

/**
 * PostgreSQL: a whole group of claims in one statement. Row by row, a burst of fifty events cost fifty round
 * trips inside the group's transaction, and acks waited on them all.
 */
const CLAIM_MANY_PG = `insert into inbox (claim_key, event_key, platform, payload)
  select c, e, p, d from unnest(?::text[], ?::text[], ?::text[], ?::text[]) with ordinality as u(c, e, p, d, n)
  order by n
  on conflict do nothing
  returning claim_key`;
const CLAIM_MANY_ROWS = 1000;

/**
 * `claimEvent` for many events at once, in order: whether each was new. Of two events with one claim key in the
 * same group, the first wins, as one after the other would. Atomic: either every claim is made or none.
 */
export async function claimEvents(db: Db, events: readonly InboundEvent[]): Promise<boolean[]> {
  // A lone event (the common case off a burst) is one atomic insert: no transaction round trips around it.
  if (events.length <= 1) return events.length === 0 ? [] : [await claimEvent(db, events[0]!)];
  if (dialectOf(db) === 'postgres') {
    return events.length > CLAIM_MANY_ROWS ? transaction(db, (tx) => claimManyOnPostgres(tx, events)) : claimManyOnPostgres(db, events);
  }
  // SQLite: a statement a row costs microseconds, and the transaction makes it one commit.
  return transaction(db, async (tx) => {
    const fresh: boolean[] = [];
    for (const event of events) fresh.push(await claimEvent(tx, event));
    return fresh;
  });
}

async function claimManyOnPostgres(db: Db, events: readonly InboundEvent[]): Promise<boolean[]> {
  const insert = statement<unknown[], { claim_key: string }>(db, CLAIM_MANY_PG);
  const keys = events.map(claimKeyOf);
  const inserted = new Set<string>();
  for (let from = 0; from < events.length; from += CLAIM_MANY_ROWS) {
    const group = events.slice(from, from + CLAIM_MANY_ROWS);
    const rows = await insert.all(keys.slice(from, from + CLAIM_MANY_ROWS), group.map(eventKeyOf), group.map((e) => e.platform), group.map((e) => JSON.stringify(e)));
    for (const row of rows) inserted.add(row.claim_key);
  }
  // The set is spent as it is read, so a key's later copies in the group come out as duplicates.
  return keys.map((key) => inserted.delete(key));
}

/** The still-pending row of an accepted event, if any (by its claim key: indexed). */
export async function pendingRowFor(db: Db, event: InboundEvent): Promise<InboxRow | undefined> {
  const { inbox } = tables(db);
  const rows = await db
    .select()
    .from(inbox)
    .where(and(eq(inbox.claimKey, claimKeyOf(event)), eq(inbox.status, 'pending')))
    .limit(1);
  return rows[0];
}

/**
 * Inside the handling transaction: whether the row still waits to be handled. On PostgreSQL it also locks the row
 * until the transaction ends, so an instance that took over the row (its lease ended meanwhile) waits here and then
 * finds it done.
 */
export async function isPending(db: Db, id: number): Promise<boolean> {
  const found = await statement(db, {
    sqlite: `select 1 from inbox where id = ? and status = 'pending'`,
    postgres: `select 1 from inbox where id = ? and status = 'pending' for update`,
  }).get(id);
  return found !== undefined;
}

/** Who takes pending events, and for how long (see claimPending). */
export interface Lease {
  /** This instance (INSTANCE_ID). */
  by: string;
  now: Date;
  ms: number;
}

/**
 * Takes up to `limit` pending events for this instance, oldest first, leased until `now + ms`. On PostgreSQL,
 * where several instances share the inbox, only rows nobody holds: never leased, leased by this instance, or
 * whose lease has ended (an instance that crashed while handling them); rows another instance is claiming at this
 * moment are skipped, not waited for (SKIP LOCKED). A lease only shares the work out: the handling transaction
 * locks its row and checks it is still pending (isPending), so a row taken over from a slow instance still has
 * one effect. On SQLite one process owns the file, so it takes every pending row: a restart after a crash goes on
 * at once instead of waiting for a dead process's leases to end.
 */
export async function claimPending(db: Db, lease: Lease, limit: number): Promise<InboxRow[]> {
  const { inbox } = tables(db);
  const until = new Date(lease.now.getTime() + lease.ms);
  const pending =
    dialectOf(db) === 'postgres'
      ? sql`select id from inbox where status = 'pending' and (claimed_until is null or claimed_until <= ${lease.now} or claimed_by = ${lease.by})
          order by created_at, id limit ${limit} for update skip locked`
      : sql`select id from inbox where status = 'pending' order by created_at, id limit ${limit}`;
  const rows = await db.update(inbox).set({ claimedBy: lease.by, claimedUntil: until }).where(sql`${inbox.id} in (${pending})`).returning();
  // RETURNING gives no order.
  return rows.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.id - b.id);
}

export async function pendingEvents(db: Db, limit = 100): Promise<InboxRow[]> {
  const { inbox } = tables(db);
  return db.select().from(inbox).where(eq(inbox.status, 'pending')).orderBy(asc(inbox.receivedAt), asc(inbox.id)).limit(limit);
}

/** Once per handled event: raw SQL prepared once per connection (the builder's SQL generation and fresh prepare cost more than the update). */
export async function markDone(db: Db, id: number, at: Date): Promise<void> {
  await statement(db, `update inbox set status = 'done', handled_at = ? where id = ?`).run(at, id);
}

export async function markAttemptFailed(db: Db, id: number, error: string, giveUp: boolean, at: Date): Promise<void> {
  const { inbox } = tables(db);
  await db
    .update(inbox)
    .set({
      attempts: sql`${inbox.attempts} + 1`,
      lastError: error.slice(0, 1000),
      ...(giveUp ? { status: 'failed' as const, handledAt: at } : {}),
    })
    .where(eq(inbox.id, id));
}

/** Keys are kept long enough to outlast every platform retry (Feishu's last is after ~7 h). */
export async function pruneHandled(db: Db, olderThan: Date): Promise<number> {
  const result = await statement(db, {
    sqlite: `delete from inbox where status != 'pending' and created_at < ?`,
    postgres: `delete from inbox where status != 'pending' and created_at < to_timestamp(? / 1000.0)`,
  }).run(olderThan.getTime());
  return result.changes;
}

/**
 * Forgets what a handled event said (an anonymous evaluation's answers): its payload becomes an empty message
 * that still parses, keeping only the platform, the event id and when it came. Runs in the handler's
 * transaction, so the answer and the redaction commit together. `event` may be the message a card click was
 * turned into: its claim key (no message id) is the click's own.
 */
export async function redactPayload(db: Db, event: InboundEvent): Promise<void> {
  await statement(db, REDACT).run(JSON.stringify(redacted(event)), claimKeyOf(event));
}

const REDACT = `update inbox set payload = ? where claim_key = ?`;

function redacted(event: InboundEvent): InboundEvent {
  return {
    kind: 'message',
    platform: event.platform,
    eventId: event.eventId,
    accountId: '-',
    chatId: '-',
    chatType: 'direct',
    text: '',
    receivedAt: event.receivedAt,
    replyVia: {},
  };
}

/** Events accepted but not handled yet (/healthz's queue depth; the status index counts them). */
export async function countPendingEvents(db: Db): Promise<number> {
  const { inbox } = tables(db);
  return (await db.select({ n: count() }).from(inbox).where(eq(inbox.status, 'pending')))[0]?.n ?? 0;
}
