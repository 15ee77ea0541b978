/**
 * The approver's side of 学时申报 on Feishu, through the real endpoints: the approval request arrives as a card
 * (details, duplicate warning with the earlier item, 通过 / 退回 / 转交, a link to the approval page); clicks come
 * back signed and encrypted to /webhooks/feishu/cards and are answered with a toast and the card redrawn; a
 * redelivered click or a second click changes nothing twice; a stranger is refused; 退回 asks for the reason and
 * the teacher is told it; a school approval goes on to the office; 转交 hands it over; 待审申报 lists the queue.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { notifySubmitted } from '../../../src/declarations/notify.js';
import { getDeclaration, submitDeclaration, type DeclarationRow } from '../../../src/declarations/service.js';
import { startFeishu, type FeishuHarness } from '../../helpers/fakes/feishu-harness.js';
import { eventually } from '../../helpers/fakes/dingtalk-harness.js';
import { cardAction, messageEvent } from '../../helpers/fakes/feishu-sign.js';
import { actor, input, recordsOf, staff } from '../../helpers/declarations.js';

const CARDS = '/webhooks/feishu/cards';
type Answer = { toast?: { type: string; content: string }; card?: { type: string; data: { header: { template: string }; elements: any[] } } };

let h: FeishuHarness;
afterEach(async () => h?.close());

interface People {
  teacher: number;
  leader: number;
  leader2: number;
  officer: number;
  stranger: number;
}

async function setUp(): Promise<People> {
  h = await startFeishu({ PUBLIC_BASE_URL: 'https://xueshi.example.edu.cn' });
  const db = h.app.db;
  return {
    teacher: await staff(db, 'T0001', '张三', '第一中学'),
    leader: await staff(db, 'L0001', '李校长', '第一中学', ['leader']),
    leader2: await staff(db, 'L0002', '王副校长', '第一中学', ['leader']),
    officer: await staff(db, 'O0001', '钱主任', '教师发展中心', ['officer']),
    stranger: await staff(db, 'L0009', '赵校长', '第二中学', ['leader']),
  };
}

/** The teacher's declaration, submitted and its approval requests queued (what the chat wizard does). */
async function submit(p: People, over = {}): Promise<DeclarationRow> {
  const out = await submitDeclaration(h.app.db, h.app.presets, input(p.teacher, over), actor(p.teacher, 'feishu:ou_T0001'), h.app.fixedClock.now());
  if (!out.ok) throw new Error(out.detail);
  await notifySubmitted(h.app.db, out, h.app.fixedClock.now());
  h.app.outbox.kick();
  return out.declaration;
}

const click = (openId: string, command: string, args: string, eventId?: string) =>
  h.send(cardAction({ command, args }, { openId, eventId }), { path: CARDS }).then((r) => {
    expect(r.status).toBe(200);
    return r.json as Answer;
  });

const cardsTo = (openId: string) => h.fake.delivered.filter((d) => d.to === openId && d.msgType === 'interactive');
const textsTo = (openId: string) => h.fake.delivered.filter((d) => d.to === openId).map((d) => (d.msgType === 'text' ? (d.content.text as string) : JSON.stringify(d.content)));
/** A card's buttons: in action modules (JSON 1.0), or standing in the body (JSON 2.0, a card with a form). */
const buttonsOf = (card: any): any[] =>
  card.schema === '2.0' ? card.body.elements.filter((e: any) => e.tag === 'button') : card.elements.filter((e: any) => e.tag === 'action').flatMap((e: any) => e.actions as any[]);
const formOf = (card: any): any => (card.schema === '2.0' ? card.body.elements.find((e: any) => e.tag === 'form') : undefined);

