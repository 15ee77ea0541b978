/** One-line usages, shared by main.ts's help (without loading the commands) and each command's errors. */
export const IMPORT_USAGE = 'npm run cli -- import teachers|records <文件.csv|文件.xlsx> [--skip-invalid] [--dry-run] [--stats]';
export const HOURS_USAGE = 'npm run cli -- hours <工号> [--as-of <日期>] [--json]';
export const OFFICER_USAGE = 'npm run cli -- officer add <工号> | officer remove <工号> | officer list';
export const DEMO_USAGE = 'npm run cli -- demo';
export const BIND_CODE_USAGE = 'npm run cli -- bind-code <工号>';
export const RECORDS_USAGE =
  'npm run cli -- records revoke <编号> --reason <原因> | records correct <编号> [--hours 8] [--category 师德师风] [--date 2026-03-01] --reason <原因>';
export const DECLARATIONS_USAGE = 'npm run cli -- declarations list|show|approve|reject|export …（npm run cli -- declarations help 查看详情）';
