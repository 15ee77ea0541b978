import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { messagesFor } from '../src/bot/i18n/index.js';
import { unbindTeacher } from '../src/ledger/accounts.js';
import { findTeacherByEmployeeNo } from '../src/ledger/store.js';

const missing = messagesFor().binding.args;

export default defineCommand({
  name: '解绑',
  aliases: ['unbind'],
  help: (t) => t.commands.unbind,
  example: (x) => x.t.words.examples.unbind(),
  positional: ['employeeNo'],
  args: z.object({ employeeNo: z.string({ error: missing.employeeNo }).min(1, missing.employeeNo) }),
  allow: ['officer'],
  async run({ t, db, caller }, { employeeNo }) {
    const teacher = await findTeacherByEmployeeNo(db, employeeNo);
    if (!teacher) return { text: t.unbind.notFound(employeeNo) };
    const removed = await unbindTeacher(db, teacher.id, `${caller.platform}:${caller.accountId}`);
    return { text: removed > 0 ? t.unbind.ok(teacher.name, removed) : t.unbind.none(teacher.name) };
  },
});
