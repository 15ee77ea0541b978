import { and, asc, count, eq, inArray, lte } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { dialectOf, tables } from '../../db/handle.js';
import type { accounts, outbox } from '../../db/schema.js';
import { statement } from '../../db/statements.js';
import type { Outgoing, Reply } from '../core/messages.js';

export type OutboxRow = typeof outbox.$inferSelect;

/*
 * Plain SQL statements, prepared once per connection: the sender runs these hundreds of times a second during a
 * broadcast; building each query through the ORM every time cost more than the queries themselves. Times are
 * epoch milliseconds in and out on both dialects (PostgreSQL stores timestamptz: converted in its SQL text),
 * `quiet` is 0/1, `reply` is JSON text (jsonb on PostgreSQL, read back as text).
 */

const insertStatement = (db: Db) =>
  statement(db, {
    sqlite: `insert into outbox (idempotency_key, platform, target, reply, origin, next_attempt_at, quiet) values (?, ?, ?, ?, ?, ?, ?)
     on conflict do nothing`,
    postgres: `insert into outbox (idempotency_key, platform, target, reply, origin, next_attempt_at, quiet) values (?, ?, ?, ?, ?, to_timestamp(? / 1000.0), ? = 1)
     on conflict do nothing`,
  });

/** The insert's parameters, row by row: many rows share one reply (a broadcast), serialised once per object. */
function* insertParams(messages: readonly Outgoing[], now: Date): Generator<unknown[]> {
  const at = now.getTime();
  let lastReply: Reply | null = null;
  let lastJson = '';
  for (const m of messages) {
    if (m.reply !== lastReply) {
      lastReply = m.reply;
      lastJson = JSON.stringify(m.reply);
    }
    yield [m.idempotencyKey, m.platform, JSON.stringify(m.target), lastJson, m.origin ?? null, at, m.quiet ? 1 : 0];
  }
}

/**
 * PostgreSQL: many rows in one statement (one round trip a row cost a broadcast to 1,000 teachers 0.5–0.8 s inside
 * its transaction, against 26 ms on SQLite). Ids follow the messages' order, as row by row.
 */
const INSERT_MANY_PG = `insert into outbox (idempotency_key, platform, target, reply, origin, next_attempt_at, quiet)
  select k, p, t, r::jsonb, o, to_timestamp(? / 1000.0), q = 1
  from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[]) with ordinality as u(k, p, t, r, o, q, n)
  order by n
  on conflict do nothing`;
const INSERT_MANY_ROWS = 1000;

/** Adds messages to the outbox; a key seen before is ignored, so re-running the producer sends nothing twice. */
export async function enqueue(db: Db, messages: readonly Outgoing[], now: Date): Promise<number> {
  if (dialectOf(db) === 'postgres' && messages.length > 1) return enqueueMany(db, messages, now);
  const insert = insertStatement(db);
  let added = 0;
  for (const params of insertParams(messages, now)) added += (await insert.run(...params)).changes;
  return added;
}

async function enqueueMany(db: Db, messages: readonly Outgoing[], now: Date): Promise<number> {
  const insert = statement(db, INSERT_MANY_PG);
  let added = 0;
  for (let from = 0; from < messages.length; from += INSERT_MANY_ROWS) {
    const columns: unknown[][] = [[], [], [], [], [], []];
    for (const [key, platform, target, reply, origin, , quiet] of insertParams(messages.slice(from, from + INSERT_MANY_ROWS), now)) {
      [key, platform, target, reply, origin, quiet].forEach((value, i) => columns[i].push(value));
    }
    added += (await insert.run(now.getTime(), ...columns)).changes;
  }
  return added;
}

/** A pending row as stored, before its JSON is read (the worker skips rows it is already sending). */
export interface DueRow {
  id: number;
  platform: string;
  target: string;
  idempotencyKey: string;
  attempts: number;
  nextAttemptAt: number;
  /** 1 for scheduled messages held in quiet hours. */
  quiet: number;
  unknownOutcomes: number;
  /** The recipient's queue (outbox.lane); null only for a row whose target cannot be read. */
  lane: string | null;
}

