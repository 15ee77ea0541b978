import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { surveysText as S } from '../src/bot/i18n/zh-CN.surveys.js';
import { startAnswering } from '../src/surveys/chat/flow.js';

/** 问卷 [序号]: answers a needs survey the office sent, one question at a time. */
export default defineCommand({
  name: S.names.survey,
  aliases: ['填问卷', '调查问卷', '需求调研', 'survey'],
  help: () => S.help.survey,
  example: () => S.example.survey,
  positional: ['ref'],
  args: z.object({ ref: z.string().optional() }),
  allow: ['teacher'],
  personal: true,
  run: (ctx, { ref }) => startAnswering(ctx, 'survey', ref),
});
