import { and, asc, count, desc, eq, gte, inArray, isNull, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import type { declarationFlags, declarations, declarationSteps, evidenceFiles, records } from '../../db/schema.js';
import type { TeacherRow } from '../ledger/store.js';

/**
 * All SQL of the declaration core: declarations, their steps, assignees and duplicate flags. Every function is
 * async and runs on SQLite and PostgreSQL alike (the query builder writes both; see docs/postgres.md).
 */
export type DeclarationRow = typeof declarations.$inferSelect;
export type DeclarationInsert = typeof declarations.$inferInsert;
export type DeclarationStepRow = typeof declarationSteps.$inferSelect;
export type DeclarationFlagRow = typeof declarationFlags.$inferSelect;
export type DeclarationState = DeclarationRow['state'];
export type DeclarationStep = NonNullable<DeclarationRow['currentStep']>;
export type DeclarationFlagKind = DeclarationFlagRow['kind'];
export type RecordRow = typeof records.$inferSelect;

/** States that still count: a withdrawn declaration is gone for duplicate checks and caps. */
const alive = (db: Db) => ne(tables(db).declarations.state, 'withdrawn');

export async function insertDeclaration(db: Db, values: DeclarationInsert): Promise<DeclarationRow | null> {
  const { declarations } = tables(db);
  // The partial unique index refuses an exact repeat even when two submissions race.
  return (await db.insert(declarations).values(values).onConflictDoNothing().returning())[0] ?? null;
}

export async function findDeclaration(db: Db, id: number): Promise<DeclarationRow | null> {
  const { declarations } = tables(db);
  return (await db.select().from(declarations).where(eq(declarations.id, id)).limit(1))[0] ?? null;
}

export async function findDeclarationByRecord(db: Db, recordId: number): Promise<DeclarationRow | null> {
  const { declarations } = tables(db);
  return (await db.select().from(declarations).where(eq(declarations.recordId, recordId)).limit(1))[0] ?? null;
}

export async function updateDeclaration(db: Db, id: number, set: Partial<DeclarationInsert>): Promise<DeclarationRow> {
  const { declarations } = tables(db);
  return (await db.update(declarations).set(set).where(eq(declarations.id, id)).returning())[0]!;
}

export async function findExactRepeat(
  db: Db,
  d: { teacherId: number; projectKey: string; startDate: string; endDate: string; hours: number },
  excludeId: number | null,
): Promise<DeclarationRow | null> {
  const { declarations } = tables(db);
  const where = [
    eq(declarations.teacherId, d.teacherId),
    eq(declarations.projectKey, d.projectKey),
    eq(declarations.startDate, d.startDate),
    eq(declarations.endDate, d.endDate),
    eq(declarations.hours, d.hours),
    alive(db),
  ];
  if (excludeId !== null) where.push(ne(declarations.id, excludeId));
  return (await db.select().from(declarations).where(and(...where)).limit(1))[0] ?? null;
}

export async function insertStep(db: Db, values: typeof declarationSteps.$inferInsert): Promise<DeclarationStepRow> {
  const { declarationSteps } = tables(db);
  return (await db.insert(declarationSteps).values(values).returning())[0]!;
}

export async function stepsOf(db: Db, declarationId: number): Promise<DeclarationStepRow[]> {
  const { declarationSteps } = tables(db);
  return db.select().from(declarationSteps).where(eq(declarationSteps.declarationId, declarationId)).orderBy(asc(declarationSteps.id));
}

export async function stepCount(db: Db, declarationId: number): Promise<number> {
  const { declarationSteps } = tables(db);
  // drizzle's count() reads PostgreSQL's bigint (a string) as a number.
  return (await db.select({ n: count() }).from(declarationSteps).where(eq(declarationSteps.declarationId, declarationId)))[0]?.n ?? 0;
}

export async function setAssignees(db: Db, declarationId: number, teacherIds: readonly number[]): Promise<void> {
  const { declarationAssignees } = tables(db);
  await db.delete(declarationAssignees).where(eq(declarationAssignees.declarationId, declarationId));
  if (teacherIds.length > 0) {
    await db.insert(declarationAssignees).values([...new Set(teacherIds)].map((teacherId) => ({ declarationId, teacherId })));
  }
}

export async function assigneesOf(db: Db, declarationId: number): Promise<TeacherRow[]> {
  const { declarationAssignees, teachers } = tables(db);
  const rows = await db
    .select({ t: teachers })
    .from(declarationAssignees)
    .innerJoin(teachers, eq(declarationAssignees.teacherId, teachers.id))
    .where(eq(declarationAssignees.declarationId, declarationId))
    .orderBy(asc(teachers.id));
  return rows.map((r) => r.t);
}

export async function isAssignee(db: Db, declarationId: number, teacherId: number): Promise<boolean> {
  const { declarationAssignees } = tables(db);
  const rows = await db
    .select({ one: sql`1` })
    .from(declarationAssignees)
    .where(and(eq(declarationAssignees.declarationId, declarationId), eq(declarationAssignees.teacherId, teacherId)))
    .limit(1);
  return rows.length > 0;
}

/** Whether this teacher ever acted on (or was asked to decide) the declaration: for canView. */
export async function hasTakenPart(db: Db, declarationId: number, teacherId: number): Promise<boolean> {
  if (await isAssignee(db, declarationId, teacherId)) return true;
  const { declarationSteps } = tables(db);
  const rows = await db
    .select({ one: sql`1` })
    .from(declarationSteps)
    .where(
      and(
        eq(declarationSteps.declarationId, declarationId),
        or(eq(declarationSteps.actorTeacherId, teacherId), eq(declarationSteps.toTeacherId, teacherId)),
      ),
    )
    .limit(1);
  return rows.length > 0;
}

async function teachersWithRole(db: Db, role: 'leader' | 'officer', school?: string): Promise<TeacherRow[]> {
  const { roles, teachers } = tables(db);
  const rows = await db
    .select({ t: teachers })
    .from(roles)
    .innerJoin(teachers, eq(roles.teacherId, teachers.id))
    .where(and(eq(roles.role, role), school === undefined ? undefined : eq(teachers.school, school)))
    .orderBy(asc(teachers.id));
  return rows.map((r) => r.t);
}

export async function leadersOfSchool(db: Db, school: string): Promise<TeacherRow[]> {
  return teachersWithRole(db, 'leader', school);
}

export async function officerTeachers(db: Db): Promise<TeacherRow[]> {
  return teachersWithRole(db, 'officer');
}

export async function hasRole(db: Db, teacherId: number, role: 'leader' | 'officer'): Promise<boolean> {
  const { roles } = tables(db);
  const rows = await db.select({ one: sql`1` }).from(roles).where(and(eq(roles.teacherId, teacherId), eq(roles.role, role))).limit(1);
  return rows.length > 0;
}

/* ---------- duplicate flags ---------- */

/** True when the flag is new (the unique index keeps one of each). */
export async function insertFlag(
  db: Db,
  f: { declarationId: number; kind: DeclarationFlagKind; otherDeclarationId?: number | null; otherRecordId?: number | null; detail?: string },
): Promise<boolean> {
  const { declarationFlags } = tables(db);
  const otherKey = f.otherDeclarationId ? `d:${f.otherDeclarationId}` : f.otherRecordId ? `r:${f.otherRecordId}` : '';
  const added = await db
    .insert(declarationFlags)
    .values({
      declarationId: f.declarationId,
      kind: f.kind,
      otherDeclarationId: f.otherDeclarationId ?? null,
      otherRecordId: f.otherRecordId ?? null,
      otherKey,
      detail: f.detail ?? '',
    })
    .onConflictDoNothing()
    .returning({ id: declarationFlags.id });
  return added.length > 0;
}

export async function flagsOf(db: Db, declarationId: number): Promise<DeclarationFlagRow[]> {
  const { declarationFlags } = tables(db);
  return db.select().from(declarationFlags).where(eq(declarationFlags.declarationId, declarationId)).orderBy(asc(declarationFlags.id));
}

/** Flags worked out from the declaration's own fields are recomputed on resubmission; evidence flags stay. */
export async function clearFieldFlags(db: Db, declarationId: number): Promise<void> {
  const { declarationFlags } = tables(db);
  await db.delete(declarationFlags).where(and(eq(declarationFlags.declarationId, declarationId), ne(declarationFlags.kind, 'evidence_hash')));
}

export async function declarationsWithCertificate(db: Db, certificateNo: string, excludeId: number): Promise<DeclarationRow[]> {
  const { declarations } = tables(db);
  return db
    .select()
    .from(declarations)
    .where(and(eq(declarations.certificateNo, certificateNo), ne(declarations.id, excludeId), alive(db)))
    .orderBy(asc(declarations.id));
}

/** The same teacher's other live declarations of the same project whose dates overlap [start, end]. */
export async function overlappingDeclarations(
  db: Db,
  d: { teacherId: number; projectKey: string; startDate: string; endDate: string },
  excludeId: number,
): Promise<DeclarationRow[]> {
  const { declarations } = tables(db);
  return db
    .select()
    .from(declarations)
    .where(
      and(
        eq(declarations.teacherId, d.teacherId),
        eq(declarations.projectKey, d.projectKey),
        lte(declarations.startDate, d.endDate),
        gte(declarations.endDate, d.startDate),
        ne(declarations.id, excludeId),
        alive(db),
      ),
    )
    .orderBy(asc(declarations.id));
}

/** The teacher's active records dated within [start, end] (the caller compares projects). */
export async function recordsWithin(db: Db, teacherId: number, startDate: string, endDate: string): Promise<RecordRow[]> {
  const { records } = tables(db);
  return db
    .select()
    .from(records)
    .where(and(eq(records.teacherId, teacherId), gte(records.date, startDate), lte(records.date, endDate), isNull(records.cancelledAt)))
    .orderBy(asc(records.id));
}

export async function findRecord(db: Db, id: number): Promise<RecordRow | null> {
  const { records } = tables(db);
  return (await db.select().from(records).where(eq(records.id, id)).limit(1))[0] ?? null;
}

/** Hours of a category in live (pending or approved) declarations ending within [from, to], for yearly caps. */
export async function declaredHoursWithin(db: Db, teacherId: number, category: string, from: string, to: string, excludeId: number | null): Promise<number> {
  const { declarations } = tables(db);
  const where = [
    eq(declarations.teacherId, teacherId),
    eq(declarations.category, category),
    inArray(declarations.state, ['pending', 'approved']),
    gte(declarations.endDate, from),
    lte(declarations.endDate, to),
    isNull(declarations.recordRevokedAt),
  ];
  if (excludeId !== null) where.push(ne(declarations.id, excludeId));
  const rows = await db
    .select({ n: sql<number>`coalesce(sum(${declarations.hours}), 0)`.mapWith(Number) })
    .from(declarations)
    .where(and(...where));
  return rows[0]?.n ?? 0;
}

/** The ledger record of a final approval; the unique record key makes it once whatever happens. */
export async function insertDeclarationRecord(db: Db, d: DeclarationRow): Promise<RecordRow | null> {
  const { records } = tables(db);
  const inserted = await db
    .insert(records)
    .values({
      recordKey: `declaration:${d.id}`,
      teacherId: d.teacherId,
      date: d.endDate,
      hours: d.hours,
      category: d.category,
      project: d.project,
      source: 'declaration',
    })
    .onConflictDoNothing()
    .returning();
  return inserted[0] ?? null;
}

/* ---------- lists ---------- */

export interface DeclarationFilter {
  state?: DeclarationState;
  school?: string;
  teacherId?: number;
  assigneeId?: number;
  /** Console queue filters (approval part): one category, only those with a duplicate flag. */
  category?: string;
  flagged?: boolean;
  /** Oldest first (a queue to work through) instead of newest first. */
  oldestFirst?: boolean;
  limit?: number;
}

export async function listDeclarationRows(db: Db, filter: DeclarationFilter = {}): Promise<{ declaration: DeclarationRow; teacher: TeacherRow }[]> {
  const { declarationAssignees, declarationFlags, declarations, teachers } = tables(db);
  const where: SQL[] = [];
  if (filter.state) where.push(eq(declarations.state, filter.state));
  if (filter.school) where.push(eq(teachers.school, filter.school));
  if (filter.teacherId !== undefined) where.push(eq(declarations.teacherId, filter.teacherId));
  if (filter.category) where.push(eq(declarations.category, filter.category));
  if (filter.flagged) where.push(sql`exists (select 1 from ${declarationFlags} f where f.declaration_id = ${declarations.id})`);
  if (filter.assigneeId !== undefined) {
    where.push(
      sql`exists (select 1 from ${declarationAssignees} a where a.declaration_id = ${declarations.id} and a.teacher_id = ${filter.assigneeId})`,
    );
  }
  const query = db
    .select({ declaration: declarations, teacher: teachers })
    .from(declarations)
    .innerJoin(teachers, eq(declarations.teacherId, teachers.id))
    .where(where.length ? and(...where) : undefined)
    .orderBy(filter.oldestFirst ? asc(declarations.id) : desc(declarations.id));
  return filter.limit ? query.limit(filter.limit) : query;
}

/* ---------- evidence (the evidence part's table: the core attaches rows and reads their hashes) ---------- */

/** An evidence row as the evidence part stores it. */
export type EvidenceSummary = typeof evidenceFiles.$inferSelect;

export async function evidenceOf(db: Db, declarationId: number): Promise<EvidenceSummary[]> {
  const { evidenceFiles } = tables(db);
  return db.select().from(evidenceFiles).where(eq(evidenceFiles.declarationId, declarationId)).orderBy(asc(evidenceFiles.id));
}

/** Attaches the teacher's own unattached (or already this declaration's) evidence; returns how many are now attached. */
export async function attachEvidence(db: Db, declarationId: number, teacherId: number, evidenceIds: readonly number[]): Promise<number> {
  if (evidenceIds.length === 0) return 0;
  const { evidenceFiles } = tables(db);
  const attached = await db
    .update(evidenceFiles)
    .set({ declarationId })
    .where(
      and(
        inArray(evidenceFiles.id, [...new Set(evidenceIds)]),
        eq(evidenceFiles.teacherId, teacherId),
        or(isNull(evidenceFiles.declarationId), eq(evidenceFiles.declarationId, declarationId)),
      ),
    )
    .returning({ id: evidenceFiles.id });
  return attached.length;
}

/** Other live declarations holding a file with one of these hashes. */
export async function declarationsWithEvidenceHash(
  db: Db,
  sha256s: readonly string[],
  excludeId: number,
): Promise<{ declarationId: number; sha256: string }[]> {
  if (sha256s.length === 0) return [];
  const { declarations, evidenceFiles } = tables(db);
  return db
    .selectDistinct({ declarationId: declarations.id, sha256: sql<string>`${evidenceFiles.sha256}` })
    .from(evidenceFiles)
    .innerJoin(declarations, eq(declarations.id, evidenceFiles.declarationId))
    .where(and(inArray(evidenceFiles.sha256, [...new Set(sha256s)]), ne(declarations.id, excludeId), alive(db)))
    .orderBy(asc(declarations.id));
}

/** Hashes of the stored files already attached to a declaration. */
export async function evidenceHashesOf(db: Db, declarationId: number): Promise<string[]> {
  return (await evidenceOf(db, declarationId)).map((e) => e.sha256).filter((s): s is string => !!s);
}
