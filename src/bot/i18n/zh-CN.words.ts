import { examplesText } from './zh-CN.examples.js';
import { auditText } from './zh-CN.audit.js';
/** Small talk, records paging and other everyday wording (see commands/smalltalk.ts, commands/records.ts). */
const fmt = (h: number) => `${Math.round(h * 10) / 10}`;

export const wordsText = {
  examples: examplesText,
  audit: auditText,
  names: {
    /** Two teachers share a name: school and a masked 工号 tell them apart. */
    told: (name: string, school: string, maskedNo: string) => `${name}（${school}·${maskedNo}）`,
  },
  records: {
    header: (total: number, hours: number, year: number | null, page: number, pages: number) =>
      `${year === null ? '' : `${year} 年`}共 ${total} 条学时记录，合计 ${fmt(hours)} 学时${pages > 1 ? `（第 ${page}/${pages} 页）` : ''}：`,
    emptyYear: (year: number) => `${year} 年没有学时记录。发送「记录」查看全部。`,
    more: (next: number, year: number | null) =>
      `发送「记录 下一页」看第 ${next} 页${year === null ? '，「记录 2025」只看某一年' : '，「记录 全部」看全部年份'}。`,
    last: '已是最后一页。发送「记录 上一页」往回翻。',
    pastLast: '已经是最后一页了。',
    beforeFirst: '已经是第一页了。',
    /** The words 记录 reads after its name; any other word names someone (see commands/records.ts). */
    input: {
      next: /^(下一页|下页|更多|next)$/i,
      prev: /^(上一页|上页|prev)$/i,
      year: /^((?:19|20)\d\d)年?的?$/,
      page: /^第?(\d{1,3})页?$/,
      /** Years back from this one. */
      yearsBack: new Map<string, number>([
        ['今年', 0],
        ['去年', 1],
        ['前年', 2],
      ]) as ReadonlyMap<string, number>,
      all: ['全部', '所有'],
    },
  },
  smalltalk: {
    summary: '寒暄（谢谢、好的、辛苦了）',
    usage: '谢谢',
    // Short and friendly, never figures: a thank-you is not a question.
    replies: {
      thanks: '不客气！有学时问题随时问我。',
      tired: '不辛苦，随时为您服务。',
      bye: '再见，祝您工作顺利！',
      greeting: '您好！想查学时，直接问我「我还差多少学时」就行。',
      ok: '好的。有需要随时找我。',
    } as Record<string, string>,
  },
};
