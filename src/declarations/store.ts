import { and, asc, desc, eq, gte, inArray, isNull, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  declarationAssignees,
  declarationFlags,
  declarations,
  declarationSteps,
  evidenceFiles,
  records,
  roles,
  teachers,
} from '../../db/schema.js';
import type { TeacherRow } from '../ledger/store.js';

/** All SQL of the declaration core: declarations, their steps, assignees and duplicate flags. */
export type DeclarationRow = typeof declarations.$inferSelect;
export type DeclarationInsert = typeof declarations.$inferInsert;
export type DeclarationStepRow = typeof declarationSteps.$inferSelect;
export type DeclarationFlagRow = typeof declarationFlags.$inferSelect;
export type DeclarationState = DeclarationRow['state'];
export type DeclarationStep = NonNullable<DeclarationRow['currentStep']>;
export type DeclarationFlagKind = DeclarationFlagRow['kind'];
export type RecordRow = typeof records.$inferSelect;

/** States that still count: a withdrawn declaration is gone for duplicate checks and caps. */
const ALIVE = ne(declarations.state, 'withdrawn');

export function insertDeclaration(db: Db, values: DeclarationInsert): DeclarationRow | null {
  // The partial unique index refuses an exact repeat even when two submissions race.
  return db.insert(declarations).values(values).onConflictDoNothing().returning().get() ?? null;
}

export function findDeclaration(db: Db, id: number): DeclarationRow | null {
  return db.select().from(declarations).where(eq(declarations.id, id)).get() ?? null;
}

export function findDeclarationByRecord(db: Db, recordId: number): DeclarationRow | null {
  return db.select().from(declarations).where(eq(declarations.recordId, recordId)).get() ?? null;
}

export function updateDeclaration(db: Db, id: number, set: Partial<DeclarationInsert>): DeclarationRow {
  return db.update(declarations).set(set).where(eq(declarations.id, id)).returning().get()!;
}


export function findExactRepeat(
  db: Db,
  d: { teacherId: number; projectKey: string; startDate: string; endDate: string; hours: number },
  excludeId: number | null,
): DeclarationRow | null {
  const where = [
    eq(declarations.teacherId, d.teacherId),
    eq(declarations.projectKey, d.projectKey),
    eq(declarations.startDate, d.startDate),
    eq(declarations.endDate, d.endDate),
    eq(declarations.hours, d.hours),
    ALIVE,
  ];
  if (excludeId !== null) where.push(ne(declarations.id, excludeId));
  return db.select().from(declarations).where(and(...where)).get() ?? null;
}

export function insertStep(db: Db, values: typeof declarationSteps.$inferInsert): DeclarationStepRow {
  return db.insert(declarationSteps).values(values).returning().get();
}

export function stepsOf(db: Db, declarationId: number): DeclarationStepRow[] {
  return db.select().from(declarationSteps).where(eq(declarationSteps.declarationId, declarationId)).orderBy(asc(declarationSteps.id)).all();
}

export function stepCount(db: Db, declarationId: number): number {
  return db.select({ n: sql<number>`count(*)` }).from(declarationSteps).where(eq(declarationSteps.declarationId, declarationId)).get()?.n ?? 0;
}

export function setAssignees(db: Db, declarationId: number, teacherIds: readonly number[]): void {
  db.delete(declarationAssignees).where(eq(declarationAssignees.declarationId, declarationId)).run();
  if (teacherIds.length > 0) {
    db.insert(declarationAssignees)
      .values([...new Set(teacherIds)].map((teacherId) => ({ declarationId, teacherId })))
      .run();
  }
}

export function assigneesOf(db: Db, declarationId: number): TeacherRow[] {
  return db
    .select({ t: teachers })
    .from(declarationAssignees)
    .innerJoin(teachers, eq(declarationAssignees.teacherId, teachers.id))
    .where(eq(declarationAssignees.declarationId, declarationId))
    .orderBy(asc(teachers.id))
    .all()
    .map((r) => r.t);
}

export function isAssignee(db: Db, declarationId: number, teacherId: number): boolean {
  return !!db
    .select({ one: sql`1` })
    .from(declarationAssignees)
    .where(and(eq(declarationAssignees.declarationId, declarationId), eq(declarationAssignees.teacherId, teacherId)))
    .get();
}

/** Whether this teacher ever acted on (or was asked to decide) the declaration: for canView. */
export function hasTakenPart(db: Db, declarationId: number, teacherId: number): boolean {
  if (isAssignee(db, declarationId, teacherId)) return true;
  return !!db
    .select({ one: sql`1` })
    .from(declarationSteps)
    .where(
      and(
        eq(declarationSteps.declarationId, declarationId),
        sql`(${declarationSteps.actorTeacherId} = ${teacherId} or ${declarationSteps.toTeacherId} = ${teacherId})`,
      ),
    )
    .get();
}

export function leadersOfSchool(db: Db, school: string): TeacherRow[] {
  return db
    .select({ t: teachers })
    .from(roles)
    .innerJoin(teachers, eq(roles.teacherId, teachers.id))
    .where(and(eq(roles.role, 'leader'), eq(teachers.school, school)))
    .orderBy(asc(teachers.id))
    .all()
    .map((r) => r.t);
}

export function officerTeachers(db: Db): TeacherRow[] {
  return db
    .select({ t: teachers })
    .from(roles)
    .innerJoin(teachers, eq(roles.teacherId, teachers.id))
    .where(eq(roles.role, 'officer'))
    .orderBy(asc(teachers.id))
    .all()
    .map((r) => r.t);
}

