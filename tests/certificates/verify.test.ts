/**
 * GET /verify/:serial, through the app's real HTTP routes over a real SQLite file: a valid certificate shows the
 * printed figures with a masked name; a record added or cancelled afterwards (for the printed date) shows as
 * changed; a revoked one says so with the reason; unknown and malformed serials get the same 404 page after the
 * same floor time; look-ups are limited per client address (a forged X-Forwarded-For does not reset the count).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db/handle.js';
import { issueCertificate, revokeCertificate } from '../../src/certificates/issue.js';
import { groupSerial } from '../../src/certificates/serial.js';
import { maskName } from '../../src/http/verify.js';
import { findTeacherByEmployeeNo } from '../../src/ledger/store.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addRecord, addTeacher } from '../helpers/seed.js';

let app: TestApp;
const FLOOR = 60;
const opts = { officeName: '兴宾区教师发展中心', baseUrl: 'http://127.0.0.1', today: '2026-11-25', now: new Date('2026-11-25T02:00:00Z'), issuedBy: 'test' };

beforeAll(async () => {
  app = await createTestApp({}, { verify: { limit: { max: 12, windowMs: 60_000 }, floorMs: FLOOR } });
  const id = await addTeacher(app.db, { employeeNo: 'T2001', name: '张建伟', school: '兴宾区第二小学', policyId: 'laibin' });
  await addRecord(app.db, id, { key: 'v1', date: '2026-03-01', hours: 40, category: '集中培训', project: '国培' });
});
afterAll(async () => app?.cleanup());

const issue = async () => issueCertificate(app.db, app.presets, (await findTeacherByEmployeeNo(app.db, 'T2001'))!, opts);
const get = async (path: string, headers: Record<string, string> = {}) => {
  const started = Date.now();
  const res = await app.http.request(path, { headers });
  return { status: res.status, body: await res.text(), ms: Date.now() - started };
};

describe('verify page', () => {
  it('masks names the way the page prints them', () => {
    expect([maskName('张建伟'), maskName('李明'), maskName('欧阳小明'), maskName('王')]).toEqual(['张*伟', '李*', '欧**明', '王']);
  });

  it('shows a valid certificate as printed, with the masked name only, and says the figures still hold', async () => {
    const cert = await issue();
    const r = await get(`/verify/${cert.serial}`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('本证明有效');
    expect(r.body).toContain('张*伟');
    expect(r.body).not.toContain('张建伟');
    expect(r.body).not.toContain('T2001');
    expect(r.body).toContain('兴宾区第二小学');
    expect(r.body).toContain('应修 360 学时　已修 40 学时　尚差 320 学时');
    expect(r.body).toContain('2026年11月25日');
    expect(r.body).toContain(groupSerial(cert.serial));
    expect(r.body).toContain('数字与证明一致');
    expect(r.body).not.toContain('国培'); // the records are on the paper, not on the public page
    // The grouped, lower-case form someone types from the paper finds it too.
    expect((await get(`/verify/${groupSerial(cert.serial).toLowerCase()}`)).body).toContain('本证明有效');
  });

  it('says the figures changed when a record dated on or before the printed date was added afterwards', async () => {
    const cert = await issue();
    const teacher = (await findTeacherByEmployeeNo(app.db, 'T2001'))!;
    await addRecord(app.db, teacher.id, { key: 'v2', date: '2026-11-01', hours: 6, category: '网络研修' });
    const r = await get(`/verify/${cert.serial}`);
    expect(r.body).toContain('本证明有效');
    expect(r.body).toContain('已修 40 学时'); // as printed, not today's 46
    expect(r.body).toContain('数字与证明不一致');
    // A later certificate prints the new figures and still holds.
    const fresh = await issue();
    expect((await get(`/verify/${fresh.serial}`)).body).toContain('数字与证明一致');
  });

  it('shows the school and name as printed after the teacher moves school and is renamed; the figures still hold', async () => {
    await addTeacher(app.db, { employeeNo: 'T2002', name: '李明', school: '兴宾区第三小学', policyId: 'laibin' });
    const teacher = (await findTeacherByEmployeeNo(app.db, 'T2002'))!;
    await addRecord(app.db, teacher.id, { key: 'm1', date: '2026-04-01', hours: 12, category: '校本研修' });
    const cert = await issueCertificate(app.db, app.presets, teacher, opts);
    // The roster import moves the teacher (and a marriage changes the surname) after the paper was printed.
    const { teachers } = tables(app.db);
    await app.db.update(teachers).set({ school: '来宾市实验中学', name: '王明' }).where(eq(teachers.id, teacher.id));
    const r = await get(`/verify/${cert.serial}`);
    expect(r.body).toContain('兴宾区第三小学');
    expect(r.body).not.toContain('来宾市实验中学');
    expect(r.body).toContain('李*');
    expect(r.body).not.toContain('王*');
    expect(r.body).toContain('已修 12 学时');
    expect(r.body).toContain('数字与证明一致');
  });

  it('shows a revoked certificate as revoked, with the date and reason', async () => {
    const cert = await issue();
    expect(await revokeCertificate(app.db, cert.serial, 'officer:T9', '信息有误，已重新开具', new Date('2026-11-26T03:00:00Z'))).toBe(true);
    expect(await revokeCertificate(app.db, cert.serial, 'officer:T9', '再次', new Date())).toBe(false);
    const r = await get(`/verify/${cert.serial}`);
    expect(r.body).toContain('本证明已作废');
    expect(r.body).toContain('作废日期：2026年11月26日；原因：信息有误，已重新开具');
    expect(r.body).not.toContain('本证明有效');
  });

  it('answers an unknown or malformed serial with the same 404 page, no sooner than a found one', async () => {
    const unknown = await get('/verify/AAAAAAAAAAAAAAAA');
    const malformed = await get('/verify/..%2Fetc');
    for (const r of [unknown, malformed]) {
      expect(r.status).toBe(404);
      expect(r.body).toContain('未找到该编号的学时证明');
      expect(r.ms).toBeGreaterThanOrEqual(FLOOR - 5);
    }
    expect(unknown.body).toBe(malformed.body);
  });

  it('limits look-ups per client address; a forged X-Forwarded-For is not believed', async () => {
    const seen: number[] = [];
    for (let i = 0; i < 14; i++) seen.push((await get('/verify/BBBBBBBBBBBBBBBB', { 'x-forwarded-for': `10.0.0.${i}` })).status);
    expect(seen).toContain(429);
    const last = await get('/verify/BBBBBBBBBBBBBBBB');
    expect(last.status).toBe(429);
    expect(last.body).toContain('查询过于频繁');
  });
});
