import { and, count, desc, eq, isNull, like, sum } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { records } from '../../db/schema.js';

export const RECORDS_PAGE_SIZE = 10;

export interface RecordsPage {
  rows: { date: string; hours: number; category: string; project: string }[];
  /** Every valid record under the filter, not just this page. */
  total: number;
  totalHours: number;
  page: number;
  pages: number;
}

/** One teacher's valid (not cancelled) records, newest first, a page at a time, optionally one calendar year. */
export function recordsPage(db: Db, teacherId: number, options: { page: number; year: number | null; size?: number }): RecordsPage {
  const size = options.size ?? RECORDS_PAGE_SIZE;
  const where = and(
    eq(records.teacherId, teacherId),
    isNull(records.cancelledAt),
    options.year === null ? undefined : like(records.date, `${options.year}-%`),
  );
  const totals = db.select({ n: count(), hours: sum(records.hours) }).from(records).where(where).get();
  const total = totals?.n ?? 0;
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(1, options.page), pages);
  const rows = db
    .select({ date: records.date, hours: records.hours, category: records.category, project: records.project })
    .from(records)
    .where(where)
    .orderBy(desc(records.date), desc(records.id))
    .limit(size)
    .offset((page - 1) * size)
    .all();
  return { rows, total, totalHours: Number(totals?.hours ?? 0), page, pages };
}
