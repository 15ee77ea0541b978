import ExcelJS from 'exceljs';
import { tables } from '../../../db/handle.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueLoginLink } from '../../../src/admin/auth.js';
import { findTeacherById } from '../../../src/ledger/store.js';
import { grantRole } from '../../../src/ledger/roles.js';
import { schema } from '../../../db/client.js';
import { eq } from 'drizzle-orm';
import type { TestApp } from '../../helpers/app.js';
import { cookieOf, get, post, signInWithToken, startAdmin } from '../../helpers/admin.js';
import { addTeacher } from '../../helpers/seed.js';
import { seedTeachers } from '../../helpers/surveys.js';
import { evaluated } from '../../helpers/survey-console.js';

/**
 * The console's results pages and exports (issue 17, item 3) over the real HTTP app: officers only, a round or a
 * group under five answers shows its count and nothing else (page and files), a big one its bars, means and
 * comments, and no export has a row per respondent.
 */

let app: TestApp;
let teachers: number[];
beforeEach(async () => {
  app = await startAdmin();
  teachers = await seedTeachers(app.db, 'console', 12, (i) => `acc-${i}`);
});
afterEach(async () => app.cleanup());

const now = () => app.fixedClock.now();
const EVIL = '=HYPERLINK("http://evil.example","点我")';

async function workbookOf(res: Response): Promise<(string | number | null)[][]> {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('spreadsheetml');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
  const rows: (string | number | null)[][] = [];
  wb.worksheets[0].eachRow((row) => {
    const cells: (string | number | null)[] = [];
    for (let i = 1; i <= 9; i++) {
      const cell = row.getCell(i);
      // A cell is a plain value: never a formula, whatever a comment begins with.
      expect(cell.type === ExcelJS.ValueType.Formula).toBe(false);
      const value = cell.value as string | number | null;
      cells.push(value === '' || value === undefined ? null : value);
    }
    rows.push(cells);
  });
  return rows;
}

/** Each data row is one aggregate (an option's count, a mean) or one comment: never several answers of one respondent. */
function expectNoRespondentRows(rows: (string | number | null)[][]) {
  for (const r of rows.slice(1)) {
    const filled = [r[7], r[8]].filter((v) => v !== null && v !== '').length;
    expect(filled).toBeLessThanOrEqual(1);
  }
}

describe('officers only', () => {
  it('refuses a teacher and a leader at sign-in, and an officer who lost the role on every survey page and post', async () => {
    const leader = await addTeacher(app.db, { employeeNo: 'L0001', name: '李校长' });
    await grantRole(app.db, leader, 'leader', 'test');
    for (const id of [teachers[0], leader]) {
      const { token } = await issueLoginLink(app.db, (await findTeacherById(app.db, id))!, now());
      const res = await post(app, '/admin/login/link', { token });
      expect(res.status).toBe(403);
      expect(cookieOf(res)).toBe('');
    }
    const officer = await addTeacher(app.db, { employeeNo: 'O0002', name: '钱主任', school: '教师发展中心' });
    await grantRole(app.db, officer, 'officer', 'test');
    const { token } = await issueLoginLink(app.db, (await findTeacherById(app.db, officer))!, now());
    const cookie = cookieOf(await post(app, '/admin/login/link', { token }));
    const round = await evaluated(app.db, now(), { title: '班主任工作坊' }, teachers.slice(0, 6), [5, 4, 4, 5, 3, 4]);
    expect((await get(app, `/admin/surveys/${round.id}`, cookie)).status).toBe(200);
    (await app.db.delete(tables(app.db).roles).where(eq(tables(app.db).roles.teacherId, officer)));
    for (const path of ['/admin/surveys', `/admin/surveys/${round.id}`, `/admin/surveys/${round.id}.xlsx`, '/admin/surveys/by/trainer', '/admin/surveys/new']) {
      const res = await get(app, path, cookie);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location')).toContain('/admin/login');
    }
    const sent = await post(app, '/admin/surveys/new', { title: 'x', audience: 'all', closes: '2026-12-31', q1_prompt: 'a', q1_kind: 'text', step: 'send' }, { cookie });
    expect(sent.status).toBe(401);
    expect((await app.db.select().from(tables(app.db).surveyRounds))).toHaveLength(1);
  });
});

