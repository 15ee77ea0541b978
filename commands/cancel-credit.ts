import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { findTeacherByEmployeeNo } from '../src/ledger/store.js';
import { cancelCredit, findSessionByRef } from '../src/sessions/service.js';
import { whenIn } from '../src/time/zone.js';

/** 取消学时 <培训编号> <工号> <原因>: marks the credit record cancelled (never deleted) and audits it. */
export default defineCommand({
  name: '取消学时',
  aliases: ['cancelcredit'],
  help: (t) => t.sessions.commands.cancelCredit,
  example: (x) => x.t.words.examples.cancelCredit(),
  positional: ['session', 'employeeNo', 'reason'],
  restIsText: true,
  args: z.object({
    session: z.string({ error: '缺少培训编号' }).min(1, '缺少培训编号'),
    employeeNo: z.string({ error: '缺少工号' }).min(1, '缺少工号'),
    reason: z.string({ error: '请写明取消原因' }).trim().min(2, '请写明取消原因（至少 2 个字）'),
  }),
  allow: ['officer'],
  personal: true,
  run(ctx, { session: ref, employeeNo, reason }) {
    const { t, db, clock, caller, timeZone } = ctx;
    const m = t.sessions.cancelCredit;
    const session = findSessionByRef(db, ref, ctx.today);
    if (!session) return { text: t.sessions.sessionNotFound(ref) };
    const teacher = findTeacherByEmployeeNo(db, employeeNo);
    if (!teacher) return { text: m.teacherNotFound(employeeNo) };
    const outcome = cancelCredit(db, session, teacher, reason, `${caller.platform}:${caller.accountId}`, clock.now());
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
