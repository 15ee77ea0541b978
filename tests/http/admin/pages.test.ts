/** Console pages over a seeded district: every page, imports (report, then commit), exports, sessions, deadlines, broadcasts. */
import ExcelJS from 'exceljs';
import { eq } from 'drizzle-orm';
import { tables } from '../../../db/handle.js';
import { statement } from '../../../db/statements.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bindAccount } from '../../../src/ledger/accounts.js';
import { createDeadline } from '../../../src/deadlines/store.js';
import { createSession } from '../../../src/sessions/service.js';
import { signIn } from '../../../src/sessions/signin.js';
import { findTeacherByEmployeeNo, findTeacherById } from '../../../src/ledger/store.js';
import { grantRole } from '../../../src/ledger/roles.js';
import type { TestApp } from '../../helpers/app.js';
import { addTeacher } from '../../helpers/seed.js';
import { seedDistrict, SCHOOLS, type District } from '../../helpers/console-seed.js';
import { count, csrfOf, get, pageUntil, post, signInWithToken, startAdmin, type Signed } from '../../helpers/admin.js';

let app: TestApp;
let district: District;
let s: Signed;

beforeEach(async () => {
  app = await startAdmin();
  district = await seedDistrict(app.db);
  s = await signInWithToken(app);
});
afterEach(async () => app.cleanup());

async function makeSession() {
  const created = await createSession(
    app.db,
    {
      title: '师德专题讲座',
      category: '师德师风',
      hours: 3,
      date: '2026-11-26',
      checkin: { start: '08:30', end: '09:15' },
      checkout: null,
      audience: { schools: ['第一中学'] },
      mode: 'rotating',
    },
    { now: app.fixedClock.now(), timeZone: 'Asia/Shanghai', createdBy: 'test', presets: app.presets, defaultPolicy: 'laibin' },
  );
  if (!created.ok) throw new Error(JSON.stringify(created.problem));
  return created.session;
}

