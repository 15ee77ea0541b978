/**
 * `certificate <工号> [--year 2025] --out FILE.pdf` — one teacher's 学时证明, issued and recorded as the chat
 * would; `certificates revoke <证明编号> <原因>` — revoke one (audited; the verify page then says 已作废).
 */
// Loads the platforms' traits (card forms, preference), which the chat messages queued here are built with.
import '../platforms/registry.js';
import { writeFileSync } from 'node:fs';
import { cliText } from '../bot/i18n/zh-CN.cli.js';
import { issueCertificate, revokeAudited } from '../certificates/issue.js';
import { normaliseSerial, SERIAL_PATTERN, groupSerial } from '../certificates/serial.js';
import { YearOutOfRangeError } from '../certificates/data.js';
import { audit } from '../ledger/audit.js';
import { findTeacherByEmployeeNo } from '../ledger/store.js';
import { CERTIFICATES_USAGE, CliError, EXIT, loadApp, parse, withDatabase, type CliIo } from './context.js';
import { CLI_ACTOR as ACTOR, certificateIssuing } from './certificate-issuing.js';

export const CERTIFICATE_USAGE = cliText.usage.certificate;

export async function certificateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { year: { type: 'string' }, out: { type: 'string' } }, CERTIFICATE_USAGE, { min: 1, max: 1 });
  const employeeNo = positionals[0].trim();
  if (!values.out) throw new CliError(cliText.withUsage(cliText.certificate.needOut, CERTIFICATE_USAGE));
  if (values.year !== undefined && !/^\d{4}$/.test(values.year)) throw new CliError(cliText.certificate.badYear(values.year));
  const { app, issuing } = certificateIssuing(io);
  return withDatabase(app.config, async (db) => {
    const teacher = await findTeacherByEmployeeNo(db, employeeNo);
    if (!teacher) throw new CliError(cliText.notInRoster(employeeNo));
    if (!app.presets.has(teacher.policyId)) throw new CliError(cliText.policyMissing(employeeNo, teacher.policyId), EXIT.config);
    try {
      const cert = await issueCertificate(db, app.presets, teacher, { ...issuing, year: values.year === undefined ? null : Number(values.year) });
      writeFileSync(values.out!, cert.pdf);
      await audit(db, ACTOR, 'certificate.issue', { serial: cert.serial, employeeNo, year: cert.data.year });
      io.stdout.write(`${cliText.certificate.issued(teacher.name, employeeNo, groupSerial(cert.serial), values.out!, Math.round(cert.pdf.length / 1024), cert.verifyUrl)}\n`);
      return EXIT.ok;
    } catch (error) {
      if (error instanceof YearOutOfRangeError) throw new CliError(cliText.certificate.yearOutOfRange(values.year));
      throw error;
    }
  }, { mustExist: true });
}

export async function certificatesCommand(args: string[], io: CliIo): Promise<number> {
  if (args[0] !== 'revoke') return (await import('./certificates-batch.js')).certificatesBatchCommand(args, io);
  const { positionals } = parse(args, {}, CERTIFICATES_USAGE, { min: 3, max: 3 });
  const [sub, rawSerial, rawReason] = positionals;
  if (sub !== 'revoke') throw new CliError(cliText.withUsage(cliText.badSubcommand(sub), CERTIFICATES_USAGE));
  const serial = normaliseSerial(rawSerial);
  const reason = rawReason.trim();
  if (!SERIAL_PATTERN.test(serial)) throw new CliError(cliText.certificate.badSerial(rawSerial));
  if (!reason) throw new CliError(cliText.certificate.needReason);
  const app = loadApp(io);
  return withDatabase(app.config, async (db) => {
    if (!(await revokeAudited(db, serial, ACTOR, reason, app.clock.now()))) {
      throw new CliError(cliText.certificate.notFound(groupSerial(serial)));
    }
    io.stdout.write(`${cliText.certificate.revoked(groupSerial(serial), reason)}\n`);
    return EXIT.ok;
  }, { mustExist: true });
}
