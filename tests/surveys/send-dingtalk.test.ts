import { afterEach, describe, expect, it } from 'vitest';
import { tables } from '../../db/handle.js';
import { schema } from '../../db/client.js';
import { transaction } from '../../db/statements.js';
import { dueNow } from '../../src/broadcasts/broadcasts.js';
import { flushAnswers } from '../../src/surveys/answer-pool.js';
import { roundResults, surveyResultsByGroup } from '../../src/surveys/results.js';
import { sendSurvey } from '../../src/surveys/service.js';
import { startDingtalk, type DingtalkHarness } from '../helpers/fakes/dingtalk-harness.js';
import { dingtalkChat } from '../helpers/declaration-chat.js';
import { seedOfficer, seedTeachers } from '../helpers/surveys.js';

/**
 * A needs survey to 1,000 teachers through the outbox and DingTalk's one-to-one batchSend (a fake DingTalk on
 * loopback): every invitee gets it once, it says it is not anonymous; 120 answer in chat over the signed
 * callback; the answers are counted per round, school and 职务, and a school under five answers shows its count only.
 */

const staff = (i: number) => `staff${String(i).padStart(5, '0')}`;
let dh: DingtalkHarness | undefined;
afterEach(async () => {
  await dh?.close();
  dh = undefined;
});

const QUESTIONS = [
  { key: 'topic', kind: 'choice', prompt: '最希望参加的培训主题', options: ['课堂教学', '班级管理', '信息技术', '心理健康'], required: true },
  { key: 'format', kind: 'choice', prompt: '希望的形式', options: ['线下集中', '线上', '校本研修'], required: false },
  { key: 'note', kind: 'text', prompt: '其他需求', required: false },
];

describe('需求调研 to 1,000 teachers over DingTalk', () => {
  it('reaches everyone once through the outbox and counts answers by school and 职务', async () => {
    const h = (dh = await startDingtalk());
    const db = h.app.db;
    await seedOfficer(db, 'dingtalk', 'officer0001');
    await seedTeachers(db, 'dingtalk', 1000, staff);
    const started = performance.now();
    const now = h.app.fixedClock.now();
    // In one transaction, as the console sends it: the worker sees all 1,000 rows at once (row by row, on
    // PostgreSQL it would send the first few as they committed, in part-filled batches).
    const sent = await transaction(db, (tx) =>
      sendSurvey(
        { db: tx, now, sendAt: dueNow(h.app.fixedClock), timeZone: 'Asia/Shanghai' },
        { questions: QUESTIONS, title: '2027年度培训需求调研', audience: { schools: ['第一中学', '第二小学', '城关幼儿园'] }, closesAt: new Date(now.getTime() + 14 * 86400_000), by: 'dingtalk:officer0001' },
      ),
    );
    expect(sent).toMatchObject({ ok: true, invited: 1000, queued: 1000 });
    if (!sent.ok) return;
    h.worker.kick();
    await h.settle();
    const oto = h.fake.delivered.filter((d) => d.via === 'oto');
    expect(oto).toHaveLength(1000);
    expect(new Set(oto.map((d) => d.to)).size).toBe(1000);
    expect(oto[0].text).toContain('不是匿名评价');
    expect(oto[0].text).toContain('回复「问卷」开始');
    const sendMs = performance.now() - started;
    // Batched ≤ 20 users a call (identical text), paced under 20 QPS.
    const batchCalls = h.fake.requests.filter((r) => r.path.includes('oToMessages/batchSend')).length;
    expect(batchCalls).toBeLessThanOrEqual(60);
    console.log(`survey to 1,000: ${Math.round(sendMs)} ms, ${batchCalls} batchSend calls`);

    // 120 teachers answer in chat: teacher i picks topic (i % 4) + 1, skips or picks the format, writes a note or not.
    const answering = performance.now();
    for (let i = 1; i <= 120; i++) {
      const chat = dingtalkChat(h, staff(i));
      expect((await chat.say('问卷')).join()).toContain('第 1/3 题');
      await chat.say(String((i % 4) + 1));
      await chat.say(i % 2 ? '跳过' : '1');
      expect((await chat.say(i % 5 === 0 ? `第${i}位的需求` : '跳过')).join()).toContain('谢谢您参与调研');
    }
    console.log(`120 teachers answered (4 signed callbacks each) in ${Math.round(performance.now() - answering)} ms`);
    expect((await dingtalkChat(h, staff(1)).say('问卷')).join()).toContain('没有待填写的问卷');

    // Answers taken on PostgreSQL wait in the answer pool (src/surveys/answer-pool.ts): written before they are counted.
    await flushAnswers(db);
    const results = (await roundResults(db, sent.round.id))!;
    expect(results).toMatchObject({ invited: 1000, answered: 120, responseRate: 0.12, suppressed: false });
    const topic = results.questions.find((q) => q.key === 'topic')!;
    expect(topic.distribution).toEqual([
      { label: '课堂教学', count: 30 },
      { label: '班级管理', count: 30 },
      { label: '信息技术', count: 30 },
      { label: '心理健康', count: 30 },
    ]);
    expect(results.questions.find((q) => q.key === 'format')!.answered).toBe(60);
    expect(results.questions.find((q) => q.key === 'note')!.comments).toHaveLength(24);

    // By school: 40 each (i % 3 decides the school); invited 333/334/333.
    const bySchool = await surveyResultsByGroup(db, sent.round.id, 'school');
    expect(bySchool.map((g) => [g.group, g.invited, g.answered])).toEqual(
      [
        ['城关幼儿园', 333, 40],
        ['第二小学', 334, 40],
        ['第一中学', 333, 40],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]), 'zh-CN')),
    );
    // By 职务: 12 校长 (every tenth), 108 教师.
    const byRole = Object.fromEntries((await surveyResultsByGroup(db, sent.round.id, 'role')).map((g) => [g.group, g]));
    expect(byRole['教师']).toMatchObject({ invited: 900, answered: 108, suppressed: false });
    expect(byRole['校长']).toMatchObject({ invited: 100, answered: 12, suppressed: false });
    // A survey keeps school and 职务 (it says so), never who.
    const row = (await db.select().from(tables(db).surveyAnswers))[0];
    expect(Object.keys(row).sort()).toEqual(['answeredOn', 'answers', 'id', 'role', 'roundId', 'school']);
  }, 240_000);
});
