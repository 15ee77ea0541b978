/** The audit log, a page at a time, newest first. */
import type { Db } from '../../db/client.js';
import { auditCount, auditRows, type AuditRow } from './store.js';

export const AUDIT_PAGE_SIZE = 50;

export async function auditPage(db: Db, page: number, action: string | null): Promise<{ rows: AuditRow[]; total: number; page: number; pages: number }> {
  const total = await auditCount(db, action);
  const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const current = Math.min(Math.max(1, page), pages);
  const rows = await auditRows(db, action, AUDIT_PAGE_SIZE, (current - 1) * AUDIT_PAGE_SIZE);
  return { rows, total, page: current, pages };
}
