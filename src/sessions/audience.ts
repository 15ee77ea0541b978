import { z } from 'zod';
import type { TeacherRow } from '../ledger/store.js';
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

export type RoleFacts = Pick<TeacherRow, 'id' | 'homeroom' | 'position'>;

/** Whether a teacher holds a canonical role (or, failing that, an exact 职务). */
export function matchesRole(t: RoleFacts, role: string, granted: ReadonlySet<string>): boolean {
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
