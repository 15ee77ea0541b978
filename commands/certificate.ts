import { existsSync } from 'node:fs';
import { z } from 'zod';
import { defineCommand } from '../src/bot/command.js';
import { certificateChat as C } from '../src/bot/i18n/zh-CN.certificates.js';
import { YearOutOfRangeError } from '../src/certificates/data.js';
import { issueCertificate } from '../src/certificates/issue.js';
import { groupSerial } from '../src/certificates/serial.js';
import { audit } from '../src/ledger/audit.js';
import { storeAttachment } from '../src/outbox/attachments.js';

/** 学时证明: the teacher's own certificate, issued and recorded as the CLI does, sent back as a PDF file. */
export default defineCommand({
  name: '学时证明',
  aliases: ['开证明', 'certificate'],
  help: () => C.help,
  example: () => C.example,
  positional: ['year'],
  args: z.object({ year: z.string().regex(/^\d{4}$/, C.badYear).optional() }),
  allow: ['teacher'],
  personal: true,
  async run(ctx, { year }) {
    const teacher = ctx.caller.teacher;
    const services = ctx.certificates;
    if (!ctx.presets.has(teacher.policyId)) return { text: ctx.t.errors.presetMissing(teacher.policyId) };
    if (!services || (services.sealPath && !existsSync(services.sealPath))) return { text: C.unavailable, tone: 'error' };
    const actor = `${ctx.caller.platform}:${ctx.caller.accountId}`;
    try {
      const cert = await issueCertificate(ctx.db, ctx.presets, teacher, {
        officeName: services.officeName,
        sealPath: services.sealPath,
        baseUrl: services.baseUrl,
        today: ctx.today,
        now: ctx.clock.now(),
        issuedBy: actor,
        year: year === undefined ? null : Number(year),
      });
      await audit(ctx.db, actor, 'certificate.issue', { serial: cert.serial, employeeNo: teacher.employeeNo, year: cert.data.year });
      // Stored (and synced) before this event's transaction commits the outbox row that names it.
      const file = storeAttachment(services.filesDir, cert.pdf, cert.fileName, 'application/pdf');
      return { text: C.issued(teacher.name, groupSerial(cert.serial), cert.verifyUrl), file, tone: 'success' };
    } catch (error) {
      if (error instanceof YearOutOfRangeError) return { text: C.yearOutOfRange(year ?? '') };
      throw error;
    }
  },
});
