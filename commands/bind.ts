import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { bindAccount } from '../src/ledger/accounts.js';
import { findTeacherByAccount, findTeacherByEmployeeNo } from '../src/ledger/teachers.js';

export default defineCommand({
  name: '绑定',
  aliases: ['bind'],
  help: (t) => t.commands.bind,
  positional: ['employeeNo', 'name'],
  args: z.object({
    employeeNo: z.string({ error: '缺少工号' }).min(1, '缺少工号'),
    name: z.string({ error: '缺少姓名' }).min(1, '缺少姓名'),
  }),
  allow: 'anyone',
  run(ctx, { employeeNo, name }) {
    const { t, caller, db } = ctx;
    if (caller.platform === 'cli') return { text: t.errors.internal };
    const teacher = findTeacherByEmployeeNo(db, employeeNo);
    if (!teacher) return { text: t.bind.notFound(employeeNo) };
    if (teacher.name !== name) return { text: t.bind.nameMismatch(employeeNo) };
    const outcome = bindAccount(db, caller.platform, caller.accountId, teacher.id);
    if (outcome.ok) return { text: outcome.alreadyBound ? t.bind.already(teacher.name) : t.bind.ok(teacher.name, teacher.school) };
    if (outcome.reason === 'teacher_bound_elsewhere') return { text: t.bind.teacherBoundElsewhere(employeeNo) };
    const self = findTeacherByAccount(db, caller.platform, caller.accountId);
    return { text: t.bind.accountBoundToOther(self?.name ?? '') };
  },
});