describe('pages', () => {
  it('answers 200 for an officer on every page, and sends everyone else to the login page', async () => {
    const session = await makeSession();
    const deadline = await createDeadline(app.db, { title: '年度培训计划', dueAt: new Date('2026-12-01T15:59:00Z'), audience: { all: true }, offsets: [7, 1], createdBy: 'test' });
    const preview = await post(app, '/admin/broadcasts', { audience: 'all', text: '通知', _csrf: s.csrf }, { cookie: s.cookie });
    const broadcastPath = preview.headers.get('location')!;
    const pages = [
      '/admin',
      '/admin?policy=laibin',
      `/admin?school=${encodeURIComponent('民族中学')}`,
      '/admin?sort=school&dir=asc',
      `/admin/schools/${encodeURIComponent('第一中学')}`,
      `/admin/schools/${encodeURIComponent('第一中学')}?status=behind&sort=progress&dir=asc`,
      `/admin/teachers/${district.officerId}`,
      '/admin/imports',
      '/admin/exports',
      '/admin/sessions',
      `/admin/sessions/${session.id}`,
      '/admin/deadlines',
      `/admin/deadlines/${deadline.id}`,
      '/admin/broadcasts',
      broadcastPath,
      '/admin/audit',
      '/admin/audit?action=admin_login&page=2',
    ];
    for (const path of pages) {
      const res = await get(app, path, s.cookie);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html, path).toContain('<!DOCTYPE html>');
      expect(html, path).toContain('/admin/assets/admin.css');
      expect(res.headers.get('content-security-policy'), path).toContain("script-src 'self'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');

      const anonymous = await get(app, path);
      expect(anonymous.status, path).toBe(303);
      expect(anonymous.headers.get('location')).toBe('/admin/login');
    }
    expect((await get(app, '/admin/exports/compliance.csv')).status).toBe(303);
    expect((await get(app, `/admin/sessions/${session.id}/live.json`)).status).toBe(401);
    expect((await post(app, '/admin/broadcasts', { audience: 'all', text: 'x' })).status).toBe(401);
    // Assets are public (the login page needs them) and offline: no external URL anywhere.
    const css = await get(app, '/admin/assets/admin.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(await css.text()).toContain('Noto Sans CJK SC');
    const dash = await (await get(app, '/admin', s.cookie)).text();
    expect(dash).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|localhost)/);
    expect((await get(app, '/admin/nope', s.cookie)).status).toBe(404);
  });

  it('shows the district at a glance: counts, charts, schools; a school; a teacher', async () => {
    const dash = await (await get(app, '/admin', s.cookie)).text();
    expect(dash).toContain('学时达标总览');
    expect(dash).toContain('<svg class="chart"');
    for (const [school] of SCHOOLS) expect(dash).toContain(school);
    expect(dash).toContain(`>${district.teachers + 1}<`); // teachers total (officer included)
    expect(dash).toContain('当前年度最低要求尚欠');
    expect(dash).toContain('校本研修');

    const filtered = await (await get(app, `/admin?school=${encodeURIComponent('民族中学')}`, s.cookie)).text();
    expect(filtered).toContain('>22<');

    const school = await (await get(app, `/admin/schools/${encodeURIComponent('第一中学')}`, s.cookie)).text();
    expect(school).toContain('周主任');
    expect(school).toContain('进度落后');
    const teacher = await (await get(app, `/admin/teachers/${district.officerId}`, s.cookie)).text();
    expect(teacher).toContain('T9000');
    expect(teacher).toContain('学时记录');
    expect(teacher).toContain('网络研修');
  });

  it('keeps the dashboard current: a new teacher, a teacher moving school, new records, cancelled credits', async () => {
    const kpi = (html: string, label: string) => Number(new RegExp(`${label}</div><div class="value">(\\d+)<`).exec(html)![1]);
    const view = () => get(app, `/admin?school=${encodeURIComponent('新学校')}`, s.cookie).then((r) => r.text());
    expect(kpi(await view(), '教师总数')).toBe(0);
    const id = await addTeacher(app.db, { employeeNo: 'T7777', name: '新来的', school: '第一中学', policyId: 'laibin' });
    expect(await (await get(app, `/admin/schools/${encodeURIComponent('第一中学')}`, s.cookie)).text()).toContain('新来的');
    await statement(app.db, `UPDATE teachers SET school = '新学校' WHERE id = ?`).run(id);
    let html = await view();
    expect(kpi(html, '教师总数')).toBe(1);
    expect(kpi(html, '进度落后')).toBe(1);
    // A credit this year puts the teacher on pace (64.9 h expected by 11-25 of a 360 h, 5-year cycle)…
    await statement(app.db, `INSERT INTO records (record_key, teacher_id, date, hours, category) VALUES ('big', ?, '2026-10-01', 80, '集中培训')`).run(id);
    html = await view();
    expect(kpi(html, '进度正常')).toBe(1);
    // …and cancelling it (as 取消学时 does) puts them back.
    await statement(app.db, `UPDATE records SET cancelled_at = ?, cancel_reason = 'test' WHERE record_key = 'big'`).run(new Date(1));
    html = await view();
    expect(kpi(html, '进度正常')).toBe(0);
    expect(kpi(html, '进度落后')).toBe(1);
    // Leaving the roster removes them.
    await statement(app.db, `DELETE FROM records WHERE teacher_id = ?`).run(id);
    await statement(app.db, `DELETE FROM teachers WHERE id = ?`).run(id);
    expect(kpi(await view(), '教师总数')).toBe(0);
  });
});

