/**
 * 已报送 asks before it files, and a filing can be taken back the same (Beijing) day by the leader who filed it
 * or an officer, with the reminders resuming. Through the real bot over a real SQLite file.
 */
import { eq } from 'drizzle-orm';
import { tables } from '../../db/handle.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/client.js';
import { ConsoleSession } from '../../src/platforms/console/session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { keysLike, person, tick } from '../helpers/deadlines.js';

let app: TestApp;
let id: number;

beforeEach(async () => {
  app = await createTestApp({}, { now: '2026-03-24T10:00:00+08:00' });
  const add = async (no: string, name: string, school: string, roles: ('leader' | 'officer')[] = []) =>
    await person(app.db, no, name, school, { roles, remindersOff: true });
  await add('O1', '钱主任', '教师发展中心', ['officer']);
  await add('A1', '赵校长', '一中', ['leader']);
  await add('A2', '孙主任', '一中', ['leader']);
  await add('B1', '吴校长', '二中', ['leader']);
  const [created] = await as('O1').send('新建截止 年度培训计划 2026-04-01 学校:一中,二中');
  id = Number(/#(\d+)/.exec(created)![1]);
});
afterEach(async () => app.cleanup());

const as = (no: string) => new ConsoleSession(app, `acc-${no}`);
const say = async (no: string, text: string) => (await as(no).send(text))[0];
const filings = async () => (await app.db.select().from(tables(app.db).deadlineFilings));
const audits = async (action: string) => (await app.db.select().from(tables(app.db).auditLog).where(eq(tables(app.db).auditLog.action, action)));

describe('已报送 asks first', () => {
  it('names the 事项 and school and files nothing until 确认报送', async () => {
    expect(await say('A1', '已报送 年度培训计划')).toBe(
      `请确认：一中 已报送「年度培训计划」（#${id}，截止 2026-04-01）？\n确认请回复「确认报送 ${id}」（或点下方按钮），确认后本校不再收到该事项的提醒。`,
    );
    expect((await filings())).toEqual([]);
    expect(await say('A1', `确认报送 ${id}`)).toBe(`已记录：一中 已报送「年度培训计划」（#${id}），本校不会再收到该事项的提醒。`);
    expect((await filings())).toHaveLength(1);
    expect((await audits('deadline_filed'))).toHaveLength(1);
    // Asked again: already filed, no new question.
    expect(await say('A2', '已报送 年度培训计划')).toBe('一中 已于 2026-03-24 10:00 报送「年度培训计划」，无需重复操作。');
    expect(await say('B1', `确认报送 ${id} 学校:一中`)).toBe('只能为本校（二中）报送，不能替 一中 报送。');
  });
});

describe('撤销报送', () => {
  it('lets the filer take it back the same day; the school is open again and reminders resume', async () => {
    await say('A1', `确认报送 ${id}`);
    expect(await say('A1', '撤销报送 年度培训计划')).toBe(`已撤销 一中 对「年度培训计划」（#${id}）的报送：该事项恢复为未报送，提醒将照常发送。`);
    expect((await filings())).toEqual([]);
    const [entry] = (await audits('deadline_unfiled'));
    expect(entry.actor).toBe('console:acc-A1');
    expect(JSON.parse(entry.detail)).toMatchObject({ deadlineId: id, school: '一中', filedAt: '2026-03-24T02:00:00.000Z' });
    expect(await say('A1', '待办')).toContain(`#${id} 年度培训计划`);
    // The 7-day reminder (2026-03-25) reaches 一中's leaders again.
    await tick(app, '2026-03-25 09:00:30');
    expect((await keysLike(app.db, `reminder:${id}:一中:7#`))).toHaveLength(2);
    // (The reminder itself arrives in this console conversation too.)
    expect(await as('A1').send('撤销报送 年度培训计划')).toContain('一中 尚未报送「年度培训计划」，无需撤销。');
  });

  it('refuses another leader of the school and the next day; an officer may, naming the school', async () => {
    await say('A1', `确认报送 ${id}`);
    expect(await say('A2', `撤销报送 ${id}`)).toBe('一中 的「年度培训计划」不是您报送的。只有报送人或培训管理员可以撤销。');
    expect(await say('O1', `撤销报送 ${id}`)).toBe(`请写明要撤销哪所学校的报送，例如「撤销报送 ${id} 学校:一中」。`);
    app.fixedClock.set('2026-03-25T08:00:00+08:00');
    expect(await say('A1', `撤销报送 ${id}`)).toBe('一中 于 2026-03-24 10:00 报送「年度培训计划」，只能在报送当天撤销。如需更正，请联系培训管理员。');
    expect((await filings())).toHaveLength(1);

    await say('B1', `确认报送 ${id}`);
    expect(await say('O1', `撤销报送 ${id} 学校:二中`)).toContain('已撤销 二中 对「年度培训计划」');
    expect((await filings()).map((f) => f.school)).toEqual(['一中']);
    expect((await audits('deadline_unfiled'))[0].actor).toBe('console:acc-O1');
  });

  it('is for leaders and officers only', async () => {
    await person(app.db, 'T1', '周老师', '一中');
    expect(await say('T1', `撤销报送 ${id}`)).toContain('仅限');
  });
});
