/**
 * Issuing a 学时证明: compute the figures, give them a fresh serial, record what is printed, render the PDF.
 * One function for the chat, the CLI and the console so every path prints and records the same thing.
 */
import type { Db } from '../../db/client.js';
import { transaction } from '../../db/statements.js';
import type { TeacherRow } from '../ledger/store.js';
import type { PolicyPreset } from '../policy/schema.js';
import { certificateData, figuresHash, type CertificateData } from './data.js';
import { renderCertificatePdfSync } from './pdf.js';
import { newSerial } from './serial.js';
import { certificatesText } from '../bot/i18n/zh-CN.certificates.js';
import { audit } from '../ledger/audit.js';
import { insertCertificate, revokeCertificate } from './store.js';

export { findCertificate, revokeCertificate } from './store.js';

export interface IssueOptions {
  officeName: string;
  sealPath?: string;
  /** PUBLIC_BASE_URL (no trailing slash needed). */
  baseUrl: string;
  today: string;
  now: Date;
  issuedBy: string;
  year?: number | null;
}

export interface IssuedCertificate {
  serial: string;
  verifyUrl: string;
  data: CertificateData;
  pdf: Buffer;
  fileName: string;
}

export const verifyUrlFor = (baseUrl: string, serial: string) => `${baseUrl.replace(/\/+$/, '')}/verify/${serial}`;

export async function issueCertificate(
  db: Db,
  presets: ReadonlyMap<string, PolicyPreset>,
  teacher: TeacherRow,
  o: IssueOptions,
): Promise<IssuedCertificate> {
  const data = await certificateData(db, presets, teacher, o.today, o.year ?? null);
  const serial = newSerial();
  const verifyUrl = verifyUrlFor(o.baseUrl, serial);
  const pdf = renderCertificatePdfSync(data, {
    serial,
    officeName: o.officeName,
    sealPath: o.sealPath,
    verifyUrl,
    issuedOn: o.today,
    issuedAt: o.now,
  });
  // Recorded only once the PDF exists: a serial in the table always stands for a paper someone received. In a
  // transaction of its own (a savepoint inside the caller's): a console export writes through the shared connection.
  const row = {
    serial,
    teacherId: teacher.id,
    year: data.year,
    asOf: data.asOf,
    cycleStart: data.cycleStart,
    cycleEnd: data.cycleEnd,
    required: data.required,
    earned: data.earned,
    remaining: data.remaining,
    yearEarned: data.yearEarned,
    name: data.name,
    employeeNo: data.employeeNo,
    school: data.school,
    figuresHash: figuresHash(data),
    issuedAt: o.now,
    issuedBy: o.issuedBy,
  };
  await transaction(db, (tx) => insertCertificate(tx, row));
  const fileName = certificatesText.fileName(teacher.employeeNo, String(data.year ?? o.today.slice(0, 4)), serial.slice(0, 4));
  return { serial, verifyUrl, data, pdf, fileName };
}

/**
 * Revokes a certificate and audits it in one transaction (the CLI and the console): false when unknown or already
 * revoked, and then nothing is written.
 */
export function revokeAudited(db: Db, serial: string, by: string, reason: string, now: Date): Promise<boolean> {
  return transaction(db, async (tx) => {
    if (!(await revokeCertificate(tx, serial, by, reason, now))) return false;
    await audit(tx, by, 'certificate.revoke', { serial, reason });
    return true;
  });
}
