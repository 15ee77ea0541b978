import type { Platform } from '../core/messages.js';
import type { Role } from './roles.js';
import type { TeacherRow } from './store.js';

/** Who is talking: their chat account and, once bound, their roster entry and roles. */
export interface Caller {
  platform: Platform | 'cli';
  accountId: string;
  teacher: TeacherRow | null;
  roles: ReadonlySet<Role>;
}

/** A caller whose account is bound to a roster entry: what every role (teacher, leader, officer) needs first. */
export interface BoundCaller extends Caller {
  teacher: TeacherRow;
}

export function isBound(caller: Caller): caller is BoundCaller {
  return caller.teacher !== null;
}
