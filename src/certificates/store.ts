/**
 * Every query of the 学时证明 feature: the certificates table (what was printed, revocations, the console's list)
 * and the roster and ledger reads a certificate or a batch is made from.
 */
import { and, asc, count, desc, eq, gt, gte, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import type { certificates } from '../../db/schema.js';
import type { TeacherRow } from '../ledger/store.js';

export type CertificateRow = typeof certificates.$inferSelect;
export type NewCertificateRow = typeof certificates.$inferInsert;

export async function insertCertificate(db: Db, row: NewCertificateRow): Promise<void> {
  const { certificates } = tables(db);
  await db.insert(certificates).values(row);
}

export async function findCertificate(db: Db, serial: string): Promise<CertificateRow | null> {
  const { certificates } = tables(db);
  return (await db.select().from(certificates).where(eq(certificates.serial, serial)).limit(1))[0] ?? null;
}

/** Revokes one certificate; false when unknown or already revoked (the first revocation's reason stands). */
export async function revokeCertificate(db: Db, serial: string, by: string, reason: string, now: Date): Promise<boolean> {
  const { certificates } = tables(db);
  const changed = await db
    .update(certificates)
    .set({ revokedAt: now, revokedBy: by, revokeReason: reason })
    .where(and(eq(certificates.serial, serial), isNull(certificates.revokedAt)))
    .returning({ serial: certificates.serial });
  return changed.length === 1;
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
export async function listCertificates(
  db: Db,
  query: { employeeNo?: string; serial?: string } | null,
  page: number,
  perPage: number,
): Promise<CertificatePage> {
  const { certificates } = tables(db);
  const where = query ? or(query.employeeNo ? eq(certificates.employeeNo, query.employeeNo) : undefined, query.serial ? eq(certificates.serial, query.serial) : undefined) : undefined;
  const [{ n: total }] = await db.select({ n: count() }).from(certificates).where(where);
  const pages = Math.max(1, Math.ceil(total / perPage));
  const at = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const rows = await db
    .select()
    .from(certificates)
    .where(where)
    .orderBy(desc(certificates.issuedAt), asc(certificates.serial))
    .limit(perPage)
    .offset((at - 1) * perPage);
  return { rows, total, page: at, pages };
}

/* ---------- What a certificate and a batch are made from ---------- */

/** A teacher's live records dated from `from` to `to`, in date order: the lines a certificate prints. */
export async function recordsBetween(
  db: Db,
  teacherId: number,
  from: string,
  to: string,
): Promise<{ date: string; project: string; hours: number; category: string; source: string }[]> {
  const { records } = tables(db);
  return db
    .select({ date: records.date, project: records.project, hours: records.hours, category: records.category, source: records.source })
    .from(records)
    .where(and(eq(records.teacherId, teacherId), isNull(records.cancelledAt), gte(records.date, from), lte(records.date, to)))
    .orderBy(asc(records.date), asc(records.id));
}

export async function teacherCount(db: Db, schools: readonly string[]): Promise<number> {
  const { teachers } = tables(db);
  let n = 0;
  for (const s of schools) n += (await db.select({ n: count() }).from(teachers).where(eq(teachers.school, s)))[0].n;
  return n;
}

/** Policies of the schools' teachers, so an unconfigured one is refused before anything is issued. */
export async function policiesOf(db: Db, schools: readonly string[]): Promise<string[]> {
  const { teachers } = tables(db);
  if (schools.length === 0) return [];
  const rows = await db.selectDistinct({ p: teachers.policyId }).from(teachers).where(inArray(teachers.school, [...schools]));
  return rows.map((r) => r.p);
}

/** Teachers fetched per query: bounded memory whatever the school's size. */
const PAGE = 200;

export async function* teachersOf(db: Db, school: string): AsyncGenerator<TeacherRow> {
  const { teachers } = tables(db);
  let after = 0;
  for (;;) {
    const page = await db.select().from(teachers).where(and(eq(teachers.school, school), gt(teachers.id, after))).orderBy(asc(teachers.id)).limit(PAGE);
    if (page.length === 0) return;
    yield* page;
    after = page[page.length - 1].id;
  }
}

/** The (year, category) pairs any teacher of the school has on record up to `today`: the workbook's column groups. */
export async function yearCategories(db: Db, school: string, today: string): Promise<{ year: string; category: string }[]> {
  const { records, teachers } = tables(db);
  const year = sql<string>`substr(${records.date}, 1, 4)`;
  const rows = await db
    .selectDistinct({ year, category: records.category })
    .from(records)
    .innerJoin(teachers, eq(teachers.id, records.teacherId))
    .where(and(eq(teachers.school, school), isNull(records.cancelledAt), lte(records.date, today)));
  // Sorted here, not in SQL: categories in the roster's (Chinese) collation, the same on both databases.
  return rows.sort((a, b) => a.year.localeCompare(b.year) || a.category.localeCompare(b.category, 'zh-CN'));
}
