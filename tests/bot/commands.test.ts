import { eq } from 'drizzle-orm';
import { tables } from '../../db/handle.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/client.js';
import { grantRole } from '../../src/ledger/roles.js';
import { ConsoleSession } from '../../src/platforms/console/session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addRecord, addTeacher, countRows } from '../helpers/seed.js';
import { databaseEnv } from '../helpers/db.js';
import { PLATFORM_SETTINGS } from '../../src/platforms/settings.js';

let app: TestApp;
let zhang: number;
let li: number;

beforeEach(async () => {
  app = await createTestApp({}, { now: '2026-11-25T10:00:00+08:00' });
  zhang = await addTeacher(app.db, { employeeNo: 'T0001', name: '张三', school: '第一中学', policyId: 'laibin' });
  li = await addTeacher(app.db, { employeeNo: 'T0002', name: '李四', school: '第二小学', policyId: 'laibin' });
  await addRecord(app.db, zhang, { key: 'R1', date: '2026-03-01', hours: 24, category: '集中培训', project: '全员培训' });
  await addRecord(app.db, zhang, { key: 'R2', date: '2026-09-10', hours: 1.5, category: '师德师风' });
});
afterEach(async () => app.cleanup());

const chat = (accountId: string) => new ConsoleSession(app, accountId);

describe('binding', () => {
  it('binds with the right 工号 and name, then answers hours from the database', async () => {
    const me = chat('u1');
    expect((await me.send('绑定 T0001 张三'))[0]).toContain('绑定成功：张三（第一中学）');
    const [answer] = await me.send('我还差多少学时');
    expect(answer).toContain('张三老师');
    expect(answer).toContain('本周期（2026年1月1日至2030年12月31日）');
    expect(answer).toContain('应修 360 学时，已修 25.5 学时，还差 334.5 学时');
  });

  it('accepts a slash, full-width space and English alias', async () => {
    const me = chat('u1');
    await me.send('／bind\u3000T0001\u3000张三');
    expect((await me.send('/hours'))[0]).toContain('已修 25.5 学时');
  });

  it('refuses a wrong name and changes nothing', async () => {
    expect((await chat('u1').send('绑定 T0001 王五'))[0]).toContain('没有绑定成功。请核对工号和姓名');
    expect(await countRows(app.db, 'accounts')).toBe(0);
  });

  it('refuses an unknown 工号', async () => {
    expect((await chat('u1').send('绑定 T9999 张三'))[0]).toContain('没有绑定成功。请核对工号和姓名');
  });

  it('refuses a 工号 already bound to another account and tells them to ask the office', async () => {
    await chat('u1').send('绑定 T0001 张三');
    const [reply] = await chat('u2').send('绑定 T0001 张三');
    expect(reply).toContain('已绑定了另一个账号');
    expect(reply).toContain('联系培训管理员');
    expect((await app.db.select().from(tables(app.db).accounts))).toHaveLength(1);
  });

  it('refuses re-binding an account to someone else', async () => {
    const me = chat('u1');
    await me.send('绑定 T0001 张三');
    expect((await me.send('绑定 T0002 李四'))[0]).toContain('您的账号已绑定为 张三');
  });

  it('reports missing arguments with the usage', async () => {
    expect((await chat('u1').send('绑定 T0001'))[0]).toBe('格式不对：缺少姓名\n用法：绑定 <工号> <姓名> [绑定码]');
  });

  it('words each missing argument from the catalogue, the same for every command that takes it', async () => {
    expect((await chat('u1').send('绑定'))[0]).toBe('格式不对：缺少工号\n用法：绑定 <工号> <姓名> [绑定码]');
    const me = chat('u3');
    await me.send('绑定 T0001 张三');
    await grantRole(app.db, zhang, 'officer', 'test');
    await grantRole(app.db, zhang, 'leader', 'test');
    const problem = async (text: string) => (await me.send(text))[0].split('\n')[0];
    expect(await problem('绑定码')).toBe('格式不对：缺少工号');
    expect(await problem('解绑')).toBe('格式不对：缺少工号');
    expect(await problem('取消学时')).toBe('格式不对：缺少培训编号');
    expect(await problem('取消学时 1')).toBe('格式不对：缺少工号');
    expect(await problem('取消学时 1 T0002')).toBe('格式不对：请写明取消原因');
    expect(await problem('取消学时 1 T0002 错')).toBe('格式不对：请写明取消原因（至少 2 个字）');
    expect(await problem('结束培训')).toBe('格式不对：缺少培训编号');
    expect(await problem('取消培训')).toBe('格式不对：缺少培训编号');
    expect(await problem('取消培训 1 错')).toBe('格式不对：请写明取消原因（至少 2 个字）');
    expect(await problem('撤销记录')).toBe('格式不对：缺少记录编号');
    expect(await problem('撤销记录 R1 错')).toBe('格式不对：请写明原因（至少 2 个字）');
    expect(await problem('更正记录')).toBe('格式不对：缺少记录编号');
    // With nothing after the name zod used to answer in English (Invalid input: expected string…).
    expect(await problem('确认报送')).toBe('格式不对：缺少事项编号');
    expect(await problem('撤销报送')).toBe('格式不对：缺少事项编号或标题');
  });
});