describe('approval cards on Feishu', () => {
  it('sends each leader a card with the details, the duplicate and its earlier item, three buttons and the page link', async () => {
    const p = await setUp();
    const first = await submit(p, { certificateNo: 'GP-2026-0001' });
    const second = await submit(p, { project: '2026年暑期骨干教师培训', certificateNo: 'GP-2026-0001', startDate: '2026-10-20', endDate: '2026-10-20', hours: 8 });
    const card = (await eventually(() => cardsTo('ou_L0001').find((d) => JSON.stringify(d.content).includes(`#${second.id}`)), 8000, 'approval card')).content;
    const text = JSON.stringify(card);
    for (const part of ['张三（T0001，第一中学）', '2026年暑期骨干教师培训', '广西师范大学', '2026-10-20', '网络研修 8 学时', 'GP-2026-0001', '证明材料：未上传']) expect(text).toContain(part);
    // The duplicate names the earlier declaration.
    expect(text).toContain(`申报 #${first.id}「2026年国培计划·初中数学骨干教师研修」`);
    expect(card.header.template).toBe('orange');
    // JSON 2.0 (it has a form): 通过, 转交 and the page link as buttons; 退回 is a form whose reason is typed on the card.
    expect(card.schema).toBe('2.0');
    const buttons = buttonsOf(card);
    expect(buttons.map((b) => b.text.content)).toEqual(['通过', '转交', '查看详情与证明材料']);
    expect(buttons[0].behaviors).toEqual([{ type: 'callback', value: { command: '通过申报', args: String(second.id) } }]);
    expect(buttons[2].behaviors).toEqual([{ type: 'open_url', default_url: `https://xueshi.example.edu.cn/approve/${second.id}` }]);
    const form = formOf(card);
    const [reason, submitButton] = form.elements.filter((e: any) => e.tag !== 'markdown');
    expect(reason).toMatchObject({ tag: 'input', name: 'reason', required: true, max_length: 200, label: { tag: 'plain_text', content: '退回原因' } });
    expect(submitButton).toMatchObject({
      tag: 'button',
      text: { tag: 'plain_text', content: '退回' },
      type: 'danger',
      form_action_type: 'submit',
      behaviors: [{ type: 'callback', value: { command: '退回申报', args: String(second.id) } }],
    });
    expect(cardsTo('ou_L0002').length).toBeGreaterThan(0);
    expect(cardsTo('ou_L0009')).toHaveLength(0);
  });

  it('通过 by click: success toast, the card redrawn without buttons, the record made once; redelivered and second clicks change nothing', async () => {
    const p = await setUp();
    const d = await submit(p);
    const answer = await click('ou_L0001', '通过申报', String(d.id), 'ev_approve_1');
    expect(answer.toast).toMatchObject({ type: 'success' });
    expect(answer.toast!.content).toContain(`已通过申报 #${d.id}`);
    expect(answer.card?.type).toBe('raw');
    expect(answer.card!.data.header.template).toBe('green');
    expect(buttonsOf(answer.card!.data).map((b) => b.text.content)).toEqual(['查看详情与证明材料']);
    expect(await recordsOf(h.app.db, p.teacher)).toHaveLength(1);
    // The teacher hears of it, with the new totals.
    const told = await eventually(() => textsTo('ou_T0001').find((s) => s.includes('已认定')), 8000, 'teacher notice');
    expect(told).toContain('网络研修 16 学时');

    // Feishu delivers the same click again: answered from the first handling.
    const replay = await click('ou_L0001', '通过申报', String(d.id), 'ev_approve_1');
    expect(replay.toast!.content).toBe(answer.toast!.content);
    // The leader clicks the old card again, and the colleague clicks theirs: kindly told it is done.
    const again = await click('ou_L0001', '通过申报', String(d.id));
    expect(again.toast).toMatchObject({ type: 'info' });
    expect(again.toast!.content).toContain('已处理过');
    const colleague = await click('ou_L0002', '退回申报', `${d.id} 不对`);
    expect(colleague.toast!.content).toContain('已处理过');
    expect(colleague.toast!.content).toContain('已认定');
    expect(await recordsOf(h.app.db, p.teacher)).toHaveLength(1);
    expect((await getDeclaration(h.app.db, d.id))!.declaration.state).toBe('approved');
  });

  it('the office waits for the school: an officer clicking at the school step is told where it stands', async () => {
    const p = await setUp();
    const d = await submit(p);
    const answer = await click('ou_O0001', '通过申报', String(d.id));
    expect(answer.toast!.content).toContain('目前不需要你处理：学校审核中，待 李校长、王副校长 审核');
    expect((await getDeclaration(h.app.db, d.id))!.declaration.state).toBe('pending');
    expect(await recordsOf(h.app.db, p.teacher)).toHaveLength(0);
  });

  it('refuses a leader of another school without telling them anything about it', async () => {
    const p = await setUp();
    const d = await submit(p);
    const answer = await click('ou_L0009', '通过申报', String(d.id));
    expect(answer.toast!.type).toBe('warning');
    expect(answer.toast!.content).toContain(`没有找到由你审核的申报 #${d.id}`);
    expect(answer.toast!.content).not.toContain('张三');
    expect(answer.card).toBeUndefined();
    expect((await getDeclaration(h.app.db, d.id))!.declaration.state).toBe('pending');
    expect(await recordsOf(h.app.db, p.teacher)).toHaveLength(0);
  });

  it('an officer cannot decide their own declaration', async () => {
    const p = await setUp();
    const out = await submitDeclaration(h.app.db, h.app.presets, input(p.officer), actor(p.officer, 'feishu:ou_O0001'), h.app.fixedClock.now());
    if (!out.ok) throw new Error(out.detail);
    const answer = await click('ou_O0001', '通过申报', String(out.declaration.id));
    expect(answer.toast!.content).toContain('是你本人的申报');
    expect((await getDeclaration(h.app.db, out.declaration.id))!.declaration.state).toBe('pending');
    expect(await recordsOf(h.app.db, p.officer)).toHaveLength(0);
  });

  it('退回 asks for the reason, then the typed reason returns it and the teacher is told why', async () => {
    const p = await setUp();
    const d = await submit(p);
    const asked = await click('ou_L0001', '退回申报', String(d.id));
    expect(asked.toast!.content).toContain('退回须写明原因');
    expect(asked.card).toBeUndefined(); // The card stays as it is, buttons and all.
    expect((await getDeclaration(h.app.db, d.id))!.declaration.state).toBe('pending');

    expect((await h.send(messageEvent({ text: `退回申报 ${d.id} 证书照片不清楚，请重新上传`, openId: 'ou_L0001' }))).status).toBe(200);
    await h.app.bot.drain();
    expect((await getDeclaration(h.app.db, d.id))!.declaration).toMatchObject({ state: 'returned', returnReason: '证书照片不清楚，请重新上传' });
    const told = await eventually(() => textsTo('ou_T0001').find((s) => s.includes('被退回')), 8000, 'return notice');
    expect(told).toContain('证书照片不清楚，请重新上传');
    expect(await recordsOf(h.app.db, p.teacher)).toHaveLength(0);
  });

  it('退回 on the card itself: the reason typed in its form returns it, once; an empty-ish reason is asked again', async () => {
    const p = await setUp();
    const d = await submit(p);
    const submitForm = (reason: string, eventId?: string) => {
      const event = cardAction({ command: '退回申报', args: String(d.id) }, { openId: 'ou_L0001', eventId });
      (event.event.action as Record<string, unknown>).form_value = { reason };
      return h.send(event, { path: CARDS }).then((r) => {
        expect(r.status).toBe(200);
        return r.json as Answer;
      });
    };
    const tooShort = await submitForm('差');
    expect(tooShort.toast!.content).toContain('退回须写明原因');
    expect((await getDeclaration(h.app.db, d.id))!.declaration.state).toBe('pending');

    const answer = await submitForm('证书照片不清晰，请重新上传', 'ev_return_form_1');
    expect(answer.toast).toMatchObject({ type: 'success' });
    expect(answer.toast!.content).toContain(`已退回申报 #${d.id}`);
    expect(answer.toast!.content).toContain('证书照片不清晰，请重新上传');
    expect(answer.card!.data.header.template).toBe('red');
    expect((await getDeclaration(h.app.db, d.id))!.declaration).toMatchObject({ state: 'returned', returnReason: '证书照片不清晰，请重新上传' });
    const told = await eventually(() => textsTo('ou_T0001').find((s) => s.includes('被退回')), 8000, 'return notice');
    expect(told).toContain('证书照片不清晰，请重新上传');
    // Feishu redelivers the submit: nothing happens twice.
    await submitForm('证书照片不清晰，请重新上传', 'ev_return_form_1');
    expect((await getDeclaration(h.app.db, d.id))!.steps.filter((s) => s.action === 'return')).toHaveLength(1);
  });

  it('a large declaration goes from the school to the office; the other leader is then told it is past their step', async () => {
    const p = await setUp();
    const d = await submit(p, { hours: 40, category: '集中培训' });
    const answer = await click('ou_L0001', '通过申报', String(d.id));
    expect(answer.toast!.content).toContain('还须教育局审核');
    expect(await recordsOf(h.app.db, p.teacher)).toHaveLength(0);
    const officerCard = await eventually(() => cardsTo('ou_O0001').find((c) => JSON.stringify(c.content).includes(`#${d.id}`)), 8000, 'office card');
    expect(JSON.stringify(officerCard.content)).toContain('教育局审核');
    expect(JSON.stringify(officerCard.content)).toContain('李校长 通过');
    const late = await click('ou_L0002', '通过申报', String(d.id));
    expect(late.toast!.content).toContain('目前不需要你处理');
    expect(buttonsOf(late.card!.data).map((b) => b.text.content)).toEqual(['查看详情与证明材料']);
    const final = await click('ou_O0001', '通过申报', String(d.id));
    expect(final.toast).toMatchObject({ type: 'success' });
    expect(await recordsOf(h.app.db, p.teacher)).toHaveLength(1);
  });

  it('转交 without a 工号 lists who it may go to; with one, that leader is asked and the first is no longer', async () => {
    const p = await setUp();
    const d = await submit(p);
    const asked = await click('ou_L0001', '转交申报', String(d.id));
    expect(asked.toast!.content).toContain(`转交申报 ${d.id} 工号`);
    const listed = await eventually(() => textsTo('ou_L0001').find((s) => s.includes('可转交给')), 8000, 'candidates');
    expect(listed).toContain('王副校长（L0002，第一中学）');
    expect(listed).toContain('钱主任（O0001，教师发展中心）');
    expect(listed).not.toContain('张三');

    const before = cardsTo('ou_L0002').length;
    expect((await h.send(messageEvent({ text: `转交申报 ${d.id} L0002`, openId: 'ou_L0001' }))).status).toBe(200);
    await h.app.bot.drain();
    expect((await getDeclaration(h.app.db, d.id))!.assignees.map((a) => a.employeeNo)).toEqual(['L0002']);
    await eventually(() => cardsTo('ou_L0002').length > before, 8000, 'forwarded card');
    const late = await click('ou_L0001', '通过申报', String(d.id));
    expect(late.toast!.content).toContain('目前不需要你处理');
  });

  it('待审申报 lists what waits for the caller, oldest first, and tells a teacher it is not theirs', async () => {
    const p = await setUp();
    const a = await submit(p);
    const b = await submit(p, { project: '班主任工作坊', startDate: '2026-11-02', endDate: '2026-11-02', hours: 6, category: '班主任培训' });
    await h.send(messageEvent({ text: '待审申报', openId: 'ou_L0002' }));
    await h.send(messageEvent({ text: '待审申报', openId: 'ou_T0001' }));
    await h.app.bot.drain();
    // Answers to typed messages are replies to them (not addressed by open_id): look through everything delivered.
    const all = () => h.fake.delivered.map((m) => JSON.stringify(m.content));
    const list = await eventually(() => all().find((s) => s.includes('待你审核的学时申报（2 份）')), 8000, 'queue');
    expect(list.indexOf(`#${a.id}`)).toBeLessThan(list.indexOf(`#${b.id}`));
    expect(list).toContain('班主任工作坊');
    await eventually(() => all().find((s) => s.includes('待审申报」仅限')), 8000, 'refusal');
  });
});
