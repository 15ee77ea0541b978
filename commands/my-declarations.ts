import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { declarationChat as D } from '../src/bot/i18n/zh-CN.declarations.js';
import { mineReply } from '../src/declarations/chat/listing.js';
import { listDeclarationsOfTeacher } from '../src/declarations/service.js';

/** 我的申报: the teacher's own declarations, newest first, with state, hours and any return reason. */
export default defineCommand({
  name: '我的申报',
  aliases: ['申报记录', '申报进度', 'mydeclarations'],
  help: () => D.help.mine,
  example: () => D.example.mine,
  positional: [],
  args: z.object({}),
  allow: ['teacher'],
  personal: true,
  async run(ctx) {
    return mineReply(await listDeclarationsOfTeacher(ctx.db, ctx.caller.teacher.id));
  },
});
