/**
 * Officers revoke or correct any credit record — imported or from a sign-in — by its 编号, in chat; the teacher's
 * figures change at once, nothing is deleted, and the audit log keeps the values before. Real bot, real SQLite.
 */
import { eq } from 'drizzle-orm';
import { tables } from '../../db/handle.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/client.js';
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/main.js';
import { ConsoleSession } from '../../src/platforms/console/session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addRecord } from '../helpers/seed.js';
import { get, post, signInWithToken, startAdmin } from '../helpers/admin.js';
import { person } from '../helpers/deadlines.js';
import { databaseEnv } from '../helpers/db.js';

let app: TestApp;
let zhang: number;

beforeEach(async () => {
  app = await createTestApp({}, { now: '2026-11-25T10:00:00+08:00' });
  await person(app.db, 'O1', '钱主任', '教师发展中心', { roles: ['officer'] });
  zhang = await person(app.db, 'T0001', '张三', '第一中学');
  await addRecord(app.db, zhang, { key: 'R1', date: '2026-03-01', hours: 24, category: '集中培训', project: '全员培训' });
  await addRecord(app.db, zhang, { key: 'session:7:T0001', date: '2026-09-10', hours: 1.5, category: '师德师风' });
});
afterEach(async () => app.cleanup());

const say = async (no: string, text: string) => (await new ConsoleSession(app, `acc-${no}`).send(text))[0];
const earned = async () => /已修 ([\d.]+) 学时/.exec(await say('T0001', '学时'))![1];
const record = async (key: string) => (await app.db.select().from(tables(app.db).records).where(eq(tables(app.db).records.recordKey, key)).limit(1))[0]!;
const audits = async (action: string) => (await app.db.select().from(tables(app.db).auditLog).where(eq(tables(app.db).auditLog.action, action)));

describe('撤销记录', () => {
  it('revokes an imported record: kept, marked, out of the sums at once, audited', async () => {
    expect(await earned()).toBe('25.5');
    expect(await say('O1', '撤销记录 R1 重复导入，与 R9 是同一次培训')).toBe(
      '已撤销 张三（T0001）的记录 R1：2026-03-01 集中培训 24 学时，不再计入学时。原因：重复导入，与 R9 是同一次培训',
    );
    expect(await earned()).toBe('1.5');
    expect((await record('R1')).cancelReason).toBe('重复导入，与 R9 是同一次培训');
    const [entry] = (await audits('record_revoke'));
    expect(entry.actor).toBe('console:acc-O1');
    expect(JSON.parse(entry.detail)).toMatchObject({ recordKey: 'R1', hours: 24, category: '集中培训', date: '2026-03-01', reason: '重复导入，与 R9 是同一次培训' });
    expect(await say('O1', '撤销记录 R1 再来一次')).toBe('记录 R1 已于 10:00 撤销（原因：重复导入，与 R9 是同一次培训），无需重复操作。');
  });

  it('revokes a sign-in credit by its 编号 or row id; needs a reason; officers only', async () => {
    expect(await say('O1', '撤销记录 session:7:T0001')).toBe('格式不对：请写明原因（至少 2 个字）\n用法：撤销记录 <编号> <原因>');
    expect(await say('T0001', '撤销记录 R1 不想要')).toContain('仅限培训管理员');
    expect(await say('O1', '撤销记录 R404 打错了')).toContain('没有编号为「R404」的学时记录');
    const id = (await record('session:7:T0001')).id;
    expect(await say('O1', `revokerecord #${id} 未到场`)).toContain('已撤销 张三（T0001）的记录 session:7:T0001');
    expect(await earned()).toBe('24');
    expect((await app.db.select().from(tables(app.db).records))).toHaveLength(2);
  });
});

