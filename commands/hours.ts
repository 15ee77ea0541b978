import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { renderSummaryText } from '../src/bot/i18n/index.js';
import { hoursSummary } from '../src/ledger/summary.js';
import { isSelf } from '../src/ledger/teachers.js';

export default defineCommand({
  name: '学时',
  aliases: ['hours', '查学时', '我的学时'],
  help: (t) => t.commands.hours,
  example: (x) => x.t.words.examples.hours(),
  // An argument can only name someone: a teacher may name themself, anyone else is refused.
  positional: ['who'],
  restIsText: true,
  args: z.object({ who: z.string().optional() }),
  allow: ['teacher'],
  personal: true,
  async run(ctx, { who }) {
    const teacher = ctx.caller.teacher;
    if (!isSelf(teacher, who)) return { text: ctx.t.errors.otherTeacher };
    if (!ctx.presets.has(teacher.policyId)) return { text: ctx.t.errors.presetMissing(teacher.policyId) };
    const summary = await hoursSummary(ctx.db, ctx.presets, teacher, ctx.today);
    return { text: renderSummaryText(ctx.t, teacher.name, summary, ctx.today) };
  },
});
