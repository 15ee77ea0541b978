import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { schema, type Db } from '../../db/client.js';
import { dialectOf, tables } from '../../db/handle.js';
import { statement } from '../../db/statements.js';
import { runSchedulerTick } from '../../src/schedule/tick.js';
import { MIN_GROUP_SIZE } from '../../src/surveys/anonymity.js';
import { flushAnswers } from '../../src/surveys/answer-pool.js';
import { roundResults } from '../../src/surveys/results.js';
import { startFeishu, type FeishuHarness } from '../helpers/fakes/feishu-harness.js';
import { waitFor } from '../helpers/fakes/feishu-platform.js';
import { cardAction, messageEvent } from '../helpers/fakes/feishu-sign.js';
import { feishuSettled } from '../helpers/declaration-chat.js';
import { addSession, formSubmitValue, seedOfficer, seedTeachers, signIn, tablesHolding } from '../helpers/surveys.js';

/**
 * A session's evaluation over the real Feishu webhook (encrypted, signed events and card callbacks, a fake
 * OpenAPI): the officer closes the session, the five who signed in get a form card, one answers by the card,
 * the others step by step; redelivered and repeated clicks answer once; non-attendees and forged callbacks are
 * refused; the stored rows hold nothing that leads back to a teacher; the organiser hears once.
 */

const CARDS = '/webhooks/feishu/cards';
const OFFICER = 'ou_officer000000000000000000000001';
const openId = (i: number) => `ou_teacher${String(i).padStart(22, '0')}`;
const COMMENT = '案例很实用，希望多安排课堂观摩';

let fh: FeishuHarness | undefined;
afterEach(async () => {
  await fh?.close();
  fh = undefined;
});

const cardsTo = (h: FeishuHarness, to: string) => h.fake.delivered.filter((d) => d.to === to && d.msgType === 'interactive');
const textsTo = (h: FeishuHarness, to: string) => h.fake.delivered.filter((d) => d.to === to).map((d) => (d.msgType === 'text' ? String(d.content.text) : JSON.stringify(d.content)));

async function say(h: FeishuHarness, who: string, text: string): Promise<string[]> {
  const before = h.fake.delivered.length;
  expect((await h.send(messageEvent({ text, openId: who }))).status).toBe(200);
  await feishuSettled(h);
  return h.fake.delivered.slice(before).map((d) => (d.msgType === 'text' ? String(d.content.text) : JSON.stringify(d.content)));
}

async function submit(h: FeishuHarness, who: string, value: Record<string, unknown>, form: Record<string, unknown>, eventId?: string) {
  const click = cardAction(value, { openId: who, eventId }) as { event: { action: Record<string, unknown> } };
  click.event.action.form_value = form;
  click.event.action.tag = 'button';
  const res = await h.send(click, { path: CARDS });
  expect(res.status).toBe(200);
  await feishuSettled(h);
  return res.json as { toast?: { type: string; content: string }; card?: { data: unknown } };
}

/** A table's columns in their order. */
function columnsOf(db: Db, table: string): Promise<string[]> {
  return statement(db, {
    sqlite: `select name from pragma_table_info(?)`,
    postgres: `select column_name from information_schema.columns where table_schema = current_schema() and table_name = ? order by ordinal_position`,
  })
    .pluck<string>()
    .all(table);
}

const full = { overall: '5 很满意', content: '4 满意', trainer: '5 很满意', usefulness: '4 满意', comment: COMMENT };

