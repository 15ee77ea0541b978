import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { surveysText as S } from '../src/bot/i18n/zh-CN.surveys.js';
import { continueAnswering, hasSurveyDraft, surveyKeptNote } from '../src/surveys/chat/flow.js';

/**
 * The answers of 评价 / 问卷, one message each. While a teacher is answering, the bot sends every message here
 * whole (a number, a comment, 跳过, 取消); nobody types its name.
 */
export default defineCommand({
  name: 'survey-reply',
  aliases: [],
  help: () => S.help.answer,
  positional: ['text'],
  restIsText: true,
  args: z.object({ text: z.string().default('') }),
  allow: ['teacher'],
  personal: true,
  hidden: true,
  conversation: {
    isOpen: hasSurveyDraft,
    // 评价 and 问卷 resume the open answers themselves.
    keptNote: async (ctx, other) => (other.name === S.names.evaluate || other.name === S.names.survey ? null : await surveyKeptNote(ctx.db, ctx.caller)),
  },
  run: (ctx, { text }) => continueAnswering(ctx, text),
});
