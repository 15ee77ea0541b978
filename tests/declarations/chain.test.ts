/**
 * Issue 13 end to end on Feishu, every step through the real webhooks: a teacher declares in chat with a photo of
 * the certificate; the school leader gets the approval card and approves by clicking; the declaration goes on to
 * the office, whose officer approves by clicking; the ledger gains one record and the teacher is told the new
 * totals, once, whatever is clicked or redelivered afterwards. A second declaration is returned with a reason by
 * click-then-type, corrected by the teacher and resubmitted, and the leader is asked again.
 */
import { eq } from 'drizzle-orm';
import { tables } from '../../db/handle.js';
import { afterEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/client.js';
import { bindAccount } from '../../src/ledger/accounts.js';
import { grantRole } from '../../src/ledger/roles.js';
import type { FeishuHarness } from '../helpers/fakes/feishu-harness.js';
import { cardAction, messageEvent } from '../helpers/fakes/feishu-sign.js';
import { addTeacher } from '../helpers/seed.js';
import { feishuSchool, feishuSettled, fillDeclaration, LEADER_OPEN_ID, TEACHER_OPEN_ID } from '../helpers/declaration-chat.js';
import { eventually } from '../helpers/fakes/dingtalk-harness.js';

const OFFICER_OPEN_ID = 'ou_officer00000000000000000000000009';
const CARDS = '/webhooks/feishu/cards';
type Answer = { toast?: { type: string; content: string }; card?: { type: string } };

let h: FeishuHarness;
afterEach(async () => h?.close());

const declarations = async () => (await h.app.db.select().from(tables(h.app.db).declarations));
const records = async (teacherId: number) => (await h.app.db.select().from(tables(h.app.db).records).where(eq(tables(h.app.db).records.teacherId, teacherId)));
const delivered = (openId: string) => h.fake.delivered.filter((d) => d.to === openId).map((d) => (d.msgType === 'text' ? String(d.content.text) : JSON.stringify(d.content)));

async function click(openId: string, command: string, args: string, eventId?: string): Promise<Answer> {
  const r = await h.send(cardAction({ command, args }, { openId, eventId }), { path: CARDS });
  expect(r.status).toBe(200);
  await feishuSettled(h);
  return r.json as Answer;
}

describe('学时申报 from chat to the ledger on Feishu', () => {
  it('declared with a photo, approved by the school and the office by card clicks: one record, the teacher told once', async () => {
    const s = await feishuSchool();
    h = s.h;
    const officer = await addTeacher(h.app.db, { employeeNo: 'O0001', name: '钱主任', school: '教师发展中心' });
    await grantRole(h.app.db, officer, 'officer', 'test');
    await bindAccount(h.app.db, 'feishu', OFFICER_OPEN_ID, officer);

    // 24 学时 of 集中培训 (choice 3) this March: the preset sends it on to the office after the school.
    await fillDeclaration(s.chat, { dates: '2026-03-01至03-05' });
    expect((await s.chat.say('确认提交')).join()).toContain('已提交');
    const [d] = (await declarations());
    expect(d).toMatchObject({ state: 'pending', currentStep: 'school', category: '集中培训', hours: 24 });
    await h.app.evidence.whenIdle();

    const leaderCard = await eventually(() => delivered(LEADER_OPEN_ID).find((t) => t.includes(`学时申报待审核 #${d!.id}`)), 8000, 'leader card');
    expect(leaderCard).toContain('张三（T0001，第一中学）');
    expect(leaderCard).toContain('GP2025-0301');
    expect(leaderCard).toContain('/approve/');

    const byLeader = await click(LEADER_OPEN_ID, '通过申报', String(d!.id), 'ev-chain-leader');
    expect(byLeader.toast).toMatchObject({ type: 'success' });
    expect(byLeader.toast!.content).toContain('还须教育局审核');
    expect(byLeader.card?.type).toBe('raw');
    const officerCard = await eventually(() => delivered(OFFICER_OPEN_ID).find((t) => t.includes(`学时申报待审核 #${d!.id}`)), 8000, 'office card');
    expect(officerCard).toContain('证明材料：1 份');
    expect(officerCard).toContain('李校长 通过');
    await eventually(() => delivered(TEACHER_OPEN_ID).find((t) => t.includes('学校已审核通过')), 8000, 'step notice');
    expect((await records(s.school.teacherId))).toHaveLength(0);

    // The leader's click delivered again, then the officer's approval, then both click again.
    expect((await click(LEADER_OPEN_ID, '通过申报', String(d!.id), 'ev-chain-leader')).toast!.content).toBe(byLeader.toast!.content);
    const byOffice = await click(OFFICER_OPEN_ID, '通过申报', String(d!.id), 'ev-chain-office');
    expect(byOffice.toast).toMatchObject({ type: 'success' });
    expect(byOffice.toast!.content).toContain('已计入学时档案');
    for (const [who, ev] of [[OFFICER_OPEN_ID, 'ev-chain-office'], [OFFICER_OPEN_ID, undefined], [LEADER_OPEN_ID, undefined]] as const) {
      await click(who, '通过申报', String(d!.id), ev);
    }
    const made = await records(s.school.teacherId);
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ source: 'declaration', recordKey: `declaration:${d!.id}`, hours: 24, category: '集中培训' });
    const told = delivered(TEACHER_OPEN_ID).filter((t) => t.includes('已认定'));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('本周期');
    // What 学时 answers now counts it.
    expect((await s.chat.say('学时')).join()).toMatch(/已修\D*24/);
  });

  it('returned by click-then-type with a reason, corrected and resubmitted, and asked again', async () => {
    const s = await feishuSchool();
    h = s.h;
    await fillDeclaration(s.chat, { hours: '8', category: '1' });
    await s.chat.say('确认提交');
    const [d] = (await declarations());
    await eventually(() => delivered(LEADER_OPEN_ID).find((t) => t.includes(`学时申报待审核 #${d!.id}`)), 8000, 'leader card');

    expect((await click(LEADER_OPEN_ID, '退回申报', String(d!.id))).toast!.content).toContain(`退回申报 ${d!.id} 原因`);
    await h.send(messageEvent({ text: `退回申报 ${d!.id} 证书照片看不清，请重拍`, openId: LEADER_OPEN_ID }));
    await feishuSettled(h);
    expect((await declarations())[0]).toMatchObject({ state: 'returned', returnReason: '证书照片看不清，请重拍' });
    await eventually(() => delivered(TEACHER_OPEN_ID).find((t) => t.includes('证书照片看不清，请重拍')), 8000, 'return notice');

    const asked = delivered(LEADER_OPEN_ID).filter((t) => t.includes(`学时申报待审核 #${d!.id}`)).length;
    await s.chat.say(`重新申报 ${d!.id}`);
    await s.chat.say('修改 材料');
    await s.chat.image();
    await s.chat.say('完成');
    expect((await s.chat.say('确认提交')).join()).toContain(`申报 #${d!.id} 已重新提交`);
    await eventually(() => delivered(LEADER_OPEN_ID).filter((t) => t.includes(`学时申报待审核 #${d!.id}`)).length > asked, 8000, 'asked again');
    const again = await click(LEADER_OPEN_ID, '通过申报', String(d!.id));
    expect(again.toast).toMatchObject({ type: 'success' });
    expect((await records(s.school.teacherId))).toHaveLength(1);
  });
});
