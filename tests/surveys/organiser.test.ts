// The invitations are built with the platforms' traits, which the registry declares (the app loads it).
import '../../src/platforms/registry.js';
import { like } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import { statement } from '../../db/statements.js';
import { bindAccount } from '../../src/ledger/accounts.js';
import { runSchedulerTick } from '../../src/schedule/tick.js';
import { organiserAccount } from '../../src/surveys/organiser.js';
import { findTeacherById } from '../../src/ledger/store.js';
import { flushAnswers } from '../../src/surveys/answer-pool.js';
import { sendSurvey, takeAnswers } from '../../src/surveys/service.js';
import { getRound } from '../../src/surveys/store.js';
import { addTeacher } from '../helpers/seed.js';
import { seedTeachers } from '../helpers/surveys.js';
import { closeTestDb, openTestDb } from '../helpers/db.js';

/** Every invitee answers, as the bot takes answers; the answers are written (PostgreSQL's pool flushed) before a tick. */
async function everyoneAnswers(now: Date): Promise<void> {
  const invited = await statement<[], { round_id: number; teacher_id: number }>(db, 'select round_id, teacher_id from survey_invitations').all();
  for (const i of invited) {
    const round = (await getRound(db, i.round_id))!;
    const teacher = (await findTeacherById(db, i.teacher_id))!;
    expect(await takeAnswers(db, { round, teacher, answers: { need: '多一些案例' }, tokenHash: null, now, timeZone: 'Asia/Shanghai' })).toBe('taken');
  }
  await flushAnswers(db);
}

/** The results notices queued, oldest first (drizzle's reply is JSON text on either dialect; raw SQL gets jsonb parsed on PostgreSQL). */
async function resultsNotices(): Promise<{ target: string; reply: string }[]> {
  const { outbox } = tables(db);
  return db.select({ target: outbox.target, reply: outbox.reply }).from(outbox).where(like(outbox.origin, 'survey:%:results')).orderBy(outbox.id);
}

/** Who hears that results are in: the actor a round was opened by, reached on their chat account when they have one. */

let db: Db;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDb(db));