describe('results pages', () => {
  it('a round with six answers: response rate, one bar per answered rating, means, sorted comments; three answers: the count only', async () => {
    const comments = ['希望多一些案例', undefined, EVIL, '时间有点紧', undefined, '很实用'];
    const big = await evaluated(app.db, now(), { title: '信息技术应用能力提升', trainer: '李老师', project: '国培2026' }, teachers.slice(0, 8), [5, 4, 4, 5, 3, 4], comments);
    const small = await evaluated(app.db, now(), { title: '心理健康专题', trainer: '张老师', project: '国培2026' }, teachers.slice(0, 6), [5, 2, 4], ['只有三个人的意见']);
    const { cookie } = await signInWithToken(app);

    const list = await (await get(app, '/admin/surveys', cookie)).text();
    expect(list).toContain('信息技术应用能力提升');
    expect(list).toContain('心理健康专题');
    const trainerOnly = await (await get(app, `/admin/surveys?trainer=${encodeURIComponent('张老师')}`, cookie)).text();
    expect(trainerOnly).toContain('心理健康专题');
    expect(trainerOnly).not.toContain('信息技术应用能力提升');
    expect(await (await get(app, '/admin/surveys?from=2026-13-01', cookie)).text()).toContain('日期「2026-13-01」有误');
    expect(await (await get(app, '/admin/surveys?from=2026-11-26', cookie)).text()).not.toContain('心理健康专题');

    const page = await (await get(app, `/admin/surveys/${big.id}`, cookie)).text();
    expect(page).toContain('75%'); // 6 of 8
    // Four rating questions: overall 5,4,4,5,3,4 → bars for 3, 4 and 5 in each.
    expect(page.match(/<rect class="bar"/g)).toHaveLength(12);
    expect(page).toContain('data-count="3"');
    expect(page).toContain('均分 4.17');
    expect(page).toContain('意见（4 条，按文字排序）');
    const shown = [...page.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]);
    expect(shown).toEqual(['=HYPERLINK(&quot;http://evil.example&quot;,&quot;点我&quot;)', '很实用', '时间有点紧', '希望多一些案例'].sort((x, y) => x.localeCompare(y, 'zh-CN')).map((s) => s.replace(/"/g, '&quot;')));

    const few = await (await get(app, `/admin/surveys/${small.id}`, cookie)).text();
    expect(few).toContain('目前收回 3 份，不足 5 份');
    expect(few).not.toContain('<rect class="bar"');
    expect(few).not.toContain('只有三个人的意见');
    expect(few).not.toMatch(/均分 \d/);
    expect(few).not.toContain('survey-question');
  });

  it('groups by trainer and project: each group held to five on its own, small rounds counted but not shown, on the page and in the files', async () => {
    await evaluated(app.db, now(), { title: 'A1', trainer: '李老师', project: '国培2026' }, teachers.slice(0, 6), [5, 5, 4, 4, 4], ['李一']);
    await evaluated(app.db, now(), { title: 'A2', trainer: '李老师', project: '国培2026', date: '2026-11-24' }, teachers.slice(6, 10), [1, 1], ['李二']);
    await evaluated(app.db, now(), { title: 'B1', trainer: '张老师', project: '国培2026' }, teachers.slice(8, 12), [2, 3], ['张的意见']);
    const { cookie } = await signInWithToken(app);
    const page = await (await get(app, '/admin/surveys/by/trainer', cookie)).text();
    expect(page).toContain('李老师');
    expect(page).toContain('李一');
    expect(page).toContain('分布、均分和意见只计入收回满 5 份的场次（5 份，共收回 7 份）');
    expect(page).not.toContain('李二');
    expect(page).toContain('目前收回 2 份，不足 5 份');
    expect(page).not.toContain('张的意见');

    const rows = await workbookOf(await get(app, '/admin/surveys/by/trainer.xlsx', cookie));
    expect(rows[0]).toEqual(['分组', '场次数', '邀请人数', '收回份数', '回收率', '题目', '选项或意见', '份数', '均分']);
    const zhang = rows.filter((r) => r[0] === '张老师');
    expect(zhang).toEqual([['张老师', 1, 4, 2, '50%', null, '目前收回 2 份，不足 5 份：为保护匿名，只显示份数，不显示分布、均分和意见。', null, null]]);
    const li = rows.filter((r) => r[0] === '李老师');
    expect(li[0].slice(0, 5)).toEqual(['李老师', 2, 10, 7, '70%']);
    expect(li[0][6]).toContain('只计入收回满 5 份的场次');
    expect(li.find((r) => r[5] === '总体评价' && r[6] === '均分')![8]).toBe(4.4);
    expect(li.find((r) => r[5] === '总体评价' && r[6] === '1 很不满意')![7]).toBe(0);
    expect(li.filter((r) => r[5] === '总体评价' && r[6] === '4 满意')[0][7]).toBe(3);
    expect(rows.flat()).not.toContain('李二');
    expect(rows.flat()).not.toContain('张的意见');
    expectNoRespondentRows(rows);

    const dated = await workbookOf(await get(app, '/admin/surveys/by/trainer.xlsx?to=2026-11-24', cookie));
    expect(dated.filter((r) => r[0] === '李老师')).toEqual([['李老师', 1, 4, 2, '50%', null, '目前收回 2 份，不足 5 份：为保护匿名，只显示份数，不显示分布、均分和意见。', null, null]]);
    expect((await get(app, '/admin/surveys/by/project.csv', cookie)).status).toBe(200);
    expect((await get(app, '/admin/surveys/by/teacher', cookie)).status).toBe(404);
  });

  it('exports a round as XLSX and CSV: counts and comments, formulas defused, a small round as one count row', async () => {
    const big = await evaluated(app.db, now(), { title: '校本研修' }, teachers.slice(0, 6), [5, 4, 4, 5, 3], [EVIL, '+1', '挺好', undefined, '@SUM(A1)']);
    const small = await evaluated(app.db, now(), { title: '小班' }, teachers.slice(0, 6), [5, 4], ['仅两人']);
    const { cookie } = await signInWithToken(app);
    const rows = await workbookOf(await get(app, `/admin/surveys/${big.id}.xlsx`, cookie));
    const label = rows[1][0] as string;
    expect(label).toContain('校本研修');
    expect(rows.filter((r) => r[5] === '意见和建议（选填）').map((r) => r[6]).sort()).toEqual(['+1', '=HYPERLINK("http://evil.example","点我")', '@SUM(A1)', '挺好'].sort());
    expect(rows.find((r) => r[5] === '总体评价' && r[6] === '5 很满意')![7]).toBe(2);
    expect(rows.every((r, i) => i === 0 || (r[2] === 6 && r[3] === 5))).toBe(true);
    expectNoRespondentRows(rows);

    const csv = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await (await get(app, `/admin/surveys/${big.id}.csv`, cookie)).arrayBuffer());
    expect(csv.startsWith('\uFEFF分组,')).toBe(true);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""点我"")"`);
    expect(csv).toContain(",'+1,");
    expect(csv).toContain(",'@SUM(A1),");

    const few = await workbookOf(await get(app, `/admin/surveys/${small.id}.xlsx`, cookie));
    expect(few).toHaveLength(2);
    expect(few[1].slice(1)).toEqual([null, 6, 2, '33.3%', null, '目前收回 2 份，不足 5 份：为保护匿名，只显示份数，不显示分布、均分和意见。', null, null]);
    expect(few.flat()).not.toContain('仅两人');
    // An evaluation has no school or 职务 split; an unknown round is a 404.
    expect((await get(app, `/admin/surveys/${big.id}-school.xlsx`, cookie)).status).toBe(404);
    expect((await get(app, '/admin/surveys/9999.xlsx', cookie)).status).toBe(404);
  });
});
