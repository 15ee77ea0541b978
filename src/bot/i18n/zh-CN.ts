import type { HoursSummary } from '../../policy/engine.js';
import { sessionsText } from './zh-CN.sessions.js';
import { deadlinesText } from './zh-CN.deadlines.js';
import { broadcastsText } from './zh-CN.broadcasts.js';
import { adminText } from './zh-CN.admin.js';
import { wordsText } from './zh-CN.words.js';
import { bindingText } from './zh-CN.bind.js';
import { ROLE_LABELS } from './zh-CN.roles.js';

/**
 * Every sentence a person reads. Handlers pick from here; an English file can mirror this shape.
 * Features keep their text in a sibling file (zh-CN.<feature>.ts) and add one key below.
 */
const fmtHours = (h: number) => `${Math.round(h * 10) / 10}`;

export const zhCN = {
  hours: fmtHours,
  sessions: sessionsText,
  deadlines: deadlinesText,
  broadcasts: broadcastsText,
  admin: adminText,
  words: wordsText,
  binding: bindingText,
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
  },
  records: {
    empty: '暂无学时记录。参加培训并签到后，记录会显示在这里。',
    line: (date: string, hours: number, category: string, project: string) =>
      `· ${date}  ${category} ${fmtHours(hours)} 学时${project ? `  ${project}` : ''}`,
  },
  help: {
    header: '学时助手可以帮您：',
    line: (usage: string, summary: string) => `· ${usage} — ${summary}`,
    footer: '也可以直接问：「我还差多少学时？」「今年还要修多少？」',
  },
  summary: {
    title: '本周期学时',
    greeting: (name: string) => `${name}老师，您好。`,
    noNumeric: (presetName: string, earned: number) =>
      `${presetName}的培训文件没有规定具体学时要求，因此无法计算还差多少。您本周期已登记 ${fmtHours(earned)} 学时。`,
    totalWaived: (earned: number) => `按文件，您的岗位本周期不计总学时，只需完成下列年度要求。您本周期已登记 ${fmtHours(earned)} 学时。`,
    // Whether the cycle is inferred is said once, in the engine's notes.
    cycle: (start: string, end: string) => `周期：${start} 至 ${end}`,
    totals: (required: number, earned: number, remaining: number) =>
      `应修 ${fmtHours(required)} 学时，已修 ${fmtHours(earned)} 学时，还差 ${fmtHours(remaining)} 学时。`,
    done: '本周期总学时已达标。',
    pace: (expected: number, earned: number, onPace: boolean) =>
      `按进度应完成 ${fmtHours(expected)} 学时，已完成 ${fmtHours(earned)} 学时，${onPace ? '进度正常' : `落后 ${fmtHours(expected - earned)} 学时`}。`,
    owedHeader: '当前还需完成：',
    owedLine: (label: string, owed: number, due: string) => `· ${label} ${fmtHours(owed)} 学时（${due} 前）`,
    owedNone: '当前年度的各项最低要求均已完成。',
    tier: (label: string) => `所属层级：${label}`,
    source: (name: string) => `依据：${name}`,
  },
};

export type Messages = typeof zhCN;

export function renderSummaryText(t: Messages, teacherName: string, s: HoursSummary): string {
  const m = t.summary;
  const lines = [m.greeting(teacherName)];
  if (!s.hasNumericRequirement) {
    lines.push(m.noNumeric(s.presetName, s.earned));
  } else if (s.required === null || s.remaining === null) {
    // The preset has numbers, but the cycle total is waived for this role (e.g. otog principals).
    lines.push(m.totalWaived(s.earned));
  } else {
    if (s.cycleStart && s.cycleEnd) lines.push(m.cycle(s.cycleStart, s.cycleEnd));
    lines.push(m.totals(s.required, s.earned, s.remaining));
    if (s.remaining === 0) lines.push(m.done);
    else if (s.pace) lines.push(m.pace(s.pace.expected, s.pace.earned, s.pace.onPace));
  }
  const owed = s.obligations.filter((o) => o.owed > 0);
  if (owed.length > 0) {
    lines.push(m.owedHeader);
    for (const o of owed) lines.push(m.owedLine(o.label, o.owed, o.dueDate));
  } else if (s.obligations.length > 0) {
    lines.push(m.owedNone);
  }
  if (s.tier) lines.push(m.tier(s.tier.label));
  for (const note of s.notes) lines.push(`注：${note}`);
  return lines.join('\n');
}
