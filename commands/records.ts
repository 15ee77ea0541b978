import { z } from 'zod';
import { recall, remember } from '../src/bot/chat-state.js';
import { defineCommand } from '../src/bot/command.js';
import type { Messages } from '../src/bot/i18n/index.js';
import { recordsPage } from '../src/ledger/records-page.js';
import { isSelf } from '../src/ledger/teachers.js';

/** Where the caller is in their records: remembered per chat account, so 「记录 下一页」 continues. */
interface Position {
  page: number;
  year: number | null;
}
const MEMORY_KEY = 'records';

type RecordsInput = Messages['words']['records']['input'];
type Wanted = { move: 'next' | 'prev' | null; page: number | null; year: number | null | undefined; who: string[] };

/** 「记录 下一页」「记录 2」「记录 第2页」「记录 2025」「记录 去年 2」「记录 张三」: each word is a page, a year or a name. */
function readWords(words: string[], thisYear: number, input: RecordsInput): Wanted {
  const wanted: Wanted = { move: null, page: null, year: undefined, who: [] };
  for (const word of words) {
    let m: RegExpExecArray | null;
    const yearsBack = input.yearsBack.get(word);
    if (input.next.test(word)) wanted.move = 'next';
    else if (input.prev.test(word)) wanted.move = 'prev';
    else if ((m = input.year.exec(word))) wanted.year = Number(m[1]);
    else if ((m = input.page.exec(word))) wanted.page = Number(m[1]);
    else if (yearsBack !== undefined) wanted.year = thisYear - yearsBack;
    else if (input.all.includes(word)) wanted.year = null;
    else wanted.who.push(word);
  }
  return wanted;
}

export default defineCommand({
  name: '记录',
  aliases: ['records', '我的记录', '学时记录'],
  help: (t) => t.commands.records,
  example: (x) => x.t.words.examples.records(),
  positional: ['words'],
  restIsText: true,
  args: z.object({ words: z.string().optional() }),
  allow: ['teacher'],
  personal: true,
  async run({ t, db, caller, clock, today }, { words }) {
    const me = caller.teacher;
    const wanted = readWords((words ?? '').split(' ').filter(Boolean), Number(today.slice(0, 4)), t.words.records.input);
    // An argument that is not a page or a year can only name someone: a teacher may name themself, anyone else is refused.
    if (wanted.who.length > 0 && !isSelf(me, wanted.who.join(' '))) return { text: t.errors.otherTeacher };

    const last = (await recall<Position>(db, caller, MEMORY_KEY)) ?? { page: 1, year: null };
    const fresh = wanted.move === null && wanted.page === null;
    const year = wanted.year !== undefined ? wanted.year : fresh ? null : last.year;
    const sameFilter = year === last.year;
    let page = wanted.page ?? 1;
    if (wanted.move === 'next') page = (sameFilter ? last.page : 0) + 1;
    if (wanted.move === 'prev') page = (sameFilter ? last.page : 2) - 1;

    const result = await recordsPage(db, me.id, { page, year });
    await remember(db, caller, MEMORY_KEY, { page: result.page, year } satisfies Position, clock.now());
    const m = t.words.records;
    if (result.total === 0) return { text: year === null ? t.records.empty : m.emptyYear(year) };
    const lines = [m.header(result.total, result.totalHours, year, result.page, result.pages)];
    lines.push(...result.rows.map((r) => t.records.line(r.date, r.hours, r.category, r.project)));
    if (wanted.move === 'next' && page > result.pages) lines.push(m.pastLast);
    else if (wanted.move === 'prev' && page < 1) lines.push(m.beforeFirst);
    else if (result.page < result.pages) lines.push(m.more(result.page + 1, year));
    else if (result.pages > 1) lines.push(m.last);
    return { text: lines.join('\n') };
  },
});
