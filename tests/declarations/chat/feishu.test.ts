import { afterEach, describe, expect, it } from 'vitest';
import { tables } from '../../../db/handle.js';
import { schema } from '../../../db/client.js';
import { returnDeclaration } from '../../../src/declarations/service.js';
import { runSchedulerTick } from '../../../src/schedule/tick.js';
import type { FeishuHarness } from '../../helpers/fakes/feishu-harness.js';
import { waitFor } from '../../helpers/fakes/feishu-platform.js';
import { cardAction, messageEvent } from '../../helpers/fakes/feishu-sign.js';
import { jpeg } from '../../helpers/evidence.js';
import { ANSWERS, draftsOf, feishuSchool, feishuSettled, fillDeclaration, LEADER_OPEN_ID, TEACHER_OPEN_ID } from '../../helpers/declaration-chat.js';

/**
 * 学时申报 in chat, teacher's side, over the real Feishu webhook (encrypted and signed events, a fake OpenAPI):
 * the step-by-step form with an image, wrong answers corrected, 上一步 / 修改 / 取消, a real command in between,
 * group → direct message, the exact repeat refused, the day-old draft expired by the scheduler, and a returned
 * declaration listed, resubmitted and withdrawn.
 */

let fh: FeishuHarness | undefined;
afterEach(async () => {
  await fh?.close();
  fh = undefined;
});

const declarations = async (h: FeishuHarness) => (await h.app.db.select().from(tables(h.app.db).declarations));
const leaderMessages = (h: FeishuHarness) => h.fake.delivered.filter((d) => d.to === LEADER_OPEN_ID);

