import { eq, like } from 'drizzle-orm';
import { tables } from '../../db/handle.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/client.js';
import { ConsoleSession } from '../../src/platforms/console/session.js';
import { runBroadcastCli } from '../../src/cli/broadcast.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { asText } from '../helpers/db.js';
import { person, tick } from '../helpers/deadlines.js';

let app: TestApp;
let ids: Record<string, number>;

beforeEach(async () => {
  // In the real past: the bot enqueues replies at business time and the sender runs on real time.
  app = await createTestApp({}, { now: '2026-11-02T10:00:00+08:00' });
  const add = async (no: string, name: string, school: string, opts: Parameters<typeof person>[4] = {}) =>
    await person(app.db, no, name, school, { remindersOff: true, ...opts });
  ids = {
    officer: await add('O1', '钱主任', '教师发展中心', { roles: ['officer'] }),
    a1: await add('A1', '赵校长', '一中', { roles: ['leader'], position: '校长' }),
    a2: await add('A2', '周老师', '一中', { homeroom: true }),
    a3: await add('A3', '冯老师', '一中', { bound: false }),
    b1: await add('B1', '吴校长', '二中', { roles: ['leader'], position: '校长', bound: false }),
    b2: await add('B2', '陈老师', '二中', { homeroom: true }),
    b3: await add('B3', '褚老师', '二中'),
    c1: await add('C1', '卫老师', '三中', { homeroom: true, bound: false }),
  };
});
afterEach(async () => app.cleanup());

const as = (no: string) => new ConsoleSession(app, `acc-${no}`);
const broadcasts = async () => (await app.db.select().from(tables(app.db).broadcasts));
const broadcastRows = async (id: number) => (await app.db.select().from(tables(app.db).outbox).where(eq(tables(app.db).outbox.origin, `broadcast:${id}`)));

describe('发布通知: preview', () => {
  it('previews with the exact recipient count and the unbound count, and sends nothing yet', async () => {
    const [preview] = await as('O1').send('发布通知 全部 明天下午三点在报告厅开会');
    expect(preview).toContain('通知预览 #1（尚未发送）');
    expect(preview).toContain('对象：全部教师');
    // 8 on the roster (the officer too), 5 bound (O1, A1, A2, B2, B3), 3 not (A3, B1, C1).
    expect(preview).toContain('共 8 人，可送达 5 人，未绑定账号 3 人（收不到）');
    expect(preview).toContain('确认无误请发送「确认发布 1」');
    expect((await broadcasts())).toMatchObject([{ id: 1, status: 'preview', recipientCount: 8 }]);
    expect((await app.db.select().from(tables(app.db).outbox).where(like(tables(app.db).outbox.origin, 'broadcast:%')))).toHaveLength(0);
  });

  it('resolves schools, roles and both together', async () => {
    const counts = async (text: string) => /共 (\d+) 人，可送达 (\d+) 人，未绑定账号 (\d+) 人/.exec((await as('O1').send(text))[0])!.slice(1).map(Number);
    expect(await counts('发布通知 学校:一中,二中 请提交计划')).toEqual([6, 4, 2]);
    expect(await counts('发布通知 学校：二中 请提交计划')).toEqual([3, 2, 1]);
    expect(await counts('发布通知 角色:班主任 班主任培训通知')).toEqual([3, 2, 1]);
    expect(await counts('发布通知 角色:校长 校长会')).toEqual([2, 1, 1]);
    expect(await counts('发布通知 角色:leaders 报送提醒')).toEqual([2, 1, 1]);
    expect(await counts('发布通知 角色:班主任,校长 联合通知')).toEqual([5, 3, 2]);
    expect(await counts('发布通知 学校:一中 角色:班主任 一中班主任会')).toEqual([1, 1, 0]);
  });

  it('refuses bad input clearly and writes nothing', async () => {
    const officer = as('O1');
    expect((await officer.send('发布通知 全部'))[0]).toBe(
      '格式不对：通知正文不能为空\n用法：发布通知 <全部|学校:一中,二中|角色:学校负责人,班主任,校长> <正文>',
    );
    expect((await officer.send('发布通知'))[0]).toContain('缺少发送对象');
    expect((await officer.send('发布通知 大家好 明天开会'))[0]).toContain('缺少发送对象');
    expect((await officer.send(`发布通知 全部 ${'字'.repeat(4001)}`))[0]).toBe('通知正文有 4001 字，超过上限 4000 字。请精简后再发，或分成几条通知。');
    expect((await officer.send('发布通知 学校:一中,九中 开会'))[0]).toContain('名册中没有这些学校：九中');
    expect((await officer.send('发布通知 角色:教导主任 开会'))[0]).toBe('不认识的角色：教导主任。可选角色：学校负责人、班主任、校长。');
    expect((await as('A2').send('发布通知 全部 开会'))[0]).toBe('「发布通知」仅限培训管理员使用。如需权限，请联系教师发展中心。');
    expect((await as('A1').send('确认发布 1'))[0]).toContain('仅限');
    expect((await broadcasts())).toHaveLength(0);
    // 4,000 characters is allowed.
    expect((await officer.send(`发布通知 全部 ${'字'.repeat(4000)}`))[0]).toContain('通知预览 #1');
  });

  it('keeps the line breaks of a multi-line notice', async () => {
    await as('O1').send('发布通知 学校:一中 关于期末培训的通知\n一、时间：12月1日\n二、地点：报告厅');
    expect((await broadcasts())[0].text).toBe('关于期末培训的通知\n一、时间：12月1日\n二、地点：报告厅');
  });
});

