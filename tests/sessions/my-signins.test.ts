import { afterEach, describe, expect, it } from 'vitest';
import { tables } from '../../db/handle.js';
import { grantRole } from '../../src/ledger/roles.js';
import { ConsoleSession } from '../../src/platforms/console/session.js';
import { rotatingCode, stepOf } from '../../src/sessions/code.js';
import { getSession } from '../../src/sessions/store.js';
import { startFeishu, type FeishuHarness } from '../helpers/fakes/feishu-harness.js';
import { waitFor } from '../helpers/fakes/feishu-platform.js';
import { messageEvent } from '../helpers/fakes/feishu-sign.js';
import { addTeacher } from '../helpers/seed.js';

/**
 * 「我签到了吗」 through Feishu's real webhook (encrypted, signed events; replies at the fake OpenAPI): a teacher
 * hears, for today's sessions they are in, whether and when they signed in and out, or how to — and asking
 * never signs them in, not even to a button session where a bare 签到 would.
 * The test app's clock: 2026-11-25 10:00 Beijing time.
 */

let h: FeishuHarness;
afterEach(async () => h?.close());

const TEACHER = 'ou_84aad35d084aa403a838cf73ee18467';
let officer: ConsoleSession;

async function setUp(): Promise<void> {
  h = await startFeishu();
  const officerId = await addTeacher(h.app.db, { employeeNo: 'O001', name: '王主任', school: '教师发展中心' });
  await grantRole(h.app.db, officerId, 'officer', 'test');
  await addTeacher(h.app.db, { employeeNo: 'T0001', name: '张三', school: '第一中学' });
  officer = new ConsoleSession(h.app);
  await officer.actAs('O001');
  await ask('绑定 T0001 张三');
}

/** Sends a direct message as the teacher through the webhook and returns the bot's reply to it. */
async function ask(text: string): Promise<string> {
  const event = messageEvent({ text, openId: TEACHER });
  expect((await h.send(event)).status).toBe(200);
  const messageId = event.event.message.message_id;
  await waitFor(async () => (await h.inboxRows()).every((r) => r.status !== 'pending'), { what: 'inbox drained' });
  await h.app.outbox.whenIdle();
  const replyOf = () => h.fake.delivered.find((d) => d.via === 'reply' && d.to === messageId);
  await waitFor(() => replyOf() !== undefined, { what: `reply to ${text}` });
  const reply = replyOf()!;
  return reply.msgType === 'text' ? String(reply.content.text) : JSON.stringify(reply.content);
}

async function create(line: string): Promise<number> {
  const created = (await officer.send(line)).join('\n');
  const id = /已创建培训 #(\d+)/.exec(created)?.[1];
  if (!id) throw new Error(created);
  return Number(id);
}

const attendance = () => h.app.db.$count(tables(h.app.db).attendance);

describe('我签到了吗 (Feishu webhook)', () => {
  it('says so when there is no session today', async () => {
    await setUp();
    await create('新建培训 明日讲座 师德师风 3 2026-11-26 09:30-11:00');
    expect(await ask('我签到了吗')).toBe('今天没有需要您签到的培训。收到培训通知后，可再发送「我签到了吗」查看。');
  });

  it('never signs in to an open button session, however it is asked; after 签到 it tells the time', async () => {
    await setUp();
    await create('新建培训 师德讲座 师德师风 3 2026-11-25 09:30-11:00 方式 按钮');
    for (const question of ['我签到了吗', '我签到没有', '我今天签到了吗', '签到状态', '/signed', '签到 了吗', '签到了没', '我有没有签到']) {
      const reply = await ask(question);
      expect(reply, question).toContain('「师德讲座」签到 09:30–11:00（北京时间）');
      expect(reply, question).toContain('还没签到：请在 11:00 前点击签到卡片上的「签到」按钮或发送「签到」');
      expect(await attendance(), question).toBe(0);
    }
    // Only 签到 itself signs in.
    expect(await ask('签到')).toContain('签到成功');
    h.app.fixedClock.advance(5 * 60_000);
    const after = await ask('我签到了吗？');
    expect(after).toBe('您今天的培训签到：\n\n「师德讲座」签到 09:30–11:00（北京时间）\n已签到：10:00，已计入师德师风 3 学时。');
    expect(await attendance()).toBe(1);
  });

  it('with a sign-out window: signed in at, when to sign out, then signed out at', async () => {
    await setUp();
    const id = await create('新建培训 新课标研修 集中培训 6 2026-11-25 09:30-10:30 签退 11:30-12:00');
    const session = (await getSession(h.app.db, id))!;
    const code = () => rotatingCode(session.secret, stepOf(h.app.fixedClock.now().getTime()));

    const before = await ask('我签到了吗');
    expect(before).toContain('还没签到：请在 10:30 前发送「签到 签到码」（签到码见会场投影）');
    expect(await attendance()).toBe(0);

    h.app.fixedClock.advance(2 * 60_000);
    expect(await ask(`签到 ${code()}`)).toContain('签到成功');
    expect(await ask('我签到了没有')).toContain(
      '已签到：10:02；还需签退：签退将于 11:30 开始，届时发送「签退 签到码」，签退后计入 6 学时。',
    );

    h.app.fixedClock.set('2026-11-25T11:40:00+08:00');
    expect(await ask('签退了吗')).toContain('已签到：10:02；还没签退：请在 12:00 前发送「签退 签到码」（签到码见会场投影），签退后计入 6 学时。');
    expect(await ask(`签退 ${code()}`)).toContain('签退成功');
    expect(await ask('我签到了吗')).toContain('已签到：10:02；已签退：11:40，已计入集中培训 6 学时。');
  });

  it('lists only sessions the teacher is in, says when sign-in was missed, and shows a cancelled one as such', async () => {
    await setUp();
    await addTeacher(h.app.db, { employeeNo: 'T0002', name: '李四', school: '第二中学' });
    h.app.fixedClock.set('2026-11-25T07:00:00+08:00');
    await create('新建培训 早间例会 师德师风 1 2026-11-25 08:00-08:30');
    h.app.fixedClock.set('2026-11-25T10:00:00+08:00');
    await create('新建培训 二中教研 校本研修 2 2026-11-25 09:30-11:00 对象 学校:第二中学');
    const later = await create('新建培训 下午讲座 师德师风 2 2026-11-25 14:00-15:00');
    await create('新建培训 取消的讲座 师德师风 2 2026-11-25 15:00-16:00');
    await officer.send('取消培训 4 改期');

    const reply = await ask('我签到了吗');
    expect(reply).not.toContain('二中教研');
    expect(reply).toContain('「早间例会」签到 08:00–08:30（北京时间）\n未签到（签到已于 08:30 截止）。如有疑问请联系培训管理员。');
    expect(reply).toContain('「下午讲座」签到 14:00–15:00（北京时间）\n还没签到：签到将于 14:00 开始，届时发送「签到 签到码」（签到码见会场投影）。');
    expect(reply).toContain('「取消的讲座」签到 15:00–16:00（北京时间）\n本场培训已取消，无需签到。');
    expect(reply.indexOf('早间例会')).toBeLessThan(reply.indexOf('下午讲座'));
    expect(later).toBe(3);
    expect(await attendance()).toBe(0);
  });
});
