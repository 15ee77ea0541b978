import { asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { roles, teachers } from '../../db/schema.js';
import type { TeacherRow } from '../ledger/teachers.js';
import { holdsTitle, isHeadOfSchool } from '../ledger/roles.js';

/**
 * Who a session is for. Stored as JSON in training_sessions.audience:
 *   {"all":true} | {"schools":["一中","二中"]} | {"roles":["班主任","校长","leader","officer"]}
 * A role is one of the canonical names below or, failing that, an exact 职务 (teachers.position).
 */
export const AudienceSchema = z.union([
  z.strictObject({ all: z.literal(true) }),
  z.strictObject({ schools: z.array(z.string().min(1)).min(1) }),
  z.strictObject({ roles: z.array(z.string().min(1)).min(1) }),
]);
export type Audience = z.infer<typeof AudienceSchema>;

export const EVERYONE: Audience = { all: true };

/** Canonical role names, and what people type for them. */
const ROLE_ALIASES: Record<string, string> = {
  班主任: '班主任',
  homeroom: '班主任',
  班主任们: '班主任',
  校长: '校长',
  校园长: '校长',
  principals: '校长',
  园长: '校长',
  principal: '校长',
  leader: 'leader',
  leaders: 'leader',
  学校负责人: 'leader',
  负责人: 'leader',
  officer: 'officer',
  officers: 'officer',
  培训管理员: 'officer',
  管理员: 'officer',
};

export function canonicalRole(raw: string): string {
  const key = raw.trim();
  return ROLE_ALIASES[key] ?? ROLE_ALIASES[key.toLowerCase()] ?? key;
}

export function parseAudienceJson(json: string): Audience {
  const parsed = AudienceSchema.safeParse(JSON.parse(json));
  // A hand-edited or unknown shape narrows to nobody rather than everybody.
  return parsed.success ? parsed.data : { schools: ['\u0000'] };
}

export interface AudienceMember {
  id: number;
  employeeNo: string;
  name: string;
  school: string;
  policyId: string;
}

type RoleFacts = Pick<TeacherRow, 'id' | 'homeroom' | 'position'>;

function matchesRole(t: RoleFacts, role: string, granted: ReadonlySet<string>): boolean {
  switch (role) {
    case '班主任':
      return t.homeroom;
    case '校长':
      return isHeadOfSchool(t.position);
    case 'leader':
    case 'officer':
      return granted.has(role);
    default:
      return holdsTitle(t.position, role);
  }
}

function grantedRoles(db: Db, teacherIds: readonly number[] | null): Map<number, Set<string>> {
  const rows = teacherIds === null
    ? db.select().from(roles).all()
    : db.select().from(roles).where(inArray(roles.teacherId, teacherIds as number[])).all();
  const map = new Map<number, Set<string>>();
  for (const r of rows) {
    if (!map.has(r.teacherId)) map.set(r.teacherId, new Set());
    map.get(r.teacherId)!.add(r.role);
  }
  return map;
}

/** Everyone on the roster the session is for, in 学校, 工号 order. */
export function audienceMembers(db: Db, audience: Audience): AudienceMember[] {
  const columns = {
    id: teachers.id,
    employeeNo: teachers.employeeNo,
    name: teachers.name,
    school: teachers.school,
    policyId: teachers.policyId,
    homeroom: teachers.homeroom,
    position: teachers.position,
  };
  const order = [asc(teachers.school), asc(teachers.employeeNo)];
  if ('all' in audience) return db.select(columns).from(teachers).orderBy(...order).all().map(strip);
  if ('schools' in audience) {
    return db.select(columns).from(teachers).where(inArray(teachers.school, audience.schools)).orderBy(...order).all().map(strip);
  }
  const all = db.select(columns).from(teachers).orderBy(...order).all();
  const granted = grantedRoles(db, null);
  const wanted = audience.roles.map(canonicalRole);
  return all.filter((t) => wanted.some((r) => matchesRole(t, r, granted.get(t.id) ?? new Set()))).map(strip);
}

function strip(t: AudienceMember & Partial<RoleFacts>): AudienceMember {
  return { id: t.id, employeeNo: t.employeeNo, name: t.name, school: t.school, policyId: t.policyId };
}

export function isInAudience(db: Db, audience: Audience, teacher: TeacherRow): boolean {
  if ('all' in audience) return true;
  if ('schools' in audience) return audience.schools.includes(teacher.school);
  const granted = grantedRoles(db, [teacher.id]).get(teacher.id) ?? new Set<string>();
  return audience.roles.map(canonicalRole).some((r) => matchesRole(teacher, r, granted));
}

/** How many teachers the session is for, without loading them (the projector asks every few seconds). */
export function audienceSize(db: Db, audience: Audience): number {
  if ('all' in audience) return db.select({ n: sql<number>`count(*)` }).from(teachers).get()?.n ?? 0;
  if ('schools' in audience) return db.select({ n: sql<number>`count(*)` }).from(teachers).where(inArray(teachers.school, audience.schools)).get()?.n ?? 0;
  return audienceMembers(db, audience).length;
}

/** Teachers by id, for the few rows outside the audience (someone moved school after signing in). */
export function membersById(db: Db, ids: readonly number[]): Map<number, AudienceMember> {
  const out = new Map<number, AudienceMember>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = db
      .select({ id: teachers.id, employeeNo: teachers.employeeNo, name: teachers.name, school: teachers.school, policyId: teachers.policyId })
      .from(teachers)
      .where(inArray(teachers.id, ids.slice(i, i + 500) as number[]))
      .all();
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

export function teacherById(db: Db, id: number): TeacherRow | null {
  return db.select().from(teachers).where(eq(teachers.id, id)).get() ?? null;
}
