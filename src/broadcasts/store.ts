import { and, asc, count, desc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import type { broadcasts } from '../../db/schema.js';
import { statement } from '../../db/statements.js';
import { maybeDuplicateSql } from '../outbox/store.js';

export type BroadcastRow = typeof broadcasts.$inferSelect;

/** Rows per multi-row insert: well under both dialects' bound-parameter limits. */
const CHUNK = 500;

/** One row per confirmed recipient (teachers with no chat account get a null outbox id); a repeat is ignored. */
export async function addRecipients(db: Db, broadcastId: number, teacherIds: Iterable<number>, outboxIdOf: (teacherId: number) => number | null): Promise<void> {
  const { broadcastRecipients } = tables(db);
  const rows = [...teacherIds].map((teacherId) => ({ broadcastId, teacherId, outboxId: outboxIdOf(teacherId) }));
  for (let i = 0; i < rows.length; i += CHUNK) await db.insert(broadcastRecipients).values(rows.slice(i, i + CHUNK)).onConflictDoNothing();
}

/** A broadcast's recipients grouped by outbox status (null: no account) and failure reason, with may-be-duplicates. */
export async function recipientOutcomes(db: Db, id: number): Promise<{ status: string | null; reason: string | null; n: number; dup: number }[]> {
  return statement<[number], { status: string | null; reason: string | null; n: number; dup: number }>(
    db,
    `select o.status as status, case when o.status = 'failed' then o.last_error end as reason, cast(count(*) as integer) as n,
            cast(coalesce(sum(case when ${maybeDuplicateSql('o.')} then 1 else 0 end), 0) as integer) as dup
       from broadcast_recipients r left join outbox o on o.id = r.outbox_id
      where r.broadcast_id = ?
      group by 1, 2`,
  ).all(id);
}

export async function hasOutboxKey(db: Db, key: string): Promise<boolean> {
  const { outbox } = tables(db);
  return (await db.select({ one: sql<number>`1` }).from(outbox).where(eq(outbox.idempotencyKey, key)).limit(1)).length > 0;
}

export async function pendingCount(db: Db, origin: string): Promise<number> {
  const { outbox } = tables(db);
  const [row] = await db.select({ n: count() }).from(outbox).where(and(eq(outbox.origin, origin), eq(outbox.status, 'pending')));
  return row?.n ?? 0;
}

export async function insertBroadcast(db: Db, values: typeof broadcasts.$inferInsert): Promise<BroadcastRow> {
  const { broadcasts } = tables(db);
  const [row] = await db.insert(broadcasts).values(values).returning();
  return row;
}

export async function getBroadcast(db: Db, id: number): Promise<BroadcastRow | null> {
  const { broadcasts } = tables(db);
  return (await db.select().from(broadcasts).where(eq(broadcasts.id, id)).limit(1))[0] ?? null;
}

/** The newest broadcasts first. */
export async function recentBroadcasts(db: Db, limit: number): Promise<BroadcastRow[]> {
  const { broadcasts } = tables(db);
  return db.select().from(broadcasts).orderBy(desc(broadcasts.id)).limit(limit);
}

/** Moves a previewed broadcast to sending (only from preview). */
export async function markSending(db: Db, id: number, confirmedAt: Date, recipientCount: number): Promise<void> {
  const { broadcasts } = tables(db);
  await db
    .update(broadcasts)
    .set({ status: 'sending', confirmedAt, recipientCount })
    .where(and(eq(broadcasts.id, id), eq(broadcasts.status, 'preview')));
}

export async function markCancelled(db: Db, id: number): Promise<void> {
  const { broadcasts } = tables(db);
  await db.update(broadcasts).set({ status: 'cancelled' }).where(eq(broadcasts.id, id));
}

/** Broadcasts sending and confirmed after `since`. */
export async function sendingSince(db: Db, since: Date): Promise<BroadcastRow[]> {
  const { broadcasts } = tables(db);
  return db
    .select()
    .from(broadcasts)
    .where(and(eq(broadcasts.status, 'sending'), gt(broadcasts.confirmedAt, since)));
}

/** The newest broadcast created by `owner`, optionally only a preview created after `previewSince`. */
export async function latestBroadcastBy(db: Db, owner: string, previewSince?: Date): Promise<number | null> {
  const { broadcasts } = tables(db);
  const [row] = await db
    .select({ id: broadcasts.id })
    .from(broadcasts)
    .where(
      previewSince
        ? and(eq(broadcasts.createdBy, owner), eq(broadcasts.status, 'preview'), gt(broadcasts.createdAt, previewSince))
        : eq(broadcasts.createdBy, owner),
    )
    .orderBy(desc(broadcasts.id))
    .limit(1);
  return row?.id ?? null;
}

/** Outbox ids by idempotency key of the rows under one origin. */
export async function outboxIdsByKey(db: Db, origin: string): Promise<Map<string, number>> {
  const { outbox } = tables(db);
  const rows = await db.select({ id: outbox.id, key: outbox.idempotencyKey }).from(outbox).where(eq(outbox.origin, origin));
  return new Map(rows.map((r) => [r.key, r.id]));
}

/** The roster in id order, with what audience filters read. */
export async function rosterForAudience(db: Db): Promise<{ id: number; school: string; homeroom: boolean; position: string }[]> {
  const { teachers } = tables(db);
  return db
    .select({ id: teachers.id, school: teachers.school, homeroom: teachers.homeroom, position: teachers.position })
    .from(teachers)
    .orderBy(asc(teachers.id));
}

export async function leaderIds(db: Db): Promise<Set<number>> {
  const { roles } = tables(db);
  const rows = await db.select({ id: roles.teacherId }).from(roles).where(eq(roles.role, 'leader'));
  return new Set(rows.map((r) => r.id));
}
