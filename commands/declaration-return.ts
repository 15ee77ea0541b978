import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { messagesFor } from '../src/bot/i18n/index.js';
import { APPROVAL_COMMANDS } from '../src/declarations/approval/command-names.js';
import { decideFromChat, parseDeclarationId } from '../src/declarations/approval/chat.js';

const m = messagesFor().declarations.approval;

/**
 * 退回申报 <编号> <原因>: back to the teacher with the reason. The card's 退回 button sends it without a reason;
 * the answer then says how to give one (the reason is required).
 */
export default defineCommand({
  name: APPROVAL_COMMANDS.return,
  aliases: ['returndeclaration', '驳回申报'],
  help: () => m.commands.return,
  example: () => m.examples.return,
  positional: ['id', 'reason'],
  restIsText: true,
  args: z.object({ id: z.string({ error: m.args.id }).regex(/^#?\d{1,9}$/, m.args.id), reason: z.string().trim().default('') }),
  allow: ['leader', 'officer'],
  personal: true,
  run: (ctx, { id, reason }) => decideFromChat(ctx, parseDeclarationId(id), { kind: 'return', reason }),
});