describe('申报 over Feishu', () => {
  it('collects every field step by step, corrects wrong answers without losing the draft, and submits once', async () => {
    const { h, chat, school } = await feishuSchool();
    fh = h;
    expect((await chat.say('我想申报一下学时')).join()).toContain('第 1/7 步');
    expect((await chat.say(ANSWERS.project)).join()).toContain('主办单位');
    expect((await chat.say(ANSWERS.organiser)).join()).toContain('培训日期');

    // A day that does not exist, then a date still ahead: each refused in Chinese, the step asked again.
    expect((await chat.say('2025-02-30至03-05')).join()).toMatch(/日期有误：2025年2月没有30日。草稿已保留/);
    expect((await chat.say('2027-03-01')).join()).toContain('还没到');
    expect((await chat.say(ANSWERS.dates)).join()).toContain('学时数');

    // A real command in between runs, and says the draft is kept; the next answer goes on with the draft.
    const hours = (await chat.say('学时')).join();
    expect(hours).toContain('张三老师');
    expect(hours).toContain('草稿还在，停在「学时」这一步');

    expect((await chat.say('很多')).join()).toContain('「很多」不是学时数');
    expect((await chat.say('500')).join()).toContain('不超过 360 学时');
    expect((await chat.say('24学时')).join()).toContain('回复序号');
    expect((await chat.say('9')).join()).toContain('没有「9」这个选项');
    expect((await chat.say('3')).join()).toContain('证书编号');
    expect((await chat.say('跳过')).join()).toContain('照片');

    expect((await chat.say('完成')).join()).toContain('还没有收到证明材料');
    expect((await chat.image()).join()).toContain('已收到 1 份证明材料（共 1 份）');
    expect((await chat.image()).join()).toContain('共 2 份');
    const summary = (await chat.say('完成')).join();
    for (const line of [ANSWERS.project, ANSWERS.organiser, '2025年3月1日至2025年3月5日', '学时：24', '类别：集中培训', '证书编号：无', '证明材料：2 份', '确认提交']) {
      expect(summary).toContain(line);
    }

    // 修改 from the summary: only that field is asked, then the summary again.
    expect((await chat.say('修改 学时')).join()).toContain('学时数');
    expect((await chat.say('12')).join()).toContain('学时：12');
    // 上一步 goes back along the way it came.
    expect((await chat.say('上一步')).join()).toContain('学时数');
    expect((await chat.say('12')).join()).toContain('学时：12');

    const done = (await chat.say('确认提交')).join();
    expect(done).toMatch(/已提交，申报编号 #\d+，等待学校审核/);
    const [row] = (await declarations(h));
    expect(row).toMatchObject({ teacherId: school.teacherId, project: ANSWERS.project, startDate: '2025-03-01', endDate: '2025-03-05', hours: 12, category: '集中培训', state: 'pending' });
    // Both photos belong to it, and the worker fetched and kept each (type checked, hashed).
    const photos = async () => (await h.app.db.select().from(tables(h.app.db).evidenceFiles)).filter((e) => e.declarationId === row.id);
    expect((await photos())).toHaveLength(2);
    await h.app.evidence.whenIdle();
    await waitFor(async () => (await photos()).every((e) => e.status === 'stored'), { what: 'evidence stored' });
    expect((await photos()).map((e) => e.mime)).toEqual(['image/jpeg', 'image/jpeg']);
    expect((await draftsOf(h.app.db))).toHaveLength(0);
    // The school leader is asked, once.
    await waitFor(() => leaderMessages(h).length === 1, { what: 'approval request' });
    expect(JSON.stringify(leaderMessages(h)[0].content)).toContain(ANSWERS.project);

    // With the draft gone, 确认提交 has nothing to submit and ordinary questions are answered as before.
    expect((await chat.say('确认提交')).join()).toContain('没有正在填写的学时申报');
    expect((await declarations(h))).toHaveLength(1);
  });

  it('取消 drops the draft at any step; 上一步 at the first step stays there', async () => {
    const { h, chat } = await feishuSchool();
    fh = h;
    await chat.say('申报学时');
    expect((await chat.say('上一步')).join()).toContain('已经是第一步');
    await chat.say(ANSWERS.project);
    expect((await draftsOf(h.app.db))).toHaveLength(1);
    expect((await chat.say('取消')).join()).toContain('已取消这次申报');
    expect((await draftsOf(h.app.db))).toHaveLength(0);
    // No draft: a project-like line is no longer taken as an answer.
    expect((await chat.say('广西师范大学继续教育学院')).join()).not.toContain('培训日期');
    expect((await declarations(h))).toHaveLength(0);
  });

  it('asked in a group, every step is answered by direct message; the draft follows into the direct chat', async () => {
    const { h, chat } = await feishuSchool();
    fh = h;
    const answers = await chat.sayInGroup('申报');
    expect(answers.find((a) => a.direct)?.text).toContain('第 1/7 步');
    expect(answers.filter((a) => !a.direct).every((a) => !a.text.includes('第 1/7 步'))).toBe(true);
    expect((await chat.say(ANSWERS.project)).join()).toContain('主办单位');
    const inGroup = await chat.sayInGroup(ANSWERS.organiser);
    expect(inGroup.find((a) => a.direct)?.text).toContain('培训日期');
    expect(inGroup.filter((a) => !a.direct).map((a) => a.text).join()).not.toContain(ANSWERS.organiser);
  });

  it('an exact repeat is refused naming the earlier declaration; a near one is flagged only as 审核人会核对', async () => {
    const { h, chat } = await feishuSchool();
    fh = h;
    await fillDeclaration(chat);
    const first = (await chat.say('确认提交')).join();
    const id = /#(\d+)/.exec(first)![1];
    await fillDeclaration(chat, { certificateNo: '跳过' });
    const refused = (await chat.say('确认提交')).join();
    expect(refused).toContain(`#${id}`);
    expect(refused).toContain('完全相同，不能重复申报');
    expect((await draftsOf(h.app.db))).toHaveLength(1);
    // Corrected (different hours), it goes in, flagged for the approver; the teacher hears only that it is checked.
    await chat.say('修改 学时');
    await chat.say('20');
    const flagged = (await chat.say('确认提交')).join();
    expect(flagged).toContain('已提交，审核人会核对');
    expect(flagged).not.toMatch(/重叠|重复|证书编号相同/);
    expect((await declarations(h))).toHaveLength(2);
  });

  it('a draft untouched for a day expires with one notice when the scheduler runs; a fresher one stays', async () => {
    const { h, chat } = await feishuSchool();
    fh = h;
    await chat.say('申报');
    await chat.say(ANSWERS.project);
    const tick = () => runSchedulerTick({ db: h.app.db, presets: h.app.presets, timeZone: h.app.config.TIMEZONE, transportNow: () => new Date() }, h.app.fixedClock.now());

    h.app.fixedClock.advance(23 * 3600_000);
    expect((await tick()).expiredDrafts).toBe(0);
    expect((await draftsOf(h.app.db))).toHaveLength(1);

    h.app.fixedClock.advance(2 * 3600_000);
    const before = h.fake.delivered.length;
    expect((await tick()).expiredDrafts).toBe(1);
    expect((await tick()).expiredDrafts).toBe(0);
    h.app.outbox.kick();
    await feishuSettled(h);
    const notices = h.fake.delivered.slice(before);
    expect(notices).toHaveLength(1);
    expect(notices[0].content.text).toContain(`「${ANSWERS.project}」的学时申报草稿一天没有填完，已自动作废`);
    expect((await draftsOf(h.app.db))).toHaveLength(0);
    // The next line is an ordinary message again, not the organiser.
    expect((await chat.say(ANSWERS.organiser)).join()).not.toContain('培训日期');
  });

  it('我的申报 shows the state and the return reason; 重新申报 reopens it prefilled; 撤回申报 withdraws', async () => {
    const { h, chat, school } = await feishuSchool();
    fh = h;
    await fillDeclaration(chat);
    await chat.say('确认提交');
    const [row] = (await declarations(h));
    expect((await chat.say('我的申报')).join()).toContain('待学校审核');

    await returnDeclaration(h.app.db, row.id, '证书照片看不清', { label: 'test:leader', teacherId: school.leaderId }, h.app.fixedClock.now());
    const mine = (await chat.say('我申报的学时通过了吗')).join();
    expect(mine).toContain('已退回');
    expect(mine).toContain('退回原因：证书照片看不清');
    expect(mine).toContain(`重新申报 ${row.id}`);

    const reopened = (await chat.say(`重新申报 ${row.id}`)).join();
    expect(reopened).toContain(`修改申报 #${row.id} 后重新提交`);
    expect(reopened).toContain(ANSWERS.organiser);
    expect(reopened).toContain('证明材料：原有 1 份');
    await chat.say('修改 材料');
    expect((await chat.image()).join()).toContain('共 2 份');
    await chat.say('完成');
    expect((await chat.say('确认提交')).join()).toContain(`申报 #${row.id} 已重新提交`);
    expect((await declarations(h))[0]).toMatchObject({ id: row.id, state: 'pending' });
    expect((await chat.say(`重新申报 ${row.id}`)).join()).toContain('只有被退回的申报可以重新申报');

    expect((await chat.say(`撤回申报 ${row.id}`)).join()).toContain('已撤回');
    expect((await chat.say('我的申报')).join()).toContain('已撤回');
    expect((await chat.say(`撤回申报 ${row.id + 100}`)).join()).toContain(`没有找到你的申报 #${row.id + 100}`);
  });

  it('a redelivered photo counts once; the summary card’s 确认提交 button submits, and a redelivered click changes nothing', async () => {
    const { h, chat } = await feishuSchool();
    fh = h;
    await chat.say('申报');
    for (const value of [ANSWERS.project, ANSWERS.organiser, ANSWERS.dates, ANSWERS.hours, ANSWERS.category, ANSWERS.certificateNo]) await chat.say(value);
    const photo = messageEvent({ messageType: 'image', content: JSON.stringify({ image_key: 'img_v3_redelivered' }), openId: TEACHER_OPEN_ID });
    h.fake.putResource(photo.event.message.message_id, 'img_v3_redelivered', jpeg(2048), 'image/jpeg');
    await h.send(photo);
    await h.send(photo);
    await feishuSettled(h);
    expect((await h.app.db.select().from(tables(h.app.db).evidenceFiles))).toHaveLength(1);
    const summary = (await chat.say('完成')).join();
    expect(summary).toContain('证明材料：1 份');
    expect(summary).toContain('"value":{"command":"确认提交"}');

    const click = cardAction({ command: '确认提交' }, { openId: TEACHER_OPEN_ID });
    const answer = await h.send(click, { path: '/webhooks/feishu/cards' });
    expect((answer.json as { toast: { type: string; content: string } }).toast).toMatchObject({ type: 'success' });
    expect((answer.json as { toast: { content: string } }).toast.content).toMatch(/已提交，申报编号 #\d+/);
    const again = await h.send(click, { path: '/webhooks/feishu/cards' });
    expect((again.json as { toast: { content: string } }).toast.content).toMatch(/已提交，申报编号 #\d+/);
    await feishuSettled(h);
    expect((await declarations(h))).toHaveLength(1);
    expect((await h.app.db.select().from(tables(h.app.db).evidenceFiles))[0].declarationId).toBe((await declarations(h))[0].id);
    await waitFor(() => leaderMessages(h).length === 1, { what: 'one approval request' });
  });

  it('a photo the evidence worker refuses leaves the draft: the teacher is asked for another before the summary', async () => {
    const { h, chat } = await feishuSchool();
    fh = h;
    await chat.say('申报');
    for (const value of [ANSWERS.project, ANSWERS.organiser, ANSWERS.dates, ANSWERS.hours, ANSWERS.category, ANSWERS.certificateNo]) await chat.say(value);
    expect((await chat.image({ gone: true })).join()).toContain('已收到 1 份证明材料');
    await h.app.evidence.whenIdle();
    await waitFor(async () => (await h.app.db.select().from(tables(h.app.db).evidenceFiles))[0]?.status === 'rejected', { what: 'photo refused' });
    const answer = (await chat.say('完成')).join();
    expect(answer).toContain('有 1 份材料没有收下，已从草稿中去掉（还剩 0 份）');
    expect(answer).toContain('还没有收到证明材料');
    await chat.image();
    expect((await chat.say('完成')).join()).toContain('证明材料：1 份');
  });

  it('on Feishu 申报 also offers one form card; its submit fills the draft, a wrong field is named and asked again', async () => {
    const { h, chat } = await feishuSchool();
    fh = h;
    const [card] = await chat.say('申报');
    expect(card).toContain('"schema":"2.0"');
    expect(card).toContain('"tag":"form"');
    expect(card).toContain('"form_action_type":"submit"');
    expect(card).toContain('第 1/7 步');
    const submit = (form: Record<string, string>) => {
      const click = cardAction({ command: '申报表单' }, { openId: TEACHER_OPEN_ID }) as { event: { action: Record<string, unknown> } };
      click.event.action.form_value = form;
      return h.send(click, { path: '/webhooks/feishu/cards' });
    };
    const form = { project: ANSWERS.project, organiser: ANSWERS.organiser, dates: '2025-02-30', hours: '24', category: '集中培训', certificateNo: '' };
    const first = await submit(form);
    expect((first.json as { toast: { content: string } }).toast.content).toContain('表单里有 1 项需要改');
    await feishuSettled(h);
    expect(h.fake.texts().at(-1)).toContain('培训日期：日期有误：2025年2月没有30日');
    expect(h.fake.texts().at(-1)).toContain('第 3/7 步');
    // The rest was kept: the date answered in chat, the files are next.
    expect((await chat.say(ANSWERS.dates)).join()).toContain('第 7/7 步');
    await chat.image();
    const summary = (await chat.say('完成')).join();
    for (const line of [ANSWERS.project, '学时：24', '类别：集中培训', '证书编号：无', '证明材料：1 份']) expect(summary).toContain(line);
    expect((await chat.say('确认提交')).join()).toMatch(/已提交，申报编号 #\d+/);
  });
});
