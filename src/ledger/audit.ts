import type { Db } from '../../db/client.js';
import { insertAudit } from './store.js';

export async function audit(db: Db, actor: string, action: string, detail: Record<string, unknown> = {}): Promise<void> {
  await insertAudit(db, actor, action, JSON.stringify(detail));
}
