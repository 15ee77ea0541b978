/**
 * The `学时` answer (chat, console chat and the CLI's `hours` without --json): what a teacher reads about their own
 * hours. Plain words only — no engine remarks, preset ids or document jargon; every figure exact, every date a
 * Beijing calendar date written the Chinese way.
 */
import type { HoursSummary, Obligation } from '../../policy/engine.js';

const h = (n: number) => `${Math.round(n * 10) / 10}`;

/** 2026-11-25 → 2026年11月25日. */
export const cnDate = (ymd: string) => `${Number(ymd.slice(0, 4))}年${Number(ymd.slice(5, 7))}月${Number(ymd.slice(8, 10))}日`;

/** Which stretch of time a minimum covers, in words. */
function scopeOf(o: Obligation): string {
  if (o.key === 'induction') return '入职一年内';
  if (o.windowStart.endsWith('-01-01') && o.windowEnd.endsWith('-12-31')) return `${o.windowStart.slice(0, 4)}年全年`;
  if (o.windowStart.endsWith('-09-01')) return `${o.windowStart.slice(0, 4)}—${o.windowEnd.slice(0, 4)}学年`;
  return `${cnDate(o.windowStart)}至${cnDate(o.windowEnd)}`;
}

export const hoursText = {
  greeting: (name: string, asOf: string) => `${name}老师，您好。以下是截至${cnDate(asOf)}的学时情况：`,
  noNumeric: (region: string, earned: number) =>
    `${region}的培训文件没有规定每位教师要修多少学时，所以无法计算还差多少。您已登记 ${h(earned)} 学时，请按学校的安排参加培训。`,
  notStarted: '文件规定的培训周期还没有开始，目前没有学时要求。',
  principal: (earned: number) => `按规定，校（园）长不计教师的周期总学时，完成下面的年度要求即可。本周期您已登记 ${h(earned)} 学时。`,
  cycle: (start: string, end: string, required: number, earned: number, remaining: number) =>
    remaining > 0
      ? `本周期（${cnDate(start)}至${cnDate(end)}）应修 ${h(required)} 学时，已修 ${h(earned)} 学时，还差 ${h(remaining)} 学时。`
      : `本周期（${cnDate(start)}至${cnDate(end)}）应修 ${h(required)} 学时，已修 ${h(earned)} 学时，已经修满。`,
  /**
   * The cycle's even pace; `hired` when it is counted from the hire date rather than the cycle start; `slower` the
   * yearly minimums that are behind although the total is not.
   */
  pace: (asOf: string, expected: number, earned: number, hired: string | null, slower: string[]) => {
    const line = `${hired ? `从您入职的${cnDate(hired)}起` : ''}按时间平均计算，到${cnDate(asOf)}应修 ${h(expected)} 学时，您已修 ${h(earned)} 学时`;
    if (earned < expected) return `进度落后：${line}，差 ${h(expected - earned)} 学时。`;
    if (slower.length > 0) return `总学时进度正常：${line}；但${slower.join('、')}落后于进度，见下。`;
    return `进度正常：${line}。`;
  },
  /** Cycle on pace (or none), but a yearly minimum is behind. */
  minimumsBehind: (labels: string[]) => `进度落后：${labels.join('、')}落后于进度，见下。`,
  minimumsOnPace: '进度正常。',
  owedHeader: '还需完成：',
  owedLine: (o: Obligation) => {
    const behind = o.earned < o.expected ? `；按进度此时应完成 ${h(o.expected)} 学时，您已完成 ${h(o.earned)} 学时` : '';
    return `· ${o.label}：还差 ${h(o.owed)} 学时，${cnDate(o.dueDate)}前完成（${scopeOf(o)}共需 ${h(o.required)} 学时${behind}）`;
  },
  owedNone: '各类别的年度要求都已完成。',
  tier: (label: string) => `培训层次：${label.replace('：', '，')}。`,
  inductionAssumed: (hours: number) => `名册中没有登记您是否师范毕业，新教师培训暂按 ${h(hours)} 学时计；如有误，请联系学校更正。`,
  uncounted: (n: number) => `有 ${n} 条学时记录因日期、学时或类别有误没有计入，请联系学校核对。`,
  draft: (region: string) => `提示：${region}的培训规划目前是征求意见稿，要求可能还会调整。`,
};

export type HoursText = typeof hoursText;

/** The whole answer, one line per fact, in the order a teacher asks: how much, on pace or not, what by when. */
export function renderHoursReply(m: HoursText, teacherName: string, s: HoursSummary, asOf: string): string {
  const lines = [m.greeting(teacherName, asOf)];
  if (!s.hasNumericRequirement) {
    lines.push(m.noNumeric(s.presetName, s.earned));
    if (s.uncounted > 0) lines.push(m.uncounted(s.uncounted));
    return lines.join('\n');
  }
  if (s.progress === null) {
    // Numbers exist, but none applies on this date (before the documents' first cycle).
    lines.push(m.notStarted);
    return lines.join('\n');
  }
  const behindMinimums = s.obligations.filter((o) => o.earned < o.expected).map((o) => o.label);
  if (s.required !== null && s.remaining !== null && s.cycleStart && s.cycleEnd) {
    lines.push(m.cycle(s.cycleStart, s.cycleEnd, s.required, s.earned, s.remaining));
    if (s.pace && s.remaining > 0) {
      lines.push(m.pace(asOf, s.pace.expected, s.pace.earned, s.pace.since !== s.cycleStart ? s.pace.since : null, behindMinimums));
    } else if (behindMinimums.length > 0) lines.push(m.minimumsBehind(behindMinimums));
  } else {
    lines.push(m.principal(s.earned));
    lines.push(behindMinimums.length > 0 ? m.minimumsBehind(behindMinimums) : m.minimumsOnPace);
  }
  const owed = s.obligations.filter((o) => o.owed > 0);
  if (owed.length > 0) {
    lines.push(m.owedHeader);
    for (const o of owed) lines.push(m.owedLine(o));
  } else if (s.obligations.length > 0) {
    lines.push(m.owedNone);
  }
  if (s.inductionAssumedStricter) {
    const induction = s.obligations.find((o) => o.key === 'induction');
    if (induction) lines.push(m.inductionAssumed(induction.required));
  }
  if (s.tier) lines.push(m.tier(s.tier.label));
  if (s.uncounted > 0) lines.push(m.uncounted(s.uncounted));
  if (s.draft) lines.push(m.draft(s.presetName));
  return lines.join('\n');
}
