import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { declarationChat as D } from '../src/bot/i18n/zh-CN.declarations.js';
import { answerDraft, FORM_COMMAND, hasDraft, keptNote } from '../src/declarations/chat/wizard.js';

/**
 * The 学时申报 wizard's answers. While a teacher has a draft open, the bot sends every message here whole (text,
 * photos, PDFs, 上一步, 修改 日期, 取消, 确认提交). The wizard's own words are its names too, so without a draft
 * they say there is nothing being filled in (rather than "not understood").
 */
export default defineCommand({
  name: '确认提交',
  aliases: ['取消', '上一步', '修改', '跳过', '完成'],
  help: () => D.help.answer,
  positional: ['text'],
  restIsText: true,
  args: z.object({ text: z.string().default('') }),
  allow: ['teacher'],
  personal: true,
  hidden: true,
  conversation: {
    isOpen: hasDraft,
    // 申报, 重新申报 and the form speak of the open draft themselves.
    keptNote: async (ctx, other) => (['申报', '重新申报', FORM_COMMAND].includes(other.name) ? null : await keptNote(ctx.db, ctx.caller)),
  },
  run(ctx, { text }) {
    const teacher = ctx.caller.teacher;
    if (!ctx.presets.has(teacher.policyId)) return { text: ctx.t.errors.presetMissing(teacher.policyId) };
    return answerDraft(ctx, text);
  },
});
