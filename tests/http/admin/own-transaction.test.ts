/**
 * Console writes run in a transaction of their own. On SQLite the bot and the console share one connection: a
 * write made outside transaction() while an event's transaction is open there lands INSIDE that transaction and
 * is rolled back with it, although the page already said it was done. Each case below writes while another
 * transaction is open, rolls that one back, and checks the console's write survived (on PostgreSQL the two use
 * different connections, and the same checks hold).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { transaction } from '../../../db/statements.js';
import { audit } from '../../../src/ledger/audit.js';
import { grantRole } from '../../../src/ledger/roles.js';
import { ConsoleSession } from '../../../src/platforms/console/session.js';
import type { TestApp } from '../../helpers/app.js';
import { addRecord, addTeacher, bindCode } from '../../helpers/seed.js';
import { cookieOf, count, csrfOf, get, post, signInWithToken, startAdmin, tokenOf, ADMIN_TOKEN } from '../../helpers/admin.js';

let app: TestApp;
afterEach(async () => app?.cleanup());

class RolledBack extends Error {}
const PROBE = 'test_rolled_back_probe';

/**
 * Sends `request` while another transaction (standing in for an event's) is open on the app's database, then
 * rolls that one back, and returns the response. Without a transaction of its own the request writes into the
 * open one and answers before it ends; with one it waits its turn. It gets a second to get that far.
 */
async function whileAnotherRollsBack(request: () => Promise<Response>): Promise<Response> {
  let opened!: () => void;
  let end!: () => void;
  const isOpen = new Promise<void>((resolve) => (opened = resolve));
  const ended = new Promise<void>((resolve) => (end = resolve));
  const other = transaction(app.db, async (tx) => {
    await audit(tx, 'test', PROBE);
    opened();
    await ended;
    throw new RolledBack();
  }).then(
    () => 'committed',
    (error: unknown) => (error instanceof RolledBack ? 'rolled back' : Promise.reject(error)),
  );
  await isOpen;
  const response = request();
  await Promise.race([response, new Promise((resolve) => setTimeout(resolve, 1000))]);
  end();
  expect(await other).toBe('rolled back');
  expect(await count(app, 'audit_log', `action = '${PROBE}'`)).toBe(0);
  return response;
}

async function withRecord() {
  app = await startAdmin({}, '2026-11-25T10:00:00+08:00');
  const teacherId = await addTeacher(app.db, { employeeNo: 'T0001', name: '张三' });
  await addRecord(app.db, teacherId, { key: 'R1', date: '2026-03-01', hours: 24, category: '集中培训', project: '全员培训' });
  return signInWithToken(app);
}

// The app refuses DATABASE_URL until the conversion lands; then this runs on PostgreSQL by itself.
describe('a console write is not rolled back with another transaction open at the time', () => {
  it('correcting a record', async () => {
    const s = await withRecord();
    const form = { _csrf: s.csrf, key: 'R1', hours: '20', category: '集中培训', date: '2026-03-01', reason: '按证书核对' };
    const res = await whileAnotherRollsBack(() => post(app, '/admin/records/correct', form, { cookie: s.cookie }));
    expect(res.status).toBe(303);
    expect(await count(app, 'records', `record_key = 'R1' and hours = 20`)).toBe(1);
    expect(await count(app, 'audit_log', `action = 'record_correct'`)).toBe(1);
  });

  it('revoking a record', async () => {
    const s = await withRecord();
    const form = { _csrf: s.csrf, key: 'R1', reason: '重复导入' };
    const res = await whileAnotherRollsBack(() => post(app, '/admin/records/revoke', form, { cookie: s.cookie }));
    expect(res.status).toBe(303);
    expect(await count(app, 'records', `record_key = 'R1' and cancelled_at is not null`)).toBe(1);
  });

  it('signing in with ADMIN_TOKEN, and signing out', async () => {
    app = await startAdmin();
    const signIn = await whileAnotherRollsBack(() => post(app, '/admin/login', { token: ADMIN_TOKEN }));
    expect(signIn.status).toBe(303);
    const cookie = cookieOf(signIn);
    const page = await get(app, '/admin/imports', cookie);
    expect(page.status).toBe(200);
    const csrf = csrfOf(await page.text());
    expect(await count(app, 'admin_login_attempts', `ip <> ''`)).toBeGreaterThan(0);

    const signOut = await whileAnotherRollsBack(() => post(app, '/admin/logout', { _csrf: csrf }, { cookie }));
    expect(signOut.headers.get('location')).toBe('/admin/login?out=1');
    expect(await count(app, 'admin_sessions', 'revoked_at is not null')).toBe(1);
    expect((await get(app, '/admin/imports', cookie)).headers.get('location')).toBe('/admin/login?ended=1');
  });

  it('signing in with a 后台 link: the link stays used', async () => {
    app = await startAdmin();
    const officerId = await addTeacher(app.db, { employeeNo: 'T9000', name: '周主任', school: '教师发展中心' });
    await grantRole(app.db, officerId, 'officer', 'test');
    const officer = new ConsoleSession(app, 'officer');
    await officer.send(`绑定 T9000 周主任 ${await bindCode(app.db, 'T9000')}`);
    const token = tokenOf((await officer.send('后台')).join('\n'));

    const use = await whileAnotherRollsBack(() => post(app, '/admin/login/link', { token }));
    expect(use.status).toBe(303);
    expect((await get(app, '/admin/imports', cookieOf(use))).status).toBe(200);
    expect(await count(app, 'admin_login_tokens', 'used_at is not null')).toBe(1);
    expect((await post(app, '/admin/login/link', { token })).status).not.toBe(303);
  });
});
