import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { surveysText as S } from '../src/bot/i18n/zh-CN.surveys.js';
import { startAnswering } from '../src/surveys/chat/flow.js';

/** 评价 [序号]: answers the evaluation of a session the teacher attended, one question at a time (anonymous). */
export default defineCommand({
  name: S.names.evaluate,
  aliases: ['培训评价', '去评价', 'evaluate'],
  help: () => S.help.evaluate,
  example: () => S.example.evaluate,
  positional: ['ref'],
  args: z.object({ ref: z.string().optional() }),
  allow: ['teacher'],
  personal: true,
  run: (ctx, { ref }) => startAnswering(ctx, 'evaluation', ref),
});
