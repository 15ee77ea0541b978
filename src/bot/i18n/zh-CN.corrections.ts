/** Revoking and correcting a credit record (officers): chat, CLI and console share these sentences. */
const h = (n: number) => `${Math.round(n * 100) / 100}`;

/** The console's record page (/admin/records/edit?key=…). */
export const correctionsConsoleText = {
  title: (key: string) => `学时记录 ${key}`,
  crumbs: '合规总览',
  notFound: '没有这条学时记录。',
  record: '记录',
  teacher: '教师',
  date: '日期',
  category: '类别',
  hours: '学时',
  project: '项目',
  source: '来源',
  sources: { import: '导入', session: '培训签到', declaration: '申报' } as Record<string, string>,
  status: '状态',
  active: '计入学时',
  revokedAt: (when: string, reason: string | null) => `已撤销（${when}${reason ? `，原因：${reason}` : ''}），不计入学时`,
  correctTitle: '更正',
  correctHint: '只改需要更正的项；原值记入操作日志。',
  revokeTitle: '撤销',
  revokeHint: '撤销后记录保留、标为已撤销，不再计入学时；操作记入操作日志。',
  reason: '原因（必填）',
  reasonPlaceholder: '例如：按签到表核对，多录了 4 学时',
  correctButton: '保存更正',
  revokeButton: '撤销这条记录',
  revokeConfirm: '确定撤销这条记录？撤销后不再计入学时。',
  manage: '更正或撤销',
  invalid: '未保存，请按提示修改。',
};

export const correctionsText = {
  console: correctionsConsoleText,
  help: {
    revoke: { summary: '撤销一条学时记录（导入或签到产生；保留记录、不再计入，须写原因）（培训管理员）', usage: '撤销记录 <编号> <原因>' },
    correct: {
      summary: '更正一条学时记录的学时、类别或日期（须写原因，原值记入操作日志）（培训管理员）',
      usage: '更正记录 <编号> [学时=8] [类别=师德师风] [日期=2026-03-01] 原因=<原因>',
    },
  },
  missingRef: '缺少记录编号',
  missingReason: '请写明原因（至少 2 个字）',
  notFound: (ref: string) => `没有编号为「${ref}」的学时记录。编号见导入文件的「编号」列或后台教师页的记录列表（也可写 #行号）。`,
  revoked: (name: string, no: string, ref: string, date: string, hours: number, category: string, reason: string) =>
    `已撤销 ${name}（${no}）的记录 ${ref}：${date} ${category} ${h(hours)} 学时，不再计入学时。原因：${reason}`,
  alreadyRevoked: (ref: string, when: string, reason: string | null) => `记录 ${ref} 已于 ${when} 撤销${reason ? `（原因：${reason}）` : ''}，无需重复操作。`,
  corrected: (name: string, no: string, ref: string, changes: string[], reason: string) =>
    `已更正 ${name}（${no}）的记录 ${ref}：${changes.join('，')}。原因：${reason}`,
  change: (label: string, before: string, after: string) => `${label} ${before} → ${after}`,
  labels: { hours: '学时', category: '类别', date: '日期' },
  hoursValue: (n: number) => h(n),
  problems: {
    nothing: '请写明要更正的内容，例如：学时=8、类别=师德师风 或 日期=2026-03-01',
    badHours: (v: string) => `学时「${v}」有误：须为大于 0、不超过 1000 的数，最多两位小数，例如 学时=1.5`,
    badCategory: (v: string, allowed: string[]) => `「${v}」不是该教师所属政策认可的类别。可用类别：${allowed.join('、')}`,
    badDate: (v: string) => `日期「${v}」有误，例如 日期=2026-03-01、日期=2026/3/1 或 日期=3月1日`,
    futureDate: (v: string) => `日期 ${v} 还没到，学时记录的日期不能晚于今天`,
    revoked: '这条记录已撤销，不能更正。如需恢复，请重新导入一条新记录。',
    unchanged: '填写的值与记录现有的值相同，没有需要更正的内容。',
    declarationRepeat: (id: number, hours: number, other: number) =>
      `不能更正：这条记录来自申报 #${id}，改为 ${hours} 学时后将与申报 #${other} 完全相同（同一项目、日期和学时），同一培训不能重复认定。记录未改动。`,
    unknownField: (v: string) => `无法识别「${v}」。可更正：学时=、类别=、日期=，原因写在 原因= 后面`,
  },
};