describe('更正记录', () => {
  it('takes the date forms the chat takes; a year-less date is the latest such day (today is 2026-11-25)', async () => {
    expect(await say('O1', '更正记录 R1 日期=2026/3/2 原因=按签到表核对')).toContain('日期 2026-03-01 → 2026-03-02');
    expect(await say('O1', '更正记录 R1 日期=2026年3月3日 原因=按签到表核对')).toContain('日期 2026-03-02 → 2026-03-03');
    expect(await say('O1', '更正记录 R1 日期=12月1日 原因=按签到表核对')).toContain('日期 2026-03-03 → 2025-12-01');
    expect((await record('R1'))).toMatchObject({ date: '2025-12-01' });
  });

  it('corrects hours, category and date; the figures follow; the audit keeps before and after', async () => {
    expect(await say('O1', '更正记录 R1 学时=20 类别=师德师风 日期=2026-03-02 原因=按签到表核对')).toBe(
      '已更正 张三（T0001）的记录 R1：学时 24 → 20，类别 集中培训 → 师德师风，日期 2026-03-01 → 2026-03-02。原因：按签到表核对',
    );
    expect(await earned()).toBe('21.5');
    expect((await record('R1'))).toMatchObject({ hours: 20, category: '师德师风', date: '2026-03-02' });
    const detail = JSON.parse((await audits('record_correct'))[0].detail);
    expect(detail.before).toEqual({ hours: 24, category: '集中培训', date: '2026-03-01' });
    expect(detail.after).toEqual({ hours: 20, category: '师德师风', date: '2026-03-02' });
    // English alias and a loose reason.
    expect(await say('O1', 'correctrecord R1 hours=18 录入时多写了')).toContain('学时 20 → 18。原因：录入时多写了');
  });

  it('refuses what it cannot apply, naming what was wrong, and changes nothing', async () => {
    const usage = '\n用法：更正记录 <编号> [学时=8] [类别=师德师风] [日期=2026-03-01] 原因=<原因>';
    expect(await say('O1', '更正记录 R1 原因=核对')).toBe(`格式不对：请写明要更正的内容，例如：学时=8、类别=师德师风 或 日期=2026-03-01${usage}`);
    expect(await say('O1', '更正记录 R1 学时=0 原因=核对')).toBe(`格式不对：学时「0」有误：须为大于 0、不超过 1000 的数，最多两位小数，例如 学时=1.5${usage}`);
    expect(await say('O1', '更正记录 R1 类别=神秘类别 原因=核对')).toContain('「神秘类别」不是该教师所属政策认可的类别');
    expect(await say('O1', '更正记录 R1 日期=2026-12-01 原因=核对')).toContain('日期 2026-12-01 还没到');
    expect(await say('O1', '更正记录 R1 日期=2026-02-30 原因=核对')).toContain('日期「2026-02-30」有误');
    expect(await say('O1', '更正记录 R1 学时=20')).toContain('请写明原因');
    expect(await say('O1', '更正记录 R1 学时=24 原因=核对')).toContain('没有需要更正的内容');
    expect(await say('O1', '更正记录 R1 小时=3 原因=核对')).toContain('无法识别「小时=3」');
    await say('O1', '撤销记录 R1 重复');
    expect(await say('O1', '更正记录 R1 学时=3 原因=核对')).toContain('这条记录已撤销，不能更正');
    expect((await record('R1'))).toMatchObject({ hours: 24, category: '集中培训', date: '2026-03-01' });
    expect((await audits('record_correct'))).toEqual([]);
  });
});

