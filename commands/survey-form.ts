import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { surveysText as S } from '../src/bot/i18n/zh-CN.surveys.js';
import { answerForm } from '../src/surveys/chat/form.js';
import { SURVEY_FORM_COMMAND } from '../src/surveys/chat/invitation.js';

/** What the Feishu evaluation / survey card submits: `<round>.<token>` and the fields as JSON. */
export default defineCommand({
  name: SURVEY_FORM_COMMAND,
  aliases: [],
  help: () => S.help.form,
  positional: ['form'],
  restIsText: true,
  args: z.object({ form: z.string().default('') }),
  allow: ['teacher'],
  personal: true,
  hidden: true,
  run: (ctx, { form }) => answerForm(ctx, form),
});
