import type { Db } from '../../db/client.js';
import { insertAudit } from './store.js';

export function audit(db: Db, actor: string, action: string, detail: Record<string, unknown> = {}): void {
  insertAudit(db, actor, action, JSON.stringify(detail));
}