// No reply column: most rows a tick looks at are in flight or held by a limit; the reply is read when sent.
const DUE_COLUMNS = {
  sqlite: `id, platform, target, idempotency_key as "idempotencyKey", attempts, next_attempt_at as "nextAttemptAt", quiet, unknown_outcomes as "unknownOutcomes", lane`,
  postgres: `id, platform, target, idempotency_key as "idempotencyKey", attempts, (extract(epoch from next_attempt_at) * 1000)::float8 as "nextAttemptAt", quiet::int as quiet, unknown_outcomes as "unknownOutcomes", lane`,
};
/** A time parameter (epoch ms) as each dialect compares it with a stored time. */
const AT = { sqlite: '?', postgres: 'to_timestamp(? / 1000.0)' };

/**
 * A row no other instance holds a live lease on (parameters: the reader's instance id, then the time). Rows in
 * flight at another instance are not read at all, so a look does not route them only to have their claim refused.
 */
const FREE = `(claimed_by is null or claimed_by = ? or claimed_until < $AT)`;

/** The same query on both dialects, but for the due columns and time parameters (`$COLUMNS`, `$AT`, `$FREE`). */
function dueSql(text: string): { sqlite: string; postgres: string } {
  const on = (dialect: 'sqlite' | 'postgres') =>
    text.replaceAll('$FREE', FREE).replaceAll('$COLUMNS', DUE_COLUMNS[dialect]).replaceAll('$AT', AT[dialect]);
  return { sqlite: on('sqlite'), postgres: on('postgres') };
}

/**
 * Who changes a row, and when: the instance (config INSTANCE_ID) that claimed it. A row is changed only while
 * pending and not claimed by another instance whose lease is live at `at`: an instance whose lease ran out and
 * whose row was claimed (or sent) by another meanwhile does not mark it a second time. Without one, only rows
 * nobody claims are changed (SQLite, where nothing is claimed; tests).
 */
export interface Lease {
  by: string;
  at: Date;
}
const NOBODY: Lease = { by: '', at: new Date(0) };
const leaseParams = (lease: Lease) => [lease.by, lease.at.getTime()];

const DUE_ROWS = dueSql(`select $COLUMNS from outbox where status = 'pending' and next_attempt_at <= $AT and $FREE order by next_attempt_at, id limit ?`);

/** Due rows, oldest due first (then by id), but those another instance than `me` is sending. */
export async function dueRows(db: Db, now: Date, limit: number, me = ''): Promise<DueRow[]> {
  return (await statement(db, DUE_ROWS).all(now.getTime(), me, now.getTime(), limit)) as DueRow[];
}

/**
 * The most recently due rows, newest first: a chat reply is due the moment it is written, so the worker can
 * answer a teacher while thousands of broadcast rows, due since the broadcast was confirmed, queue ahead of it.
 */
const NEWEST_DUE_ROWS = dueSql(
  `select $COLUMNS from outbox where status = 'pending' and next_attempt_at <= $AT and $FREE order by next_attempt_at desc, id desc limit ?`,
);

export async function newestDueRows(db: Db, now: Date, limit: number, me = ''): Promise<DueRow[]> {
  return (await statement(db, NEWEST_DUE_ROWS).all(now.getTime(), me, now.getTime(), limit)) as DueRow[];
}

/** A lane's oldest due row (the next one its recipient is to get). Uses the lane index: one seek, however long the lane. */
const LANE_HEAD = dueSql(`select $COLUMNS from outbox where status = 'pending' and lane = ? and next_attempt_at <= $AT and $FREE order by next_attempt_at, id limit 1`);

export async function laneHead(db: Db, lane: string, now: Date, me = ''): Promise<DueRow | undefined> {
  return (await statement(db, LANE_HEAD).get(lane, now.getTime(), me, now.getTime())) as DueRow | undefined;
}

/**
 * The oldest pending row of the first lane after `after` (in lane order), due or not: one seek, however many rows
 * the lanes in between hold. Walking lanes this way steps over a lane held by its rate limit as a whole.
 */
// Left to itself SQLite's planner reads the due index and sorts every pending row (`indexed by` is SQLite's own).
const FIRST_ROW_OF_LANE_AFTER = {
  sqlite: `select ${DUE_COLUMNS.sqlite} from outbox indexed by outbox_lane where status = 'pending' and lane > ? order by lane, next_attempt_at, id limit 1`,
  postgres: `select ${DUE_COLUMNS.postgres} from outbox where status = 'pending' and lane > ? order by lane, next_attempt_at, id limit 1`,
};

