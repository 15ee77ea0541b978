import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { messagesFor } from '../src/bot/i18n/index.js';
import { APPROVAL_COMMANDS } from '../src/declarations/approval/command-names.js';
import { decideFromChat, parseDeclarationId } from '../src/declarations/approval/chat.js';
import { forwardCandidatesReply } from '../src/declarations/approval/pending.js';

const m = messagesFor().declarations.approval;

/** 转交申报 <编号> <工号>: hands the current step to another school leader or officer. Without a 工号: who it could go to. */
export default defineCommand({
  name: APPROVAL_COMMANDS.forward,
  aliases: ['forwarddeclaration'],
  help: () => m.commands.forward,
  example: () => m.examples.forward,
  positional: ['id', 'employeeNo'],
  args: z.object({ id: z.string({ error: m.args.id }).regex(/^#?\d{1,9}$/, m.args.id), employeeNo: z.string().trim().optional() }),
  allow: ['leader', 'officer'],
  personal: true,
  run(ctx, { id, employeeNo }) {
    const n = parseDeclarationId(id);
    if (!employeeNo) return forwardCandidatesReply(ctx, n);
    return decideFromChat(ctx, n, { kind: 'forward', employeeNo });
  },
});
