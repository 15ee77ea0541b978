/**
 * 学时申报, the teacher's side in chat: the step-by-step form, 我的申报, 重新申报, 撤回申报. Kept beside
 * zh-CN.declarations.ts (which re-exports it as `declarationChat`) so neither file grows past a screenful.
 */
import { cnDate } from './zh-CN.hours.js';

const hoursText = (n: number) => `${Math.round(n * 100) / 100}`;
const rangeText = (start: string, end: string) => (start === end ? cnDate(start) : `${cnDate(start)}至${cnDate(end)}`);

/** The wizard's fields as the teacher names them (修改 项目), first name shown. */
const FIELD_NAMES = {
  project: ['项目', '项目名称', '培训项目', '名称'],
  organiser: ['主办单位', '主办', '单位', '组织单位', '举办单位'],
  dates: ['日期', '时间', '培训日期', '培训时间'],
  hours: ['学时', '学时数', '时数'],
  category: ['类别', '类型', '分类'],
  certificateNo: ['证书编号', '证书号', '编号', '证书'],
  evidence: ['材料', '证明材料', '照片', '图片', '附件', '证明', 'pdf'],
} as const;

/** 学时申报 in chat: the teacher's step-by-step form, 我的申报, 重新申报 and 撤回申报. */
export const declarationChat = {
  fieldNames: FIELD_NAMES,
  help: {
    declare: { summary: '申报在外参加的培训学时（一步步填写，附证书照片或 PDF）', usage: '申报' },
    mine: { summary: '查看我的学时申报和审核进度', usage: '我的申报' },
    resubmit: { summary: '修改被退回的申报并重新提交', usage: '重新申报 <编号>' },
    withdraw: { summary: '撤回还在审核中或被退回的申报', usage: '撤回申报 <编号>' },
    answer: { summary: '提交填写好的学时申报', usage: '确认提交' },
    form: { summary: '飞书表单卡片提交的学时申报（由按钮发送）', usage: '申报表单 <表单内容>' },
  },
  example: { declare: '申报', mine: '我的申报', resubmit: '重新申报 12', withdraw: '撤回申报 12' },
  badId: '申报编号应为数字，例如「重新申报 12」',
  start: '好的，我们来申报学时。一共 7 步，随时可以回复「上一步」「修改 日期」这样改，或回复「取消」放弃。',
  resumed: '你有一份还没填完的学时申报，接着填：',
  form: {
    title: '学时申报',
    hint: '也可以在这里一次填好，点「提交表单」（照片或 PDF 之后在对话里发送）：',
    submit: '提交表单',
    placeholders: {
      project: '例如：2025年国培计划乡村教师能力提升培训',
      organiser: '例如：广西师范大学继续教育学院',
      dates: '例如：2025-03-01至03-05',
      hours: '例如：24',
      category: '请选择类别',
      certificateNo: '没有可不填',
    } as Record<string, string>,
    received: '表单已收到。',
    wrongField: (stepName: string, problem: string) => `${stepName}：${problem}`,
    wrongFields: (lines: string[]) => `表单里有 ${lines.length} 项需要改：\n${lines.map((l) => `· ${l}`).join('\n')}\n其余已保存，请在对话里接着填：`,
    notJson: '表单内容读不出来，请在对话里一步步填写：',
  },
  prompts: {
    project: '请发送培训项目名称，例如：2025年国培计划乡村教师能力提升培训',
    organiser: '请发送主办单位，例如：广西师范大学继续教育学院',
    dates: '请发送培训日期：一天写 2025-03-01，几天写 2025-03-01至03-05',
    hours: '请发送获得的学时数，例如：24',
    category: (choices: readonly string[]) => `请选择学时类别，回复序号：\n${choices.map((c, i) => `${i + 1}. ${c}`).join('\n')}`,
    certificateNo: '请发送证书编号；没有编号请回复「跳过」',
    evidence: '请发送证书或结业证明的照片，或 PDF 文件（可以发多份，发完回复「完成」）',
  },
  stepMark: (n: number, total: number) => `（第 ${n}/${total} 步）`,
  wrong: (problem: string) => `${problem}。草稿已保留，请重新发送：`,
  problems: {
    emptyText: '没有收到文字',
    tooLong: (max: number) => `不能超过 ${max} 个字`,
    dateUnreadable: (raw: string) => `看不出「${raw}」是哪一天`,
    dateReason: (reason: string) => `日期有误：${reason}`,
    dateOrder: (start: string, end: string) => `结束日期（${cnDate(end)}）早于开始日期（${cnDate(start)}）`,
    futureDate: (end: string) => `结束日期${cnDate(end)}还没到，培训结束后再申报`,
    rangeTooLong: (days: number) => `日期跨度 ${days} 天，超过一年，请分开申报`,
    hoursUnreadable: (raw: string) => `「${raw}」不是学时数，请只写数字，例如 24 或 1.5`,
    hoursRange: (max: number) => `学时须大于 0，且一次申报不超过 ${max} 学时`,
    hoursDecimals: '学时最多保留两位小数',
    categoryUnknown: (raw: string) => `没有「${raw}」这个选项`,
    certificateNo: '证书编号不超过 64 个字',
  },
  evidence: {
    received: (added: number, total: number) => `已收到 ${added} 份证明材料（共 ${total} 份）。可以继续发送，发完回复「完成」。`,
    receivedAside: (added: number, total: number) => `已收到 ${added} 份证明材料（共 ${total} 份），先存在草稿里。`,
    needed: '还没有收到证明材料：请发送证书照片或 PDF 文件，发完回复「完成」',
    resubmitAdds: '新发的材料会加在原有材料后面。',
    cleared: '已清空刚才发的材料，请重新发送。',
    dropped: (n: number, left: number) => `有 ${n} 份材料没有收下，已从草稿中去掉（还剩 ${left} 份）。`,
  },
  words: {
    cancel: ['取消', '取消申报', '不申报了', '放弃', '算了', '退出'],
    back: ['上一步', '返回', '返回上一步', '后退'],
    edit: ['修改', '更改', '改'],
    /** The edit word that counts only glued to a field name (改学时); 改天再说 is not an edit. */
    editGlued: '改',
    confirm: ['确认提交', '确认', '提交', '确定', '确定提交'],
    skip: ['跳过', '无', '没有', '没有编号', '不填', '略过'],
    done: ['完成', '好了', '发完了', '没有了', '下一步', '就这些', 'ok', '好'],
  },
  atFirstStep: '已经是第一步了。',
  backTo: '回到上一步：',
  editWhich: (names: readonly string[]) => `要修改哪一项？请回复「修改 项目」这样的格式。可修改：${names.join('、')}`,
  cancelled: '已取消这次申报，草稿已删除。需要时再发「申报」。',
  noDraft: '现在没有正在填写的学时申报。要申报请发「申报」。',
  notYet: '还没填完，先完成这一步：',
  summaryTitle: '请核对学时申报',
  resubmitTitle: (id: number) => `修改申报 #${id} 后重新提交`,
  returnedBecause: (reason: string) => `退回原因：${reason}`,
  summary: {
    project: (v: string) => `项目：${v}`,
    organiser: (v: string) => `主办单位：${v}`,
    dates: (start: string, end: string) => `日期：${rangeText(start, end)}`,
    hours: (n: number) => `学时：${hoursText(n)}`,
    category: (v: string) => `类别：${v}`,
    certificateNo: (v: string | null) => `证书编号：${v ?? '无'}`,
    evidence: (fresh: number, kept: number) =>
      kept > 0 ? `证明材料：原有 ${kept} 份${fresh > 0 ? `，新增 ${fresh} 份` : ''}` : `证明材料：${fresh} 份`,
  },
  confirmHow: '无误请回复「确认提交」；要改哪项就回复「修改 日期」这样的格式；回复「取消」放弃。',
  buttons: { confirm: '确认提交', cancel: '取消' },
  submitted: (id: number, firstStep: string) => `已提交，申报编号 #${id}，等待${firstStep}。进度可发「我的申报」查看。`,
  submittedFlagged: (id: number) => `已提交，审核人会核对。申报编号 #${id}，进度可发「我的申报」查看。`,
  resubmitted: (id: number) => `申报 #${id} 已重新提交，等待审核。`,
  /** Nobody but the declarer could decide it (they are the only officer, or there is no leader and no officer). */
  noApprover: (id: number, declarerIsOfficer: boolean) =>
    declarerIsOfficer
      ? `申报 #${id} 已提交，但目前没有人能审核：您是唯一的培训管理员，不能审核自己的申报。请为另一位同事开通培训管理员（npm run cli -- officer add <工号>），由其在后台「学时申报」中审核。`
      : `申报 #${id} 已提交，但目前没有人能审核：您学校没有登记学校负责人，也还没有培训管理员。请联系教师发展中心。`,
  firstStep: { school: '学校审核', office: '教师发展中心审核' } as Record<string, string>,
  exactRepeat: (id: number, project: string, start: string, end: string, hours: number, state: string) =>
    `这份申报和你已有的申报 #${id}「${project}」（${rangeText(start, end)}，${hoursText(hours)} 学时，${state}）完全相同，不能重复申报。如有填错，可回复「修改 …」改正后再提交，或回复「取消」。`,
  refused: (detail: string) => `没能提交：${detail}\n可回复「修改 …」改正后再提交，或回复「取消」。`,
  kept: (stepName: string) => `（你的学时申报草稿还在，停在「${stepName}」这一步；直接回复即可接着填，回复「取消」放弃。）`,
  stepNames: {
    project: '项目名称',
    organiser: '主办单位',
    dates: '培训日期',
    hours: '学时',
    category: '类别',
    certificateNo: '证书编号',
    evidence: '证明材料',
    confirm: '确认提交',
  } as Record<string, string>,
  expired: (project: string | null) =>
    `你${project ? `「${project}」` : ''}的学时申报草稿一天没有填完，已自动作废。需要时请重新发「申报」。`,
  mine: {
    none: '你还没有学时申报。要申报请发「申报」。',
    header: (n: number) => `你的学时申报（共 ${n} 份）：`,
    line: (id: number, project: string, start: string, end: string, hours: number, category: string, state: string) =>
      `#${id}「${project}」${rangeText(start, end)} · ${category} ${hoursText(hours)} 学时 · ${state}`,
    reason: (reason: string) => `  退回原因：${reason}`,
    returnedHow: (id: number) => `  可回复「重新申报 ${id}」修改后重交，或「撤回申报 ${id}」`,
    more: (n: number) => `……还有 ${n} 份较早的申报未列出。`,
  },
  states: {
    school: '待学校审核',
    office: '待教师发展中心审核',
    approved: '已通过',
    returned: '已退回',
    withdrawn: '已撤回',
    rejected: '未通过',
    draft: '草稿',
  } as Record<string, string>,
  resubmit: {
    notReturned: (id: number, state: string) => `申报 #${id} 当前「${state}」，只有被退回的申报可以重新申报。`,
    draftOpen: '你还有一份正在填写的申报，请先「确认提交」或「取消」它。',
  },
  withdrawn: (id: number, project: string) => `申报 #${id}「${project}」已撤回。`,
  notFound: (id: number) => `没有找到你的申报 #${id}。发「我的申报」可查看编号。`,
  cannotWithdraw: (id: number, state: string) => `申报 #${id} 当前「${state}」，不能撤回。`,
};
