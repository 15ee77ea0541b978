/**
 * The officer web console (/admin) and the `后台` command: every sentence an officer reads there.
 * Numbers arrive as numbers; formatting helpers live here so the pages stay free of Chinese.
 */
import { adminComplianceText } from './zh-CN.admin-compliance.js';
import { adminDataText } from './zh-CN.admin-data.js';
import { h, int } from './zh-CN.admin-format.js';
import { adminOutreachText } from './zh-CN.admin-outreach.js';

export const adminText = {
  brand: '学时助手',
  brandSub: '培训管理后台',
  hours: h,
  int,
  pct: (n: number, d: number) => (d === 0 ? '—' : `${Math.round((n / d) * 1000) / 10}%`),
  people: (n: number) => `${n.toLocaleString('zh-CN')} 人`,
  hoursText: (n: number) => `${h(n)} 学时`,
  categoryHours: (category: string, hours: number) => `${category} ${h(hours)} 学时`,
  range: (start: string, end: string) => `${start} 至 ${end}`,
  brandMark: '学',
  tooLarge: '请求过大',
  chartTip: (who: string, label: string, n: number) => `${who} · ${label}：${n.toLocaleString('zh-CN')} 人`,
  /** "张三（T0001）", "张三（T0001，一中）": a person as the pages name them. */
  person: (name: string, employeeNo: string) => `${name}（${employeeNo}）`,
  personAt: (name: string, employeeNo: string, school: string) => `${name}（${employeeNo}，${school}）`,
  list: (items: readonly string[]) => items.join('、'),
  quote: (text: string) => `「${text}」`,
  /** A panel title with how many rows it holds. */
  counted: (title: string, n: number) => `${title}（${n}）`,
  /** A label and its value on one line: "发送报告：已完成". */
  labelled: (label: string, value: string) => `${label}：${value}`,
  /** The download name of a piece of evidence its sender gave no name. */
  evidenceFile: (id: number) => `证明材料-${id}`,
  /** A refusal with an example of what would do: "日期…，例如 2026-12-31". */
  withExample: (text: string, example: string) => `${text}，例如 ${example}`,
  /** The 尚差 cell of the overdue export: "师德师风 10；校本研修 5". */
  owed: (items: readonly (readonly [string, string])[]) => items.map(([label, hours]) => `${label} ${hours}`).join('；'),

  command: {
    help: { summary: '获取培训管理后台的一次性登录链接（培训管理员）', usage: '后台' },
    link: (url: string, minutes: number) =>
      `培训管理后台登录链接（${minutes} 分钟内有效，仅可使用一次，请勿转发）：\n${url}\n在电脑浏览器中打开，点击「进入后台」即可。`,
  },

  nav: {
    dashboard: '达标总览',
    imports: '数据导入',
    exports: '数据导出',
    certificates: '学时证明',
    sessions: '培训签到',
    declarations: '学时申报',
    deadlines: '报送截止',
    broadcasts: '通知发布',
    surveys: '评估调研',
    audit: '操作日志',
    logout: '退出登录',
    signedInAs: '当前登录',
    adminToken: '初始管理员',
  },

  status: {
    done: '已完成',
    onPace: '进度正常',
    behind: '进度落后',
    none: '无数值要求',
  } as Record<'done' | 'onPace' | 'behind' | 'none', string>,

  login: {
    title: '登录培训管理后台',
    intro: '请在飞书或钉钉中向「学时助手」发送「后台」，收到一次性登录链接后在本机浏览器打开。',
    tokenHeading: '首次设置：使用管理令牌登录',
    tokenHint: '管理令牌即服务器配置中的 ADMIN_TOKEN，仅供首次设置或应急使用。',
    tokenLabel: '管理令牌',
    tokenSubmit: '登录',
    noToken: '服务器未配置 ADMIN_TOKEN，只能通过「后台」命令获取的链接登录。',
    confirmTitle: '确认登录',
    confirmText: (name: string) => `您将以「${name}」的身份登录培训管理后台。`,
    confirmHint: '此链接仅可使用一次。如果这不是您本人请求的链接，请直接关闭本页。',
    confirmButton: '进入后台',
    refusedTitle: '无法登录',
    invalid: '登录链接无效。请在飞书或钉钉中重新发送「后台」获取新链接。',
    expired: '登录链接已过期（有效期 10 分钟）。请重新发送「后台」获取新链接。',
    used: '登录链接已使用过，每个链接只能使用一次。请重新发送「后台」获取新链接。',
    notOfficer: '您的账号目前没有培训管理员权限，无法登录后台。如需权限，请联系教师发展中心。',
    badToken: '管理令牌不正确。',
    tooMany: (minutes: number) => `登录尝试过于频繁，请 ${minutes} 分钟后再试。`,
    tooManyTitle: '请稍后再试',
    sessionEnded: '登录已失效，请重新登录。',
    loggedOut: '您已退出登录。',
    backToLogin: '返回登录页',
  },

  errors: {
    csrfTitle: '请求未通过安全校验',
    csrf: '页面已过期或请求来源不对，操作没有执行。请返回上一页、刷新后重试。',
    notFoundTitle: '页面不存在',
    notFound: '没有找到这个页面，可能链接有误或内容已被删除。',
    internalTitle: '出了点问题',
    internal: '处理请求时出错，已记录日志。请稍后重试。',
    back: '返回总览',
  },

  common: {
    csrfField: '_csrf',
    back: '返回',
    yes: '是',
    no: '否',
    sortAsc: '升序',
    sortDesc: '降序',
    refresh: '刷新',
  },
  ...adminComplianceText,
  ...adminDataText,
  ...adminOutreachText,
};

export type AdminText = typeof adminText;
