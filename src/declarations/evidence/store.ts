/** All SQL of evidence_files, on SQLite and PostgreSQL alike (docs/postgres.md). */
import { and, asc, eq, inArray, isNull, lte, min, or, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { dialectOf, tables } from '../../../db/handle.js';
import type { evidenceFiles } from '../../../db/schema.js';

export type EvidenceRow = typeof evidenceFiles.$inferSelect;
export type EvidenceInsert = typeof evidenceFiles.$inferInsert;

/** Inserts pending rows; one already there for the same platform, message and key is kept as it is. */
export async function insertPending(db: Db, rows: readonly EvidenceInsert[]): Promise<void> {
  if (rows.length === 0) return;
  const { evidenceFiles } = tables(db);
  await db.insert(evidenceFiles).values([...rows]).onConflictDoNothing();
}

/** The rows of one platform message, in the order of the keys given. */
export async function evidenceOfMessage(db: Db, platform: string, messageId: string, keys: readonly string[]): Promise<EvidenceRow[]> {
  if (keys.length === 0) return [];
  const { evidenceFiles } = tables(db);
  const rows = await db
    .select()
    .from(evidenceFiles)
    .where(and(eq(evidenceFiles.platform, platform), eq(evidenceFiles.messageId, messageId), inArray(evidenceFiles.platformKey, [...keys])));
  const byKey = new Map(rows.map((r) => [r.platformKey, r]));
  return keys.flatMap((k) => byKey.get(k) ?? []);
}

export async function findEvidence(db: Db, id: number): Promise<EvidenceRow | null> {
  const { evidenceFiles } = tables(db);
  return (await db.select().from(evidenceFiles).where(eq(evidenceFiles.id, id)).limit(1))[0] ?? null;
}

export async function evidenceOfDeclaration(db: Db, declarationId: number): Promise<EvidenceRow[]> {
  const { evidenceFiles } = tables(db);
  return db.select().from(evidenceFiles).where(eq(evidenceFiles.declarationId, declarationId)).orderBy(asc(evidenceFiles.id));
}

/** A select the query builder types for SQLite; on PostgreSQL the same object is a PgSelect, which can lock. */
type Lockable<Q> = Q & { for(strength: 'update', config: { skipLocked: true }): Q };

/**
 * Takes up to `limit` due rows of the platforms the worker can download from (a console chat on the same
 * database without platform credentials leaves the server's rows alone): pending, due, and not held by a lease.
 * Each gets a lease until `leaseUntil` and one more attempt counted, in one statement, so two workers (the server
 * and a console chat, or several instances on one PostgreSQL) never take the same row while its lease lives. On
 * PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`: a second instance claiming at the same moment takes
 * the next due rows instead of waiting for the first one's and then finding them leased.
 */
export async function claimDue(db: Db, platforms: readonly string[], now: Date, leaseUntil: Date, limit: number): Promise<EvidenceRow[]> {
  if (platforms.length === 0 || limit <= 0) return [];
  const { evidenceFiles } = tables(db);
  const free = or(isNull(evidenceFiles.claimedUntil), lte(evidenceFiles.claimedUntil, now));
  const due = db
    .select({ id: evidenceFiles.id })
    .from(evidenceFiles)
    .where(and(eq(evidenceFiles.status, 'pending'), inArray(evidenceFiles.platform, [...platforms]), lte(evidenceFiles.nextAttemptAt, now), free))
    .orderBy(asc(evidenceFiles.nextAttemptAt), asc(evidenceFiles.id))
    .limit(limit);
  // SQLite has one writer: `id in (…)` is one atomic statement as it is. PostgreSQL may evaluate an `in (…)`
  // subquery once per row it updates, each time picking other rows past the locked ones (a claim of 2 took 4):
  // `= any(array(…))` runs it once, and `for update skip locked` leaves another instance's picks to it.
  const picked =
    dialectOf(db) === 'postgres'
      ? sql`${evidenceFiles.id} = any(array(${(due as Lockable<typeof due>).for('update', { skipLocked: true })}))`
      : inArray(evidenceFiles.id, due);
  const claimed = await db
    .update(evidenceFiles)
    .set({ claimedUntil: leaseUntil, attempts: sql`${evidenceFiles.attempts} + 1` })
    .where(and(picked, eq(evidenceFiles.status, 'pending'), free))
    .returning();
  return claimed.sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id - b.id);
}

/** Stored: only a row still pending changes (a second worker finishing the same file later changes nothing). */
export async function markStored(db: Db, id: number, file: { sha256: string; size: number; mime: string }, now: Date): Promise<EvidenceRow | null> {
  const { evidenceFiles } = tables(db);
  const rows = await db
    .update(evidenceFiles)
    .set({ ...file, status: 'stored', error: null, claimedUntil: null, storedAt: now })
    .where(and(eq(evidenceFiles.id, id), eq(evidenceFiles.status, 'pending')))
    .returning();
  return rows[0] ?? null;
}

export async function markRejected(db: Db, id: number, reason: string, size: number | null): Promise<EvidenceRow | null> {
  const { evidenceFiles } = tables(db);
  const rows = await db
    .update(evidenceFiles)
    .set({ status: 'rejected', error: reason, size, claimedUntil: null })
    .where(and(eq(evidenceFiles.id, id), eq(evidenceFiles.status, 'pending')))
    .returning();
  return rows[0] ?? null;
}

/** Released for another try at `nextAttemptAt` (the lease ends now). */
export async function markRetry(db: Db, id: number, error: string, nextAttemptAt: Date): Promise<void> {
  const { evidenceFiles } = tables(db);
  await db
    .update(evidenceFiles)
    .set({ error, nextAttemptAt, claimedUntil: null })
    .where(and(eq(evidenceFiles.id, id), eq(evidenceFiles.status, 'pending')));
}

/** When the next pending row of these platforms becomes due (retry time or end of lease), or null when none waits. */
export async function nextDueAt(db: Db, platforms: readonly string[]): Promise<Date | null> {
  if (platforms.length === 0) return null;
  const { evidenceFiles } = tables(db);
  const { nextAttemptAt, claimedUntil } = evidenceFiles;
  // The later of the two per row: SQLite's two-argument max() is PostgreSQL's greatest(); epoch 0 stands for no lease.
  const dueAt =
    dialectOf(db) === 'postgres'
      ? sql`greatest(${nextAttemptAt}, coalesce(${claimedUntil}, to_timestamp(0)))`
      : sql`max(${nextAttemptAt}, coalesce(${claimedUntil}, 0))`;
  const rows = await db
    .select({ at: min(dueAt).mapWith(nextAttemptAt) })
    .from(evidenceFiles)
    .where(and(eq(evidenceFiles.status, 'pending'), inArray(evidenceFiles.platform, [...platforms])));
  return rows[0]?.at ?? null;
}
