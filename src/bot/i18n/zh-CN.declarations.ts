/**
 * 学时申报 (issue 13). Four parts are built side by side; each keeps its sentences in its own section object
 * (declarationCore, declarationChat, declarationApproval, declarationEvidence) so their edits do not collide.
 */
import { declarationChat } from './zh-CN.declarations-chat.js';

export { declarationChat };

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
    recordCorrected: (id: number, project: string, before: { hours: number; category: string }, after: { hours: number; category: string }, reason: string) =>
      `你的申报 #${id}「${project}」认定的学时已被培训管理员更正：${before.category} ${h(before.hours)} 学时 → ${after.category} ${h(after.hours)} 学时。原因：${reason}`,
  },
  decided: {
    final: (id: number, name: string, category: string, hours: number, recordKey: string) =>
      `已通过申报 #${id}（最终认定）：${name} ${category} ${h(hours)} 学时已计入学时档案（记录 ${recordKey}）。`,
    onToOffice: (id: number, names: string[]) => `已通过申报 #${id} 的学校审核，已报教育局审核（${names.join('、') || '暂无培训管理员'}）。`,
    returned: (id: number, name: string, reason: string) => `已退回申报 #${id}，原因：${reason}。已通知${name}。`,
    forwarded: (id: number, names: readonly string[]) => `已将申报 #${id} 转交${names.join('、')}审核。`,
  },
  cli: {
    usage:
      'npm run cli -- declarations list [--state 审核中] [--school 学校] [--json] | show <编号> [--json] | approve <编号> --as <工号> | reject <编号> --as <工号> --reason <原因> | export --out <文件.xlsx|文件.csv>',
    badAction: (a: string) => `不认识的操作「${a}」。`,
    badState: (s: string, known: string[]) => `不认识的状态「${s}」。可选：${known.join('、')}`,
    badNumber: (s: string) => `申报编号「${s}」有误，应为数字，例如 12 或 #12。`,
    needAs: '请用 --as <工号> 写明以谁的身份审核（学校负责人或培训管理员）。',
    unknownEmployee: (no: string) => `名册上没有工号「${no}」。`,
    needReason: '退回须写明原因：--reason "原因"（至少 2 个字）。',
    badOut: '导出文件须以 .xlsx 或 .csv 结尾：--out 申报.xlsx',
    none: '没有符合条件的申报。',
    count: (n: number) => `共 ${n} 份申报。`,
    flagsMark: (n: number) => (n > 0 ? `⚠${n}` : ''),
    exported: (n: number, file: string) => `已导出 ${n} 份申报到 ${file}`,
    show: {
      teacher: (name: string, no: string, school: string) => `申报人：${name}（${no}，${school}）`,
      project: (p: string, o: string) => `项目：${p}（主办：${o}）`,
      dates: (r: string) => `日期：${r}`,
      hours: (c: string, n: number) => `类别与学时：${c} ${h(n)} 学时`,
      certificateNo: (no: string) => `证书编号：${no}`,
      state: (state: string, step: string | null) => `状态：${state}${step ? `（${step}）` : ''}`,
      returnReason: (r: string) => `退回原因：${r}`,
      record: (key: string) => `学时记录：${key}`,
      revoked: (when: string, reason: string) => `认定记录已于 ${when} 撤销，原因：${reason}`,
      assignees: (names: string[]) => `当前审核人：${names.join('、')}`,
      evidence: (n: number) => `证明材料：${n} 份`,
      history: '经过：',
      step: (when: string, action: string, who: string, extra: string) => `  ${when} ${action} ${who}${extra ? `：${extra}` : ''}`,
      flags: '重复参训提示：',
    },
    headers: [
      '编号', '工号', '姓名', '学校', '项目', '主办单位', '开始日期', '结束日期', '学时', '类别', '证书编号', '状态', '当前环节', '退回原因',
      '重复提示', '提交时间', '办结时间', '学时记录',
    ] as const,
    sheetName: '学时申报',
  },
  flagLine: (kind: string, other: string) => `⚠ ${FLAG_LABELS[kind] ?? kind}：${other}`,
  flagOtherDeclaration: (id: number, project: string, range: string, state: string) => `申报 #${id}「${project}」${range}（${state}）`,
  flagOtherRecord: (key: string, project: string, date: string, hours: number) => `学时记录 ${key}「${project}」${date} ${h(hours)} 学时`,
};

