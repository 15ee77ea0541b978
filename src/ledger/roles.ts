import type { Db } from '../../db/client.js';
import { roles } from '../../db/schema.js';
import { audit } from './audit.js';

export function grantRole(db: Db, teacherId: number, role: 'leader' | 'officer', actor: string): boolean {
  const inserted = db.insert(roles).values({ teacherId, role, grantedBy: actor }).onConflictDoNothing().run().changes > 0;
  if (inserted) audit(db, actor, 'grant_role', { teacherId, role });
  return inserted;
}
