import { afterEach, describe, expect, it } from 'vitest';
import { tables } from '../../db/handle.js';
import { schema } from '../../db/client.js';
import { runSchedulerTick } from '../../src/schedule/tick.js';
import { flushAnswers } from '../../src/surveys/answer-pool.js';
import { roundResults } from '../../src/surveys/results.js';
import { roundOfSession } from '../../src/surveys/store.js';
import { startDingtalk, type DingtalkHarness } from '../helpers/fakes/dingtalk-harness.js';
import { dingtalkChat } from '../helpers/declaration-chat.js';
import { addSession, seedOfficer, seedTeachers, signIn, tablesHolding } from '../helpers/surveys.js';

/**
 * A session's evaluation over DingTalk's real callback (signed), numbered replies one question at a time: the
 * window ends, the scheduler invites the attendees (one-to-one batchSend), a teacher cancels half-way and
 * starts again, 跳过 the optional comment; 取消 inside the evaluation leaves an open 学时申报 draft alone.
 */

const staff = (i: number) => `staff${String(i).padStart(4, '0')}`;
let dh: DingtalkHarness | undefined;
afterEach(async () => {
  await dh?.close();
  dh = undefined;
});

describe('培训评价 over DingTalk', () => {
  it('invites attendees when the window ends and takes numbered answers; 取消 and 跳过 work; answers redacted from the inbox', async () => {
    const h = (dh = await startDingtalk());
    const db = h.app.db;
    await seedOfficer(db, 'dingtalk', 'officer0001');
    const teachers = await seedTeachers(db, 'dingtalk', 4, staff);
    const session = await addSession(db, { title: '作业设计专题', date: '2026-11-25', start: '08:30', end: '09:15', createdBy: 'dingtalk:officer0001' });
    await signIn(db, session, teachers.slice(0, 3));

    // The window ended at 09:15; the business clock says 10:00: the scheduler opens the evaluation.
    expect((await runSchedulerTick({ db, presets: h.app.presets, timeZone: 'Asia/Shanghai' }, h.app.fixedClock.now())).evaluationsOpened).toBe(1);
    await h.settle();
    const invitations = h.fake.delivered.filter((d) => d.via === 'oto');
    expect(invitations.map((d) => d.to).sort()).toEqual([staff(1), staff(2), staff(3)]);
    expect(invitations[0].text).toContain('回复「评价」开始');
    expect(invitations[0].text).toContain('匿名');

    const t1 = dingtalkChat(h, staff(1));
    // A half-filled 学时申报 is open; the evaluation takes over, and its 取消 cancels only the evaluation.
    expect((await t1.say('申报')).join()).toContain('第 1/7 步');
    const first = (await t1.say('评价')).join();
    expect(first).toContain('第 1/5 题：总体评价');
    expect(first).toContain('5 很满意');
    expect((await t1.say('4')).join()).toContain('第 2/5 题');
    expect((await t1.say('取消')).join()).toContain('本次回答没有保存');
    const keys = async () => (await db.select().from(tables(db).chatState)).map((r) => r.key);
    expect((await keys())).toEqual(['declaration.draft']);
    // Answers taken on PostgreSQL wait in the answer pool (src/surveys/answer-pool.ts): written now, if any.
    await flushAnswers(db);
    expect((await db.select().from(tables(db).surveyAnswers))).toHaveLength(0);

    await t1.say('评价');
    for (const n of ['5', '４', '4']) await t1.say(n);
    expect((await t1.say('5')).join()).toContain('（选答）');
    expect((await t1.say('跳过')).join()).toContain('谢谢您的评价');
    expect((await keys())).toEqual(['declaration.draft']);
    expect((await t1.say('评价')).join()).toContain('没有待评价的培训');

    const t2 = dingtalkChat(h, staff(2));
    await t2.say('我的问卷').then((r) => expect(r.join()).toContain('评价 1：作业设计专题'));
    await t2.say('评价');
    for (const n of ['3', '3', '2', '3']) await t2.say(n);
    expect((await t2.say('板书示范再多一些')).join()).toContain('谢谢');

    // Teacher 4 did not sign in.
    expect((await dingtalkChat(h, staff(4)).say('评价')).join()).toContain('没有待评价的培训');

    await flushAnswers(db);
    const round = (await roundOfSession(db, session.id))!;
    const results = (await roundResults(db, round.id))!;
    expect(results).toMatchObject({ invited: 3, answered: 2, suppressed: true });
    expect(await tablesHolding(db, '板书示范再多一些')).toEqual(['survey_answers']);
    // Every message of the answering flow was redacted in the inbox (only commands that started it remain).
    const texts = (await h.inboxRows()).map((r) => JSON.parse(r.payload).text as string).filter(Boolean);
    expect(texts.sort()).toEqual(['我的问卷', '申报', '评价', '评价', '评价', '评价', '评价'].sort());
  }, 60_000);
});