describe('imports', () => {
  const upload = (kind: string, name: string, text: string, csrf = s.csrf) => {
    const form = new FormData();
    form.set('_csrf', csrf);
    form.set('kind', kind);
    form.set('file', new File([text], name, { type: 'text/csv' }));
    return post(app, '/admin/imports', form, { cookie: s.cookie });
  };
  const checked = (html: string) => html.includes('检查结果') || html.includes('无法读取文件');
  const finished = (html: string) => html.includes('导入完成');

  it('reports every bad row and writes nothing; then the corrected file imports', async () => {
    const records = await count(app, 'records');
    const bad = ['工号,日期,学时,类别,项目,编号', 'T0001,2026-03-01,8,集中培训,新课标解读,ADM-1', 'T0404,2026-02-30,abc,集中培训,,ADM-2', 'T0002,2026-04-01,3,网络研修,,ADM-3'].join('\n');
    const res = await upload('records', '学时记录.csv', bad);
    expect(res.status).toBe(303);
    const jobPath = res.headers.get('location')!;
    expect(jobPath).toMatch(/^\/admin\/imports\/[A-Za-z0-9_-]{22}$/);
    const report = await pageUntil(app, jobPath, s.cookie, checked);
    expect(report).toContain('3 行中有 1 行有错误');
    expect(report).toContain('名册中没有工号「T0404」');
    expect(report).toContain('「2026-02-30」不是有效的日期');
    expect(report).toContain('不是数字');
    expect(report).not.toContain('>确认导入<');
    expect(report).toContain('跳过错误行，导入其余 2 行');
    expect(await count(app, 'records')).toBe(records);
    const errors = await get(app, `${jobPath}/errors.csv`, s.cookie);
    expect(await errors.text()).toContain('3,工号,名册中没有工号「T0404」');

    const good = ['工号,日期,学时,类别,项目,编号', 'T0001,2026-03-01,8,集中培训,新课标解读,ADM-1', 'T0404,2026-03-02,2,集中培训,,ADM-2', 'T0002,2026-04-01,3,网络研修,,ADM-3'].join('\n').replace('T0404', 'T0003');
    const res2 = await upload('records', '学时记录（改）.csv', good);
    const job2 = res2.headers.get('location')!;
    const report2 = await pageUntil(app, job2, s.cookie, checked);
    expect(report2).toContain('全部 3 行检查通过');
    expect(await count(app, 'records')).toBe(records);
    const commit = await post(app, `${job2}/commit`, { _csrf: csrfOf(report2) }, { cookie: s.cookie });
    expect(commit.status).toBe(303);
    const done = await pageUntil(app, job2, s.cookie, finished);
    expect(done).toContain('已写入数据库');
    expect(done).toMatch(/<div class="v" style="color:var\(--done\)">3<\/div><div class="l">新增/);
    expect(await count(app, 'records')).toBe(records + 3);
    expect(await count(app, 'audit_log', "action = 'import_records' and actor = 'admin:ADMIN_TOKEN'")).toBe(1);
    // The same file again changes nothing; a second commit of a finished job is refused.
    expect((await post(app, `${job2}/commit`, { _csrf: s.csrf }, { cookie: s.cookie })).headers.get('location')).toBe('/admin/imports');
    const list = await (await get(app, '/admin/imports', s.cookie)).text();
    expect(list).toContain('学时记录（改）.csv');
    expect(list).toContain('已完成');
  });

  it('imports a roster (XLSX) and can import the good rows of a bad file on request', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('名册');
    sheet.addRow(['工号', '姓名', '学校', '入职日期', '师范毕业', '班主任', '职务', '政策']);
    sheet.addRow(['N001', '新老师', '新学校', '2025-09-01', '是', '否', '教师', 'laibin']);
    sheet.addRow(['N002', '', '新学校', '2025-09-01', '是', '否', '教师', 'laibin']);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const form = new FormData();
    form.set('_csrf', s.csrf);
    form.set('kind', 'teachers');
    form.set('file', new File([bytes], '名册.xlsx'));
    const res = await post(app, '/admin/imports', form, { cookie: s.cookie });
    const job = res.headers.get('location')!;
    const report = await pageUntil(app, job, s.cookie, checked);
    expect(report).toContain('2 行中有 1 行有错误');
    expect(report).toContain('不能为空');
    await post(app, `${job}/commit`, { _csrf: s.csrf, skipInvalid: '1' }, { cookie: s.cookie });
    const done = await pageUntil(app, job, s.cookie, finished);
    expect(done).toContain('已跳过 1 行错误');
    expect((await findTeacherByEmployeeNo(app.db, 'N001'))?.school).toBe('新学校');
    expect(await findTeacherByEmployeeNo(app.db, 'N002')).toBeNull();
    // The dashboard knows the new school at once.
    expect(await (await get(app, '/admin', s.cookie)).text()).toContain('新学校');
  });

  it('refuses a bad header and an unreadable file clearly', async () => {
    const res = await upload('records', 'wrong.csv', '姓名,学时\n张三,3');
    const html = await pageUntil(app, res.headers.get('location')!, s.cookie, checked);
    expect(html).toContain('表头不符合要求');
    const xls = await upload('teachers', 'old.xls', 'not really excel');
    expect(await pageUntil(app, xls.headers.get('location')!, s.cookie, checked)).toContain('不支持旧版 Excel');
    // No file, wrong kind.
    const form = new FormData();
    form.set('_csrf', s.csrf);
    form.set('kind', 'records');
    const none = await post(app, '/admin/imports', form, { cookie: s.cookie });
    expect(none.headers.get('location')).toBe('/admin/imports');
    expect(await (await get(app, '/admin/imports', s.cookie, { cookie: `${s.cookie}; ${none.headers.get('set-cookie')!.split(';')[0]}` })).text()).toContain('请选择要上传的文件');
  });
});

