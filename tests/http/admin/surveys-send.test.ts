import ExcelJS from 'exceljs';
import { tables } from '../../../db/handle.js';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../../db/client.js';
import { resolveRecipients } from '../../../src/broadcasts/audience.js';
import { findTeacherById } from '../../../src/ledger/store.js';
import { flushAnswers } from '../../../src/surveys/answer-pool.js';
import { takeAnswers } from '../../../src/surveys/service.js';
import { getRound } from '../../../src/surveys/store.js';
import { templateFor } from '../../../src/surveys/templates.js';
import type { TestApp } from '../../helpers/app.js';
import { count, get, post, signInWithToken, startAdmin, type Signed } from '../../helpers/admin.js';
import { seedTeachers } from '../../helpers/surveys.js';

/**
 * The needs-survey console (issue 17, item 4) and the evaluation templates over the real HTTP app: compose,
 * preview the count, send through sendSurvey and the outbox, follow the delivery, read the results by school and
 * 职务 with small groups held to their count; every refusal changes nothing.
 */

let app: TestApp;
let signed: Signed;
beforeEach(async () => {
  app = await startAdmin();
  await seedTeachers(app.db, 'console', 30, (i) => `acc-${i}`);
  signed = await signInWithToken(app);
});
afterEach(async () => app.cleanup());

const FORM = {
  title: '2027年度培训需求调研',
  audience: 'schools',
  schools: '第一中学，第二小学',
  closes: '2026-12-10',
  q1_prompt: '最希望参加的培训主题',
  q1_kind: 'choice',
  q1_options: '课堂教学\n班级管理\n信息技术',
  q1_required: 'on',
  q2_prompt: '其他需求',
  q2_kind: 'text',
};

const send = (form: Record<string, string>, o: { csrf?: string | null } = {}) =>
  post(app, '/admin/surveys/new', { ...(o.csrf === null ? {} : { _csrf: o.csrf ?? signed.csrf }), ...form }, { cookie: signed.cookie });

