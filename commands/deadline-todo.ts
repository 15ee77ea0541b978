import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { isLeader } from '../src/ledger/caller.js';
import { formatDue } from '../src/deadlines/reminders.js';
import { overviewText } from '../src/deadlines/service.js';
import { daysLeft } from '../src/deadlines/slots.js';
import { activeDeadlines, openDeadlinesFor } from '../src/deadlines/store.js';

/** 待办 — a leader's open deadlines (not filed yet) with due dates; an officer gets the overview instead. */
export default defineCommand({
  name: '待办',
  aliases: ['todo', '待办事项', '我的待办'],
  help: (t) => t.deadlines.help.todo,
  example: (x) => x.t.words.examples.todo(),
  positional: [],
  args: z.object({}),
  allow: ['leader', 'officer'],
  async run(ctx) {
    const { t, db, caller, timeZone } = ctx;
    const now = ctx.clock.now();
    if (!isLeader(caller)) return { text: await overviewText(db, t, await activeDeadlines(db, now), now, timeZone) };
    const mine = caller.leads;
    const m = t.deadlines.todo;
    const open = await openDeadlinesFor(db, mine, now);
    if (open.length === 0) return { text: m.none(mine) };
    const lines = open.map((d) => m.line(d.id, d.title, formatDue(d.dueAt, timeZone), t.deadlines.daysLeft(daysLeft(d, now, timeZone))));
    return {
      text: [m.header(mine, open.length), ...lines, m.footer].join('\n'),
      card: {
        title: m.header(mine, open.length),
        tone: open.some((d) => daysLeft(d, now, timeZone) < 0) ? 'red' : 'blue',
        sections: [{ lines }],
        buttons: open.slice(0, 3).map((d) => ({ label: m.button(d.id), value: { command: '已报送', args: `#${d.id} 学校:${mine}` } })),
        note: m.footer,
      },
    };
  },
});
