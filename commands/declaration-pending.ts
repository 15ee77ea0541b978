import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { messagesFor } from '../src/bot/i18n/index.js';
import { APPROVAL_COMMANDS } from '../src/declarations/approval/command-names.js';
import { pendingReply } from '../src/declarations/approval/pending.js';

const m = messagesFor().declarations.approval;

/** 待审申报: the declarations waiting for the caller's decision, oldest first. */
export default defineCommand({
  name: APPROVAL_COMMANDS.pending,
  aliases: ['pendingdeclarations', '待审核申报', '申报待审'],
  help: () => m.commands.pending,
  example: () => m.examples.pending,
  positional: [],
  args: z.object({}),
  allow: ['leader', 'officer'],
  personal: true,
  run: (ctx) => pendingReply(ctx),
});