/** The CLI's own entry point, in process, on the same database the bot serves. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const got = { out: '', err: '' };
  const sink = (key: 'out' | 'err') => new Writable({ write: (chunk, _e, done) => ((got[key] += String(chunk)), done()) });
  const env = { ...databaseEnv(app.config), XUESHI_NOW: '2026-11-25T10:00:00+08:00', LOG_LEVEL: 'silent' };
  return { code: await runCli(args, { env, stdout: sink('out'), stderr: sink('err') }), ...got };
}

describe('npm run cli -- records', () => {
  it('revokes and corrects with a reason, through the same rules; the bot sees the new figures', async () => {
    const noReason = await cli('records', 'revoke', 'R1');
    expect(noReason.code).toBe(1);
    expect(noReason.err).toContain('请写明原因');
    const corrected = await cli('records', 'correct', 'R1', '--hours', '12', '--reason', '按证书核对');
    expect(corrected.err).toBe('');
    expect(corrected.out).toBe('已更正 张三（T0001）的记录 R1：学时 24 → 12。原因：按证书核对\n');
    expect(await earned()).toBe('13.5');
    const bad = await cli('records', 'correct', 'R1', '--date', '2027-01-01', '--reason', '核对');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('日期 2027-01-01 还没到');
    const revoked = await cli('records', 'revoke', 'session:7:T0001', '--reason', '未到场');
    expect(revoked.out).toContain('已撤销 张三（T0001）的记录 session:7:T0001：2026-09-10 师德师风 1.5 学时');
    expect(await earned()).toBe('12');
    expect((await audits('record_correct'))[0].actor).toBe('cli');
    expect((await cli('records', 'delete', 'R1', '--reason', 'xx')).err).toContain('不认识的操作「delete」');
  });
});

describe('console: a record’s page, reached from the teacher’s records', () => {
  it('links each record, corrects and revokes with CSRF and a reason; the teacher page shows the new figure at once', async () => {
    await app.cleanup();
    app = await startAdmin({}, '2026-11-25T10:00:00+08:00');
    zhang = await person(app.db, 'T0001', '张三', '第一中学');
    await addRecord(app.db, zhang, { key: 'R1', date: '2026-03-01', hours: 24, category: '集中培训', project: '全员培训' });
    const s = await signInWithToken(app);
    const teacherPage = async () => (await get(app, `/admin/teachers/${zhang}`, s.cookie)).text();
    expect(await teacherPage()).toContain('href="/admin/records/edit?key=R1"');

    const page = await (await get(app, '/admin/records/edit?key=R1', s.cookie)).text();
    expect(page).toContain('action="/admin/records/correct"');
    expect(page).toContain('action="/admin/records/revoke"');

    // No CSRF token: refused, nothing changes.
    expect((await post(app, '/admin/records/revoke', { key: 'R1', reason: '重复导入' }, { cookie: s.cookie })).status).toBe(403);
    // No reason: the page again, with what is missing.
    const noReason = await post(app, '/admin/records/correct', { _csrf: s.csrf, key: 'R1', hours: '20', category: '集中培训', date: '2026-03-01', reason: '' }, { cookie: s.cookie });
    expect(noReason.status).toBe(400);
    expect(await noReason.text()).toContain('请写明原因（至少 2 个字）');

    const ok = await post(app, '/admin/records/correct', { _csrf: s.csrf, key: 'R1', hours: '20', category: '集中培训', date: '2026-03-01', reason: '按证书核对' }, { cookie: s.cookie });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe(`/admin/teachers/${zhang}`);
    expect((await record('R1')).hours).toBe(20);
    expect(JSON.parse((await audits('record_correct'))[0].detail).before.hours).toBe(24);
    expect((await audits('record_correct'))[0].actor).toBe('admin:ADMIN_TOKEN');
    const corrected = await teacherPage();
    expect(corrected).toContain('<div class="v">20</div><div class="l">已修学时</div>');
    expect(corrected).toContain('<td class="num">20</td>');

    const revoked = await post(app, '/admin/records/revoke', { _csrf: s.csrf, key: 'R1', reason: '重复导入' }, { cookie: s.cookie });
    expect(revoked.status).toBe(303);
    expect((await record('R1')).cancelledAt).not.toBeNull();
    // Revoked records are out of the teacher's list and sums at once.
    const emptied = await teacherPage();
    expect(emptied).not.toContain('href="/admin/records/edit?key=R1"');
    expect(emptied).toContain('<div class="v">0</div><div class="l">已修学时</div>');
    const after = await (await get(app, '/admin/records/edit?key=R1', s.cookie)).text();
    expect(after).toContain('已撤销');
    expect(after).not.toContain('action="/admin/records/correct"');
  });
});