describe('exports', () => {
  it('compliance by school and the behind list, as CSV and XLSX', async () => {
    const csv = await get(app, '/admin/exports/compliance.csv', s.cookie);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toContain("filename*=UTF-8''");
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM: Excel opens the Chinese intact
    const lines = bytes.toString('utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toMatch(/^学校,教师数,已完成,进度正常,进度落后,无数值要求,落后比例/);
    expect(lines).toHaveLength(SCHOOLS.length + 1);
    const minzu = lines.find((l) => l.startsWith('民族中学,'))!.split(',');
    expect(Number(minzu[1])).toBe(22);
    expect(Number(minzu[2]) + Number(minzu[3]) + Number(minzu[4]) + Number(minzu[5])).toBe(22);

    const overdue = (await (await get(app, '/admin/exports/overdue.csv', s.cookie)).text()).trim().split('\r\n');
    expect(overdue[0]).toBe('工号,姓名,学校,政策,已修学时,周期应修,按进度应修,落后学时,今年尚欠');
    const behind = Number(/进度落后<\/div><div class="value">(\d+)</.exec(await (await get(app, '/admin', s.cookie)).text())![1]);
    expect(overdue).toHaveLength(behind + 1);
    expect(overdue.slice(1).every((l) => /^T\d{4},/.test(l))).toBe(true);

    const xlsx = await get(app, `/admin/exports/overdue.xlsx?school=${encodeURIComponent('民族中学')}`, s.cookie);
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as unknown as ArrayBuffer);
    const rows = book.worksheets[0].getSheetValues().filter(Boolean) as unknown[][];
    expect(rows[0].slice(1, 4)).toEqual(['工号', '姓名', '学校']);
    expect(rows.slice(1).every((r) => r[3] === '民族中学')).toBe(true);
    expect(rows.length).toBeGreaterThan(10);
  });

  it('attendance of a session', async () => {
    const session = await makeSession();
    const zhang = (await findTeacherByEmployeeNo(app.db, 'T0001'))!;
    app.fixedClock.set('2026-11-26T08:40:00+08:00');
    expect((await signIn(app.db, app.fixedClock.now(), session, zhang, { button: true }, 'test')).kind).toBe('code_required');
    const { trainingSessions } = tables(app.db);
    await app.db.update(trainingSessions).set({ mode: 'button' }).where(eq(trainingSessions.id, session.id));
    const fresh = { ...session, mode: 'button' as const };
    expect((await signIn(app.db, app.fixedClock.now(), fresh, zhang, { button: true }, 'test')).kind).toBe('signed_in');
    s = await signInWithToken(app); // a day later: yesterday's console session has expired
    const csv = await (await get(app, `/admin/exports/attendance/${session.id}.csv`, s.cookie)).text();
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('工号,姓名,学校,签到时间,签退时间,状态');
    expect(lines.find((l) => l.startsWith('T0001,'))).toContain('2026-11-26 08:40:00');
    expect(lines).toHaveLength(1 + 39);
    const xlsx = await get(app, `/admin/exports/attendance/${session.id}.xlsx`, s.cookie);
    expect(xlsx.status).toBe(200);
    expect((await get(app, '/admin/exports/attendance/999.csv', s.cookie)).status).toBe(404);
  });
});