export async function firstRowOfLaneAfter(db: Db, after: string): Promise<DueRow | undefined> {
  return (await statement(db, FIRST_ROW_OF_LANE_AFTER).get(after)) as DueRow | undefined;
}

/** Which of these rows are still pending (a row held for a later send may have been cancelled meanwhile). */
export async function stillPending(db: Db, ids: readonly number[]): Promise<Set<number>> {
  const rows = (await statement(db, {
    sqlite: `select id from outbox where status = 'pending' and id in (select value from json_each(?))`,
    postgres: `select id from outbox where status = 'pending' and id in (select value::int from jsonb_array_elements_text(?::jsonb))`,
  }).all(JSON.stringify(ids))) as { id: number }[];
  return new Set(rows.map((r) => r.id));
}

export async function replyOf(db: Db, id: number): Promise<Reply> {
  const row = (await statement(db, { sqlite: `select reply from outbox where id = ?`, postgres: `select reply::text as reply from outbox where id = ?` }).get(id)) as
    | { reply: string }
    | undefined;
  if (!row) throw new Error(`outbox row ${id} is gone`);
  return JSON.parse(row.reply) as Reply;
}

const MIN_DUE = {
  sqlite: `min(next_attempt_at)`,
  postgres: `(extract(epoch from min(next_attempt_at)) * 1000)::float8`,
};

/** When the next row not yet due comes due (rows due already are being sent, held or waiting for a slot). */
export async function nextDueAfter(db: Db, now: Date): Promise<Date | null> {
  const row = (await statement(db, {
    sqlite: `select ${MIN_DUE.sqlite} as at from outbox where status = 'pending' and next_attempt_at > ?`,
    postgres: `select ${MIN_DUE.postgres} as at from outbox where status = 'pending' and next_attempt_at > ${AT.postgres}`,
  }).get(now.getTime())) as { at: number | null } | undefined;
  return row?.at ? new Date(row.at) : null;
}

export async function nextDueAt(db: Db): Promise<Date | null> {
  const row = (await statement(db, {
    sqlite: `select ${MIN_DUE.sqlite} as at from outbox where status = 'pending'`,
    postgres: `select ${MIN_DUE.postgres} as at from outbox where status = 'pending'`,
  }).get()) as { at: number | null } | undefined;
  return row?.at ? new Date(row.at) : null;
}

/** The attachment hashes that rows not yet sent (pending, or failed and open to a resend) still name. */
export async function unsentAttachmentHashes(db: Db): Promise<Set<string>> {
  const rows = (await statement(db, {
    sqlite: `select distinct json_extract(reply, '$.file.sha256') as sha from outbox where status in ('pending', 'failed') and json_extract(reply, '$.file.sha256') is not null`,
    postgres: `select distinct reply -> 'file' ->> 'sha256' as sha from outbox where status in ('pending', 'failed') and reply -> 'file' ->> 'sha256' is not null`,
  }).all()) as { sha: string }[];
  return new Set(rows.map((r) => r.sha));
}

/** Pending and not held by another instance's live lease (parameters: leaseParams). */
const OWNED = { sqlite: `status = 'pending' and ${FREE.replace('$AT', AT.sqlite)}`, postgres: `status = 'pending' and ${FREE.replace('$AT', AT.postgres)}` };
/** Every outcome ends the row's lease. */
const UNCLAIM = 'claimed_by = null, claimed_until = null';

/** Returns whether the row was marked (not when another instance's lease holds it, or it was marked already). */
export async function markSent(db: Db, id: number, at: Date, platformMessageId?: string, lease = NOBODY): Promise<boolean> {
  const { changes } = await statement(db, {
    sqlite: `update outbox set status = 'sent', sent_at = ?, platform_message_id = ?, attempts = attempts + 1, ${UNCLAIM} where id = ? and ${OWNED.sqlite}`,
    postgres: `update outbox set status = 'sent', sent_at = ${AT.postgres}, platform_message_id = ?, attempts = attempts + 1, ${UNCLAIM} where id = ? and ${OWNED.postgres}`,
  }).run(at.getTime(), platformMessageId ?? null, id, ...leaseParams(lease));
  return changes === 1;
}

