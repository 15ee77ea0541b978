/**
 * How roles read, everywhere (chat, CLI, console): stored keys (leader, officer, …) never reach a person.
 * English keys are still accepted on input as aliases (src/broadcasts/audience.ts, src/sessions/audience.ts).
 */
export const ROLE_LABELS: Record<string, string> = {
  teacher: '教师',
  leader: '学校负责人',
  officer: '培训管理员',
  homeroom: '班主任',
  principal: '校长',
};

/** A stored role key in Chinese; anything else (a 职务 such as 副校长) as it is. */
export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role;
}
