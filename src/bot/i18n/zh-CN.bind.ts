/** Binding a chat account to the roster, and the one-time codes officers and school leaders bind with. */
export const bindingText = {
  // One answer for every failure: it must not tell an unknown 工号 from a wrong name or a missing code.
  refused:
    '没有绑定成功。请核对工号和姓名（须与名册一致）。培训管理员和学校负责人还须附上绑定码：绑定 <工号> <姓名> <绑定码>，绑定码向培训管理员索取。',
  locked: '绑定尝试次数过多，请 30 分钟后再试。如有疑问，请联系培训管理员。',
  /** What 绑定, 绑定码 and 解绑 say when an argument is missing. */
  args: { employeeNo: '缺少工号', name: '缺少姓名' },
  code: {
    help: { summary: '为培训管理员或学校负责人生成一次性绑定码（培训管理员）', usage: '绑定码 <工号>' },
    issued: (name: string, no: string, code: string, until: string) =>
      `${name}（工号 ${no}）的绑定码：${code}\n${until} 前有效，仅可使用一次；此前发出的绑定码已作废。\n请当面或电话告知本人，由本人发送：绑定 ${no} ${name} ${code}`,
    notNeeded: (name: string, no: string) => `${name}（工号 ${no}）不是培训管理员或学校负责人，本人直接发送「绑定 ${no} ${name}」即可，无需绑定码。`,
    notFound: (no: string) => `名册中没有工号 ${no}。`,
  },
};
