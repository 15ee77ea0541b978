import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { messagesFor } from '../src/bot/i18n/index.js';
import { isReply, leaderDeadline, splitFilingText } from '../src/deadlines/filing.js';
import { formatDue } from '../src/deadlines/reminders.js';
import { fileDeadline } from '../src/deadlines/store.js';

const missing = messagesFor().filing.args;

/** 确认报送 <编号> [学校:X] — the confirmation 已报送 asks for: files for the leader's own school; reminders stop. */
export default defineCommand({
  name: '确认报送',
  aliases: ['confirmfiled'],
  help: (t) => t.filing.help.confirm,
  example: (x) => x.t.words.examples.fileConfirm(),
  positional: ['text'],
  restIsText: true,
  args: z.object({ text: z.string({ error: missing.confirm }).trim().min(1, missing.confirm) }),
  allow: ['leader'],
  async run(ctx, { text }) {
    const { t, db, caller, timeZone } = ctx;
    const mine = caller.leads;
    const m = t.deadlines.filed;
    const { query, school } = splitFilingText(text);
    if (school !== null && school !== mine) return { text: m.notYourSchool(school, mine) };
    const deadline = await leaderDeadline(ctx, query, mine);
    if (isReply(deadline)) return deadline;
    const result = await fileDeadline(db, deadline.id, mine, caller.teacher.id, ctx.clock.now(), `${caller.platform}:${caller.accountId}`);
    if (!result.ok) return { text: m.already(deadline.title, mine, formatDue(result.already.filedAt, timeZone).slice(0, 16)) };
    return { text: m.ok(deadline.id, deadline.title, mine), tone: 'success' };
  },
});
