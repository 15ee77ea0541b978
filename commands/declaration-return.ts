import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { messagesFor } from '../src/bot/i18n/index.js';
import { APPROVAL_COMMANDS } from '../src/declarations/approval/command-names.js';
import { decideFromChat, parseDeclarationId, returnReasonOf } from '../src/declarations/approval/chat.js';

const m = messagesFor().declarations.approval;

/**
 * 退回申报 <编号> <原因>: back to the teacher with the reason. On Feishu the card's 退回 form sends the reason typed
 * on the card (as JSON); elsewhere the card's 退回 button sends none, and the answer says how to give one.
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
  run: (ctx, { id, reason }) => decideFromChat(ctx, parseDeclarationId(id), { kind: 'return', reason: returnReasonOf(reason) }),
});
