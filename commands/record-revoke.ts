import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { messagesFor } from '../src/bot/i18n/index.js';
import { findRecordByRef, MIN_REASON_CHARS, revokeRecord } from '../src/ledger/corrections.js';
import { whenIn } from '../src/time/zone.js';
import { declarationRecordHooks } from '../src/declarations/revocation.js';

const missing = messagesFor().corrections;

/** 撤销记录 <编号> <原因>: any credit record (imported or from a sign-in) is kept, marked revoked, left out of sums. */
export default defineCommand({
  name: '撤销记录',
  aliases: ['revokerecord', '作废记录'],
  help: (t) => t.corrections.help.revoke,
  example: (x) => x.t.words.examples.recordRevoke(),
  positional: ['ref', 'reason'],
  restIsText: true,
  args: z.object({
    ref: z.string({ error: missing.missingRef }).min(1, missing.missingRef),
    reason: z.string({ error: missing.missingReason }).trim().min(MIN_REASON_CHARS, missing.missingReason),
  }),
  allow: ['officer'],
  personal: true,
  async run(ctx, { ref, reason }) {
    const { t, db, caller, clock, timeZone } = ctx;
    const m = t.corrections;
    const found = await findRecordByRef(db, ref);
    if (!found) return { text: m.notFound(ref) };
    const outcome = await revokeRecord(db, found, reason, `${caller.platform}:${caller.accountId}`, clock.now(), declarationRecordHooks);
    const { record, teacher } = found;
    switch (outcome.kind) {
      case 'revoked':
        return { text: m.revoked(teacher.name, teacher.employeeNo, record.recordKey, record.date, record.hours, record.category, reason), tone: 'success' };
      case 'already_revoked':
        return { text: m.alreadyRevoked(record.recordKey, whenIn(outcome.at, timeZone, ctx.today), outcome.reason) };
      case 'no_reason':
        return { text: m.missingReason };
    }
  },
});
