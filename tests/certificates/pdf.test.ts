/**
 * 学时证明 PDF: issued from a real ledger (tests/helpers/db.ts), read back with pdf.js — the Chinese text is really text (name,
 * 工号, school, cycle, the same totals `学时` gives, every record, the serial), the QR code on the rendered page
 * decodes to ${PUBLIC_BASE_URL}/verify/<serial>, the font is a subset (well under 300 KB), and the issue is
 * recorded with the printed figures.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { findCertificate, issueCertificate, type IssuedCertificate } from '../../src/certificates/issue.js';
import { SERIAL_PATTERN } from '../../src/certificates/serial.js';
import { hoursSummary } from '../../src/ledger/summary.js';
import { findTeacherByEmployeeNo } from '../../src/ledger/store.js';
import { loadPresets } from '../../src/policy/presets.js';
import { closeTestDb, openTestDb } from '../helpers/db.js';
import { addRecord, addTeacher } from '../helpers/seed.js';
import { pdfImageCount, pdfPageCount, pdfQr, pdfText } from '../helpers/pdf.js';
import { qrPng } from '../../src/certificates/pdf.js';

const dir = mkdtempSync(join(tmpdir(), 'xueshi-cert-'));
const presets = loadPresets();
let db: Db;
let cert: IssuedCertificate;
let text: string;
const base = { officeName: '来宾市兴宾区教师发展中心', baseUrl: 'https://xueshi.example.cn/', today: '2025-11-20', now: new Date('2025-11-20T02:00:00Z'), issuedBy: 'test' };

beforeAll(async () => {
  db = await openTestDb();
  const id = await addTeacher(db, { employeeNo: 'T1001', name: '张建伟', school: '兴宾区第一中学', policyId: 'laibin' });
  await addRecord(db, id, { key: 'r1', date: '2021-03-05', hours: 24, category: '集中培训', project: '国培计划2021' });
  await addRecord(db, id, { key: 'r2', date: '2023-07-10', hours: 12.5, category: '网络研修', project: '学科教学能力提升' });
  await addRecord(db, id, { key: 'r3', date: '2025-04-01', hours: 30, category: '校本研修', project: '校本教研·单元设计' });
  await addRecord(db, id, { key: 'r4', date: '2026-01-05', hours: 99, category: '集中培训', project: '未来的培训' });
  cert = await issueCertificate(db, presets, (await findTeacherByEmployeeNo(db, 'T1001'))!, base);
  text = await pdfText(cert.pdf);
});
afterAll(async () => {
  await closeTestDb(db);
  rmSync(dir, { recursive: true, force: true });
});

describe('学时证明 PDF', () => {
  it('prints the teacher, the office and the same totals the 学时 answer gives, as searchable Chinese text', async () => {
    const s = await hoursSummary(db, presets, (await findTeacherByEmployeeNo(db, 'T1001'))!, '2025-11-20');
    expect(s.required).toBe(360);
    for (const needle of ['教师继续教育学时证明', '来宾市兴宾区教师发展中心', '张建伟', 'T1001', '兴宾区第一中学', '2021年1月1日至2025年12月31日']) {
      expect(text).toContain(needle);
    }
    // pdf.js reads the full-width spaces between the figures back as plain ones.
    expect(text).toMatch(new RegExp(`应修 360 学时\\s已修 ${s.earned} 学时\\s尚差 ${s.remaining} 学时`));
    expect(s.earned).toBe(66.5);
  });

  it('lists every record of the cycle by year and category, and nothing after the issue date', async () => {
    expect(text).toContain('2021年 · 集中培训（合计 24 学时）');
    expect(text).toContain('国培计划2021');
    expect(text).toContain('2023年7月10日');
    expect(text).toContain('12.5');
    expect(text).toContain('校本教研·单元设计');
    expect(text).toContain('导入');
    expect(text).not.toContain('未来的培训');
  });

  it('carries the serial, and a QR code that decodes to the verify URL', async () => {
    expect(cert.serial).toMatch(SERIAL_PATTERN);
    expect(text.replace(/-/g, '')).toContain(cert.serial);
    expect(cert.verifyUrl).toBe(`https://xueshi.example.cn/verify/${cert.serial}`);
    expect(await pdfQr(cert.pdf, await pdfPageCount(cert.pdf))).toBe(cert.verifyUrl);
  });

  it('embeds a font subset: one certificate is well under 300 KB', async () => {
    writeFileSync('/tmp/xueshi-certificate.pdf', cert.pdf);
    expect(cert.pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(cert.pdf.length).toBeLessThan(300 * 1024);
  });

  it('records what was printed', async () => {
    const row = (await findCertificate(db, cert.serial))!;
    expect(row).toMatchObject({ asOf: '2025-11-20', required: 360, earned: 66.5, remaining: 293.5, year: null, revokedAt: null });
    expect(row.figuresHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a year certificate lists that year only and says the year total', async () => {
    const y = await issueCertificate(db, presets, (await findTeacherByEmployeeNo(db, 'T1001'))!, { ...base, year: 2023 });
    const t = await pdfText(y.pdf);
    expect(t).toContain('教师继续教育学时证明（2023年度）');
    expect(t).toContain('其中 2023 年度登记 12.5 学时');
    expect(t).toContain('截至2023年12月31日');
    expect(t).not.toContain('国培计划2021');
    expect(y.serial).not.toBe(cert.serial);
  });

  it('draws the office seal from OFFICE_SEAL_PATH when set (the QR alone otherwise)', async () => {
    const seal = join(dir, 'seal.png');
    writeFileSync(seal, await qrPng('seal stand-in'));
    const withSeal = await issueCertificate(db, presets, (await findTeacherByEmployeeNo(db, 'T1001'))!, { ...base, sealPath: seal });
    expect(await pdfImageCount(cert.pdf, 1)).toBe(1);
    expect(await pdfImageCount(withSeal.pdf, 1)).toBe(2);
  });
});
