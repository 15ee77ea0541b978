/** The console's "新建截止事项" form: the same domain code as the chat's 新建截止, its refusals field by field, CSRF. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tables } from '../../../db/handle.js';
import { schema } from '../../../db/client.js';
import { bindAccount } from '../../../src/ledger/accounts.js';
import { grantRole } from '../../../src/ledger/roles.js';
import { ConsoleSession } from '../../../src/platforms/console/session.js';
import type { TestApp } from '../../helpers/app.js';
import { addTeacher } from '../../helpers/seed.js';
import { seedDistrict, SCHOOLS, type District } from '../../helpers/console-seed.js';
import { count, get, ORIGIN, post, signInWithToken, startAdmin, type Signed } from '../../helpers/admin.js';

let app: TestApp;
let district: District;
let s: Signed;

// The business clock stands at 2026-11-25 10:00 Beijing time (createTestApp's default).
beforeEach(async () => {
  app = await startAdmin();
  district = await seedDistrict(app.db);
  s = await signInWithToken(app);
});
afterEach(async () => app.cleanup());

const ALL = SCHOOLS.map(([name]) => name);
const good = { title: '年度培训计划报送', date: '2027-05-31', time: '', audience: 'all', offsets: '30,7,3,1,0' };

/** Posts the form as a browser does: repeated `schools` for each ticked box, the session's CSRF token. */
async function submit(fields: Record<string, string>, schools: string[] = [], o: { csrf?: string | null; origin?: string; cookie?: string } = {}): Promise<Response> {
  const body = new URLSearchParams();
  if (o.csrf !== null) body.append('_csrf', o.csrf ?? s.csrf);
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  for (const school of schools) body.append('schools', school);
  return app.http.request('/admin/deadlines', {
    method: 'POST',
    body,
    headers: { cookie: o.cookie ?? s.cookie, origin: o.origin ?? ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
  });
}

/** The page a redirect leads to, with the flash cookie the redirect set. */
async function follow(res: Response): Promise<string> {
  const flashCookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  return (await get(app, res.headers.get('location')!, flashCookie ? `${s.cookie}; ${flashCookie}` : s.cookie)).text();
}

const deadlines = async () => (await app.db.select().from(tables(app.db).deadlines));

/** The text of the error shown under one field (between its label and the next field), or null. */
function fieldError(html: string, label: string): string | null {
  const at = html.indexOf(`<span>${label}</span>`);
  if (at < 0) throw new Error(`no field ${label}`);
  const end = Math.min(...[html.indexOf('class="field"', at), html.indexOf('</form>', at)].filter((i) => i >= 0));
  const m = /<span class="field-err">([^<]*)<\/span>/.exec(html.slice(at, end));
  return m ? m[1] : null;
}

describe('new deadline form', () => {
  it('offers the roster schools and the default reminder days', async () => {
    const html = await (await get(app, '/admin/deadlines', s.cookie)).text();
    expect(html).toContain('新建截止事项');
    expect(html).toContain('<form method="post" action="/admin/deadlines" class="form">');
    for (const school of ALL) expect(html).toContain(`<input type="checkbox" name="schools" value="${school}"/>`);
    expect(html).toContain(`全部学校（${ALL.length} 所）`);
    expect(html).toContain('name="offsets" value="30,7,3,1,0"');
    expect(html).toContain('北京时间；不填则为当天 23:59');
    // A text field that takes what the chat takes, with an example still ahead (today is 2026-11-25).
    expect(html).toContain('<input type="text" name="date" value="" placeholder="例如 2026-12-25"');
    expect(html).toContain('也可写 5月31日、5/31、明天、下周五、月底');
  });

  it('creates the deadline, redirects to the list showing it, and audits it like the chat command', async () => {
    const res = await submit(good);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/deadlines');
    const page = await follow(res);
    expect(page).toContain(`<div class="flash ok">已新建截止事项 #1：年度培训计划报送（截止 2027-05-31，全部学校（${ALL.length} 所））。</div>`);
    expect(page).toContain('<a href="/admin/deadlines/1">年度培训计划报送</a>');
    expect(page).toContain(`0 / ${ALL.length}`);

    const [row] = (await deadlines());
    expect(row.dueAt.toISOString()).toBe('2027-05-31T15:59:00.000Z'); // 23:59 Beijing time
    expect(JSON.parse(row.audience)).toEqual({ all: true });
    expect(JSON.parse(row.offsets)).toEqual([30, 7, 3, 1, 0]);
    expect(row.createdBy).toBe('admin:ADMIN_TOKEN');
    expect(await count(app, 'audit_log', "action = 'deadline_create' and actor = 'admin:ADMIN_TOKEN'")).toBe(1);

    // The chat's 新建截止 with the same fields makes the same deadline, audited the same way.
    await bindAccount(app.db, 'console', 'acc-officer', district.officerId);
    const [reply] = await new ConsoleSession(app, 'acc-officer').send('新建截止 年度培训计划报送 2027-05-31 学校:全部 提前:30,7,3,1,0');
    expect(reply).toContain('已新建截止事项 #2：年度培训计划报送');
    const [fromForm, fromChat] = (await deadlines());
    const { id: _a, createdBy: _b, createdAt: _c, ...formFields } = fromForm;
    const { id: _d, createdBy: _e, createdAt: _f, ...chatFields } = fromChat;
    expect(chatFields).toEqual(formFields);
    const audits = (await app.db.select().from(tables(app.db).auditLog)).filter((r) => r.action === 'deadline_create');
    expect(audits.map((r) => Object.keys(JSON.parse(r.detail)).sort())).toEqual([
      ['audience', 'dueAt', 'id', 'title'],
      ['audience', 'dueAt', 'id', 'title'],
    ]);
  });

  it('takes a due time (Beijing time), a list of schools and reminder days', async () => {
    const res = await submit({ ...good, title: '  学期  总结 ', time: '17:00', audience: 'schools', offsets: '14，1, 14' }, ['第一中学', '民族中学', '第一中学']);
    expect(res.status).toBe(303);
    expect(await follow(res)).toContain('已新建截止事项 #1：学期 总结（截止 2027-05-31 17:00，第一中学、民族中学）。');
    const [row] = (await deadlines());
    expect(row.title).toBe('学期 总结');
    expect(row.dueAt.toISOString()).toBe('2027-05-31T09:00:00.000Z');
    expect(JSON.parse(row.audience)).toEqual({ schools: ['第一中学', '民族中学'] });
    expect(JSON.parse(row.offsets)).toEqual([14, 1]);
    // An empty reminder field means the defaults.
    await submit({ ...good, offsets: '' });
    expect(JSON.parse((await deadlines())[1].offsets)).toEqual([30, 7, 3, 1, 0]);
  });

  it('takes the dates and times the chat takes: 5月31日, 明天, 下周五, 月底, 下午5点', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ date: '5月31日', time: '下午5点' }, '2027-05-31 17:00'],
      [{ date: '明天', time: '' }, '2026-11-26'],
      [{ date: '下周五', time: '9点半' }, '2026-12-04 09:30'],
      [{ date: '月底', time: '' }, '2026-11-30'],
      [{ date: '2027/1/5', time: '' }, '2027-01-05'],
      [{ date: '2027年1月5日', time: '17：00' }, '2027-01-05 17:00'],
    ];
    for (const [fields, due] of cases) {
      const res = await submit({ ...good, ...fields });
      expect(res.status).toBe(303);
      expect(await follow(res)).toContain(`（截止 ${due}，`);
    }
    expect((await deadlines())).toHaveLength(cases.length);
  });

  const refusals: [string, Record<string, string>, string[], string, string][] = [
    ['an empty title', { ...good, title: '   ' }, [], '事项标题', '请填写事项标题。'],
    ['a title over 100 characters', { ...good, title: '计'.repeat(101) }, [], '事项标题', '标题太长，请控制在 100 字以内'],
    ['no date', { ...good, date: '' }, [], '截止日期', '缺少截止日期，例如 2026-12-25'],
    ['a date that does not exist', { ...good, date: '2027-02-30' }, [], '截止日期', '截止日期「2027-02-30」不对：2027年2月没有30日，例如 2026-12-25'],
    ['a date in the past', { ...good, date: '2026-11-24' }, [], '截止日期', '截止时间 2026-11-24 已经过去，不能新建。请检查日期。'],
    ['today at a time already gone', { ...good, date: '2026-11-25', time: '09:30' }, [], '截止日期', '截止时间 2026-11-25 09:30 已经过去，不能新建。请检查日期。'],
    ['a time that does not exist', { ...good, time: '24:30' }, [], '截止时间（可不填）', '时间「24:30」不对，请写成 17:00 或 下午5点'],
    ['a school not on the roster', { ...good, audience: 'schools' }, ['第一中学', '火星中学'], '报送学校', '名册中没有这些学校：火星中学。'],
    ['chosen schools but none ticked', { ...good, audience: 'schools' }, [], '报送学校', '请至少勾选一所学校。'],
    ['no audience', { ...good, audience: 'everyone' }, [], '报送学校', '请选择「全部学校」或「指定学校」。'],
    ['reminder days that are not days', { ...good, offsets: '7,x' }, [], '提前提醒（天）', '「7,x」有误：请写成用逗号分隔的天数（0 至 366），例如 30,7,3,1,0。'],
    ['reminder days over a year', { ...good, offsets: '400' }, [], '提前提醒（天）', '「400」有误'],
  ];
  for (const [what, fields, schools, label, text] of refusals) {
    it(`refuses ${what}, says why next to the field, and creates nothing`, async () => {
      const res = await submit(fields, schools);
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain('<div class="flash err">未新建：请按标红的提示修改后重新提交。</div>');
      expect(fieldError(html, label)).toContain(text);
      expect((await deadlines())).toEqual([]);
      expect(await count(app, 'audit_log', "action = 'deadline_create'")).toBe(0);
    });
  }

  it('shows every problem at once and keeps what was typed and ticked', async () => {
    const res = await submit({ title: '', date: '2027-13-01', time: '', audience: 'schools', offsets: '3,,x' }, []);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(fieldError(html, '事项标题')).toBe('请填写事项标题。');
    expect(fieldError(html, '截止日期')).toContain('截止日期「2027-13-01」不对：没有13月');
    expect(fieldError(html, '报送学校')).toBe('请至少勾选一所学校。');
    expect(fieldError(html, '提前提醒（天）')).toContain('「3,,x」有误');
    expect(fieldError(html, '截止时间（可不填）')).toBeNull();
    expect(html).toContain('name="date" value="2027-13-01"');
    expect(html).toContain('name="offsets" value="3,,x"');
    expect(html).toContain('<input type="radio" name="audience" value="schools" checked=""/>');

    const kept = await (await submit({ ...good, title: '', audience: 'schools' }, ['民族中学'])).text();
    expect(kept).toContain('<input type="checkbox" name="schools" value="民族中学" checked=""/>');
    expect(kept).toContain('<input type="checkbox" name="schools" value="第一中学"/>');
    expect((await deadlines())).toEqual([]);
  });

  it('refuses a field sent twice or a file instead of text, without creating anything', async () => {
    const body = new FormData();
    body.set('_csrf', s.csrf);
    for (const [k, v] of Object.entries(good)) body.set(k, v);
    body.append('title', '第二个标题');
    body.set('offsets', new File(['30'], 'x.txt'));
    const res = await post(app, '/admin/deadlines', body, { cookie: s.cookie });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(fieldError(html, '事项标题')).toBe('此项的内容无法识别。');
    expect(fieldError(html, '提前提醒（天）')).toBe('此项的内容无法识别。');
    expect((await deadlines())).toEqual([]);
  });

  it('refuses "all schools" while the roster has none', async () => {
    await app.cleanup();
    app = await startAdmin();
    s = await signInWithToken(app);
    const page = await (await get(app, '/admin/deadlines', s.cookie)).text();
    expect(page).toContain('名册中还没有学校，请先在「数据导入」中导入教师名册。');
    const res = await submit(good);
    expect(res.status).toBe(400);
    expect(fieldError(await res.text(), '报送学校')).toBe('名册中还没有任何学校，请先导入名册。');
    expect((await deadlines())).toEqual([]);
  });

  it('counts an all-schools deadline against the schools that file, not the training office itself', async () => {
    const office = await addTeacher(app.db, { employeeNo: 'O0001', name: '钱主任', school: '教师发展中心' });
    await grantRole(app.db, office, 'officer', 'test');
    const page = await follow(await submit(good));
    expect(page).not.toContain('value="教师发展中心"');
    expect(page).toContain(`全部学校（${ALL.length} 所）`);
    expect(page).toContain(`<td class="num">0 / ${ALL.length}</td>`);
    expect(await (await get(app, '/admin/deadlines/1', s.cookie)).text()).toContain(`已报送 0 / ${ALL.length}`);
  });

  it('refuses a POST without the CSRF token, with a wrong one, from another site, or without a session', async () => {
    const none = await submit(good, [], { csrf: null });
    expect(none.status).toBe(403);
    expect(await none.text()).toContain('<!DOCTYPE html>');
    expect((await submit(good, [], { csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await submit(good, [], { origin: 'https://evil.example' })).status).toBe(403);
    const other = await signInWithToken(app);
    expect((await submit(good, [], { csrf: other.csrf })).status).toBe(403);
    expect((await submit(good, [], { cookie: 'xueshi_admin=nope' })).status).toBe(401);
    expect((await deadlines())).toEqual([]);
    expect(await count(app, 'audit_log', "action = 'deadline_create'")).toBe(0);
    // The right token from our own page goes through.
    expect((await submit(good)).status).toBe(303);
    expect((await deadlines())).toHaveLength(1);
  });
});
