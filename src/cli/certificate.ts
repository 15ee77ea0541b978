/**
 * `certificate <工号> [--year 2025] --out FILE.pdf` — one teacher's 学时证明, issued and recorded as the chat
 * would; `certificates revoke <证明编号> <原因>` — revoke one (audited; the verify page then says 已作废).
 */
import { writeFileSync } from 'node:fs';
import { dateIn } from '../time/zone.js';
import { publicUrl } from '../config.js';
import { issueCertificate, revokeAudited } from '../certificates/issue.js';
import { normaliseSerial, SERIAL_PATTERN, groupSerial } from '../certificates/serial.js';
import { YearOutOfRangeError } from '../certificates/data.js';
import { audit } from '../ledger/audit.js';
import { findTeacherByEmployeeNo } from '../ledger/teachers.js';
import { CERTIFICATES_USAGE, CliError, EXIT, loadApp, parse, requireSealFile, withDatabase, type CliIo } from './context.js';

export const CERTIFICATE_USAGE = 'npm run cli -- certificate <工号> [--year 2025] --out <文件.pdf>';
const ACTOR = 'cli';

export async function certificateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { year: { type: 'string' }, out: { type: 'string' } }, CERTIFICATE_USAGE, { min: 1, max: 1 });
  const employeeNo = positionals[0].trim();
  if (!values.out) throw new CliError(`请用 --out 指定输出文件，例如 --out 学时证明.pdf。\n用法：${CERTIFICATE_USAGE}`);
  if (values.year !== undefined && !/^\d{4}$/.test(values.year)) throw new CliError(`--year「${values.year}」应为四位年份，例如 2025。`);
  const app = loadApp(io);
  requireSealFile(app.config.OFFICE_SEAL_PATH);
  const now = app.clock.now();
  const today = dateIn(now, app.config.TIMEZONE);
  return withDatabase(app.config.DATABASE_PATH, async (db) => {
    const teacher = findTeacherByEmployeeNo(db, employeeNo);
    if (!teacher) throw new CliError(`名册中没有工号「${employeeNo}」。请核对工号，或先导入名册。`);
    if (!app.presets.has(teacher.policyId)) throw new CliError(`工号「${employeeNo}」所属的政策「${teacher.policyId}」未配置。`, EXIT.config);
    try {
      const cert = await issueCertificate(db, app.presets, teacher, {
        officeName: app.config.OFFICE_NAME,
        sealPath: app.config.OFFICE_SEAL_PATH,
        baseUrl: publicUrl(app.config, app.config.PORT),
        today,
        now,
        issuedBy: ACTOR,
        year: values.year === undefined ? null : Number(values.year),
      });
      writeFileSync(values.out!, cert.pdf);
      audit(db, ACTOR, 'certificate.issue', { serial: cert.serial, employeeNo, year: cert.data.year });
      io.stdout.write(`已开具 ${teacher.name}（${employeeNo}）的学时证明，编号 ${groupSerial(cert.serial)}，已保存到 ${values.out}（${Math.round(cert.pdf.length / 1024)} KB）。\n核验网址：${cert.verifyUrl}\n`);
      return EXIT.ok;
    } catch (error) {
      if (error instanceof YearOutOfRangeError) throw new CliError(`年份 ${values.year} 不在可开具的范围内（不能晚于今年）。`);
      throw error;
    }
  }, { mustExist: true });
}

export async function certificatesCommand(args: string[], io: CliIo): Promise<number> {
  if (args[0] !== 'revoke') return (await import('./certificates-batch.js')).certificatesBatchCommand(args, io);
  const { positionals } = parse(args, {}, CERTIFICATES_USAGE, { min: 3, max: 3 });
  const [sub, rawSerial, rawReason] = positionals;
  if (sub !== 'revoke') throw new CliError(`不认识的子命令「${sub}」。\n用法：${CERTIFICATES_USAGE}`);
  const serial = normaliseSerial(rawSerial);
  const reason = rawReason.trim();
  if (!SERIAL_PATTERN.test(serial)) throw new CliError(`证明编号「${rawSerial}」格式不对：应为 16 位字母数字，例如 ABCD-EFGH-JKLM-NPQR。`);
  if (!reason) throw new CliError('请写明作废原因。');
  const app = loadApp(io);
  return withDatabase(app.config.DATABASE_PATH, (db) => {
    if (!revokeAudited(db, serial, ACTOR, reason, app.clock.now())) {
      throw new CliError(`没有编号为「${groupSerial(serial)}」的有效学时证明（编号不存在或已作废）。`);
    }
    io.stdout.write(`已作废学时证明 ${groupSerial(serial)}（原因：${reason}），核验页面将显示“已作废”。\n`);
    return EXIT.ok;
  }, { mustExist: true });
}
