/**
 * Every query of the 学时证明 feature: the certificates table (what was printed, revocations, the console's list)
 * and the roster and ledger reads a certificate or a batch is made from.
 */
import { and, asc, count, desc, eq, gt, gte, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { certificates, records, teachers } from '../../db/schema.js';
import type { TeacherRow } from '../ledger/store.js';

export type CertificateRow = typeof certificates.$inferSelect;
export type NewCertificateRow = typeof certificates.$inferInsert;

export function insertCertificate(db: Db, row: NewCertificateRow): void {
  db.insert(certificates).values(row).run();
}

export function findCertificate(db: Db, serial: string): CertificateRow | null {
  return db.select().from(certificates).where(eq(certificates.serial, serial)).get() ?? null;
}

/** Revokes one certificate; false when unknown or already revoked (the first revocation's reason stands). */
export function revokeCertificate(db: Db, serial: string, by: string, reason: string, now: Date): boolean {
  const result = db
    .update(certificates)
    .set({ revokedAt: now, revokedBy: by, revokeReason: reason })
    .where(and(eq(certificates.serial, serial), isNull(certificates.revokedAt)))
    .run();
  return result.changes === 1;
}

export interface CertificatePage {
  rows: CertificateRow[];
  total: number;
  page: number;
  pages: number;
}

/**
 * Issued certificates, newest first, `perPage` a page. `query` is a 工号 or a serial (already normalised by the
 * caller); either matches exactly, so the list never doubles as a name search of the roster.
 */
export function listCertificates(db: Db, query: { employeeNo?: string; serial?: string } | null, page: number, perPage: number): CertificatePage {
  const where = query ? or(query.employeeNo ? eq(certificates.employeeNo, query.employeeNo) : undefined, query.serial ? eq(certificates.serial, query.serial) : undefined) : undefined;
  const total = db.select({ n: count() }).from(certificates).where(where).get()!.n;
  const pages = Math.max(1, Math.ceil(total / perPage));
  const at = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const rows = db
    .select()
    .from(certificates)
    .where(where)
    .orderBy(desc(certificates.issuedAt), asc(certificates.serial))
    .limit(perPage)
    .offset((at - 1) * perPage)
    .all();
  return { rows, total, page: at, pages };
}

/* ---------- What a certificate and a batch are made from ---------- */

/** A teacher's live records dated from `from` to `to`, in date order: the lines a certificate prints. */
export function recordsBetween(db: Db, teacherId: number, from: string, to: string) {
  return db
    .select({ date: records.date, project: records.project, hours: records.hours, category: records.category, source: records.source })
    .from(records)
    .where(and(eq(records.teacherId, teacherId), isNull(records.cancelledAt), gte(records.date, from), lte(records.date, to)))
    .orderBy(asc(records.date), asc(records.id))
    .all();
}

export function teacherCount(db: Db, schools: readonly string[]): number {
  let n = 0;
  for (const s of schools) n += db.select({ n: count() }).from(teachers).where(eq(teachers.school, s)).get()!.n;
  return n;
}

/** Policies of the schools' teachers, so an unconfigured one is refused before anything is issued. */
export function policiesOf(db: Db, schools: readonly string[]): string[] {
  return db.selectDistinct({ p: teachers.policyId }).from(teachers).where(inArray(teachers.school, [...schools])).all().map((r) => r.p);
}

/** Teachers fetched per query: bounded memory whatever the school's size. */
const PAGE = 200;

export function* teachersOf(db: Db, school: string): Generator<TeacherRow> {
  let after = 0;
  for (;;) {
    const page = db.select().from(teachers).where(and(eq(teachers.school, school), gt(teachers.id, after))).orderBy(asc(teachers.id)).limit(PAGE).all();
    if (page.length === 0) return;
    yield* page;
    after = page[page.length - 1].id;
  }
}

/** The (year, category) pairs any teacher of the school has on record up to `today`: the workbook's column groups. */
export function yearCategories(db: Db, school: string, today: string): { year: string; category: string }[] {
  const year = sql<string>`substr(${records.date}, 1, 4)`;
  return db
    .selectDistinct({ year, category: records.category })
    .from(records)
    .innerJoin(teachers, eq(teachers.id, records.teacherId))
    .where(and(eq(teachers.school, school), isNull(records.cancelledAt), lte(records.date, today)))
    .orderBy(year, records.category)
    .all()
    .sort((a, b) => a.year.localeCompare(b.year) || a.category.localeCompare(b.category, 'zh-CN'));
}
