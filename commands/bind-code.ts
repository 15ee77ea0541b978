import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { messagesFor } from '../src/bot/i18n/index.js';
import { dateTimeIn } from '../src/time/zone.js';
import { issueBindCode, needsBindCode } from '../src/ledger/binding.js';
import { findTeacherByEmployeeNo } from '../src/ledger/store.js';

const missing = messagesFor().binding.args;

/** 绑定码 <工号>: an officer issues the one-time code an officer or school leader binds with. */
export default defineCommand({
  name: '绑定码',
  aliases: ['bindcode'],
  help: (t) => t.binding.code.help,
  example: (x) => x.t.words.examples.bindCode(),
  positional: ['employeeNo'],
  args: z.object({ employeeNo: z.string({ error: missing.employeeNo }).trim().min(1, missing.employeeNo) }),
  allow: ['officer'],
  // The code is as good as the account it unlocks: in a group it goes by direct message.
  personal: true,
  async run(ctx, { employeeNo }) {
    const { t, db, caller, clock, timeZone } = ctx;
    const m = t.binding.code;
    const teacher = await findTeacherByEmployeeNo(db, employeeNo);
    if (!teacher) return { text: m.notFound(employeeNo) };
    if (!(await needsBindCode(db, teacher))) return { text: m.notNeeded(teacher.name, teacher.employeeNo) };
    const issued = await issueBindCode(db, teacher, `${caller.platform}:${caller.accountId}`, clock.now());
    return { text: m.issued(teacher.name, teacher.employeeNo, issued.code, dateTimeIn(issued.expiresAt, timeZone)) };
  },
});
