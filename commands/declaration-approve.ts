import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { messagesFor } from '../src/bot/i18n/index.js';
import { APPROVAL_COMMANDS } from '../src/declarations/approval/command-names.js';
import { decideFromChat, parseDeclarationId } from '../src/declarations/approval/chat.js';

const m = messagesFor().declarations.approval;

/** 通过申报 <编号>: the school leader (or officer) recognises a declaration; the last step puts it in the ledger. */
export default defineCommand({
  name: APPROVAL_COMMANDS.approve,
  aliases: ['approvedeclaration', '同意申报'],
  help: () => m.commands.approve,
  example: () => m.examples.approve,
  positional: ['id'],
  args: z.object({ id: z.string({ error: m.args.id }).regex(/^#?\d{1,9}$/, m.args.id) }),
  allow: ['leader', 'officer'],
  personal: true,
  run: (ctx, { id }) => decideFromChat(ctx, parseDeclarationId(id), { kind: 'approve' }),
});
