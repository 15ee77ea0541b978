/**
 * The policy engine's notes (shown under a teacher's hours and in officer views) and its labels. Imports nothing,
 * so the engine can read it without a cycle.
 */
const ORDINALS = '一二三四五六七八九十';

/** 2 → "二": the round of a cycle as the documents say it (numerals past 十 stay digits). */
const ordinal = (n: number) => (n >= 1 && n <= 10 ? ORDINALS[n - 1] : String(n));

export const policyText = {
  notes: {
    noNumeric: '该文件未规定具体学时',
    invalidRecords: (n: number) => `有${n}条记录日期或学时无效，未计入`,
    unknownCategory: (n: number) => `有${n}条记录类别无法识别，未计入`,
    draft: '依据为征求意见稿，数值可能调整',
    laterCycle: (round: number) => `周期为按文件推定（第${ordinal(round)}轮）`,
    cycleInferred: '周期起止日期为按文件推定',
    beforeCycle: (anchorStart: string) => `查询日期早于文件周期起点（${anchorStart}），不适用`,
    noHireDateInduction: '未登记入职日期，无法判断是否处于新教师期',
    principalCycleWaived: '校(园)长不计教师周期总学时，按校长培训要求计（推定）',
    hiredInCycle: '周期内入职，仍按全周期学时计（未确认，可由管理员调整）',
    principalAnnualWaived: '校(园)长不计年度总学时，兼课校长除外（推定）',
    inductionAnnualWaived: '新教师期内不计年度总学时（推定）',
    normalGradUnknown: (hours: number) => `未登记是否师范毕业，新教师培训按${hours}学时计`,
    noHireDateTier: '未登记入职日期，无法判定培训层次',
  },
  labels: {
    perYear: '年度总学时',
    /** Two requirements with one label: the second is told apart by its key. */
    sameNameSlot: (label: string, key: string) => `${label}（${key}）`,
    tierRatio: (centralised: number, placement: number) => `：集中培训${centralised}% 跟岗实践${placement}%`,
  },
  configError: (value: string, choices: readonly string[]) =>
    `配置错误 (configuration error):\n  DEFAULT_POLICY=${value}: 没有这个政策预设，可选：${choices.join(', ')}`,
};
