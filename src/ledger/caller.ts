import type { Platform } from '../core/messages.js';
import type { Role } from './roles.js';
import type { TeacherRow } from './store.js';

/** Who is talking: their chat account and, once bound, their roster entry and roles. */
export interface Caller {
  platform: Platform | 'cli';
  accountId: string;
  teacher: TeacherRow | null;
  roles: ReadonlySet<Role>;
  /** The school this caller leads: their own, when they hold the leader role; otherwise null. */
  leads: string | null;
}

/** A caller whose account is bound to a roster entry: what every role (teacher, leader, officer) needs first. */
export interface BoundCaller extends Caller {
  teacher: TeacherRow;
}

/** Every bound caller is a teacher (rolesOf gives each rostered teacher that role): what `allow: ['teacher']` admits. */
export type TeacherCaller = BoundCaller;

/** A school leader (校长/园长 granted the leader role): the school it leads is always there. */
export interface LeaderCaller extends BoundCaller {
  leads: string;
}

/** Marks a caller known to hold the officer role; exists only in types (isOfficer is the runtime check). */
declare const officerRole: unique symbol;

/** An officer of the training office (教师发展中心): may act on every school. */
export interface OfficerCaller extends BoundCaller {
  readonly [officerRole]: true;
}

/** The caller for one role, as `allow` admits it. */
export type CallerWithRole<R extends Role> = R extends 'leader' ? LeaderCaller : R extends 'officer' ? OfficerCaller : TeacherCaller;

/** Builds a caller from what the roster says about an account: the one place `leads` is derived. */
export function callerOf(platform: Caller['platform'], accountId: string, teacher: TeacherRow | null, roles: ReadonlySet<Role>): Caller {
  return { platform, accountId, teacher, roles, leads: teacher && roles.has('leader') ? teacher.school : null };
}

export function isBound(caller: Caller): caller is BoundCaller {
  return caller.teacher !== null;
}

export function isLeader(caller: Caller): caller is LeaderCaller {
  return isBound(caller) && caller.roles.has('leader') && caller.leads !== null;
}

export function isOfficer(caller: Caller): caller is OfficerCaller {
  return isBound(caller) && caller.roles.has('officer');
}

/** Whether the caller holds `role`, narrowing it to that role's caller type. */
export function holdsRole<R extends Role>(caller: Caller, role: R): caller is CallerWithRole<R> {
  if (role === 'leader') return isLeader(caller);
  if (role === 'officer') return isOfficer(caller);
  return isBound(caller) && caller.roles.has(role);
}
