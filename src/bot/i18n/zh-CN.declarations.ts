/**
 * 学时申报 (issue 13). Four parts are built side by side; each keeps its sentences in its own section object
 * (declarationCore, declarationChat, declarationApproval, declarationEvidence) so their edits do not collide.
 */
const h = (n: number) => `${Math.round(n * 100) / 100}`;

const STATE_LABELS: Record<string, string> = {
  draft: '草稿',
  pending: '审核中',
  returned: '已退回',
  approved: '已认定',
  withdrawn: '已撤回',
  rejected: '未通过',
};
const STEP_LABELS: Record<string, string> = { school: '学校审核', office: '教育局审核' };
const ACTION_LABELS: Record<string, string> = {
  submit: '提交',
  approve: '通过',
  return: '退回',
  forward: '转交',
  resubmit: '重新提交',
  withdraw: '撤回',
  escalate: '逾期上报',
};
const FLAG_LABELS: Record<string, string> = {
  certificate_no: '证书编号相同',
  evidence_hash: '证明材料文件相同',
  overlap_record: '与已有学时记录日期重叠',
  overlap_declaration: '与另一份申报日期重叠',
};

/** The rules and the ledger's side: refusals, notices to the teacher, duplicate flags, states. */
export const declarationCore = {
  stateLabels: STATE_LABELS,
  stepLabels: STEP_LABELS,
  actionLabels: ACTION_LABELS,
  flagLabels: FLAG_LABELS,
  revokedMark: '（认定记录已撤销）',
  number: (id: number) => `#${id}`,
  hours: h,
  dateRange: (start: string, end: string) => (start === end ? start : `${start} 至 ${end}`),
  invalid: {
    project: '请填写培训项目名称（不超过 100 字）',
    organiser: '请填写主办单位（不超过 100 字）',
    date: '日期有误，请写成 2026-03-01 这样的日期',
    dateOrder: '结束日期不能早于开始日期',
    futureDate: (d: string) => `结束日期 ${d} 还没到，培训结束后再申报`,
    hours: '学时须为大于 0、不超过 1000 的数，最多两位小数',
    certificateNo: '证书编号不超过 64 个字',
    category: (v: string, allowed: string[]) => `「${v}」不是可申报的类别。可申报：${allowed.join('、')}`,
    evidence: '证明材料有误：只能附本人上传的材料',
    yearCap: (category: string, year: string, cap: number, used: number) =>
      `${year} 年「${category}」最多认定 ${h(cap)} 学时，已认定或审核中的共 ${h(used)} 学时，这次申报会超出上限`,
  },
  refusals: {
    not_found: (id: number) => `没有编号为 #${id} 的申报。`,
    not_assignee: (id: number) => `申报 #${id} 当前不由你审核。`,
    already_decided: (id: number) => `申报 #${id} 你已处理过，无需重复操作。`,
    wrong_state: (id: number, state: string) => `申报 #${id} 当前${STATE_LABELS[state] ?? state}，不能这样操作。`,
    exact_repeat: (other: number) => `同一项目、同样日期和学时的申报已有一份（#${other}），不能重复申报（重复参训）。`,
    no_reason: '退回须写明原因（至少 2 个字）',
    not_owner: (id: number) => `申报 #${id} 不是你的，不能修改或撤回。`,
    bad_forward: '只能转交给学校负责人或培训管理员，且不能转交给申报人本人。',
    no_preset: '你所属的政策没有配置，暂时不能申报，请联系培训管理员。',
  },
  notices: {
    approvedFinal: (id: number, project: string, hours: number, category: string) =>
      `你的申报 #${id}「${project}」已认定：${category} ${h(hours)} 学时，已计入学时档案。`,
    totals: (earned: number, required: number | null, remaining: number | null) =>
      required === null
        ? `本周期已修 ${h(earned)} 学时。`
        : `本周期已修 ${h(earned)} / ${h(required)} 学时，还差 ${h(remaining ?? 0)} 学时。`,
    approvedStep: (id: number, project: string) => `你的申报 #${id}「${project}」学校已审核通过，已报教育局审核。`,
    returned: (id: number, project: string, reason: string) =>
      `你的申报 #${id}「${project}」被退回，原因：${reason}。修改后可重新提交，也可撤回。`,
    recordRevoked: (id: number, project: string, reason: string) =>
      `你的申报 #${id}「${project}」认定的学时记录已被培训管理员撤销，不再计入学时。原因：${reason}`,
  },
  flagLine: (kind: string, other: string) => `⚠ ${FLAG_LABELS[kind] ?? kind}：${other}`,
  flagOtherDeclaration: (id: number, project: string, range: string, state: string) => `申报 #${id}「${project}」${range}（${state}）`,
  flagOtherRecord: (key: string, project: string, date: string, hours: number) => `学时记录 ${key}「${project}」${date} ${h(hours)} 学时`,
};

/** The first, plain-text approval request (the approval part replaces it with cards). */
export const declarationApproval = {
  requestTitle: (id: number) => `学时申报待审核 #${id}`,
  requestLines: {
    teacher: (name: string, no: string, school: string) => `申报人：${name}（${no}，${school}）`,
    project: (project: string, organiser: string) => `项目：${project}（${organiser}）`,
    dates: (range: string) => `日期：${range}`,
    hours: (category: string, hours: number) => `类别与学时：${category} ${h(hours)} 学时`,
    certificateNo: (no: string) => `证书编号：${no}`,
    evidence: (n: number) => `证明材料：${n} 份`,
    step: (step: string) => `审核环节：${step}`,
  },
  requestHowTo: (id: number) => `回复「通过申报 ${id}」通过，「退回申报 ${id} 原因」退回，「转交申报 ${id} 工号」转交。`,
};

export const declarationChat = {};
export const declarationEvidence = {};

export const declarationsText = {
  core: declarationCore,
  approval: declarationApproval,
  chat: declarationChat,
  evidence: declarationEvidence,
};
