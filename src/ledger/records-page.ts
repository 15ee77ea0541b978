import type { Db } from '../../db/client.js';
import { validRecordRows, validRecordTotals } from './store.js';

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
export async function recordsPage(db: Db, teacherId: number, options: { page: number; year: number | null; size?: number }): Promise<RecordsPage> {
  const size = options.size ?? RECORDS_PAGE_SIZE;
  const totals = await validRecordTotals(db, teacherId, options.year);
  const total = totals.n;
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(1, options.page), pages);
  const rows = await validRecordRows(db, teacherId, options.year, size, (page - 1) * size);
  return { rows, total, totalHours: totals.hours, page, pages };
}
