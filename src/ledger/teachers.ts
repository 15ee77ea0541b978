import type { TeacherProfile } from '../policy/engine.js';
import type { TeacherRow } from './store.js';

/** The fields the policy engine reads (a roster row's, or an import's values for one): nothing else is copied. */
export function toProfile(t: TeacherProfile): TeacherProfile {
  return {
    employeeNo: t.employeeNo,
    name: t.name,
    school: t.school,
    hireDate: t.hireDate,
    normalGraduate: t.normalGraduate,
    homeroom: t.homeroom,
    position: t.position,
    policyId: t.policyId,
  };
}

/** True when `who` (a 工号, a name, or nothing) refers to the teacher themself. */
export function isSelf(teacher: TeacherRow, who: string | undefined): boolean {
  const named = who?.trim();
  return !named || named === teacher.employeeNo || named === teacher.name || /^(我|我的|本人|自己)$/.test(named);
}
