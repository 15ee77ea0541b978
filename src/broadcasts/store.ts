import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { broadcasts, outbox, roles, teachers } from '../../db/schema.js';
import { prepared } from '../../db/statements.js';
import { maybeDuplicateSql } from '../outbox/store.js';

export type BroadcastRow = typeof broadcasts.$inferSelect;

/** One row per confirmed recipient (teachers with no chat account get a null outbox id); a repeat is ignored. */
export function addRecipients(db: Db, broadcastId: number, teacherIds: Iterable<number>, outboxIdOf: (teacherId: number) => number | null): void {
  const insert = prepared(db, 'insert or ignore into broadcast_recipients (broadcast_id, teacher_id, outbox_id) values (?, ?, ?)');
  for (const teacherId of teacherIds) insert.run(broadcastId, teacherId, outboxIdOf(teacherId));
}

/** A broadcast's recipients grouped by outbox status (null: no account) and failure reason, with may-be-duplicates. */
export function recipientOutcomes(db: Db, id: number): { status: string | null; reason: string | null; n: number; dup: number }[] {
  return prepared(
    db,
      `select o.status as status, case when o.status = 'failed' then o.last_error end as reason, count(*) as n,
              coalesce(sum(${maybeDuplicateSql('o.')}), 0) as dup
         from broadcast_recipients r left join outbox o on o.id = r.outbox_id
        where r.broadcast_id = ?
        group by 1, 2`,
  ).all(id) as { status: string | null; reason: string | null; n: number; dup: number }[];
}

export function hasOutboxKey(db: Db, key: string): boolean {
  return db.select({ one: sql<number>`1` }).from(outbox).where(eq(outbox.idempotencyKey, key)).get() !== undefined;
}

export function pendingCount(db: Db, origin: string): number {
  return db.select({ n: sql<number>`count(*)` }).from(outbox).where(and(eq(outbox.origin, origin), eq(outbox.status, 'pending'))).get()?.n ?? 0;
}

export function insertBroadcast(db: Db, values: typeof broadcasts.$inferInsert): BroadcastRow {
  return db.insert(broadcasts).values(values).returning().get();
}

export function getBroadcast(db: Db, id: number): BroadcastRow | null {
  return db.select().from(broadcasts).where(eq(broadcasts.id, id)).get() ?? null;
}

/** The newest broadcasts first. */
export function recentBroadcasts(db: Db, limit: number): BroadcastRow[] {
  return db.select().from(broadcasts).orderBy(desc(broadcasts.id)).limit(limit).all();
}

/** Moves a previewed broadcast to sending (only from preview). */
export function markSending(db: Db, id: number, confirmedAt: Date, recipientCount: number): void {
  db.update(broadcasts)
    .set({ status: 'sending', confirmedAt, recipientCount })
    .where(and(eq(broadcasts.id, id), eq(broadcasts.status, 'preview')))
    .run();
}

export function markCancelled(db: Db, id: number): void {
  db.update(broadcasts).set({ status: 'cancelled' }).where(eq(broadcasts.id, id)).run();
}

/** Broadcasts sending and confirmed after `since`. */
export function sendingSince(db: Db, since: Date): BroadcastRow[] {
  return db
    .select()
    .from(broadcasts)
    .where(and(eq(broadcasts.status, 'sending'), gt(broadcasts.confirmedAt, since)))
    .all();
}

/** The newest broadcast created by `owner`, optionally only a preview created after `previewSince`. */
export function latestBroadcastBy(db: Db, owner: string, previewSince?: Date): number | null {
  const row = db
    .select({ id: broadcasts.id })
    .from(broadcasts)
    .where(
      previewSince
        ? and(eq(broadcasts.createdBy, owner), eq(broadcasts.status, 'preview'), gt(broadcasts.createdAt, previewSince))
        : eq(broadcasts.createdBy, owner),
    )
    .orderBy(desc(broadcasts.id))
    .limit(1)
    .get();
  return row?.id ?? null;
}

/** Outbox ids by idempotency key of the rows under one origin. */
export function outboxIdsByKey(db: Db, origin: string): Map<string, number> {
  return new Map(
    db
      .select({ id: outbox.id, key: outbox.idempotencyKey })
      .from(outbox)
      .where(eq(outbox.origin, origin))
      .all()
      .map((r) => [r.key, r.id]),
  );
}

/** The roster in id order, with what audience filters read. */
export function rosterForAudience(db: Db): { id: number; school: string; homeroom: boolean; position: string }[] {
  return db
    .select({ id: teachers.id, school: teachers.school, homeroom: teachers.homeroom, position: teachers.position })
    .from(teachers)
    .orderBy(asc(teachers.id))
    .all();
}

export function leaderIds(db: Db): Set<number> {
  return new Set(db.select({ id: roles.teacherId }).from(roles).where(eq(roles.role, 'leader')).all().map((r) => r.id));
}