export function hasRole(db: Db, teacherId: number, role: 'leader' | 'officer'): boolean {
  return !!db.select({ one: sql`1` }).from(roles).where(and(eq(roles.teacherId, teacherId), eq(roles.role, role))).get();
}

/* ---------- duplicate flags ---------- */

export function insertFlag(
  db: Db,
  f: { declarationId: number; kind: DeclarationFlagKind; otherDeclarationId?: number | null; otherRecordId?: number | null; detail?: string },
): boolean {
  const otherKey = f.otherDeclarationId ? `d:${f.otherDeclarationId}` : f.otherRecordId ? `r:${f.otherRecordId}` : '';
  return (
    db
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
      .run().changes > 0
  );
}

export function flagsOf(db: Db, declarationId: number): DeclarationFlagRow[] {
  return db.select().from(declarationFlags).where(eq(declarationFlags.declarationId, declarationId)).orderBy(asc(declarationFlags.id)).all();
}

/** Flags worked out from the declaration's own fields are recomputed on resubmission; evidence flags stay. */
export function clearFieldFlags(db: Db, declarationId: number): void {
  db.delete(declarationFlags)
    .where(and(eq(declarationFlags.declarationId, declarationId), ne(declarationFlags.kind, 'evidence_hash')))
    .run();
}

export function declarationsWithCertificate(db: Db, certificateNo: string, excludeId: number): DeclarationRow[] {
  return db
    .select()
    .from(declarations)
    .where(and(eq(declarations.certificateNo, certificateNo), ne(declarations.id, excludeId), ALIVE))
    .orderBy(asc(declarations.id))
    .all();
}

/** The same teacher's other live declarations of the same project whose dates overlap [start, end]. */
export function overlappingDeclarations(
  db: Db,
  d: { teacherId: number; projectKey: string; startDate: string; endDate: string },
  excludeId: number,
): DeclarationRow[] {
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
        ALIVE,
      ),
    )
    .orderBy(asc(declarations.id))
    .all();
}

/** The teacher's active records dated within [start, end] (the caller compares projects). */
export function recordsWithin(db: Db, teacherId: number, startDate: string, endDate: string): RecordRow[] {
  return db
    .select()
    .from(records)
    .where(and(eq(records.teacherId, teacherId), gte(records.date, startDate), lte(records.date, endDate), isNull(records.cancelledAt)))
    .orderBy(asc(records.id))
    .all();
}

export function findRecord(db: Db, id: number): RecordRow | null {
  return db.select().from(records).where(eq(records.id, id)).get() ?? null;
}

/** Hours of a category in live (pending or approved) declarations ending within [from, to], for yearly caps. */
export function declaredHoursWithin(db: Db, teacherId: number, category: string, from: string, to: string, excludeId: number | null): number {
  const where = [
    eq(declarations.teacherId, teacherId),
    eq(declarations.category, category),
    inArray(declarations.state, ['pending', 'approved']),
    gte(declarations.endDate, from),
    lte(declarations.endDate, to),
    isNull(declarations.recordRevokedAt),
  ];
  if (excludeId !== null) where.push(ne(declarations.id, excludeId));
  return db.select({ n: sql<number>`coalesce(sum(${declarations.hours}), 0)` }).from(declarations).where(and(...where)).get()?.n ?? 0;
}

/** The ledger record of a final approval; the unique record key makes it once whatever happens. */
export function insertDeclarationRecord(db: Db, d: DeclarationRow): RecordRow | null {
  return (
    db
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
      .returning()
      .get() ?? null
  );
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

export function listDeclarationRows(db: Db, filter: DeclarationFilter = {}): { declaration: DeclarationRow; teacher: TeacherRow }[] {
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
  return filter.limit ? query.limit(filter.limit).all() : query.all();
}

/* ---------- evidence (the evidence part's table: the core attaches rows and reads their hashes) ---------- */

/** An evidence row as the evidence part stores it. */
export type EvidenceSummary = typeof evidenceFiles.$inferSelect;

export function evidenceOf(db: Db, declarationId: number): EvidenceSummary[] {
  return db.select().from(evidenceFiles).where(eq(evidenceFiles.declarationId, declarationId)).orderBy(asc(evidenceFiles.id)).all();
}

/** Attaches the teacher's own unattached (or already this declaration's) evidence; returns how many are now attached. */
export function attachEvidence(db: Db, declarationId: number, teacherId: number, evidenceIds: readonly number[]): number {
  if (evidenceIds.length === 0) return 0;
  return db
    .update(evidenceFiles)
    .set({ declarationId })
    .where(
      and(
        inArray(evidenceFiles.id, [...new Set(evidenceIds)]),
        eq(evidenceFiles.teacherId, teacherId),
        or(isNull(evidenceFiles.declarationId), eq(evidenceFiles.declarationId, declarationId)),
      ),
    )
    .run().changes;
}

/** Other live declarations holding a file with one of these hashes. */
export function declarationsWithEvidenceHash(db: Db, sha256s: readonly string[], excludeId: number): { declarationId: number; sha256: string }[] {
  if (sha256s.length === 0) return [];
  return db
    .selectDistinct({ declarationId: declarations.id, sha256: sql<string>`${evidenceFiles.sha256}` })
    .from(evidenceFiles)
    .innerJoin(declarations, eq(declarations.id, evidenceFiles.declarationId))
    .where(and(inArray(evidenceFiles.sha256, [...new Set(sha256s)]), ne(declarations.id, excludeId), ALIVE))
    .orderBy(asc(declarations.id))
    .all();
}

/** Hashes of the stored files already attached to a declaration. */
export function evidenceHashesOf(db: Db, declarationId: number): string[] {
  return evidenceOf(db, declarationId)
    .map((e) => e.sha256)
    .filter((s): s is string => !!s);
}