/** The approver's side: the approval card, 待审申报 / 通过申报 / 退回申报 / 转交申报, the approval page, the console queue, reminders. */
export const declarationApproval = {
  requestTitle: (id: number) => `学时申报待审核 #${id}`,
  decidedTitle: (id: number, state: string) => `学时申报 #${id} · ${state}`,
  requestLines: {
    teacher: (name: string, no: string, school: string) => `申报人：${name}（${no}，${school}）`,
    project: (project: string) => `培训项目：${project}`,
    organiser: (organiser: string) => `主办单位：${organiser}`,
    dates: (range: string) => `培训日期：${range}`,
    hours: (category: string, hours: number) => `类别与学时：${category} ${h(hours)} 学时`,
    certificateNo: (no: string | null) => `证书编号：${no ?? '未填写'}`,
    evidence: (n: number, stored: number) =>
      n === 0 ? '证明材料：未上传' : stored === n ? `证明材料：${n} 份` : `证明材料：${n} 份（${n - stored} 份仍在接收）`,
  },
  flagsHeading: '疑似重复参训（请核对）',
  statusHeading: '办理情况',
  historyLine: (at: string, who: string, action: string, detail: string | null) => `${at} ${who ? `${who} ` : ''}${action}${detail ? `：${detail}` : ''}`,
  status: {
    pending: (step: string, names: string[]) => (names.length ? `${step}中，待 ${names.join('、')} 审核` : `${step}中`),
    approved: (at: string) => `已认定${at ? `（${at}）` : ''}，学时已计入档案`,
    returned: (at: string, reason: string) => `已退回${at ? `（${at}）` : ''}，原因：${reason}`,
    other: (state: string, at: string) => `${state}${at ? `（${at}）` : ''}`,
  },
  buttons: { approve: '通过', return: '退回', forward: '转交', open: '查看详情与证明材料' },
  returnForm: { hint: '要退回，请写明原因（申报人会收到）：', label: '退回原因', placeholder: '例如：证书照片不清晰，请重新上传' },
  openLink: (url: string) => `详情与证明材料（登录后查看）：${url}`,
  requestHowTo: (id: number) => `也可回复「通过申报 ${id}」「退回申报 ${id} 原因」「转交申报 ${id} 工号」。`,
  commands: {
    pending: { summary: '查看待我审核的学时申报（学校负责人、培训管理员）', usage: '待审申报' },
    approve: { summary: '审核通过一份学时申报', usage: '通过申报 <编号>' },
    return: { summary: '退回一份学时申报，须写明原因', usage: '退回申报 <编号> <原因>' },
    forward: { summary: '把一份学时申报转交给其他负责人审核', usage: '转交申报 <编号> <工号>' },
  },
  examples: { pending: '待审申报', approve: '通过申报 12', return: '退回申报 12 证书照片不清楚，请重新拍照上传', forward: '转交申报 12 T0002' },
  args: { id: '请写申报编号（数字），例如 12' },
  pending: {
    empty: '目前没有待你审核的学时申报。',
    header: (n: number) => `待你审核的学时申报（${n} 份）`,
    line: (id: number, name: string, school: string, project: string, category: string, hours: number, days: number, flagged: boolean) =>
      `#${id} ${name}（${school}）「${project}」${category} ${h(hours)} 学时 · ${days > 0 ? `已等 ${days} 天` : '今天提交'}${flagged ? ' · ⚠疑似重复' : ''}`,
    more: (n: number) => `……另有 ${n} 份，请先处理以上各份。`,
    howTo: '发送「通过申报 编号」通过，「退回申报 编号 原因」退回，「转交申报 编号 工号」转交。',
  },
  done: {
    /** Whose declaration, as the decider's reply names it: 张三「国培计划…」. */
    what: (teacherName: string, project: string) => `${teacherName}「${project}」`,
    approvedFinal: (id: number, what: string, category: string, hours: number) => `已通过申报 #${id}：${what}，认定 ${category} ${h(hours)} 学时，已计入学时档案并通知申报人。`,
    approvedToOffice: (id: number, what: string, next: string[]) =>
      `已通过申报 #${id}：${what}。按规定还须教育局审核，已转${next.length ? ` ${next.join('、')} ` : '教育局'}审核。`,
    returned: (id: number, what: string, reason: string) => `已退回申报 #${id}：${what}。原因「${reason}」已告知申报人。`,
    forwarded: (id: number, what: string, to: readonly { name: string; employeeNo: string }[]) =>
      `已把申报 #${id}：${what} 转交 ${to.map((p) => `${p.name}（${p.employeeNo}）`).join('、')} 审核。`,
    escalated: (id: number, what: string) => `申报 #${id}：${what} 已逾期，已上报教育局。`,
  },
  refusals: {
    notYours: (id: number) => `没有找到由你审核的申报 #${id}。请发送「待审申报」查看待你审核的申报。`,
    alreadyDone: (id: number, status: string) => `申报 #${id} 已处理过，无需再操作。目前：${status}。`,
    notYourStep: (id: number, status: string) => `申报 #${id} 目前不需要你处理：${status}。`,
    noLongerYours: '已不在你的审核环节',
    askReason: (id: number) => `退回须写明原因，申报人会看到。请发送「退回申报 ${id} 原因」，例如：退回申报 ${id} 证书照片不清楚，请重新上传`,
    unknownTarget: (no: string) => `名册中没有工号 ${no}，请核对后再转交。`,
    badForward: '只能转交给学校负责人或培训管理员，且不能转交给申报人本人。',
    own: (id: number) => `申报 #${id} 是你本人的申报，须由其他负责人审核。`,
  },
  forwardCandidate: (name: string, no: string, school: string) => `${name}（${no}，${school}）`,
  forwardHowTo: (id: number, names: string[]) =>
    `请发送「转交申报 ${id} 工号」转交。${names.length ? `\n可转交给：${names.join('、')}` : ''}`,
  reminder: {
    title: (n: number) => `学时申报待审核提醒（${n} 份）`,
    intro: (name: string) => `${name}，以下学时申报等待你审核：`,
    line: (id: number, who: string, project: string, days: number) => `#${id} ${who}「${project}」已等 ${days} 天`,
    button: '查看待审申报',
  },
  web: {
    title: (id: number) => `学时申报 #${id}`,
    chooseTitle: '请先登录',
    choose: '审核学时申报前，请用飞书或钉钉登录，确认你的身份。',
    noPlatform: '本系统未接入飞书或钉钉登录，请在聊天中用「通过申报」「退回申报」「转交申报」处理，或请培训管理员在后台处理。',
    staleTitle: '登录已失效',
    stale: '登录已失效，请回到飞书或钉钉，重新点开审批卡片上的链接。',
    loginFailedTitle: '登录没有完成',
    loginFailed: '未能确认你的身份，请稍后重新打开链接。',
    unboundTitle: '还没有绑定名册',
    unbound: (platform: string) => `你的${platform}账号还没有绑定名册，请先在${platform}中向学时助手发送「绑定 工号 姓名」。`,
    platformName: { feishu: '飞书', dingtalk: '钉钉' } as Record<string, string>,
    notFoundTitle: '没有这份申报',
    notFound: '链接有误，或这份申报不存在。',
    forbiddenTitle: '无权查看',
    forbidden: '这份学时申报不由你审核。',
    expiredTitle: '页面已过期',
    expired: '页面已过期或登录已失效，请刷新后重试。',
    signedInAs: (name: string, no: string) => `当前登录：${name}（${no}）`,
    details: '申报内容',
    evidence: '证明材料',
    noEvidence: '申报人未上传证明材料。',
    evidencePending: (name: string) => `${name}（仍在接收，稍后刷新查看）`,
    evidenceRejected: (name: string) => `${name}（文件无法使用）`,
    openFile: (name: string) => `打开 ${name}`,
    evidenceName: (n: number) => `材料 ${n}`,
    history: '办理经过',
    decide: '审核',
    approveHint: '确认内容与证明材料无误后通过。',
    approveButton: '通过',
    approveConfirm: '确定通过这份申报吗？',
    returnLabel: '退回原因（申报人会看到）',
    returnPlaceholder: '例如：证书照片不清楚，请重新拍照上传',
    returnButton: '退回',
    forwardLabel: '转交给',
    forwardPlaceholder: '或填写工号',
    forwardNone: '请选择',
    forwardButton: '转交',
    badAction: '请选择一项操作。',
  },
  console: {
    title: '学时申报审核',
    intro: '教师申报的校外培训学时：核对证明材料后通过、退回（须写原因）或转交。最后一步通过后，学时计入档案并通知教师。',
    filters: { state: '状态', school: '学校', category: '类别', flaggedLabel: '重复参训', flagged: '只看疑似重复', all: '全部', apply: '筛选', reset: '清除筛选' },
    cols: { select: '选择', id: '编号', teacher: '申报人', project: '培训项目', category: '类别', hours: '学时', dates: '培训日期', state: '状态', evidence: '材料', submitted: '提交日期' },
    count: (n: number, more: boolean) => (more ? `前 ${n} 份（请用筛选缩小范围）` : `共 ${n} 份`),
    none: '没有符合条件的申报。',
    flagged: (n: number) => `疑似重复 ${n}`,
    /** A pending declaration nobody may decide (its declarer is the only officer): shown in the queue. */
    needsAnotherOfficer: '需要另一位培训管理员审核',
    selectOne: (id: number) => `选择申报 #${id}`,
    batchApprove: '通过所选申报',
    batchConfirm: '确定通过所选的全部申报吗？请先逐份核对证明材料。',
    batchNone: '请先勾选要通过的申报。',
    batchDone: (approved: number, refused: string[]) =>
      `已通过 ${approved} 份申报。${refused.length ? `另有 ${refused.length} 份未处理：${refused.join(' ')}` : ''}`,
    schoolFirst: '学校审核中：学校审核通过（或逾期未审、上报教育局）后，教育局再审核。',
    noTeacher: '用管理令牌登录时不能审核申报。请在飞书或钉钉中向学时助手发送「后台」，用本人的登录链接进入后台再审核。',
  },
};

const mb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

export const declarationEvidence = {
  tooBig: (maxBytes: number) => `文件超过 ${mb(maxBytes)}`,
  badType: '不是 JPG、PNG、GIF、WebP 图片或 PDF 文件',
  empty: '文件是空的',
  refusedByPlatform: '平台不再提供这个文件（可能已撤回或过期）',
  downloadFailed: '多次下载都没有成功',
  rejected: (kind: 'image' | 'file', name: string | null, reason: string) =>
    `您发送的${name ? `文件「${name}」` : kind === 'image' ? '图片' : '文件'}没有收下：${reason}。请重新发送证书的照片（JPG、PNG 等）或 PDF 文件。`,
};

export const declarationsText = {
  core: declarationCore,
  approval: declarationApproval,
  chat: declarationChat,
  evidence: declarationEvidence,
};
