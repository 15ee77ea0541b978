/**
 * 学时证明: the printed certificate (PDF) and the public verify page. One catalogue so the paper and the page say
 * the same words; figures are formatted exactly as the `学时` answer formats them.
 */
import { cnDate } from './zh-CN.hours.js';

const h = (n: number) => `${Math.round(n * 10) / 10}`;

/** How a record came into the ledger, as printed in the 来源 column. */
const SOURCES: Record<string, string> = { import: '导入', session: '现场签到', correction: '更正', manual: '登记' };

export const certificatesText = {
  title: '教师继续教育学时证明',
  yearTitle: (year: number) => `教师继续教育学时证明（${year}年度）`,
  intro: (name: string, asOf: string) => `兹证明 ${name} 老师截至${cnDate(asOf)}的继续教育学时登记情况如下：`,
  labels: { name: '姓名', employeeNo: '工号', school: '学校', cycle: '培训周期', serial: '证明编号', issuedOn: '开具日期' },
  cycle: (start: string | null, end: string | null) => (start && end ? `${cnDate(start)}至${cnDate(end)}` : '未规定'),
  totals: (required: number | null, earned: number, remaining: number | null) =>
    required === null
      ? `已修 ${h(earned)} 学时（文件未规定周期应修学时）`
      : `应修 ${h(required)} 学时　已修 ${h(earned)} 学时　${remaining && remaining > 0 ? `尚差 ${h(remaining)} 学时` : '已修满'}`,
  yearEarned: (year: number, earned: number) => `其中 ${year} 年度登记 ${h(earned)} 学时。`,
  recordsHeading: '学时明细',
  groupHeading: (year: string, category: string, total: number) => `${year}年 · ${category}（合计 ${h(total)} 学时）`,
  columns: { date: '日期', project: '项目', hours: '学时', source: '来源' },
  noRecords: '（无登记记录）',
  hours: h,
  source: (s: string) => SOURCES[s] ?? s,
  date: cnDate,
  verifyHint: '扫描二维码或访问下列网址核验本证明：',
  footer: (office: string) => office,
  page: {
    title: '学时证明核验',
    valid: '本证明有效',
    revoked: '本证明已作废',
    revokedOn: (date: string, reason: string) => `作废日期：${cnDate(date)}；原因：${reason}`,
    unchanged: '按证明所列截止日期重新核算，学时数字与证明一致。',
    changed: '注意：按证明所列截止日期重新核算，学时数字与证明不一致（登记记录在开具后有变更），请以最新证明为准。',
    notFound: '未找到该编号的学时证明。请核对编号是否与证明上的一致。',
    tooMany: '查询过于频繁，请稍后再试。',
    printed: '证明所载内容',
    kind: '证明类型',
    asOfLabel: '学时统计截至',
    hoursLabel: '学时',
    earnedNow: '（核算结果）',
  },
  /** "证明编号：ABCD-…", "开具日期：…": a label and its value on the paper. */
  labelled: (label: string, value: string) => `${label}：${value}`,
  /** The PDF's file name: 学时证明-<工号>-<year>-<first 4 of the serial>.pdf. */
  fileName: (employeeNo: string, year: string, serialHead: string) => `学时证明-${employeeNo}-${year}-${serialHead}.pdf`,
  /** The 培训档案 workbook beside a batch's ZIP: one sheet per school, two header rows. */
  archive: {
    fileName: (base: string) => `${base}-培训档案.xlsx`,
    sheetFallback: '学校',
    headers: ['工号', '姓名', '周期', '应修', '已修', '尚差', '证明编号'],
    year: (year: string) => `${year}年`,
    cycle: (start: string, end: string) => `${start} 至 ${end}`,
  },
};

export type CertificatesText = typeof certificatesText;

/** The chat side of 学时证明: the command's help and its answers. */
export const certificateChat = {
  help: { summary: '开具本人的学时证明（PDF 文件）', usage: '学时证明 [年份]' },
  example: '学时证明 2025',
  badYear: '年份应为四位数字，例如「学时证明 2025」。',
  yearOutOfRange: (year: string) => `年份 ${year} 不在可开具的范围内（不能晚于今年）。`,
  unavailable: '学时证明暂时无法开具，请联系培训办。',
  issued: (name: string, serial: string, url: string) => `已为${name}老师开具学时证明，编号 ${serial}，文件随后发送。\n核验网址：${url}`,
  consoleSaved: (path: string) => `学时证明已保存到：${path}`,
};

