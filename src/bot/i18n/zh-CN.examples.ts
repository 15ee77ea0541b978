/**
 * One realistic example per command, shown by 帮助. `date` is a date still ahead of today (from the Clock),
 * so no example ever shows a day that has passed. Each command's declaration picks its example from here.
 */
export interface ExampleDates {
  /** A date ahead of today, YYYY-MM-DD. */
  date: string;
}

export const examplesText = {
  hours: () => '我还差多少学时',
  records: () => '记录 下一页',
  bind: () => '绑定 T0001 张三',
  whoami: () => '我是谁',
  help: () => '帮助',
  unbind: () => '解绑 T0002',
  signIn: () => '签到 975470',
  signOut: () => '签退 975470',
  mySignIns: () => '我签到了吗',
  sessionCreate: ({ date }: ExampleDates) => `新建培训 师德专题讲座 师德师风 3 ${date} 08:30-09:15 对象 学校:一中,二中`,
  sessionStatus: () => '签到情况 12',
  sessionRemind: () => '提醒未签到 12',
  cancelCredit: () => '取消学时 12 T0002 代人签到，本人未到场',
  sessionClose: () => '结束培训 12',
  sessionCancel: () => '取消培训 12 因天气原因改期',
  todo: () => '待办',
  filed: () => '已报送 年度培训计划',
  fileConfirm: () => '确认报送 3',
  unfile: () => '撤销报送 年度培训计划',
  deadlineCreate: ({ date }: ExampleDates) => `新建截止 年度培训计划 ${date} 17:00 全部`,
  deadlineStatus: () => '报送情况 年度培训计划',
  remindersOff: () => '退订提醒',
  remindersOn: () => '订阅提醒',
  broadcast: () => '发布通知 角色:学校负责人 请于本周五前报送年度培训计划',
  broadcastConfirm: () => '确认发布 5',
  broadcastCancel: () => '取消发布 5',
  broadcastProgress: () => '通知进度 5',
  adminLogin: () => '后台',
  bindCode: () => '绑定码 T0002',
  recordRevoke: () => '撤销记录 R2026-015 重复登记',
  recordCorrect: () => '更正记录 R2026-015 学时=6 原因=学时登记有误',
};
