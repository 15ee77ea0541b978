import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { messagesFor } from '../src/bot/i18n/index.js';
import { changeList, parseCorrectionWords, problemText } from '../src/ledger/correction-text.js';
import { correctRecord, findRecordByRef } from '../src/ledger/corrections.js';
import { declarationRecordHooks } from '../src/declarations/revocation.js';

const missing = messagesFor().corrections;

/** 更正记录 <编号> 学时=… 类别=… 日期=… 原因=…: changes a record in place; the audit log keeps the old values. */
export default defineCommand({
  name: '更正记录',
  aliases: ['correctrecord', '修改记录'],
  help: (t) => t.corrections.help.correct,
  example: (x) => x.t.words.examples.recordCorrect(),
  positional: ['ref', 'rest'],
  restIsText: true,
  args: z.object({
    ref: z.string({ error: missing.missingRef }).min(1, missing.missingRef),
    rest: z.string().default(''),
  }),
  allow: ['officer'],
  personal: true,
  async run(ctx, { ref, rest }) {
    const { t, db, caller } = ctx;
    const m = t.corrections;
    const found = await findRecordByRef(db, ref);
    if (!found) return { text: m.notFound(ref) };
    const { input, reason, unknown } = parseCorrectionWords(rest);
    const usage = m.help.correct.usage;
    if (unknown) return { text: t.errors.badArgs(usage, m.problems.unknownField(unknown)) };
    const outcome = await correctRecord(db, found, input, reason, { presets: ctx.presets, today: ctx.today, actor: `${caller.platform}:${caller.accountId}`, now: ctx.clock.now(), hooks: declarationRecordHooks });
    // A repeat is no mistake in how it was typed: said as it is, without the usage.
    if (outcome.kind === 'refused' && outcome.problem.kind === 'declaration_repeat') return { text: problemText(t, outcome.problem), tone: 'warning' };
    if (outcome.kind === 'refused') return { text: t.errors.badArgs(usage, problemText(t, outcome.problem)) };
    const { teacher, record } = found;
    return { text: m.corrected(teacher.name, teacher.employeeNo, record.recordKey, changeList(t, outcome), reason.trim()), tone: 'success' };
  },
});