describe('access', () => {
  it('asks an unbound user to bind before answering hours', async () => {
    expect((await chat('u9').send('学时'))[0]).toContain('您还没有绑定名册');
  });

  it('refuses a teacher asking about another teacher', async () => {
    const me = chat('u1');
    await me.send('绑定 T0001 张三');
    const [reply] = await me.send('李四老师还差多少学时');
    expect(reply).toBe('只能查询本人的学时。如需查看他人情况，请联系学校或培训管理员。');
    expect(reply).not.toContain('李四');
  });

  it('refuses 学时/记录 naming another teacher, and accepts the caller’s own 工号', async () => {
    const me = chat('u1');
    await me.send('绑定 T0001 张三');
    expect((await me.send('学时 T0002'))[0]).toBe('只能查询本人的学时。如需查看他人情况，请联系学校或培训管理员。');
    expect((await me.send('records 李四'))[0]).toBe('只能查询本人的学时。如需查看他人情况，请联系学校或培训管理员。');
    expect((await me.send('学时 T0001'))[0]).toContain('已修 25.5 学时');
  });

  it('refuses an officer command from a teacher, allows it for an officer, and audits it', async () => {
    const teacher = chat('u1');
    await teacher.send('绑定 T0001 张三');
    await chat('u2').send('绑定 T0002 李四');
    expect((await teacher.send('解绑 T0002'))[0]).toBe('「解绑」仅限培训管理员使用。如需权限，请联系教师发展中心。');
    expect(await countRows(app.db, 'accounts')).toBe(2);

    await grantRole(app.db, zhang, 'officer', 'test');
    expect((await teacher.send('解绑 T0002'))[0]).toBe('已解除 李四 的 1 个账号绑定。');
    expect((await app.db.select().from(tables(app.db).accounts).where(eq(tables(app.db).accounts.teacherId, li)))).toHaveLength(0);
    expect((await app.db.select().from(tables(app.db).auditLog).where(eq(tables(app.db).auditLog.action, 'unbind')))).toHaveLength(1);
  });
});

