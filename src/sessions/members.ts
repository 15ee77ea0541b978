/** Who is in a session's audience, read from the roster (the audience's shape and parsing: audience.ts). */
import type { Db } from '../../db/client.js';
import type { TeacherRow } from '../ledger/store.js';
import { canonicalRole, matchesRole, type Audience, type AudienceMember, type RoleFacts } from './audience.js';
import { grantedRoleRows, rosterCount, rosterRows, rosterRowsById } from './store.js';

async function grantedRoles(db: Db, teacherIds: readonly number[] | null): Promise<Map<number, Set<string>>> {
  const rows = await grantedRoleRows(db, teacherIds);
  const map = new Map<number, Set<string>>();
  for (const r of rows) {
    if (!map.has(r.teacherId)) map.set(r.teacherId, new Set());
    map.get(r.teacherId)!.add(r.role);
  }
  return map;
}

/** Everyone on the roster the session is for, in 学校, 工号 order. */
export async function audienceMembers(db: Db, audience: Audience): Promise<AudienceMember[]> {
  if ('all' in audience) return (await rosterRows(db, null)).map(strip);
  if ('schools' in audience) return (await rosterRows(db, audience.schools)).map(strip);
  const all = await rosterRows(db, null);
  const granted = await grantedRoles(db, null);
  const wanted = audience.roles.map(canonicalRole);
  return all.filter((t) => wanted.some((r) => matchesRole(t, r, granted.get(t.id) ?? new Set()))).map(strip);
}

function strip(t: AudienceMember & Partial<RoleFacts>): AudienceMember {
  return { id: t.id, employeeNo: t.employeeNo, name: t.name, school: t.school, policyId: t.policyId };
}

export async function isInAudience(db: Db, audience: Audience, teacher: TeacherRow): Promise<boolean> {
  if ('all' in audience) return true;
  if ('schools' in audience) return audience.schools.includes(teacher.school);
  const granted = (await grantedRoles(db, [teacher.id])).get(teacher.id) ?? new Set<string>();
  return audience.roles.map(canonicalRole).some((r) => matchesRole(teacher, r, granted));
}

/** How many teachers the session is for, without loading them (the projector asks every few seconds). */
export async function audienceSize(db: Db, audience: Audience): Promise<number> {
  if ('all' in audience) return rosterCount(db, null);
  if ('schools' in audience) return rosterCount(db, audience.schools);
  return (await audienceMembers(db, audience)).length;
}

/** Teachers by id, for the few rows outside the audience (someone moved school after signing in). */
export async function membersById(db: Db, ids: readonly number[]): Promise<Map<number, AudienceMember>> {
  const out = new Map<number, AudienceMember>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await rosterRowsById(db, ids.slice(i, i + 500));
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}
