import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { declarationChat as D } from '../src/bot/i18n/zh-CN.declarations.js';
import { answerForm, FORM_COMMAND } from '../src/declarations/chat/wizard.js';

/** 申报表单: what the Feishu form card of 申报 submits (its fields as JSON), read as the step-by-step answers are. */
export default defineCommand({
  name: FORM_COMMAND,
  aliases: [],
  help: () => D.help.form,
  positional: ['form'],
  restIsText: true,
  args: z.object({ form: z.string().default('') }),
  allow: ['teacher'],
  personal: true,
  hidden: true,
  run(ctx, { form }) {
    const teacher = ctx.caller.teacher;
    if (!ctx.presets.has(teacher.policyId)) return { text: ctx.t.errors.presetMissing(teacher.policyId) };
    return answerForm(ctx, form);
  },
});