describe('确认发布', () => {
  it('enqueues one outbox row per bound recipient, once, however often it is confirmed', async () => {
    const officer = as('O1');
    await officer.send('发布通知 学校:一中,二中 请于本周五前提交年度培训计划');
    const [started] = await officer.send('确认发布 1');
    expect(started).toContain('通知 #1 开始发送：共 6 人，可送达 4 人，未绑定账号 2 人。');
    expect((await officer.send('确认发布 1'))[0]).toContain('已经确认过');
    expect((await officer.send('确认发布 #1'))[0]).toContain('不会重复发送');
    const rows = await broadcastRows(1);
    expect(rows.map((r) => r.idempotencyKey).sort()).toEqual(
      [ids.a1, ids.a2, ids.b2, ids.b3].map((t) => `broadcast:1:${t}`).sort(),
    );
    const recipients = (await app.db.select().from(tables(app.db).broadcastRecipients));
    expect(recipients).toHaveLength(6);
    expect(recipients.filter((r) => r.outboxId === null).map((r) => r.teacherId).sort()).toEqual([ids.a3, ids.b1].sort());
    const reply = JSON.parse(rows[0].reply);
    expect(reply.card.title).toBe('通知');
    expect(reply.card.sections[0].lines).toEqual(['请于本周五前提交年度培训计划']);
    expect(reply.text).toContain('——钱主任，2026-11-02');
    expect((await broadcasts())[0]).toMatchObject({ status: 'sending', recipientCount: 6 });
  });

  it('confirms by the preview card button, and only the officer who prepared it may confirm or cancel', async () => {
    const [preview] = await as('O1').send('发布通知 全部 通知内容');
    expect(preview).toContain('#1');
    const previewRow = (await app.db.select().from(tables(app.db).outbox).where(like(asText(tables(app.db).outbox.reply), '%通知预览 #1%')).limit(1))[0]!;
    const buttons = JSON.parse(previewRow.reply).card.buttons;
    expect(buttons.map((b: { value: unknown }) => b.value)).toEqual([
      { command: '确认发布', args: '1' },
      { command: '取消发布', args: '1' },
    ]);
    await person(app.db, 'O2', '孙科长', '教师发展中心', { roles: ['officer'], remindersOff: true });
    expect((await as('O2').send('确认发布 1'))[0]).toBe('通知 #1 不是您发起的，只能由发起人确认或取消。');
    expect((await as('O2').send('取消发布 1'))[0]).toBe('通知 #1 不是您发起的，只能由发起人确认或取消。');
    await app.bot.accept({ kind: 'card_action', platform: 'console', eventId: 'c-1', accountId: 'acc-O1', value: buttons[0].value, receivedAt: Date.now() });
    await app.bot.drain();
    expect((await broadcasts())[0].status).toBe('sending');
    // The officer is one of 全部, so their own copy of the notice may arrive in the same moment.
    expect(await as('O1').send('取消发布 1')).toContain('通知 #1 已开始发送，无法撤回。');
  });

  it('a cancelled or expired preview is never sent', async () => {
    await as('O1').send('发布通知 全部 第一条');
    expect((await as('O1').send('取消发布'))[0]).toBe('已取消通知 #1，不会发送。');
    expect((await as('O1').send('确认发布 1'))[0]).toContain('已取消');
    await as('O1').send('发布通知 全部 第二条');
    app.fixedClock.advance(25 * 3600_000);
    expect((await as('O1').send('确认发布 2'))[0]).toContain('预览已超过 24 小时');
    expect((await app.db.select().from(tables(app.db).outbox).where(like(tables(app.db).outbox.origin, 'broadcast:%')))).toHaveLength(0);
  });
});

describe('通知进度 and the delivery report', () => {
  it('reports 已发送 n/N, delivered, not bound and pending; sends the final report once; the CLI shows the same', async () => {
    const officer = as('O1');
    await officer.send('发布通知 学校:一中,二中 周五交计划');
    await officer.send('确认发布 1');
    await app.outbox.whenIdle();
    const [progress] = await officer.send('通知进度 1');
    expect(progress.split('\n')).toEqual([
      '送达报告 · 通知 #1「周五交计划」',
      '已发送 4/4',
      '· 已送达 4 人',
      '· 发送失败 0 人',
      '· 未绑定账号 2 人（收不到）',
      '· 待发送 0 人',
    ]);
    expect((await tick(app)).broadcastReports).toBe(1);
    expect((await tick(app)).broadcastReports).toBe(0);
    const report = (await app.db.select().from(tables(app.db).outbox).where(eq(tables(app.db).outbox.idempotencyKey, 'broadcast-report:1')).limit(1))[0]!;
    expect(JSON.parse(report.target)).toEqual({ type: 'user', accountId: 'acc-O1' });
    expect(JSON.parse(report.reply).text).toBe(progress);

    const io = () => {
      const chunks: string[] = [];
      return { chunks, stdout: { write: (s: string) => chunks.push(s) }, stderr: { write: (s: string) => chunks.push(s) } };
    };
    const text = io();
    expect(await runBroadcastCli(['status', '1'], { db: app.db, ...text })).toBe(0);
    expect(text.chunks.join('')).toBe(`${progress}\n`);
    const json = io();
    await runBroadcastCli(['status', '1', '--json'], { db: app.db, ...json });
    expect(JSON.parse(json.chunks.join(''))).toMatchObject({ id: 1, total: 6, bound: 4, delivered: 4, failed: 0, unbound: 2, pending: 0, done: true });
    const missing = io();
    expect(await runBroadcastCli(['status', '99'], { db: app.db, ...missing })).toBe(1);
    expect(missing.chunks.join('')).toBe('没有编号为 99 的通知。\n');
  });
});