describe('培训评价 over Feishu', () => {
  it('invites exactly those who signed in; one card answer, counted once; forged and repeated clicks refused; nothing links back', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const h = (fh = await startFeishu({}, { logger }));
    const db = h.app.db;
    await seedOfficer(db, 'feishu', OFFICER);
    const teachers = await seedTeachers(db, 'feishu', 7, openId);
    const session = await addSession(db, { title: '课堂观察与评课', date: '2026-11-25', start: '08:30', end: '09:15', createdBy: `feishu:${OFFICER}` });
    await signIn(db, session, teachers.slice(0, 5));
    // Another session, attended only by teacher 7: its round is the one a forged callback names.
    const other = await addSession(db, { title: '信息技术应用', date: '2026-11-25', start: '08:30', end: '09:15', createdBy: `feishu:${OFFICER}` });
    await signIn(db, other, [teachers[6]]);

    const closing = (await say(h, OFFICER, `结束培训 ${session.id}`)).join();
    expect(closing).toContain('已向 5 位签到的老师发出匿名评价邀请');
    await say(h, OFFICER, `结束培训 ${other.id}`);
    await h.app.outbox.whenIdle();
    await waitFor(() => cardsTo(h, openId(5)).length === 1, { what: 'invitations delivered' });
    for (let i = 1; i <= 5; i++) expect(cardsTo(h, openId(i))).toHaveLength(1);
    expect(cardsTo(h, openId(6))).toHaveLength(0); // did not sign in
    const card = cardsTo(h, openId(1))[0].content;
    expect(JSON.stringify(card)).toContain('匿名');
    const submitValue = formSubmitValue(card);
    expect(submitValue.command).toBe('survey-form');
    const [roundId] = submitValue.args.split('.');
    expect((await db.select().from(tables(db).surveyInvitations)).filter((i) => i.roundId === Number(roundId))).toHaveLength(5);

    // Teacher 1 answers by the card: thanked, the form replaced.
    const answer = await submit(h, openId(1), submitValue, full, 'ev_click_answer_1');
    expect(answer.toast?.type).toBe('success');
    expect(JSON.stringify(answer.card)).toContain('已提交');
    // Feishu redelivers the same callback; the teacher clicks again (a new event); both leave one answer.
    expect((await submit(h, openId(1), submitValue, full, 'ev_click_answer_1')).toast?.type).toBe('success');
    expect((await submit(h, openId(1), submitValue, full)).toast?.content).toContain('已经提交过了');
    // Answers taken on PostgreSQL wait in the answer pool (src/surveys/answer-pool.ts): written before each count.
    const answers = async () => {
      await flushAnswers(db);
      return db.select().from(tables(db).surveyAnswers);
    };
    expect((await answers())).toHaveLength(1);

    // Forged: teacher 6 (not there) with teacher 1's ticket; teacher 1 naming the other session's round with
    // teacher 7's ticket; teacher 2 with teacher 3's ticket. None is taken, and teacher 3 can still answer.
    expect((await submit(h, openId(6), submitValue, full)).toast?.content).toContain('不是发给您的');
    // Even with a half-filled form: refused as not invited, never told what is missing.
    expect((await submit(h, openId(6), submitValue, { overall: '1 很不满意' })).toast?.content).toContain('不是发给您的');
    const otherTicket = formSubmitValue(cardsTo(h, openId(7))[0].content);
    expect(otherTicket.args.split('.')[0]).not.toBe(roundId);
    expect((await submit(h, openId(1), otherTicket, full)).toast?.content).toContain('不是发给您的');
    const ticket3 = formSubmitValue(cardsTo(h, openId(3))[0].content);
    expect((await submit(h, openId(2), ticket3, full)).toast?.content).toContain('卡片已失效');
    // A made-up token for a round one is invited to.
    expect((await submit(h, openId(2), { ...submitValue, args: `${roundId}.AAAAAAAAAAAAAAAAAAAAAA` }, full)).toast?.content).toContain('卡片已失效');
    expect((await answers())).toHaveLength(1);
    expect((await db.select().from(tables(db).surveyInvitations)).filter((i) => i.answered)).toHaveLength(1);

    // A form missing a required answer is not taken (the token is not spent).
    expect((await submit(h, openId(3), ticket3, { overall: '5 很满意' })).toast?.content).toContain('还没有提交');
    expect((await answers())).toHaveLength(1);

    // Teacher 2 step by step; 跳过 a required one is refused, the optional comment may be skipped.
    expect((await say(h, openId(2), '评价')).join()).toContain('第 1/5 题：总体评价');
    expect((await say(h, openId(2), '跳过')).join()).toContain('这一题必答');
    expect((await say(h, openId(2), '很好')).join()).toContain('没看懂');
    await say(h, openId(2), '4');
    await say(h, openId(2), '5');
    await say(h, openId(2), '3');
    expect((await say(h, openId(2), '4')).join()).toContain('第 5/5 题');
    expect((await say(h, openId(2), '跳过')).join()).toContain('谢谢您的评价');
    expect((await answers())).toHaveLength(2);
    expect((await db.select().from(tables(db).chatState))).toEqual([]);

    // Under the minimum group size: the count only.
    let results = (await roundResults(db, Number(roundId)))!;
    expect(results).toMatchObject({ invited: 5, answered: 2, suppressed: true });
    expect(results.questions.every((q) => q.distribution === undefined && q.mean === undefined && q.comments === undefined)).toBe(true);

    // The others answer by card (teacher 3 with its own ticket, now complete) and in chat.
    // Teacher 3 starts step by step, then submits the card instead: the half-done chat answers are dropped.
    expect((await say(h, openId(3), '评价')).join()).toContain('第 1/5 题');
    await say(h, openId(3), '2');
    expect((await submit(h, openId(3), ticket3, { ...full, comment: '' })).toast?.type).toBe('success');
    expect((await db.select().from(tables(db).chatState))).toEqual([]);
    expect((await say(h, openId(3), '评价')).join()).toContain('没有待评价的培训');
    for (const i of [4, 5]) {
      await say(h, openId(i), '评价');
      for (const reply of ['3', '3', '4', '2']) await say(h, openId(i), reply);
      expect((await say(h, openId(i), `第${i}位老师的建议`)).join()).toContain('谢谢');
    }
    // Teacher 6 never attended: nothing to evaluate.
    expect((await say(h, openId(6), '评价')).join()).toContain('没有待评价的培训');

    await flushAnswers(db);
    results = (await roundResults(db, Number(roundId)))!;
    expect(results).toMatchObject({ invited: 5, answered: MIN_GROUP_SIZE, responseRate: 1, suppressed: false });
    const overall = results.questions.find((q) => q.key === 'overall')!;
    expect(overall.distribution!.map((d) => d.count)).toEqual([0, 0, 2, 1, 2]);
    expect(overall.mean).toBe(4); // 5, 4, 5, 3, 3
    expect(results.questions.find((q) => q.key === 'comment')!.comments!.sort()).toEqual([COMMENT, '第4位老师的建议', '第5位老师的建议'].sort());

    // ---- Anonymity, from the stored rows.
    expect(await columnsOf(db, 'survey_answers')).toEqual(['id', 'round_id', 'answered_on', 'answers', 'school', 'role']);
    if (dialectOf(db) === 'sqlite') {
      // No rowid, whose order would be the order of answering.
      expect(await statement(db, `select sql from sqlite_master where name = 'survey_answers'`).pluck().get()).toMatch(/WITHOUT ROWID$/);
    } else {
      // No answer was written by the transaction that spent an invitation (its xmin would name the respondent).
      expect(Number(await statement(db, `select count(*) from survey_answers a join survey_invitations i on i.xmin = a.xmin`).pluck().get())).toBe(0);
    }
    for (const row of (await answers())) {
      expect(row.id).toMatch(/^[0-9a-f]{32}$/);
      expect(row.answeredOn).toBe('2026-11-25');
      expect(row.school).toBeNull();
      expect(row.role).toBeNull();
    }
    expect(await columnsOf(db, 'survey_invitations')).toEqual(['round_id', 'teacher_id', 'token_hash', 'answered']);
    // The comments and the teachers' own replies are stored in survey_answers only: not in the inbox (payloads
    // redacted), the outbox (replies never echo), chat_state (drafts deleted) or anywhere else.
    for (const text of [COMMENT, '第4位老师的建议', '第5位老师的建议']) expect(await tablesHolding(db, text)).toEqual(['survey_answers']);
    for (const row of (await db.select().from(tables(db).inbox))) {
      const payload = JSON.parse(row.payload);
      if (payload.text === '') continue;
      expect(payload.text ?? '', `inbox ${row.eventKey}`).not.toMatch(/^\d$|建议|survey-form/);
      expect(payload.form).toBeUndefined();
    }
    // No token in plaintext is kept outside the invitation cards themselves.
    expect(await tablesHolding(db, submitValue.args.split('.')[1])).toEqual(['outbox']);
    // Logs never carry an answer.
    const log = lines.join('\n');
    expect(log.length).toBeGreaterThan(0);
    for (const text of [COMMENT, '第4位老师的建议']) expect(log).not.toContain(text);

    // ---- Everyone answered: the organiser (who created the session) is told once, by the scheduler.
    const tick = () => runSchedulerTick({ db, presets: h.app.presets, timeZone: 'Asia/Shanghai' }, h.app.fixedClock.now());
    expect((await tick()).surveyNotices).toBe(1);
    expect((await tick()).surveyNotices).toBe(0);
    await h.app.outbox.whenIdle();
    await waitFor(() => textsTo(h, OFFICER).some((t) => t.includes('结果已出')), { what: 'organiser told' });
    const notice = textsTo(h, OFFICER).find((t) => t.includes('结果已出'))!;
    expect(notice).toContain('发出 5 份，收回 5 份（回收率 100%）');
    expect(notice).toContain('总体评价平均 4 分');
  }, 60_000);
});
