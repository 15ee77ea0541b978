import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { messagesFor } from '../src/bot/i18n/index.js';
import { isReply, leaderDeadline, splitFilingText, unfileDeadline } from '../src/deadlines/filing.js';
import { formatDue } from '../src/deadlines/reminders.js';
import { isLeader, isOfficer } from '../src/ledger/caller.js';
import { choicesText, findDeadline } from '../src/deadlines/service.js';
import type { DeadlineRow } from '../src/deadlines/store.js';

const missing = messagesFor().filing.args;

/**
 * 撤销报送 <事项> [学校:X] — takes back a filing made today (Beijing date): the leader who filed it, for their
 * school, or an officer, for any school (学校:X). The school is open again and its reminders resume.
 */
export default defineCommand({
  name: '撤销报送',
  aliases: ['unfile', '取消报送'],
  help: (t) => t.filing.help.undo,
  example: (x) => x.t.words.examples.unfile(),
  positional: ['text'],
  restIsText: true,
  args: z.object({ text: z.string({ error: missing.undo }).trim().min(1, missing.undo) }),
  allow: ['leader', 'officer'],
  async run(ctx, { text }) {
    const { t, db, caller, timeZone } = ctx;
    const me = caller.teacher;
    const officer = isOfficer(caller);
    const f = t.filing;
    const { query, school: named } = splitFilingText(text);

    let deadline: DeadlineRow;
    let school: string;
    if (officer && named && named !== me.school) {
      const match = await findDeadline(db, query);
      if (match.kind === 'none') return { text: t.deadlines.match.notFound(query) };
      if (match.kind === 'many') return { text: choicesText(t, query, match, timeZone) };
      deadline = match.deadline;
      school = named;
    } else {
      if (!isLeader(caller)) {
        const match = await findDeadline(db, query);
        return { text: match.kind === 'one' ? f.whichSchool(match.deadline.id) : match.kind === 'many' ? choicesText(t, query, match, timeZone) : t.deadlines.match.notFound(query) };
      }
      if (named && named !== caller.leads) return { text: t.deadlines.filed.notYourSchool(named, caller.leads) };
      const found = await leaderDeadline(ctx, query, caller.leads);
      if (isReply(found)) return found;
      deadline = found;
      school = caller.leads;
    }
    const outcome = await unfileDeadline(db, deadline.id, school, { teacherId: me.id, officer, actor: `${caller.platform}:${caller.accountId}` }, ctx.clock.now(), timeZone);
    switch (outcome.kind) {
      case 'unfiled':
        return { text: f.undone(deadline.id, deadline.title, school) };
      case 'not_filed':
        return { text: f.notFiled(deadline.title, school) };
      case 'not_filer':
        return { text: f.notFiler(deadline.title, school) };
      case 'not_today':
        return { text: f.notToday(deadline.title, school, formatDue(outcome.filedAt, timeZone).slice(0, 16)) };
    }
  },
});