/** `unknown`: this attempt's outcome is unknown (it may have been delivered); counted on the row. */
export async function markRetry(db: Db, id: number, error: string, nextAttemptAt: Date, unknown = false, lease = NOBODY): Promise<boolean> {
  const { changes } = await statement(db, {
    sqlite: `update outbox set last_error = ?, next_attempt_at = ?, attempts = attempts + 1, unknown_outcomes = unknown_outcomes + ?, ${UNCLAIM} where id = ? and ${OWNED.sqlite}`,
    postgres: `update outbox set last_error = ?, next_attempt_at = ${AT.postgres}, attempts = attempts + 1, unknown_outcomes = unknown_outcomes + ?, ${UNCLAIM} where id = ? and ${OWNED.postgres}`,
  }).run(error.slice(0, 1000), nextAttemptAt.getTime(), unknown ? 1 : 0, id, ...leaseParams(lease));
  return changes === 1;
}

/** Moves a due row later without counting an attempt (a scheduled message that came due in quiet hours). */
export async function postpone(db: Db, id: number, until: Date, lease = NOBODY): Promise<void> {
  await statement(db, {
    sqlite: `update outbox set next_attempt_at = ?, ${UNCLAIM} where id = ? and ${OWNED.sqlite}`,
    postgres: `update outbox set next_attempt_at = ${AT.postgres}, ${UNCLAIM} where id = ? and ${OWNED.postgres}`,
  }).run(until.getTime(), id, ...leaseParams(lease));
}

export async function markFailed(db: Db, id: number, error: string, unknown = false, lease = NOBODY): Promise<boolean> {
  const { changes } = await statement(db, {
    sqlite: `update outbox set status = 'failed', last_error = ?, attempts = attempts + 1, unknown_outcomes = unknown_outcomes + ?, ${UNCLAIM} where id = ? and ${OWNED.sqlite}`,
    postgres: `update outbox set status = 'failed', last_error = ?, attempts = attempts + 1, unknown_outcomes = unknown_outcomes + ?, ${UNCLAIM} where id = ? and ${OWNED.postgres}`,
  }).run(error.slice(0, 1000), unknown ? 1 : 0, id, ...leaseParams(lease));
  return changes === 1;
}

/**
 * Claims rows for one platform call, just before it: each row still pending, not held by another instance's live
 * lease, and in a lane no other instance holds a live lease in (a recipient's messages go in order, from one
 * instance at a time). Rows another instance is claiming this instant are skipped, not waited for (SKIP LOCKED).
 * Returns the ids claimed, leased to `lease.by` until `until`; an instance that dies holding them leaves them to be
 * claimed again once `until` passes (the platform's dedupe token covers a send made just before dying).
 */
export async function claimRows(db: Db, ids: readonly number[], lease: Lease, until: Date): Promise<Set<number>> {
  const pick = (dialect: 'sqlite' | 'postgres', lock: string) => `update outbox set claimed_by = ?, claimed_until = ${AT[dialect]} where id in (
      select o.id from outbox o where o.id in (select value${dialect === 'postgres' ? '::int' : ''} from ${dialect === 'postgres' ? 'jsonb_array_elements_text(?::jsonb)' : 'json_each(?)'})
        and o.status = 'pending' and (o.claimed_by is null or o.claimed_by = ? or o.claimed_until < ${AT[dialect]})
        and not exists (select 1 from outbox s where s.status = 'pending' and s.lane = o.lane and s.id <> o.id and s.claimed_by <> ? and s.claimed_until >= ${AT[dialect]})
      ${lock}) returning id`;
  const at = lease.at.getTime();
  const rows = (await statement(db, { sqlite: pick('sqlite', ''), postgres: pick('postgres', 'for update of o skip locked') }).all(
    lease.by,
    until.getTime(),
    JSON.stringify(ids),
    lease.by,
    at,
    lease.by,
    at,
  )) as { id: number }[];
  return new Set(rows.map((r) => r.id));
}

/**
 * SQL condition (over outbox columns, optionally prefixed) for a row that may have reached its recipient twice:
 * a request went out again after one whose outcome is unknown, and that later one was accepted or is unknown too.
 */