describe('sessions, deadlines, broadcasts', () => {
  it('creates a session from the form and shows its live count and projector link', async () => {
    const bad = await post(app, '/admin/sessions', { _csrf: s.csrf, title: '讲座', category: '师德师风', hours: '3', date: '2026-11-26', checkinStart: '09:15', checkinEnd: '08:30', audience: 'all', mode: 'rotating' }, { cookie: s.cookie });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('签到时段的结束早于开始');
    expect(await count(app, 'training_sessions')).toBe(0);

    const res = await post(
      app,
      '/admin/sessions',
      { _csrf: s.csrf, title: '新课标解读', category: '集中培训', hours: '4', date: '2026-11-26', checkinStart: '08:30', checkinEnd: '09:00', checkoutStart: '', checkoutEnd: '', audience: 'schools', schools: '第一中学，实验小学', mode: 'rotating' },
      { cookie: s.cookie },
    );
    expect(res.status).toBe(303);
    const path = res.headers.get('location')!;
    const html = await (await get(app, path, s.cookie, { cookie: `${s.cookie}; ${res.headers.get('set-cookie')!.split(';')[0]}` })).text();
    expect(html).toContain('已创建培训 #1');
    expect(html).toMatch(/\/sessions\/1\/checkin\?key=[\w-]+/);
    expect(html).toContain('学校：第一中学、实验小学');
    const live = await (await get(app, `${path}/live.json`, s.cookie)).json();
    expect(live).toEqual({ signedIn: 0, signedOut: 0, expected: 39 + 32 });
    expect(await count(app, 'audit_log', "action = 'session_create' and actor = 'admin:ADMIN_TOKEN'")).toBe(1);
    const close = await post(app, `${path}/close`, { _csrf: s.csrf }, { cookie: s.cookie });
    expect(close.status).toBe(303);
    expect(await count(app, 'training_sessions', "status = 'closed'")).toBe(1);
  });

  it('shows filed / not filed by school and reminds the leaders of the others now', async () => {
    const deadline = await createDeadline(app.db, { title: '年度培训计划', dueAt: new Date('2026-12-01T15:59:00Z'), audience: { all: true }, offsets: [7, 1], createdBy: 'test' });
    const leaders = [...district.leaders.entries()];
    // Leaders of the first three schools have bound accounts; the first school has filed.
    for (const [i, [, id]] of leaders.slice(0, 3).entries()) await bindAccount(app.db, 'console', `leader${i}`, id);
    await app.db.insert(tables(app.db).deadlineFilings).values({ deadlineId: deadline.id, school: leaders[0][0], filedAt: app.fixedClock.now() });
    const page = await (await get(app, `/admin/deadlines/${deadline.id}`, s.cookie)).text();
    expect(page).toContain(`未报送（${SCHOOLS.length - 1}）`);
    expect(page).toContain('已报送（1）');
    const res = await post(app, `/admin/deadlines/${deadline.id}/remind`, { _csrf: s.csrf }, { cookie: s.cookie });
    expect(res.status).toBe(303);
    expect(await count(app, 'outbox', `idempotency_key like 'reminder:${deadline.id}:%manual-%'`)).toBe(2);
    const flashCookie = res.headers.get('set-cookie')!.split(';')[0];
    const after = await (await get(app, res.headers.get('location')!, `${s.cookie}; ${flashCookie}`)).text();
    expect(after).toContain(`已向 2 所学校的 2 位负责人发送提醒；${SCHOOLS.length - 3} 所学校的负责人未绑定账号`);
    // A second click within the same minute sends nothing twice.
    await post(app, `/admin/deadlines/${deadline.id}/remind`, { _csrf: s.csrf }, { cookie: s.cookie });
    expect(await count(app, 'outbox', `idempotency_key like 'reminder:${deadline.id}:%manual-%'`)).toBe(2);
    expect(await count(app, 'audit_log', "action = 'deadline_remind_now'")).toBe(2);
  });

  it('previews a broadcast with the exact audience, then sends it once', async () => {
    const bound = [...district.leaders.values()];
    for (const [i, id] of bound.entries()) await bindAccount(app.db, 'console', `leader${i}`, id);
    const unknown = await post(app, '/admin/broadcasts', { _csrf: s.csrf, audience: 'schools', schools: '火星中学', text: '你好' }, { cookie: s.cookie });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('名册中没有这些学校：火星中学');
    const res = await post(app, '/admin/broadcasts', { _csrf: s.csrf, audience: 'roles', roles: 'leader', text: '请于周五前报送年度培训计划。' }, { cookie: s.cookie });
    expect(res.status).toBe(303);
    const path = res.headers.get('location')!;
    const preview = await (await get(app, path, s.cookie)).text();
    expect(preview).toContain(`共 ${bound.length} 人：${bound.length} 人将收到消息，0 人未绑定账号`);
    expect(await count(app, 'outbox', "origin like 'broadcast:%'")).toBe(0);
    await post(app, `${path}/confirm`, { _csrf: s.csrf }, { cookie: s.cookie });
    await post(app, `${path}/confirm`, { _csrf: s.csrf }, { cookie: s.cookie });
    expect(await count(app, 'outbox', "origin like 'broadcast:%'")).toBe(bound.length);
    await app.outbox.whenIdle();
    const report = await (await get(app, path, s.cookie)).text();
    expect(report).toContain('送达报告');
    expect(report).toMatch(new RegExp(`data-live-key="delivered">${bound.length}<`));
    const progress = await (await get(app, `${path}/progress.json`, s.cookie)).json();
    expect(progress).toMatchObject({ delivered: bound.length, failed: 0, pending: 0, done: true });
  });
});

