/**
 * The console's 学时证明 page through the app's real routes over a real SQLite file: a school's batch export runs
 * off the request path (its progress JSON answers with figures between 0 and the total while it runs, the page
 * says 生成中), the ZIP download holds one PDF per teacher and the 培训档案 workbook; the list finds certificates
 * by 工号 and by serial; revocation needs the CSRF token and a reason, is audited, and the verify page then says
 * 已作废 with the date and reason. Anonymous requests get nothing.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import ExcelJS from 'exceljs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../../db/handle.js';
import { groupSerial } from '../../../src/certificates/serial.js';
import type { TestApp } from '../../helpers/app.js';
import { pdfText } from '../../helpers/pdf.js';
import { addRecord, addTeacher } from '../../helpers/seed.js';
import { unzipBuffer } from '../../helpers/zip.js';
import { count, get, post, signInWithToken, startAdmin, type Signed } from '../../helpers/admin.js';

let app: TestApp;
let s: Signed;
const SCHOOL = '兴宾区第五小学';
const TEACHERS = 40;

beforeAll(async () => {
  app = await startAdmin({ PUBLIC_BASE_URL: 'https://xueshi.example.cn' });
  for (let i = 1; i <= TEACHERS; i++) {
    const id = await addTeacher(app.db, { employeeNo: `C${String(i).padStart(3, '0')}`, name: `教师${i}号`, school: SCHOOL, policyId: 'laibin' });
    await addRecord(app.db, id, { key: `c${i}a`, date: '2025-05-01', hours: 20 + i, category: '集中培训', project: '国培计划' });
    await addRecord(app.db, id, { key: `c${i}b`, date: '2026-03-01', hours: 12, category: '校本研修' });
  }
  await addTeacher(app.db, { employeeNo: 'D001', name: '别校老师', school: '兴宾区第六小学', policyId: 'laibin' });
  s = await signInWithToken(app);
});
afterAll(async () => app?.cleanup());

/** A certificate printed for this 工号 (its serial). */
async function serialOf(employeeNo: string): Promise<string> {
  const { certificates } = tables(app.db);
  return (await app.db.select({ serial: certificates.serial }).from(certificates).where(eq(certificates.employeeNo, employeeNo)).limit(1))[0].serial;
}

/** What the audit log says of each revocation (its detail parsed: jsonb on PostgreSQL). */
async function revocationsAudited(): Promise<unknown[]> {
  const { auditLog } = tables(app.db);
  const rows = await app.db.select({ detail: auditLog.detail }).from(auditLog).where(eq(auditLog.action, 'certificate.revoke'));
  return rows.map((r) => JSON.parse(r.detail) as unknown);
}

const jobIdOf = (res: Response) => /\/admin\/certificates\/exports\/([\w-]+)$/.exec(res.headers.get('location') ?? '')?.[1];