export function maybeDuplicateSql(prefix = ''): string {
  return `(${prefix}unknown_outcomes >= 2 or (${prefix}unknown_outcomes >= 1 and ${prefix}status = 'sent'))`;
}

/** The first reply stored for an event (by its origin key), once handled. */
export async function firstReplyFor(db: Db, origin: string): Promise<Reply | null> {
  const row = (await statement(db, {
    sqlite: `select reply from outbox where origin = ? order by id limit 1`,
    postgres: `select reply::text as reply from outbox where origin = ? order by id limit 1`,
  }).get(origin)) as { reply: string } | undefined;
  return row ? (JSON.parse(row.reply) as Reply) : null;
}

export type AccountRow = typeof accounts.$inferSelect;

/** The chat accounts bound by these teachers, oldest binding first (at most 500 ids a call). */
export async function accountsOfTeachers(db: Db, teacherIds: readonly number[]): Promise<AccountRow[]> {
  const { accounts } = tables(db);
  return db.select().from(accounts).where(inArray(accounts.teacherId, [...teacherIds])).orderBy(asc(accounts.boundAt));
}


/** Messages waiting to go out whose time has come (/healthz's queue depth; the due index counts them). */
export async function countDueMessages(db: Db, now: Date): Promise<number> {
  const { outbox } = tables(db);
  return (await db.select({ n: count() }).from(outbox).where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now))))[0]?.n ?? 0;
}

/** A token bucket: at most `capacity` tokens, refilled at `perMs` tokens a millisecond. */
export interface Bucket {
  key: string;
  capacity: number;
  perMs: number;
}

/**
 * Takes up to `want` whole tokens from EACH of the buckets a call needs (created full on first use), in one
 * statement: their rows are locked (in key order), refilled for the time since their last refill (by the caller's
 * clock; never backwards), and the same number taken from each, as many as the emptiest allows, so no token is
 * taken from one bucket that another would leave unused. Returns how many were granted (0…want) and, when none,
 * how long until every bucket holds one. PostgreSQL only: on SQLite one process sends, and its in-memory limiter
 * (src/outbox/rate-limit.ts) is enough.
 */
export async function takeTokens(db: Db, buckets: readonly Bucket[], want: number, now: Date): Promise<{ granted: number; waitMs: number }> {
  if (dialectOf(db) !== 'postgres') throw new Error('rate buckets are shared by instances on PostgreSQL; SQLite runs one process');
  const at = now.getTime();
  const keys = buckets.map((b) => b.key);
  const take = () =>
    statement(
      db,
      `with wanted as (
         select * from unnest(?::text[], ?::float8[], ?::float8[]) as w(key, capacity, per_ms)
       ), cur as (
         select b.key, w.per_ms, least(w.capacity, b.tokens + w.per_ms * greatest(0, ?::float8 - extract(epoch from b.refilled_at)::float8 * 1000)) as available
         from rate_buckets b join wanted w on w.key = b.key order by b.key for update of b
       ), n as (
         select count(*)::int as found, least(?::int, floor(min(available)))::int as granted, max(greatest(0, (1 - available) / per_ms)) as wait_ms from cur
       ), taken as (
         update rate_buckets r set tokens = cur.available - n.granted, refilled_at = greatest(r.refilled_at, to_timestamp(?::float8 / 1000.0))
         from cur, n where r.key = cur.key and n.found = ?::int returning r.key
       )
       select found, granted, wait_ms as "waitMs" from n`,
    ).get(keys, buckets.map((b) => b.capacity), buckets.map((b) => b.perMs), at, want, at, keys.length) as Promise<{ found: number; granted: number; waitMs: number }>;
  let row = await take();
  if (row.found < keys.length) {
    await statement(db, `insert into rate_buckets (key, tokens, refilled_at) select key, capacity, to_timestamp(?::float8 / 1000.0) from unnest(?::text[], ?::float8[]) as w(key, capacity) on conflict do nothing`).run(
      at,
      keys,
      buckets.map((b) => b.capacity),
    );
    row = await take();
  }
  if (row.found < keys.length) throw new Error(`rate buckets ${keys.join(', ')} are missing`);
  return { granted: row.granted, waitMs: row.granted > 0 ? 0 : Math.ceil(Number(row.waitMs)) };
}
