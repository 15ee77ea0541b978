import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { outbox } from '../../db/schema.js';
import { prepared } from '../../db/statements.js';
import { maybeDuplicateSql } from '../outbox/store.js';

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
