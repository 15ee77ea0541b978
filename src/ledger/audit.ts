import type { Db } from '../../db/client.js';
import { auditLog } from '../../db/schema.js';

export function audit(db: Db, actor: string, action: string, detail: Record<string, unknown> = {}): void {
  db.insert(auditLog).values({ actor, action, detail: JSON.stringify(detail) }).run();
}
