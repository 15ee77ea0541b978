import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { formatDue } from '../src/deadlines/reminders.js';
import { addressesSchool, choicesText, findDeadline } from '../src/deadlines/service.js';
import { fileDeadline, openDeadlinesFor, type DeadlineRow } from '../src/deadlines/store.js';

const SCHOOL_OPTION = /^(学校|school)[:：=](.+)$/i;

/**
 * 已报送 <事项> [学校:X] — a leader marks their own school's filing done, which stops its reminders. The
 * reminder card's button sends the same command with the deadline id and the school it was sent for, so a
 * card forwarded to a leader of another school is refused rather than filing for the wrong school.
 */
export default defineCommand({
  name: '已报送',
  aliases: ['filed', '已上报', '已提交'],
  help: (t) => t.deadlines.help.filed,
  positional: ['text'],
  restIsText: true,
  args: z.object({ text: z.string().default('') }),
  allow: ['leader'],
  run(ctx, { text }) {
    const { t, db, caller, timeZone } = ctx;
    const me = caller.teacher!;
    const m = t.deadlines.filed;
    const words = text.split(' ').filter(Boolean);
    const schoolWord = words.map((w) => SCHOOL_OPTION.exec(w)).find(Boolean);
    const school = schoolWord ? schoolWord[2].trim() : me.school;
    if (school !== me.school) return { text: m.notYourSchool(school, me.school) };
    const query = words.filter((w) => !SCHOOL_OPTION.test(w)).join(' ');
    const now = ctx.clock.now();

    let deadline: DeadlineRow;
    if (!query) {
      const open = openDeadlinesFor(db, me.school, now);
      if (open.length !== 1) return { text: open.length === 0 ? m.nothingOpen : m.whichOne(open.map((d) => t.deadlines.match.choice(d.id, d.title, formatDue(d.dueAt, timeZone)))) };
      deadline = open[0];
    } else {
      const match = findDeadline(db, query, (d) => addressesSchool(d, me.school));
      if (match.kind === 'many') return { text: choicesText(t, query, match, timeZone) };
      if (match.kind === 'none') {
        const elsewhere = findDeadline(db, query);
        return { text: elsewhere.kind === 'one' ? m.notAddressed(elsewhere.deadline.title, me.school) : t.deadlines.match.notFound(query) };
      }
      deadline = match.deadline;
    }
    const result = fileDeadline(db, deadline.id, me.school, me.id, now, `${caller.platform}:${caller.accountId}`);
    if (!result.ok) return { text: m.already(deadline.title, me.school, formatDue(result.already.filedAt, timeZone).slice(0, 16)) };
    return { text: m.ok(deadline.id, deadline.title, me.school) };
  },
});
