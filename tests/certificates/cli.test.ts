/**
 * `certificate <工号> --out FILE.pdf` and `certificates revoke <编号> <原因>` through the real CLI entry over a real
 * database (tests/helpers/db.ts): the file written is the certificate (its text read back names the teacher, the office from
 * OFFICE_NAME, the figures and the serial printed on stdout), the issue and the revocation are in the audit log,
 * and bad input is refused with a Chinese message and exit code 1, changing nothing.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { like } from 'drizzle-orm';
import { tables } from '../../db/handle.js';
import { runCli } from '../../src/cli/main.js';
import { closeConnection, testDatabase, type TestDatabase } from '../helpers/db.js';
import { addRecord, addTeacher } from '../helpers/seed.js';
import { pdfText } from '../helpers/pdf.js';

const dir = mkdtempSync(join(tmpdir(), 'xueshi-cert-cli-'));
let database: TestDatabase;
const env = () => ({
  ...database.env,
  XUESHI_NOW: '2026-11-25T10:00:00+08:00',
  LOG_LEVEL: 'silent',
  OFFICE_NAME: '合山市教师发展中心',
  PUBLIC_BASE_URL: 'https://xs.example.cn',
});

async function cli(args: string[], extra: Record<string, string> = {}) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const code = await runCli(args, { env: { ...env(), ...extra }, stdout: out, stderr: err });
  return { code, stdout, stderr };
}

/** The certificate audit rows, detail parsed (PostgreSQL keeps it as jsonb: no key order). */
const auditRows = () =>
  database.use(async (db) => {
    const { auditLog } = tables(db);
    const rows = await db.select({ action: auditLog.action, detail: auditLog.detail }).from(auditLog).where(like(auditLog.action, 'certificate.%')).orderBy(auditLog.id);
    return rows.map((r) => ({ action: r.action, detail: JSON.parse(r.detail) as unknown }));
  });

beforeAll(async () => {
  database = await testDatabase();
  const db = await database.open();
  const id = await addTeacher(db, { employeeNo: 'T3001', name: '李晓红', school: '合山市第三中学', policyId: 'laibin' });
  await addRecord(db, id, { key: 'c1', date: '2025-05-01', hours: 18, category: '集中培训', project: '班主任能力提升' });
  await addRecord(db, id, { key: 'c2', date: '2026-04-01', hours: 10, category: '网络研修', project: '信息技术应用' });
  await closeConnection(db);
});
afterAll(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('certificate CLI', { timeout: 30_000 }, () => {
  let serial = '';
  it('writes the PDF of one teacher and says its serial and verify URL', async () => {
    const out = join(dir, 'c.pdf');
    const r = await cli(['certificate', 'T3001', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    serial = /verify\/([A-Z2-7]{16})/.exec(r.stdout)![1];
    const text = await pdfText(readFileSync(out));
    for (const s of ['合山市教师发展中心', '李晓红', 'T3001', '合山市第三中学', '2026年1月1日至2030年12月31日', '信息技术应用']) expect(text).toContain(s);
    // The printed URL may wrap onto a second line.
    expect(text.replace(/\n/g, '')).toContain(`https://xs.example.cn/verify/${serial}`);
    // The cycle began on 2026-01-01: last year's record belongs to the previous cycle's paper.
    expect(text).toMatch(/已修 10 学时/);
    expect(text).not.toContain('班主任能力提升');
    expect(await auditRows()).toEqual([{ action: 'certificate.issue', detail: { serial, employeeNo: 'T3001', year: null } }]);
  });

  it('--year prints that year only', async () => {
    const out = join(dir, 'y.pdf');
    expect((await cli(['certificate', 'T3001', '--year', '2025', '--out', out])).code).toBe(0);
    const text = await pdfText(readFileSync(out));
    expect(text).toContain('（2025年度）');
    expect(text).toContain('班主任能力提升');
    expect(text).not.toContain('信息技术应用');
  });

  it('refuses an unknown 工号, a bad or future year and a missing --out, writing nothing', async () => {
    const out = join(dir, 'no.pdf');
    for (const args of [['certificate', 'T9999', '--out', out], ['certificate', 'T3001', '--year', '25', '--out', out], ['certificate', 'T3001', '--year', '2031', '--out', out], ['certificate', 'T3001']]) {
      const r = await cli(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/名册中没有工号|四位年份|不在可开具的范围|--out/);
    }
    const noSeal = await cli(['certificate', 'T3001', '--out', out], { OFFICE_SEAL_PATH: join(dir, 'missing-seal.png') });
    expect(noSeal.code).toBe(2);
    expect(noSeal.stderr).toContain('印章图片不存在');
    expect(existsSync(out)).toBe(false);
  });

  it('revokes a certificate once, audited; an unknown or malformed serial is refused', async () => {
    const r = await cli(['certificates', 'revoke', serial.toLowerCase(), '姓名有误']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('已作废');
    expect((await auditRows()).at(-1)).toEqual({ action: 'certificate.revoke', detail: { serial, reason: '姓名有误' } });
    expect((await cli(['certificates', 'revoke', serial, '再次'])).stderr).toContain('已作废');
    expect((await cli(['certificates', 'revoke', 'AAAAAAAAAAAAAAAA', 'x'])).code).toBe(1);
    expect((await cli(['certificates', 'revoke', 'nope', 'x'])).stderr).toContain('格式不对');
  });
});
