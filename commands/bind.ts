import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { messagesFor } from '../src/bot/i18n/index.js';
import { attemptBind } from '../src/ledger/binding.js';
import { findTeacherByAccount } from '../src/ledger/store.js';

const missing = messagesFor().binding.args;

/**
 * 绑定 <工号> <姓名> [绑定码]: links this chat account to a roster entry. Every failure reads the same and
 * counts toward a limit (src/ledger/binding.ts); officers and school leaders also need a one-time code.
 */
export default defineCommand({
  name: '绑定',
  aliases: ['bind'],
  help: (t) => t.commands.bind,
  example: (x) => x.t.words.examples.bind(),
  positional: ['employeeNo', 'name', 'code'],
  args: z.object({
    employeeNo: z.string({ error: missing.employeeNo }).min(1, missing.employeeNo),
    name: z.string({ error: missing.name }).min(1, missing.name),
    code: z.string().optional(),
  }),
  allow: 'anyone',
  async run(ctx, { employeeNo, name, code }) {
    const { t, caller, db, message } = ctx;
    if (caller.platform === 'cli') return { text: t.errors.internal };
    const outcome = await attemptBind(db, {
      platform: caller.platform,
      accountId: caller.accountId,
      // A card click or a direct chat has no group: the account's own chat stands in.
      chatId: message?.chatId ?? caller.accountId,
      employeeNo,
      name,
      code,
      now: ctx.clock.now(),
    });
    switch (outcome.kind) {
      case 'locked':
        return { text: t.binding.locked };
      case 'refused':
        return { text: t.binding.refused };
      case 'bound':
        return { text: outcome.alreadyBound ? t.bind.already(outcome.teacher.name) : t.bind.ok(outcome.teacher.name, outcome.teacher.school) };
      case 'teacher_bound_elsewhere':
        return { text: t.bind.teacherBoundElsewhere(outcome.teacher.employeeNo) };
      case 'account_bound_to_other': {
        const self = await findTeacherByAccount(db, caller.platform, caller.accountId);
        return { text: t.bind.accountBoundToOther(self?.name ?? '') };
      }
    }
  },
});
