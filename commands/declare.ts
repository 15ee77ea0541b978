import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { declarationChat as D } from '../src/bot/i18n/zh-CN.declarations.js';
import { startDraft } from '../src/declarations/chat/wizard.js';

/** 申报: starts the step-by-step 学时申报 (or shows where an open one stopped). Its answers go to 确认提交's conversation. */
export default defineCommand({
  name: '申报',
  aliases: ['申报学时', '学时申报', 'declare'],
  help: () => D.help.declare,
  example: () => D.example.declare,
  positional: [],
  args: z.object({}),
  allow: ['teacher'],
  personal: true,
  run(ctx) {
    const teacher = ctx.caller.teacher;
    if (!ctx.presets.has(teacher.policyId)) return { text: ctx.t.errors.presetMissing(teacher.policyId) };
    return startDraft(ctx);
  },
});
