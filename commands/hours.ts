import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { renderSummaryText } from '../src/bot/i18n/index.js';
import { hoursSummary } from '../src/ledger/summary.js';

export default defineCommand({
  name: '学时',
  aliases: ['hours', '查学时', '我的学时'],
  help: (t) => t.commands.hours,
  positional: [],
  args: z.object({}),
  allow: ['teacher'],
  personal: true,
  run(ctx) {
    const teacher = ctx.caller.teacher!;
    if (!ctx.presets.has(teacher.policyId)) return { text: ctx.t.errors.presetMissing(teacher.policyId) };
    const summary = hoursSummary(ctx.db, ctx.presets, teacher, ctx.today);
    return { text: renderSummaryText(ctx.t, teacher.name, summary) };
  },
});