/** The officer console's 学时证明 page: batch export, the list of issued certificates, revocation. */
export const certificateConsole = {
  title: '学时证明',
  intro: '为一所学校或全部学校批量开具学时证明（每位教师一份 PDF，连同培训档案表打包为 ZIP），查询已开具的证明，作废有误的证明。',
  exportHeading: '批量开具',
  exportNote: '每位教师开具一份新的学时证明并记录在案，与教师在聊天中开具的相同。人数多时需要几分钟：可以离开本页，稍后在下方下载。',
  school: '学校',
  allSchools: '全部学校',
  start: '开始生成',
  recent: '最近的批量开具',
  noRecent: '还没有批量开具。',
  when: '时间',
  scope: '范围',
  state: '状态',
  download: '下载',
  phases: { queued: '排队中', running: '生成中', done: '已完成', failed: '失败' } as Record<string, string>,
  progress: (done: number, total: number) => `${done} / ${total} 份`,
  zip: '证明 ZIP',
  workbook: '培训档案',
  jobTitle: (label: string) => `批量开具学时证明：${label}`,
  jobRunning: '生成中，请稍候。本页会自动更新；也可以离开本页，稍后在「学时证明」页下载。',
  jobQueued: '排队中：前一次批量开具完成后开始。',
  jobDone: (n: number, kb: number) => `已开具 ${n} 份学时证明（ZIP 共 ${kb.toLocaleString('zh-CN')} KB，内含每位教师的 PDF 和培训档案表）。`,
  jobNotFound: '找不到这次批量开具（服务重启后列表会清空，请重新生成）。',
  failed: '生成失败，请稍后重试；若仍失败，请查看服务日志。',
  noTeachers: '所选学校没有教师，无需开具。',
  policyMissing: (p: string) => `名册中的政策「${p}」未配置，无法开具。`,
  sealMissing: 'OFFICE_SEAL_PATH 指向的印章图片不存在，请改正配置后再生成。',
  unknownSchool: '请选择名册中的学校。',
  emptyRoster: '名册中还没有教师，请先导入名册。',
  started: (label: string, n: number) => `已开始为${label}的 ${n} 位教师开具学时证明。`,
  fileBase: (label: string, date: string, id: string) => `学时证明-${label}-${date}-${id}`,
  workbookEntry: '培训档案.xlsx',
  listHeading: '已开具的证明',
  search: '工号或证明编号',
  searchButton: '查询',
  clear: '显示全部',
  none: '还没有开具过学时证明。',
  noMatch: (q: string) => `没有工号或证明编号为「${q}」的证明。`,
  columns: { serial: '证明编号', name: '姓名', employeeNo: '工号', school: '学校', kind: '类型', hours: '学时', issuedOn: '开具日期', via: '开具途径', status: '状态' },
  kindCycle: '培训周期',
  kindYear: (year: number) => `${year} 年度`,
  via: { chat: '教师本人（聊天）', cli: '命令行', console: '后台' },
  valid: '有效',
  revokedOn: (date: string) => `已作废 ${date}`,
  reason: '作废原因',
  reasonPlaceholder: '例如：信息有误，已重新开具',
  revoke: '作废',
  revokeConfirm: (serial: string) => `确定作废证明 ${serial} 吗？作废后核验页面将显示“已作废”，不能恢复。`,
  revokedOk: (serial: string) => `已作废学时证明 ${serial}，核验页面将显示“已作废”。`,
  reasonRequired: '请写明作废原因。',
  reasonTooLong: (max: number) => `作废原因请控制在 ${max} 字以内。`,
  notRevocable: '没有这张有效的证明（编号不存在或已作废）。',
  verify: '核验页',
  pageOf: (page: number, pages: number, total: number) => `第 ${page} / ${pages} 页，共 ${total.toLocaleString('zh-CN')} 份`,
  list: (items: readonly string[]) => items.join('、'),
};
