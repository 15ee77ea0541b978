import { defineCommand } from '../src/bot/command.js';
import { declarationChat as D } from '../src/bot/i18n/zh-CN.declarations.js';
import { DeclarationIdArgs, withdrawReply } from '../src/declarations/chat/listing.js';

/** 撤回申报 <编号>: the teacher takes back a declaration still in review or returned. */
export default defineCommand({
  name: '撤回申报',
  aliases: ['withdraw'],
  help: () => D.help.withdraw,
  example: () => D.example.withdraw,
  positional: ['id'],
  args: DeclarationIdArgs,
  allow: ['teacher'],
  personal: true,
  run(ctx, { id }) {
    return withdrawReply(ctx, id);
  },
});