describe('a needs survey from the console', () => {
  it('previews the count, sends to the chosen schools through the outbox, and shows the delivery', async () => {
    const page = await (await get(app, '/admin/surveys/new', signed.cookie)).text();
    expect(page).toContain('name="q12_prompt"');
    expect(page).toContain('name="audience" value="roles"');
    const expected = (await resolveRecipients(app.db, { schools: ['第一中学', '第二小学'] })).length;
    expect(expected).toBe(20);

    const preview = await send({ ...FORM, step: 'preview' });
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toContain(`共 ${expected} 人：${expected} 人将收到消息`);
    expect(html).toContain(`发送（${expected} 人可收到）`);
    expect(await count(app, 'survey_rounds')).toBe(0);

    // The delivery is marked by hand below: the app's sender must not race it (it would on real time, as on PostgreSQL).
    await app.outbox.stop();
    const sent = await send({ ...FORM, step: 'send' });
    expect(sent.status).toBe(303);
    const id = Number(/\/admin\/surveys\/(\d+)$/.exec(sent.headers.get('location')!)![1]);
    const round = (await getRound(app.db, id))!;
    expect(round).toMatchObject({ kind: 'survey', title: '2027年度培训需求调研', createdBy: 'admin:ADMIN_TOKEN' });
    expect(JSON.parse(round.audience!)).toEqual({ schools: ['第一中学', '第二小学'] });
    expect(JSON.parse(round.questions)).toEqual([
      { key: 'q1', kind: 'choice', prompt: '最希望参加的培训主题', options: ['课堂教学', '班级管理', '信息技术'], required: true },
      { key: 'q2', kind: 'text', prompt: '其他需求', required: false },
    ]);
    // The whole closing day, Beijing time.
    expect(round.closesAt.toISOString()).toBe('2026-12-10T15:59:00.000Z');
    expect(await count(app, 'survey_invitations', `round_id = ${id}`)).toBe(expected);
    expect(await count(app, 'outbox', `origin = 'survey:${id}:invite'`)).toBe(expected);

    const progress = await (await get(app, `/admin/surveys/${id}`, signed.cookie)).text();
    expect(progress).toContain('需求调研：2027年度培训需求调研');
    expect(progress).toMatch(new RegExp(`<div class="v"[^>]*>${expected}</div><div class="l">待发送</div>`));
    expect(progress).toContain('http-equiv="refresh"');
    const { outbox } = tables(app.db);
    await app.db.update(outbox).set({ status: 'sent' }).where(eq(outbox.origin, `survey:${id}:invite`));
    const done = await (await get(app, `/admin/surveys/${id}`, signed.cookie)).text();
    expect(done).toMatch(new RegExp(`<div class="v"[^>]*>${expected}</div><div class="l">已送达</div>`));
    expect(done).not.toContain('http-equiv="refresh"');
  });

  it('refuses without the CSRF token, with bad questions, an unknown school or no date, and sends nothing', async () => {
    expect((await send({ ...FORM, step: 'send' }, { csrf: null })).status).toBe(403);
    expect((await send({ ...FORM, step: 'send' }, { csrf: 'forged' })).status).toBe(403);
    const oneOption = await send({ ...FORM, q1_options: '课堂教学', step: 'send' });
    expect(oneOption.status).toBe(400);
    expect(await oneOption.text()).toContain('单选题至少要有 2 个选项');
    const noneRequired = await send({ ...FORM, q1_required: '', step: 'send' });
    expect(await noneRequired.text()).toContain('至少要有一道必答题');
    const unknown = await send({ ...FORM, schools: '第一中学,火星小学', step: 'send' });
    expect(await unknown.text()).toContain('名册中没有这些学校：火星小学');
    expect((await send({ ...FORM, closes: '下周', step: 'send' })).status).toBe(400);
    const past = await send({ ...FORM, closes: '2026-11-01', step: 'send' });
    expect(await past.text()).toContain('截止时间须晚于现在');
    expect(await count(app, 'survey_rounds')).toBe(0);
    expect(await count(app, 'outbox')).toBe(0);
  });

  it('shows and exports results by school and 职务, a school under five answers as its count only (and the next smallest with it)', async () => {
    const sent = await send({ ...FORM, audience: 'all', step: 'send' });
    const id = Number(/(\d+)$/.exec(sent.headers.get('location')!)![1]);
    const round = (await getRound(app.db, id))!;
    const bySchool = async (school: string) => (await app.db.select().from(tables(app.db).teachers)).filter((t) => t.school === school);
    const answer = async (teacherId: number, topic: string, note?: string) =>
      expect(await takeAnswers(app.db, { round, teacher: (await findTeacherById(app.db, teacherId))!, answers: { q1: topic, ...(note ? { q2: note } : {}) }, tokenHash: null, now: app.fixedClock.now(), timeZone: 'Asia/Shanghai' })).toBe('taken');
    for (const [i, t] of (await bySchool('第一中学')).slice(0, 6).entries()) await answer(t.id, i % 2 ? '信息技术' : '课堂教学', `一中意见${i}`);
    for (const t of (await bySchool('第二小学')).slice(0, 2)) await answer(t.id, '班级管理', '二小的悄悄话');
    for (const t of (await bySchool('城关幼儿园')).slice(0, 5)) await answer(t.id, '班级管理', '幼儿园意见');
    // On PostgreSQL answers wait in the anonymity pool until written in shuffled batches (src/surveys/answer-pool.ts).
    await flushAnswers(app.db);

    const page = await (await get(app, `/admin/surveys/${id}?by=school`, signed.cookie)).text();
    expect(page).toContain('一中意见3');
    expect(page).toContain('目前收回 2 份，不足 5 份');
    expect(page).not.toContain('二小的悄悄话');
    // 城关幼儿园 has five, but the round's thirteen minus 第一中学 and 城关 would be 第二小学's two: it is hidden too.
    expect(page).toContain('收回 5 份，但其他分组不足 5 份');
    expect(page).not.toContain('幼儿园意见');

    const res = await get(app, `/admin/surveys/${id}-school.xlsx`, signed.cookie);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const rows = (wb.worksheets[0].getSheetValues() as unknown[][]).filter(Boolean).map((r) => r.slice(1));
    expect(rows.filter((r) => r[0] === '第二小学')).toEqual([['第二小学', '', 10, 2, '20%', '', '目前收回 2 份，不足 5 份：为保护匿名，只显示份数，不显示分布、均分和意见。', '', '']]);
    expect(rows.find((r) => r[0] === '第一中学' && r[6] === '课堂教学')![7]).toBe(3);
    expect(rows.flat()).not.toContain('二小的悄悄话');
    expect(rows.flat()).not.toContain('幼儿园意见');
    expect(rows.filter((r) => r[0] === '城关幼儿园')).toHaveLength(1);
    const roles = await (await get(app, `/admin/surveys/${id}?by=role`, signed.cookie)).text();
    expect(roles).toContain('教师');
    expect((await get(app, `/admin/surveys/${id}-role.csv`, signed.cookie)).status).toBe(200);
  });
});

describe('evaluation templates', () => {
  it('lists the default and each category, saves a valid list for one category, refuses bad ones unchanged', async () => {
    const list = await (await get(app, '/admin/surveys/templates', signed.cookie)).text();
    expect(list).toContain('默认模板');
    expect(list).toContain('类别：集中培训');
    const edit = await (await get(app, `/admin/surveys/templates/edit?category=${encodeURIComponent('集中培训')}`, signed.cookie)).text();
    expect(edit).toContain('&quot;overall&quot;');
    const save = (category: string, questions: string, title = '集中培训评价') =>
      post(app, '/admin/surveys/templates', { _csrf: signed.csrf, category, title, questions }, { cookie: signed.cookie });

    const broken = await save('集中培训', '[{"key":');
    expect(broken.status).toBe(400);
    expect(await broken.text()).toContain('题目不是有效的 JSON');
    const optional = await save('集中培训', JSON.stringify([{ key: 'overall', kind: 'rating', prompt: '总体', required: false }]));
    expect(await optional.text()).toContain('至少要有一道必答题');
    expect((await save('火星培训', '[]')).status).toBe(400);
    expect((await templateFor(app.db, '集中培训')).isDefault).toBe(true);

    const questions = [
      { key: 'overall', kind: 'rating', prompt: '总体评价', required: true },
      { key: 'venue', kind: 'choice', prompt: '场地安排', options: ['合适', '不合适'], required: true },
    ];
    const ok = await save('集中培训', JSON.stringify(questions));
    expect(ok.status).toBe(303);
    const t = await templateFor(app.db, '集中培训');
    expect(t).toMatchObject({ isDefault: false, questions });
    expect(t.row.title).toBe('集中培训评价');
    expect((await templateFor(app.db, '网络研修')).isDefault).toBe(true);
    expect(await count(app, 'audit_log', `action = 'survey_template_set'`)).toBe(1);
  });
});
