import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { surveysText as S } from '../src/bot/i18n/zh-CN.surveys.js';
import { pendingList } from '../src/surveys/chat/flow.js';

/** 我的问卷: the evaluations and surveys still waiting for this teacher. */
export default defineCommand({
  name: '我的问卷',
  aliases: ['待评价', '我的评价', 'mysurveys'],
  help: () => S.help.mine,
  example: () => S.example.mine,
  positional: [],
  args: z.object({}),
  allow: ['teacher'],
  personal: true,
  run: (ctx) => pendingList(ctx),
});