describe('records, help and unknown text', () => {
  it('lists only the caller’s own records, newest first', async () => {
    await addRecord(app.db, li, { key: 'R9', date: '2026-10-01', hours: 8, category: '校本研修', project: '李四的项目' });
    const me = chat('u1');
    await me.send('绑定 T0001 张三');
    const [reply] = await me.send('记录');
    expect(reply.split('\n')).toEqual([
      '共 2 条学时记录，合计 25.5 学时：',
      '· 2026-09-10  师德师风 1.5 学时',
      '· 2026-03-01  集中培训 24 学时  全员培训',
    ]);
  });

  it('generates help from the declarations and hides officer commands from teachers', async () => {
    const me = chat('u1');
    await me.send('绑定 T0001 张三');
    const [help] = await me.send('帮助');
    expect(help).toContain('· 学时 — 查询本周期学时');
    expect(help).toContain('· 绑定 <工号> <姓名>');
    expect(help).not.toContain('解绑');
    await grantRole(app.db, zhang, 'officer', 'test');
    expect((await me.send('help'))[0]).toContain('解绑 <工号>');
  });

  it('answers unknown text with the closest command', async () => {
    expect((await chat('u1').send('绑顶 T0001 张三'))[0]).toContain('您是想「绑定 <工号> <姓名> [绑定码]」吗');
    expect((await chat('u1').send('今天天气怎么样'))[0]).toContain('发送「帮助」查看全部命令');
  });
});

describe('group chats', () => {
  it('answers personal numbers by direct message and tells the group so', async () => {
    await chat('u1').send('绑定 T0001 张三');
    await app.bot.accept({
      kind: 'message',
      platform: 'console',
      eventId: 'g-1',
      messageId: 'g-1',
      accountId: 'u1',
      chatId: 'group-42',
      chatType: 'group',
      text: '学时',
      receivedAt: Date.now(),
      replyVia: {},
    });
    await app.bot.drain();
    const rows = (await app.db.select().from(tables(app.db).outbox).where(eq(tables(app.db).outbox.origin, 'console:g-1')));
    const toUser = rows.find((r) => JSON.parse(r.target).type === 'user')!;
    const toGroup = rows.find((r) => JSON.parse(r.target).type === 'chat')!;
    expect(JSON.parse(toUser.reply).text).toContain('还差 334.5 学时');
    expect(JSON.parse(toGroup.reply).text).toBe('张三，您的学时属于个人信息，已私信发给您，请在与我的单聊中查看。');
    expect(JSON.parse(toGroup.reply).text).not.toMatch(/\d/);
  });
});

describe('nothing twice', () => {
  it('handles the same event id once, even when delivered again after handling', async () => {
    const event = {
      kind: 'message' as const,
      platform: 'console' as const,
      eventId: 'dup-1',
      messageId: 'm-dup-1',
      accountId: 'u1',
      chatId: 'console:u1',
      chatType: 'direct' as const,
      text: '绑定 T0001 张三',
      receivedAt: Date.now(),
      replyVia: {},
    };
    expect(await app.bot.accept(event)).toBe(true);
    expect(await app.bot.accept(event)).toBe(false);
    await app.bot.drain();
    expect(await app.bot.accept({ ...event, eventId: 'dup-2' })).toBe(false); // same message id, new event id
    await app.bot.drain();
    expect((await app.db.select().from(tables(app.db).outbox))).toHaveLength(1);
  });

  it('picks up events accepted before a crash on the next start', async () => {
    await app.bot.accept({
      kind: 'message', platform: 'console', eventId: 'crash-1', accountId: 'u1', chatId: 'console:u1',
      chatType: 'direct', text: '帮助', receivedAt: Date.now(), replyVia: {},
    });
    // No drain: the process "dies" here. A new app over the same database handles it on start.
    await app.stop();
    const { createXueshi } = await import('../../src/app.js');
    const { loadConfig } = await import('../../src/config.js');
    const { silentLogger } = await import('../../src/logger.js');
    const again = await createXueshi({ config: loadConfig(databaseEnv(app.config), PLATFORM_SETTINGS), logger: silentLogger, clock: app.fixedClock });
    await again.start();
    await new Promise((r) => setTimeout(r, 50));
    await again.bot.drain();
    expect((await again.db.select().from(tables(again.db).inbox).where(eq(tables(again.db).inbox.eventKey, 'console:crash-1')).limit(1))[0]?.status).toBe('done');
    expect((await again.db.select().from(tables(again.db).outbox).where(eq(tables(again.db).outbox.origin, 'console:crash-1')))).toHaveLength(1);
    await again.stop();
    app.stop = async () => {};
  });
});
