/** All SQL of evidence_files. */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { evidenceFiles } from '../../../db/schema.js';

export type EvidenceRow = typeof evidenceFiles.$inferSelect;
export type EvidenceInsert = typeof evidenceFiles.$inferInsert;

/** Inserts pending rows; one already there for the same platform, message and key is kept as it is. */
export function insertPending(db: Db, rows: readonly EvidenceInsert[]): void {
  if (rows.length === 0) return;
  db.insert(evidenceFiles).values([...rows]).onConflictDoNothing().run();
}

/** The rows of one platform message, in the order of the keys given. */
export function evidenceOfMessage(db: Db, platform: string, messageId: string, keys: readonly string[]): EvidenceRow[] {
  if (keys.length === 0) return [];
  const rows = db
    .select()
    .from(evidenceFiles)
    .where(and(eq(evidenceFiles.platform, platform), eq(evidenceFiles.messageId, messageId), inArray(evidenceFiles.platformKey, [...keys])))
    .all();
  const byKey = new Map(rows.map((r) => [r.platformKey, r]));
  return keys.flatMap((k) => byKey.get(k) ?? []);
}

export function findEvidence(db: Db, id: number): EvidenceRow | null {
  return db.select().from(evidenceFiles).where(eq(evidenceFiles.id, id)).get() ?? null;
}

export function evidenceOfDeclaration(db: Db, declarationId: number): EvidenceRow[] {
  return db.select().from(evidenceFiles).where(eq(evidenceFiles.declarationId, declarationId)).orderBy(asc(evidenceFiles.id)).all();
}

/**
 * Takes up to `limit` due rows of the platforms the worker can download from (a console chat on the same
 * database without platform credentials leaves the server's rows alone): pending, due, and not held by a lease. Each gets a lease
 * until `leaseUntil` and one more attempt counted, in one statement, so two workers (the server and a console
 * chat on the same database) never take the same row while its lease lives.
 */
export function claimDue(db: Db, platforms: readonly string[], now: Date, leaseUntil: Date, limit: number): EvidenceRow[] {
  const at = now.getTime();
  if (platforms.length === 0) return [];
  const ids = db
    .select({ id: evidenceFiles.id })
    .from(evidenceFiles)
    .where(
      and(
        eq(evidenceFiles.status, 'pending'),
        inArray(evidenceFiles.platform, [...platforms]),
        sql`${evidenceFiles.nextAttemptAt} <= ${at}`,
        sql`(${evidenceFiles.claimedUntil} is null or ${evidenceFiles.claimedUntil} <= ${at})`,
      ),
    )
    .orderBy(asc(evidenceFiles.nextAttemptAt), asc(evidenceFiles.id))
    .limit(limit)
    .all()
    .map((r) => r.id);
  if (ids.length === 0) return [];
  return db
    .update(evidenceFiles)
    .set({ claimedUntil: leaseUntil, attempts: sql`${evidenceFiles.attempts} + 1` })
    .where(
      and(
        inArray(evidenceFiles.id, ids),
        eq(evidenceFiles.status, 'pending'),
        sql`(${evidenceFiles.claimedUntil} is null or ${evidenceFiles.claimedUntil} <= ${at})`,
      ),
    )
    .returning()
    .all();
}

/** Stored: only a row still pending changes (a second worker finishing the same file later changes nothing). */
export function markStored(db: Db, id: number, file: { sha256: string; size: number; mime: string }, now: Date): EvidenceRow | null {
  return (
    db
      .update(evidenceFiles)
      .set({ ...file, status: 'stored', error: null, claimedUntil: null, storedAt: now })
      .where(and(eq(evidenceFiles.id, id), eq(evidenceFiles.status, 'pending')))
      .returning()
      .get() ?? null
  );
}

export function markRejected(db: Db, id: number, reason: string, size: number | null): EvidenceRow | null {
  return (
    db
      .update(evidenceFiles)
      .set({ status: 'rejected', error: reason, size, claimedUntil: null })
      .where(and(eq(evidenceFiles.id, id), eq(evidenceFiles.status, 'pending')))
      .returning()
      .get() ?? null
  );
}

/** Released for another try at `nextAttemptAt` (the lease ends now). */
export function markRetry(db: Db, id: number, error: string, nextAttemptAt: Date): void {
  db.update(evidenceFiles)
    .set({ error, nextAttemptAt, claimedUntil: null })
    .where(and(eq(evidenceFiles.id, id), eq(evidenceFiles.status, 'pending')))
    .run();
}

/** When the next pending row of these platforms becomes due (retry time or end of lease), or null when none waits. */
export function nextDueAt(db: Db, platforms: readonly string[]): Date | null {
  if (platforms.length === 0) return null;
  const row = db
    .select({ at: sql<number | null>`min(max(${evidenceFiles.nextAttemptAt}, coalesce(${evidenceFiles.claimedUntil}, 0)))` })
    .from(evidenceFiles)
    .where(and(eq(evidenceFiles.status, 'pending'), inArray(evidenceFiles.platform, [...platforms])))
    .get();
  return row?.at == null ? null : new Date(row.at);
}
