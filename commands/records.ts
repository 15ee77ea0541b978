import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { recentRecords } from '../src/ledger/summary.js';
import { isSelf } from '../src/ledger/teachers.js';

export default defineCommand({
  name: '记录',
  aliases: ['records', '我的记录', '学时记录'],
  help: (t) => t.commands.records,
  // An argument can only name someone: a teacher may name themself, anyone else is refused.
  positional: ['who'],
  restIsText: true,
  args: z.object({ who: z.string().optional() }),
  allow: ['teacher'],
  personal: true,
  run({ t, db, caller }, { who }) {
    if (!isSelf(caller.teacher!, who)) return { text: t.errors.otherTeacher };
    const rows = recentRecords(db, caller.teacher!.id, 10);
    if (rows.length === 0) return { text: t.records.empty };
    return {
      text: [t.records.header(rows.length), ...rows.map((r) => t.records.line(r.date, r.hours, r.category, r.project))].join('\n'),
    };
  },
});