describe('the organiser', () => {
  it('is read from a chat account, a console login (工号), a roster id or the CLI\'s --by 工号; the CLI without it and ADMIN_TOKEN have none', async () => {
    const id = await addTeacher(db, { employeeNo: 'O0009', name: '钱主任' });
    await bindAccount(db, 'dingtalk', 'staff-o9', id);
    expect(await organiserAccount(db, 'feishu:ou_abc')).toEqual({ platform: 'feishu', accountId: 'ou_abc' });
    expect(await organiserAccount(db, 'admin:O0009')).toEqual({ platform: 'dingtalk', accountId: 'staff-o9' });
    expect(await organiserAccount(db, `teacher:${id}`)).toEqual({ platform: 'dingtalk', accountId: 'staff-o9' });
    expect(await organiserAccount(db, 'admin:NOBODY')).toBeNull();
    expect(await organiserAccount(db, 'cli:王老师')).toBeNull();
    // The CLI's --by <工号> names its organiser.
    expect(await organiserAccount(db, 'cli:O0009')).toEqual({ platform: 'dingtalk', accountId: 'staff-o9' });
    expect(await organiserAccount(db, 'admin')).toBeNull();
  });

  it('a survey sent from the console: its sender hears once when everyone has answered, with the count only under five', async () => {
    const officer = await addTeacher(db, { employeeNo: 'O0009', name: '钱主任' });
    await bindAccount(db, 'console', 'acc-officer', officer);
    await seedTeachers(db, 'console', 2, (i) => `acc-${i}`);
    const now = new Date('2026-11-25T10:00:00+08:00');
    const deps = { db, now, sendAt: now, timeZone: 'Asia/Shanghai' };
    const sent = await sendSurvey(deps, {
      questions: [{ key: 'need', kind: 'text', prompt: '需求', required: true }],
      title: '小调研',
      audience: { schools: ['第二小学', '城关幼儿园'] },
      closesAt: new Date(now.getTime() + 7 * 86400_000),
      by: 'admin:O0009',
    });
    expect(sent).toMatchObject({ ok: true, invited: 2 });
    const tick = () => runSchedulerTick({ db, presets: new Map(), timeZone: 'Asia/Shanghai' }, now);
    expect((await tick()).surveyNotices).toBe(0);
    await everyoneAnswers(now);
    expect((await tick()).surveyNotices).toBe(1);
    expect((await tick()).surveyNotices).toBe(0);
    const [row] = await resultsNotices();
    expect(JSON.parse(row.target)).toEqual({ type: 'user', accountId: 'acc-officer' });
    expect(JSON.parse(row.reply).text).toContain('「小调研」的问卷结果已出：发出 2 份');
  });

  it.each(['cli:cli', 'admin:ADMIN_TOKEN'])('opened by nobody in particular (%s): every officer with a chat account hears once, told why', async (by) => {
    const officers = [await addTeacher(db, { employeeNo: 'O0001', name: '王老师' }), await addTeacher(db, { employeeNo: 'O0002', name: '李老师' }), await addTeacher(db, { employeeNo: 'O0003', name: '赵老师' })];
    for (const id of officers) await statement(db, `insert into roles (teacher_id, role, granted_by) values (?, 'officer', 'test')`).run(id);
    await bindAccount(db, 'dingtalk', 'staff-o1', officers[0]);
    await bindAccount(db, 'feishu', 'ou_o2', officers[1]);
    // 赵老师 has no chat account: the console shows the results to them.
    await seedTeachers(db, 'console', 2, (i) => `acc-${i}`);
    const now = new Date('2026-11-25T10:00:00+08:00');
    const sent = await sendSurvey(
      { db, now, sendAt: now, timeZone: 'Asia/Shanghai' },
      { questions: [{ key: 'need', kind: 'text', prompt: '需求', required: true }], title: '小调研', audience: { schools: ['第二小学', '城关幼儿园'] }, closesAt: new Date(now.getTime() + 7 * 86400_000), by },
    );
    expect(sent).toMatchObject({ ok: true, invited: 2 });
    await everyoneAnswers(now);
    const tick = () => runSchedulerTick({ db, presets: new Map(), timeZone: 'Asia/Shanghai' }, now);
    expect((await tick()).surveyNotices).toBe(2);
    expect((await tick()).surveyNotices).toBe(0);
    const rows = await resultsNotices();
    expect(rows.map((r) => JSON.parse(r.target).accountId)).toEqual(['staff-o1', 'ou_o2']);
    for (const r of rows) {
      expect(JSON.parse(r.reply).text).toContain('「小调研」的问卷结果已出：发出 2 份');
      expect(JSON.parse(r.reply).text).toContain('发给每位培训管理员');
    }
  });

  it('the CLI with --by <工号>: only that officer hears, without the note to the office', async () => {
    const officers = [await addTeacher(db, { employeeNo: 'O0001', name: '王老师' }), await addTeacher(db, { employeeNo: 'O0002', name: '李老师' })];
    for (const id of officers) await statement(db, `insert into roles (teacher_id, role, granted_by) values (?, 'officer', 'test')`).run(id);
    await bindAccount(db, 'dingtalk', 'staff-o1', officers[0]);
    await bindAccount(db, 'dingtalk', 'staff-o2', officers[1]);
    await seedTeachers(db, 'console', 1, (i) => `acc-${i}`);
    const now = new Date('2026-11-25T10:00:00+08:00');
    await sendSurvey(
      { db, now, sendAt: now, timeZone: 'Asia/Shanghai' },
      { questions: [{ key: 'need', kind: 'text', prompt: '需求', required: true }], title: '小调研', audience: { schools: ['第二小学'] }, closesAt: new Date(now.getTime() + 7 * 86400_000), by: 'cli:O0002' },
    );
    await everyoneAnswers(now);
    expect((await runSchedulerTick({ db, presets: new Map(), timeZone: 'Asia/Shanghai' }, now)).surveyNotices).toBe(1);
    const rows = await resultsNotices();
    expect(rows.map((r) => JSON.parse(r.target).accountId)).toEqual(['staff-o2']);
    expect(JSON.parse(rows[0].reply).text).not.toContain('培训管理员');
  });
});