describe('console 学时证明', () => {
  it('exports a school in the background: progress while it runs, then a ZIP of one PDF per teacher and the workbook', async () => {
    const res = await post(app, '/admin/certificates/export', { _csrf: s.csrf, school: SCHOOL }, { cookie: s.cookie });
    expect(res.status).toBe(303);
    const id = jobIdOf(res)!;
    expect(id).toBeTruthy();

    // The request came back before the export finished; while it runs the page and its JSON answer.
    const page = await (await get(app, `/admin/certificates/exports/${id}`, s.cookie)).text();
    expect(page).toContain('生成中');
    expect(page).toContain(`/admin/certificates/exports/${id}/progress.json`);
    const seen: number[] = [];
    for (;;) {
      const p = (await (await get(app, `/admin/certificates/exports/${id}/progress.json`, s.cookie)).json()) as { phase: string; done: number; total: number };
      expect(p.total).toBe(TEACHERS);
      seen.push(p.done);
      if (p.phase === 'done') break;
      expect(p.phase === 'running' || p.phase === 'queued').toBe(true);
      await new Promise((r) => setTimeout(r, 20)); // as a browser polls: a request at a time, now and then
    }
    // Polls were answered between certificates: the export did not hold the event loop for its whole run.
    expect(seen.filter((n) => n > 0 && n < TEACHERS).length).toBeGreaterThanOrEqual(3);

    const done = await (await get(app, `/admin/certificates/exports/${id}`, s.cookie)).text();
    expect(done).toContain(`已开具 ${TEACHERS} 份学时证明`);
    const zip = await get(app, `/admin/certificates/exports/${id}/zip`, s.cookie);
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    expect(zip.headers.get('content-disposition')).toContain(encodeURIComponent(`学时证明-${SCHOOL}`));
    const files = await unzipBuffer(Buffer.from(await zip.arrayBuffer()));
    const pdfs = [...files.keys()].filter((n) => n.endsWith('.pdf'));
    expect(pdfs).toHaveLength(TEACHERS);
    expect(files.has('培训档案.xlsx')).toBe(true);
    expect(pdfs).toContain('教师7号_C007.pdf');
    const text = await pdfText(files.get('教师7号_C007.pdf')!);
    expect(text).toContain('教师7号');
    expect(text).toContain(SCHOOL);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(files.get('培训档案.xlsx')! as never);
    const sheet = book.worksheets[0];
    expect(sheet.name).toBe(SCHOOL);
    expect(sheet.rowCount).toBe(2 + TEACHERS);
    // The workbook is also offered on its own.
    expect((await get(app, `/admin/certificates/exports/${id}/xlsx`, s.cookie)).status).toBe(200);

    // Each certificate recorded as issued by the officer, and audited; the export itself audited once.
    expect(await count(app, 'certificates', `school = '${SCHOOL}' and issued_by = 'admin:ADMIN_TOKEN'`)).toBe(TEACHERS);
    expect(await count(app, 'audit_log', `action = 'certificate.issue'`)).toBe(TEACHERS);
    expect(await count(app, 'audit_log', `action = 'certificate.export'`)).toBe(1);
  });

  it('exports all schools: a folder per school, one sheet per school; the event loop never stalls for long', async () => {
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const res = await post(app, '/admin/certificates/export', { _csrf: s.csrf, school: '__all__' }, { cookie: s.cookie });
    const id = jobIdOf(res)!;
    for (;;) {
      const p = (await (await get(app, `/admin/certificates/exports/${id}/progress.json`, s.cookie)).json()) as { phase: string };
      if (p.phase === 'done') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    lag.disable();
    const maxMs = lag.max / 1e6;
    console.info(`console export of ${TEACHERS + 1} certificates: event-loop delay max ${maxMs.toFixed(0)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms`);
    // The longest stall is about one certificate's rendering, not the export (seconds).
    expect(maxMs).toBeLessThan(1000);
    const files = await unzipBuffer(Buffer.from(await (await get(app, `/admin/certificates/exports/${id}/zip`, s.cookie)).arrayBuffer()));
    expect([...files.keys()].filter((n) => n.startsWith(`${SCHOOL}/`))).toHaveLength(TEACHERS);
    expect([...files.keys()].filter((n) => n.startsWith('兴宾区第六小学/'))).toEqual(['兴宾区第六小学/别校老师_D001.pdf']);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(files.get('培训档案.xlsx')! as never);
    expect(book.worksheets.map((w) => w.name)).toEqual([SCHOOL, '兴宾区第六小学']);
    const list = await (await get(app, '/admin/certificates', s.cookie)).text();
    expect(list).toContain('全部学校');
  });

  it('refuses a school not on the roster and starts nothing', async () => {
    const before = await count(app, 'audit_log', `action = 'certificate.export'`);
    const res = await post(app, '/admin/certificates/export', { _csrf: s.csrf, school: '不存在的学校' }, { cookie: s.cookie });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/certificates');
    expect(await count(app, 'audit_log', `action = 'certificate.export'`)).toBe(before);
  });

  it('lists certificates and finds one by 工号 and by serial as typed from the paper', async () => {
    const serial = await serialOf('C007');
    const all = await (await get(app, '/admin/certificates', s.cookie)).text();
    expect(all).toContain('已开具的证明');
    expect(all).toContain(`共 ${2 * TEACHERS + 1} 份`);
    const byNo = await (await get(app, '/admin/certificates?q=C007', s.cookie)).text();
    expect(byNo).toContain(groupSerial(serial));
    expect(byNo).toContain('共 2 份');
    const bySerial = await (await get(app, `/admin/certificates?q=${encodeURIComponent(groupSerial(serial).toLowerCase())}`, s.cookie)).text();
    expect(bySerial).toContain('教师7号');
    expect(bySerial).toContain('共 1 份');
    expect(await (await get(app, '/admin/certificates?q=C999', s.cookie)).text()).toContain('没有工号或证明编号为「C999」的证明');
  });

  it('revokes with the CSRF token and a reason only; audited; the verify page then says 已作废 with date and reason', async () => {
    const serial = await serialOf('C003');
    const { certificates } = tables(app.db);
    const revoked = async () =>
      (await app.db.select({ revokedAt: certificates.revokedAt, revokeReason: certificates.revokeReason, revokedBy: certificates.revokedBy }).from(certificates).where(eq(certificates.serial, serial)))[0];
    const path = `/admin/certificates/${serial}/revoke`;

    expect((await post(app, path, { reason: '信息有误' }, { cookie: s.cookie })).status).toBe(403);
    expect((await post(app, path, { _csrf: s.csrf, reason: '信息有误' }, { cookie: s.cookie, origin: 'https://evil.example' })).status).toBe(403);
    const empty = await post(app, path, { _csrf: s.csrf, reason: '   ' }, { cookie: s.cookie });
    expect(empty.status).toBe(303);
    expect((await revoked()).revokedAt).toBeNull();

    const ok = await post(app, path, { _csrf: s.csrf, reason: '学校信息有误，已重新开具' }, { cookie: s.cookie });
    expect(ok.status).toBe(303);
    expect(await revoked()).toMatchObject({ revokeReason: '学校信息有误，已重新开具', revokedBy: 'admin:ADMIN_TOKEN' });
    expect(await revocationsAudited()).toEqual([{ serial, reason: '学校信息有误，已重新开具' }]);
    // Once only: a second revocation is refused and not audited.
    await post(app, path, { _csrf: s.csrf, reason: '再次' }, { cookie: s.cookie });
    expect((await revoked()).revokeReason).toBe('学校信息有误，已重新开具');
    expect(await revocationsAudited()).toHaveLength(1);

    const list = await (await get(app, `/admin/certificates?q=${serial}`, s.cookie)).text();
    expect(list).toContain('已作废 2026-11-25');
    const verify = await (await get(app, `/verify/${serial}`)).text();
    expect(verify).toContain('本证明已作废');
    expect(verify).toContain('作废日期：2026年11月25日；原因：学校信息有误，已重新开具');
  });

  it('gives anonymous callers nothing: pages redirect to sign-in, JSON and downloads are refused', async () => {
    expect((await get(app, '/admin/certificates')).status).toBe(303);
    expect((await get(app, '/admin/certificates/exports/x/progress.json')).status).toBe(401);
    const zip = await get(app, '/admin/certificates/exports/x/zip');
    expect(zip.status).toBe(303);
    expect(zip.headers.get('location')).toBe('/admin/login');
    const serial = await serialOf('C004');
    expect((await post(app, `/admin/certificates/${serial}/revoke`, { reason: 'x' })).status).toBe(401);
    expect(await count(app, 'certificates', `serial = '${serial}' and revoked_at is not null`)).toBe(0);
  });
});
