import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { messagesFor } from '../src/bot/i18n/index.js';
import { findTeacherByEmployeeNo } from '../src/ledger/store.js';
import { cancelCredit, findSessionByRef } from '../src/sessions/service.js';
import { whenIn } from '../src/time/zone.js';

const missing = messagesFor().sessions.args;

/** 取消学时 <培训编号> <工号> <原因>: marks the credit record cancelled (never deleted) and audits it. */
export default defineCommand({
  name: '取消学时',
  aliases: ['cancelcredit'],
  help: (t) => t.sessions.commands.cancelCredit,
  example: (x) => x.t.words.examples.cancelCredit(),
  positional: ['session', 'employeeNo', 'reason'],
  restIsText: true,
  args: z.object({
    session: z.string({ error: missing.session }).min(1, missing.session),
    employeeNo: z.string({ error: missing.employeeNo }).min(1, missing.employeeNo),
    reason: z.string({ error: missing.reason }).trim().min(2, missing.reasonTooShort),
  }),
  allow: ['officer'],
  personal: true,
  async run(ctx, { session: ref, employeeNo, reason }) {
    const { t, db, clock, caller, timeZone } = ctx;
    const m = t.sessions.cancelCredit;
    const session = await findSessionByRef(db, ref, ctx.today);
    if (!session) return { text: t.sessions.sessionNotFound(ref) };
    const teacher = await findTeacherByEmployeeNo(db, employeeNo);
    if (!teacher) return { text: m.teacherNotFound(employeeNo) };
    const outcome = await cancelCredit(db, session, teacher, reason, `${caller.platform}:${caller.accountId}`, clock.now());
    switch (outcome.kind) {
      case 'cancelled':
        return { text: m.done(teacher.name, teacher.employeeNo, session.title, outcome.hours, reason) };
      case 'no_record':
        return { text: m.noRecord(teacher.name, teacher.employeeNo, session.title) };
      case 'already_cancelled':
        return { text: m.already(teacher.name, session.title, whenIn(outcome.at, timeZone, ctx.today), outcome.reason) };
    }
  },
});
