import { defineCommand } from '../src/bot/command.js';
import { declarationChat as D } from '../src/bot/i18n/zh-CN.declarations.js';
import { DeclarationIdArgs } from '../src/declarations/chat/listing.js';
import { startResubmit } from '../src/declarations/chat/wizard.js';

/** 重新申报 <编号>: a returned declaration reopened in the wizard, its fields filled in, to correct and resubmit. */
export default defineCommand({
  name: '重新申报',
  aliases: ['resubmit'],
  help: () => D.help.resubmit,
  example: () => D.example.resubmit,
  positional: ['id'],
  args: DeclarationIdArgs,
  allow: ['teacher'],
  personal: true,
  run(ctx, { id }) {
    const teacher = ctx.caller.teacher;
    if (!ctx.presets.has(teacher.policyId)) return { text: ctx.t.errors.presetMissing(teacher.policyId) };
    return startResubmit(ctx, id);
  },
});
