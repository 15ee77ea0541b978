import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { isReply, leaderDeadline, splitFilingText } from '../src/deadlines/filing.js';
import { filingOf } from '../src/deadlines/store.js';
import { formatDue } from '../src/deadlines/reminders.js';

/**
 * 已报送 <事项> [学校:X] — a leader says their own school has filed. It asks first (a mis-tap would silence
 * the reminders): the answer names the 事项 and school, and 确认报送 <编号> (typed or the card's button) files.
 * The reminder card's button sends this command with the deadline id and the school it was sent for, so a
 * card forwarded to a leader of another school is refused rather than filing for the wrong school.
 */
export default defineCommand({
  name: '已报送',
  aliases: ['filed', '已上报', '已提交'],
  help: (t) => t.deadlines.help.filed,
  example: (x) => x.t.words.examples.filed(),
  positional: ['text'],
  restIsText: true,
  args: z.object({ text: z.string().default('') }),
  allow: ['leader'],
  async run(ctx, { text }) {
    const { t, db, caller, timeZone } = ctx;
    const mine = caller.leads;
    const m = t.deadlines.filed;
    const { query, school: named } = splitFilingText(text);
    const school = named ?? mine;
    if (school !== mine) return { text: m.notYourSchool(school, mine) };
    const deadline = await leaderDeadline(ctx, query, mine);
    if (isReply(deadline)) return deadline;
    const already = await filingOf(db, deadline.id, mine);
    if (already) return { text: m.already(deadline.title, mine, formatDue(already.filedAt, timeZone).slice(0, 16)) };
    const f = t.filing;
    const ask = f.ask(deadline.id, deadline.title, mine, formatDue(deadline.dueAt, timeZone));
    return {
      text: ask,
      card: {
        title: f.confirmTitle,
        tone: 'orange',
        sections: [{ lines: ask.split('\n') }],
        buttons: [{ label: f.confirmButton, value: { command: '确认报送', args: `#${deadline.id} 学校:${mine}` }, style: 'primary' }],
      },
    };
  },
});