describe('words on the console: session phase, audit log, platform labels, same names', () => {
  const makeOn = async (date: string, checkin: { start: string; end: string }, title = '未来讲座', now = app.fixedClock.now()) => {
    const created = await createSession(
      app.db,
      { title, category: '师德师风', hours: 2, date, checkin, checkout: null, audience: { schools: ['第一中学'] }, mode: 'rotating' },
      { now, timeZone: 'Asia/Shanghai', createdBy: 'test', presets: app.presets, defaultPolicy: 'laibin' },
    );
    if (!created.ok) throw new Error(JSON.stringify(created.problem));
    return created.session;
  };
  const badge = (html: string) => /<span class="badge (\w+)">([^<]+)<\/span>/.exec(html)?.slice(1);

  it('a session that has not started reads 未开始; one under way 进行中; one whose windows passed 已截止', async () => {
    // The clock reads 2026-11-25 10:00 Beijing time.
    const future = await makeOn('2026-12-03', { start: '08:30', end: '09:00' });
    const now = await makeOn('2026-11-25', { start: '09:30', end: '11:00' }, '今天讲座');
    const past = await makeOn('2026-11-25', { start: '08:00', end: '08:30' }, '早上讲座', new Date('2026-11-25T07:00:00+08:00'));
    expect(badge(await (await get(app, `/admin/sessions/${future.id}`, s.cookie)).text())).toEqual(['upcoming', '未开始']);
    expect(badge(await (await get(app, `/admin/sessions/${now.id}`, s.cookie)).text())).toEqual(['open', '进行中']);
    expect(badge(await (await get(app, `/admin/sessions/${past.id}`, s.cookie)).text())).toEqual(['ended', '已截止']);
    const list = await (await get(app, '/admin/sessions', s.cookie)).text();
    const rowOf = (id: number) => list.slice(list.indexOf(`#${id}<`), list.indexOf('</tr>', list.indexOf(`#${id}<`)));
    expect(rowOf(future.id)).toContain('未开始');
    expect(rowOf(future.id)).not.toContain('进行中');
  });

  it('the audit log shows names, Chinese action and field names, and Beijing time', async () => {
    const officer = (await findTeacherById(app.db, district.officerId))!;
    const [leaderSchool, leaderId] = [...district.leaders.entries()][0];
    await bindAccount(app.db, 'feishu', 'ou_7d8a9f0e1c2b', officer.id);
    // A known instant, so the local time can be checked: 02:05 UTC is 10:05 in Beijing.
    await app.db
      .insert(tables(app.db).auditLog)
      .values({ at: new Date('2026-11-20T02:05:00Z'), actor: 'feishu:ou_7d8a9f0e1c2b', action: 'grant_role', detail: JSON.stringify({ teacherId: leaderId, role: 'leader' }) });
    const html = await (await get(app, '/admin/audit', s.cookie)).text();
    const row = html.slice(html.indexOf('2026-11-20'), html.indexOf('</tr>', html.indexOf('2026-11-20')));
    expect(row).toContain('2026-11-20 10:05');
    expect(row).toContain(`${officer.name}（飞书）`);
    expect(row).toContain('授予角色');
    expect(row).toContain('学校负责人');
    expect(row).toContain((await findTeacherById(app.db, leaderId))!.name);
    expect(row).toContain('教师');
    expect(leaderSchool).toBeTruthy();
    // Nothing raw anywhere on the page: account ids, English action keys or field names.
    const body = html.slice(html.indexOf('<tbody'));
    expect(body).not.toMatch(/ou_7d8a|grant_role|teacherId|"leader"|>leader</);
    expect(body).toContain('绑定账号');
  });

  it('platform labels read 已绑定飞书 / 已绑定钉钉 / 未绑定', async () => {
    const [, first] = [...district.leaders.entries()][0];
    const [, second] = [...district.leaders.entries()][1];
    await bindAccount(app.db, 'feishu', 'ou_a', first);
    await bindAccount(app.db, 'dingtalk', 'ding_b', first);
    const both = await (await get(app, `/admin/teachers/${first}`, s.cookie)).text();
    expect(both).toContain('已绑定飞书、已绑定钉钉');
    const none = await (await get(app, `/admin/teachers/${second}`, s.cookie)).text();
    expect(none).toMatch(/<dd>未绑定<\/dd>/);
  });

  it('two leaders with one name are told apart on a deadline page', async () => {
    const [[schoolA], [schoolB]] = [...district.leaders.entries()];
    for (const [no, school] of [['L000101', schoolA], ['L000202', schoolB]] as const) {
      const id = await addTeacher(app.db, { employeeNo: no, name: '张同名', school, position: '校长' });
      await grantRole(app.db, id, 'leader', 'test');
    }
    const deadline = await createDeadline(app.db, { title: '年度培训计划', dueAt: new Date('2026-12-01T15:59:00Z'), audience: { all: true }, offsets: [7, 1], createdBy: 'test' });
    const page = await (await get(app, `/admin/deadlines/${deadline.id}`, s.cookie)).text();
    expect(page).toContain(`张同名（${schoolA}·L0***01）`);
    expect(page).toContain(`张同名（${schoolB}·L0***02）`);
  });
});
