import type { Db } from '../../db/client.js';
import { audit } from './audit.js';
import { deleteRole, insertRole, type GrantedRole } from './store.js';

/** What a bound account may act as: every rostered teacher is a teacher; leader and officer are granted (db roles). */
export type Role = 'teacher' | GrantedRole;

export async function grantRole(db: Db, teacherId: number, role: 'leader' | 'officer', actor: string): Promise<boolean> {
  const inserted = await insertRole(db, teacherId, role, actor);
  if (inserted) await audit(db, actor, 'grant_role', { teacherId, role });
  return inserted;
}

/** Removes a role; audited. Returns whether it was held. */
export async function revokeRole(db: Db, teacherId: number, role: 'leader' | 'officer', actor: string): Promise<boolean> {
  const removed = await deleteRole(db, teacherId, role);
  if (removed) await audit(db, actor, 'revoke_role', { teacherId, role });
  return removed;
}

/**
 * A 职务 may hold several titles: 「书记、校长」, 「党支部书记兼校长」. Role filters compare whole titles, so 校长
 * never matches 副校长 or 校长助理.
 */
export function titlesOf(position: string): string[] {
  return position
    .split(/[、,，/／;；\s]+|兼/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function holdsTitle(position: string, title: string): boolean {
  return titlesOf(position).includes(title.trim());
}

const HEAD_TITLES = new Set(['校长', '园长', '校园长', '校(园)长', '校（园）长']);

/** The head of a school or kindergarten, by whole title (a 副校长 is not one). */
export function isHeadOfSchool(position: string): boolean {
  return titlesOf(position).some((t) => HEAD_TITLES.has(t));
}
