/** 已报送 asks first; 确认报送 files; 撤销报送 takes a filing back the same day. */
export const filingText = {
  help: {
    confirm: { summary: '确认本校某事项已报送（学校负责人，回复「已报送」后的确认）', usage: '确认报送 <事项编号>' },
    undo: { summary: '撤销当天误点的报送，事项恢复未报送、继续提醒（报送人或培训管理员）', usage: '撤销报送 <事项编号或标题> [学校:一中]' },
  },
  /** What 确认报送 and 撤销报送 say when the 事项 is missing. */
  args: { confirm: '缺少事项编号', undo: '缺少事项编号或标题' },
  confirmTitle: '请确认报送',
  ask: (id: number, title: string, school: string, due: string) =>
    `请确认：${school} 已报送「${title}」（#${id}，截止 ${due}）？\n确认请回复「确认报送 ${id}」（或点下方按钮），确认后本校不再收到该事项的提醒。`,
  confirmButton: '确认已报送',
  undone: (id: number, title: string, school: string) =>
    `已撤销 ${school} 对「${title}」（#${id}）的报送：该事项恢复为未报送，提醒将照常发送。`,
  notFiled: (title: string, school: string) => `${school} 尚未报送「${title}」，无需撤销。`,
  notFiler: (title: string, school: string) => `${school} 的「${title}」不是您报送的。只有报送人或培训管理员可以撤销。`,
  notToday: (title: string, school: string, when: string) =>
    `${school} 于 ${when} 报送「${title}」，只能在报送当天撤销。如需更正，请联系培训管理员。`,
  whichSchool: (id: number) => `请写明要撤销哪所学校的报送，例如「撤销报送 ${id} 学校:一中」。`,
};
