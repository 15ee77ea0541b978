/**
 * Natural questions → commands, by rules (no LLM). Each intent lists patterns that must match and
 * patterns that veto; tests hold the phrasings that must and must not match.
 */
export interface IntentMatch {
  command: string;
  /** Set when the question is about someone else's data, which a teacher may not see. */
  aboutSomeoneElse?: boolean;
}

interface IntentRule {
  command: string;
  any: RegExp[];
  none?: RegExp[];
  /** Matched against the text with its spaces kept. */
  english?: RegExp;
}

const UNIT = '(学时|学分|课时|继续教育|培训时[长间])';

const rules: IntentRule[] = [
  {
    command: '学时',
    any: [
      new RegExp(`(还|仍|尚)(差|缺|欠|剩|需要?|要|得)(修)?(多少|几|哪些)?.{0,6}${UNIT}`),
      new RegExp(`${UNIT}.{0,8}(够|达标|合格|满|齐|完成|修完|修满)(了)?(吗|没|不|么|呢|了)`),
      new RegExp(`${UNIT}.{0,4}(还差|还缺|差多少|缺多少|剩多少|进度|情况|统计|多少了|有多少|够不够|达标没)`),
      /(今年|本年|本年度|这学期|本学年|本周期|这个周期|这一周期|这周期).{0,6}(还要|还需|还需要|还得|要|需要|应该)(修|完成|学|补|拿|参加)/,
      new RegExp(`(修|完成|拿|攒|积累|获得|学)了(多少|几)(个)?${UNIT}`),
      new RegExp(`(查|看|查询|查看|看看|查一下|看一下|算算|算一下).{0,4}(我的|我)?${UNIT}`),
      new RegExp(`(我的|本人|自己的?)${UNIT}`),
      /(师德师风|校本研修|班主任培训|校长培训|新教师培训).{0,6}(还差|还要|还需|够|完成|多少)/,
      new RegExp(`(查|看|查询|查看).{0,10}的${UNIT}`),
    ],
    english: /^(how many|my) (hours|credits)|hours (left|remaining|owed)/i,
    none: [/(是什么|什么是|什么意思|怎么算|如何计算|怎么认定|证明|打印)/],
  },
  {
    command: '记录',
    any: [/(我的|本人|查看?|看看?)?.{0,4}(学时|培训|学分)?(记录|明细|清单|流水)/, /^my records/i],
    none: [/(怎么|如何)(登记|上传|补录)/],
  },
  {
    command: '帮助',
    any: [/^(你好|您好|hi|hello|在吗|在不在)[!！。.?？]*$/i, /(怎么用|如何使用|你能做什么|你会什么|有什么功能|使用说明)/],
  },
];

const someoneElse = /(他|她|他们|她们|别人|同事|其他老师|其他教师|[A-Za-z]{0,2}\d{4,}|[\u4e00-\u9fa5]{1,3}(老师|校长))(的|还|今年|本周期|学时)/;
const selfReference = /^(我|我们|本人)/;

export function matchIntent(text: string): IntentMatch | null {
  const normalized = text.replace(/\s+/g, '').trim();
  const spaced = text.replace(/\s+/g, ' ').trim();
  if (!normalized) return null;
  for (const rule of rules) {
    if (rule.none?.some((re) => re.test(normalized))) continue;
    if (!rule.any.some((re) => re.test(normalized)) && !rule.english?.test(spaced)) continue;
    const aboutSomeoneElse = rule.command !== '帮助' && someoneElse.test(normalized) && !selfReference.test(normalized);
    return { command: rule.command, ...(aboutSomeoneElse ? { aboutSomeoneElse: true } : {}) };
  }
  return null;
}
