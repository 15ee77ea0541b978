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
