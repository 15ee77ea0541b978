import type { HoursSummary } from '../../policy/engine.js';
import { sessionsText } from './zh-CN.sessions.js';
import { scanText } from './zh-CN.scan.js';
import { deadlinesText } from './zh-CN.deadlines.js';
import { broadcastsText } from './zh-CN.broadcasts.js';
import { adminText } from './zh-CN.admin.js';
import { wordsText } from './zh-CN.words.js';
import { bindingText } from './zh-CN.bind.js';
import { ROLE_LABELS } from './zh-CN.roles.js';
import { hoursText, renderHoursReply } from './zh-CN.hours.js';
import { filingText } from './zh-CN.filing.js';
import { correctionsText } from './zh-CN.corrections.js';
import { consoleText } from './zh-CN.console.js';
import { declarationsText } from './zh-CN.declarations.js';
import { policyText } from './zh-CN.policy.js';
import { importText } from './zh-CN.import.js';
import { surveysText } from './zh-CN.surveys.js';
import { cliText } from './zh-CN.cli.js';
import { demoText } from './zh-CN.demo.js';
import { timeText } from './zh-CN.time.js';
import { serverText } from './zh-CN.server.js';

/**
 * Every sentence a person reads. Handlers pick from here; an English file can mirror this shape.
 * Features keep their text in a sibling file (zh-CN.<feature>.ts) and add one key below.
 */
const fmtHours = (h: number) => `${Math.round(h * 10) / 10}`;

export const zhCN = {
  hours: fmtHours,
  sessions: sessionsText,
  scan: scanText,
  deadlines: deadlinesText,
  broadcasts: broadcastsText,
  admin: adminText,
  words: wordsText,
  binding: bindingText,
  hoursReply: hoursText,
  filing: filingText,
  corrections: correctionsText,
  console: consoleText,
  declarations: declarationsText,
  policy: policyText,
  import: importText,
  surveys: surveysText,
  cli: cliText,
  demo: demoText,
  time: timeText,
  server: serverText,
  commands: {
    help: { summary: '查看可用命令', usage: '帮助' },
    bind: { summary: '绑定本人账号与名册（工号、姓名；管理员与学校负责人另附绑定码）', usage: '绑定 <工号> <姓名> [绑定码]' },
    unbind: { summary: '解除某位教师的账号绑定（培训管理员）', usage: '解绑 <工号>' },
    hours: { summary: '查询本周期学时：已修、还差、今年应完成', usage: '学时' },
    records: { summary: '查看本人的学时记录：共几条、翻页、按年份', usage: '记录 [下一页|页码|年份]' },
    whoami: { summary: '查看当前绑定的身份', usage: '我是谁' },
  },
  errors: {
    notBound: '您还没有绑定名册。请发送「绑定 工号 姓名」，例如：绑定 T0001 张三',
    forbidden: (command: string, roles: string[]) =>
      `「${command}」仅限${roles.map((r) => zhCN.whoami.roleNames[r] ?? r).join('或')}使用。如需权限，请联系教师发展中心。`,
    badArgs: (usage: string, problem: string) => `格式不对：${problem}\n用法：${usage}`,
    unknown: (suggestion: string | null) =>
      suggestion
        ? `没听懂这句话。您是想「${suggestion}」吗？发送「帮助」查看全部命令。`
        : '没听懂这句话。可以问我「我还差多少学时」，或发送「帮助」查看全部命令。',
    unsupportedMessage: '目前只能读文字消息。请发送文字，例如「学时」。',
    internal: '抱歉，处理时出了点问题，已记录。请稍后再试。',
    presetMissing: (id: string) => `您所属的政策「${id}」未配置，请联系培训管理员。`,
    otherTeacher: '只能查询本人的学时。如需查看他人情况，请联系学校或培训管理员。',
    /** A bad argument whose schema gave no message of its own. */
    argsInvalid: '参数有误',
  },
  group: {
    answeredPrivately: (name: string) => `${name}，您的学时属于个人信息，已私信发给您，请在与我的单聊中查看。`,
  },
  bind: {
    ok: (name: string, school: string) => `绑定成功：${name}（${school}）。现在可以发送「学时」查询本周期学时。`,
    already: (name: string) => `您已绑定为 ${name}，无需重复绑定。`,
    teacherBoundElsewhere: (no: string) =>
      `工号 ${no} 已绑定了另一个账号。如需更换账号，请联系培训管理员解绑后再绑定。`,
    accountBoundToOther: (name: string) => `您的账号已绑定为 ${name}。如需更换，请联系培训管理员解绑。`,
  },
  unbind: {
    ok: (name: string, n: number) => `已解除 ${name} 的 ${n} 个账号绑定。`,
    none: (name: string) => `${name} 没有绑定任何账号。`,
    notFound: (no: string) => `名册中没有工号 ${no}。`,
  },
  whoami: {
    bound: (name: string, no: string, school: string, roles: string) => `您是 ${name}（工号 ${no}，${school}），身份：${roles}。`,
    roleNames: ROLE_LABELS,
    roleList: (names: string[]) => names.join('、'),
  },
  records: {
    empty: '暂无学时记录。参加培训并签到后，记录会显示在这里。',
    line: (date: string, hours: number, category: string, project: string) =>
      `· ${date}  ${category} ${fmtHours(hours)} 学时${project ? `  ${project}` : ''}`,
  },
  help: {
    header: '学时助手可以帮您：',
    line: (usage: string, summary: string, example?: string) => `· ${usage} — ${summary}${example ? `\n  例：${example}` : ''}`,
    unbound: '绑定名册后，还可以查学时、看记录、培训签到。',
    footer: '也可以直接问：「我还差多少学时？」「今年还要修多少？」',
  },
};

export type Messages = typeof zhCN;

/** The `学时` answer as of a date (see zh-CN.hours.ts). */
export function renderSummaryText(t: Messages, teacherName: string, s: HoursSummary, asOf: string): string {
  return renderHoursReply(t.hoursReply, teacherName, s, asOf);
}
