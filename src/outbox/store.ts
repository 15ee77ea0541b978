import { asc, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { accounts, type outbox } from '../../db/schema.js';
import { prepared } from '../../db/statements.js';
import type { Outgoing, Reply } from '../core/messages.js';

export type OutboxRow = typeof outbox.$inferSelect;

/**
 * Plain prepared SQL: the sender runs these hundreds of times a second during a broadcast; building each query
 * through the ORM every time cost more than the queries themselves.
 */
const statement = prepared;

const insertStatement = (db: Db) =>
  statement(
    db,
    `insert into outbox (idempotency_key, platform, target, reply, origin, next_attempt_at, quiet) values (?, ?, ?, ?, ?, ?, ?)
     on conflict do nothing`,
  );

/** Adds messages to the outbox; a key seen before is ignored, so re-running the producer sends nothing twice. */
export function enqueue(db: Db, messages: readonly Outgoing[], now: Date): number {
  const insert = insertStatement(db);
  const at = now.getTime();
  // Many rows share one reply (a broadcast): serialise each distinct object once.
  let lastReply: Reply | null = null;
  let lastJson = '';
  let added = 0;
  for (const m of messages) {
    if (m.reply !== lastReply) {
      lastReply = m.reply;
      lastJson = JSON.stringify(m.reply);
    }
    added += insert.run(m.idempotencyKey, m.platform, JSON.stringify(m.target), lastJson, m.origin ?? null, at, m.quiet ? 1 : 0).changes;
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
const DUE_COLUMNS = `id, platform, target, idempotency_key as idempotencyKey, attempts, next_attempt_at as nextAttemptAt, quiet, unknown_outcomes as unknownOutcomes, lane`;

/** Due rows, oldest due first (then by id). */
export function dueRows(db: Db, now: Date, limit: number): DueRow[] {
  return statement(
    db,
    `select ${DUE_COLUMNS} from outbox where status = 'pending' and next_attempt_at <= ? order by next_attempt_at, id limit ?`,
  ).all(now.getTime(), limit) as DueRow[];
}

/**
 * The most recently due rows, newest first: a chat reply is due the moment it is written, so the worker can
 * answer a teacher while thousands of broadcast rows, due since the broadcast was confirmed, queue ahead of it.
 */
export function newestDueRows(db: Db, now: Date, limit: number): DueRow[] {
  return statement(
    db,
    `select ${DUE_COLUMNS} from outbox where status = 'pending' and next_attempt_at <= ? order by next_attempt_at desc, id desc limit ?`,
  ).all(now.getTime(), limit) as DueRow[];
}

/** A lane's oldest due row (the next one its recipient is to get). Uses the lane index: one seek, however long the lane. */
export function laneHead(db: Db, lane: string, now: Date): DueRow | undefined {
  return statement(
    db,
    `select ${DUE_COLUMNS} from outbox where status = 'pending' and lane = ? and next_attempt_at <= ? order by next_attempt_at, id limit 1`,
  ).get(lane, now.getTime()) as DueRow | undefined;
}

/**
 * The oldest pending row of the first lane after `after` (in lane order), due or not: one seek, however many rows
 * the lanes in between hold. Walking lanes this way steps over a lane held by its rate limit as a whole.
 */
export function firstRowOfLaneAfter(db: Db, after: string): DueRow | undefined {
  // Left to itself the planner reads the due index and sorts every pending row.
  return statement(db, `select ${DUE_COLUMNS} from outbox indexed by outbox_lane where status = 'pending' and lane > ? order by lane, next_attempt_at, id limit 1`).get(after) as
    | DueRow
    | undefined;
}

/** Which of these rows are still pending (a row held for a later send may have been cancelled meanwhile). */
export function stillPending(db: Db, ids: readonly number[]): Set<number> {
  const rows = statement(db, `select id from outbox where status = 'pending' and id in (select value from json_each(?))`).all(JSON.stringify(ids)) as { id: number }[];
  return new Set(rows.map((r) => r.id));
}

export function replyOf(db: Db, id: number): Reply {
  const row = statement(db, `select reply from outbox where id = ?`).get(id) as { reply: string } | undefined;
  if (!row) throw new Error(`outbox row ${id} is gone`);
  return JSON.parse(row.reply) as Reply;
}

/** When the next row not yet due comes due (rows due already are being sent, held or waiting for a slot). */
export function nextDueAfter(db: Db, now: Date): Date | null {
  const row = statement(db, `select min(next_attempt_at) as at from outbox where status = 'pending' and next_attempt_at > ?`).get(now.getTime()) as { at: number | null } | undefined;
  return row?.at ? new Date(row.at) : null;
}

export function nextDueAt(db: Db): Date | null {
  const row = statement(db, `select min(next_attempt_at) as at from outbox where status = 'pending'`).get() as { at: number | null } | undefined;
  return row?.at ? new Date(row.at) : null;
}

/** The attachment hashes that rows not yet sent (pending, or failed and open to a resend) still name. */
export function unsentAttachmentHashes(db: Db): Set<string> {
  const rows = statement(
    db,
    `select distinct json_extract(reply, '$.file.sha256') as sha from outbox where status in ('pending', 'failed') and json_extract(reply, '$.file.sha256') is not null`,
  ).all() as { sha: string }[];
  return new Set(rows.map((r) => r.sha));
}

export function markSent(db: Db, id: number, at: Date, platformMessageId?: string): void {
  statement(db, `update outbox set status = 'sent', sent_at = ?, platform_message_id = ?, attempts = attempts + 1 where id = ?`).run(
    at.getTime(),
    platformMessageId ?? null,
    id,
  );
}

/** `unknown`: this attempt's outcome is unknown (it may have been delivered); counted on the row. */
export function markRetry(db: Db, id: number, error: string, nextAttemptAt: Date, unknown = false): void {
  statement(db, `update outbox set last_error = ?, next_attempt_at = ?, attempts = attempts + 1, unknown_outcomes = unknown_outcomes + ? where id = ?`).run(
    error.slice(0, 1000),
    nextAttemptAt.getTime(),
    unknown ? 1 : 0,
    id,
  );
}

/** Moves a due row later without counting an attempt (a scheduled message that came due in quiet hours). */
export function postpone(db: Db, id: number, until: Date): void {
  statement(db, `update outbox set next_attempt_at = ? where id = ? and status = 'pending'`).run(until.getTime(), id);
}

export function markFailed(db: Db, id: number, error: string, unknown = false): void {
  statement(db, `update outbox set status = 'failed', last_error = ?, attempts = attempts + 1, unknown_outcomes = unknown_outcomes + ? where id = ?`).run(
    error.slice(0, 1000),
    unknown ? 1 : 0,
    id,
  );
}

/**
 * SQL condition (over outbox columns, optionally prefixed) for a row that may have reached its recipient twice:
 * a request went out again after one whose outcome is unknown, and that later one was accepted or is unknown too.
 */
export function maybeDuplicateSql(prefix = ''): string {
  return `(${prefix}unknown_outcomes >= 2 or (${prefix}unknown_outcomes >= 1 and ${prefix}status = 'sent'))`;
}

/** The first reply stored for an event (by its origin key), once handled. */
export function firstReplyFor(db: Db, origin: string): Reply | null {
  const row = statement(db, `select reply from outbox where origin = ? order by id limit 1`).get(origin) as { reply: string } | undefined;
  return row ? (JSON.parse(row.reply) as Reply) : null;
}

export type AccountRow = typeof accounts.$inferSelect;

/** The chat accounts bound by these teachers, oldest binding first (at most 500 ids a call). */
export function accountsOfTeachers(db: Db, teacherIds: readonly number[]): AccountRow[] {
  return db.select().from(accounts).where(inArray(accounts.teacherId, teacherIds)).orderBy(asc(accounts.boundAt)).all();
}

