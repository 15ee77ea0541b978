import type { Db } from '../../db/client.js';
import type { Messages } from './i18n/index.js';
import { sharedNames } from './store.js';

export interface NamedTeacher {
  name: string;
  school: string;
  employeeNo: string;
}

/** T0012 → T0***12: enough to tell two people apart in a list, not enough to bind as them. */
export function maskEmployeeNo(no: string): string {
  const s = no.trim();
  if (s.length <= 2) return s;
  if (s.length <= 4) return `${s[0]}***${s[s.length - 1]}`;
  return `${s.slice(0, 2)}***${s.slice(-2)}`;
}

/**
 * The one way a teacher's name is listed (chat, CLI, console): the name alone, or, when the roster holds
 * another teacher of that name, 张伟（一中·T0***12）. Reads the roster once; call per reply or page.
 */
export async function teacherNamer(db: Db, t: Messages): Promise<(teacher: NamedTeacher) => string> {
  const shared = await sharedNames(db);
  return (teacher) => (shared.has(teacher.name) ? t.words.names.told(teacher.name, teacher.school, maskEmployeeNo(teacher.employeeNo)) : teacher.name);
}
