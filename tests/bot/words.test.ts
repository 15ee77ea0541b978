import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleSession } from '../../src/platforms/console/session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addRecord, addTeacher } from '../helpers/seed.js';
import { audienceMembers } from '../../src/sessions/members.js';
import { person } from '../helpers/deadlines.js';
import { maskEmployeeNo } from '../../src/bot/teacher-names.js';
import { commands } from '../../commands/index.js';
import { parseArgs } from '../../src/bot/command.js';

/** Teachers' words through the whole bot: small talk, other people's figures, records paging, help, roles. */
let app: TestApp;
let zhang: number;

beforeEach(async () => {
  app = await createTestApp({}, { now: '2026-11-25T10:00:00+08:00' });
  zhang = await addTeacher(app.db, { employeeNo: 'T0001', name: '张三', school: '第一中学', policyId: 'laibin' });
  await addTeacher(app.db, { employeeNo: 'T0002', name: '李四', school: '第二小学', policyId: 'laibin' });
  await addRecord(app.db, zhang, { key: 'R1', date: '2026-03-01', hours: 24, category: '集中培训', project: '全员培训' });
});
afterEach(async () => app.cleanup());

const chat = (accountId: string) => new ConsoleSession(app, accountId);

async function bound(): Promise<ConsoleSession> {
  const me = chat('u1');
  await me.send('绑定 T0001 张三');
  return me;
}

describe('small talk', () => {
  it.each([
    ['谢谢', '不客气！有学时问题随时问我。'],
    ['好的', '好的。有需要随时找我。'],
    ['辛苦了', '不辛苦，随时为您服务。'],
    ['好的，谢谢老师！', '不客气！有学时问题随时问我。'],
  ])('「%s」 gets a short friendly answer and no figures', async (text, answer) => {
    const me = await bound();
    const [reply] = await me.send(text);
    expect(reply).toBe(answer);
    expect(reply).not.toMatch(/\d/);
  });

  it('answers an unbound account too', async () => {
    expect(await chat('u9').send('谢谢')).toEqual(['不客气！有学时问题随时问我。']);
  });

  it('is not listed in 帮助', async () => {
    const [help] = await (await bound()).send('帮助');
    expect(help).not.toContain('闲聊');
  });
});

describe('asking in everyday words', () => {
  it.each(['学时查询', '查学时', '我现在有多少学时了', '学分', '学时多少', '老师您好，请问我还差多少学时？', 'ｈｏｕｒｓ'])(
    '「%s」 answers the asker’s own figures',
    async (text) => {
      const [reply] = await (await bound()).send(text);
      expect(reply).toContain('已修 24 学时');
    },
  );

  it.each(['李四还差多少学时', '李四老师还差多少学时', '帮我查一下T0002的学时', '查一下李四的记录'])('refuses 「%s」 without a figure', async (text) => {
    const [reply] = await (await bound()).send(text);
    expect(reply).toBe('只能查询本人的学时。如需查看他人情况，请联系学校或培训管理员。');
  });

  it('answers when the asker names themself', async () => {
    const [reply] = await (await bound()).send('张三还差多少学时');
    expect(reply).toContain('已修 24 学时');
  });
});

describe('记录 pages through every record', () => {
  beforeEach(async () => {
    // 25 more records: 13 in 2025, 12 in 2026 (plus R1 from 2026-03-01).
    for (let i = 1; i <= 25; i++) {
      const year = i <= 13 ? 2025 : 2026;
      const month = String(((i - 1) % 12) + 1).padStart(2, '0');
      await addRecord(app.db, zhang, { key: `P${i}`, date: `${year}-${month}-15`, hours: 2, category: '校本研修', project: `研修${i}` });
    }
  });

  const lineCount = (reply: string) => reply.split('\n').filter((l) => l.startsWith('· ')).length;

  it('says how many there are in total and where the next page is', async () => {
    const [first] = await (await bound()).send('记录');
    expect(first.split('\n')[0]).toBe('共 26 条学时记录，合计 74 学时（第 1/3 页）：');
    expect(lineCount(first)).toBe(10);
    expect(first).toContain('发送「记录 下一页」看第 2 页');
  });

  it('remembers the page per account: 记录 下一页, then 下一页 on its own', async () => {
    const me = await bound();
    const other = chat('u2');
    await other.send('绑定 T0002 李四');
    await me.send('记录');
    await other.send('记录');
    const [second] = await me.send('记录 下一页');
    expect(second.split('\n')[0]).toContain('（第 2/3 页）');
    const [third] = await me.send('下一页');
    expect(third.split('\n')[0]).toContain('（第 3/3 页）');
    expect(lineCount(third)).toBe(6);
    expect(third).toContain('已是最后一页');
    const [past] = await me.send('记录 下一页');
    expect(past).toContain('已经是最后一页了');
    // 李四 has no records; his position is his own.
    expect((await other.send('记录 下一页'))[0]).toContain('暂无学时记录');
  });

  it('takes a page number and a year, and keeps the year while paging', async () => {
    const me = await bound();
    const [page2] = await me.send('记录 2');
    expect(page2.split('\n')[0]).toContain('（第 2/3 页）');
    const [y2025] = await me.send('记录 2025');
    expect(y2025.split('\n')[0]).toBe('2025 年共 13 条学时记录，合计 26 学时（第 1/2 页）：');
    expect(y2025.split('\n').filter((l) => l.startsWith('· ')).every((l) => l.includes('2025-'))).toBe(true);
    const [next] = await me.send('记录 下一页');
    expect(next.split('\n')[0]).toBe('2025 年共 13 条学时记录，合计 26 学时（第 2/2 页）：');
    expect(lineCount(next)).toBe(3);
    expect((await me.send('我2024年的学时记录'))[0]).toBe('2024 年没有学时记录。发送「记录」查看全部。');
    expect((await me.send('去年的记录'))[0]).toContain('2025 年共 13 条');
  });

  it('reads 今年, 前年, 全部, 第2页 and 上一页', async () => {
    const me = await bound();
    expect((await me.send('记录 今年'))[0].split('\n')[0]).toBe('2026 年共 13 条学时记录，合计 48 学时（第 1/2 页）：');
    expect((await me.send('记录 前年'))[0]).toBe('2024 年没有学时记录。发送「记录」查看全部。');
    expect((await me.send('记录 全部'))[0].split('\n')[0]).toBe('共 26 条学时记录，合计 74 学时（第 1/3 页）：');
    expect((await me.send('记录 第2页'))[0].split('\n')[0]).toContain('（第 2/3 页）');
    expect((await me.send('记录 上一页'))[0].split('\n')[0]).toContain('（第 1/3 页）');
    // A word that is no paging word is a name, even one an object carries (constructor).
    expect((await me.send('记录 constructor'))[0]).toBe('只能查询本人的学时。如需查看他人情况，请联系学校或培训管理员。');
  });

  it('still refuses another teacher’s records', async () => {
    expect((await (await bound()).send('记录 李四'))[0]).toBe('只能查询本人的学时。如需查看他人情况，请联系学校或培训管理员。');
  });
});

describe('roles read in Chinese and match whole titles', () => {
  beforeEach(async () => {
    await person(app.db, 'O1', '钱主任', '教师发展中心', { roles: ['officer'] });
    await person(app.db, 'A1', '赵校长', '一中', { roles: ['leader'], position: '校长' });
    await person(app.db, 'A2', '孙副校长', '一中', { position: '副校长' });
    await person(app.db, 'A3', '周书记', '一中', { position: '党支部书记兼校长' });
    await person(app.db, 'A4', '吴老师', '一中', { position: '校长助理', homeroom: true });
  });
  const officer = () => new ConsoleSession(app, 'acc-O1');

  it('我是谁 names roles in Chinese', async () => {
    expect((await new ConsoleSession(app, 'acc-A1').send('我是谁'))[0]).toBe('您是 赵校长（工号 A1，一中），身份：教师、学校负责人。');
    expect((await officer().send('我是谁'))[0]).toContain('身份：教师、培训管理员');
  });

  it('发布通知 角色:校长 reaches 校长 and 书记兼校长, not 副校长 or 校长助理; the preview reads in Chinese', async () => {
    const [preview] = await officer().send('发布通知 角色:校长 明天校长会');
    expect(preview).toContain('对象：角色：校长');
    expect(preview).toContain('共 2 人');
  });

  it.each(['角色:学校负责人', '角色:leaders', '角色:leader'])('发布通知 %s reads 学校负责人 (English keys are aliases)', async (who) => {
    const [preview] = await officer().send(`发布通知 ${who} 报送提醒`);
    expect(preview).toContain('对象：角色：学校负责人');
    expect(preview).not.toMatch(/leader/);
    expect(preview).toContain('共 1 人');
  });

  it('usage and refusals never show an English key', async () => {
    const [unknown] = await officer().send('发布通知 角色:教导主任 开会');
    expect(unknown).toContain('可选角色：学校负责人、班主任、校长');
    expect(unknown).not.toMatch(/leaders/);
    const [help] = await officer().send('帮助');
    expect(help).not.toMatch(/leaders/);
  });

  it('新建培训 对象 角色:leader names 学校负责人; 角色:校长 leaves out 副校长', async () => {
    const [leaders] = await officer().send('新建培训 负责人会议 集中培训 2 2026-12-10 08:30-09:00 对象 角色:leader');
    expect(leaders).toContain('角色：学校负责人');
    expect(leaders).not.toMatch(/leader/);
    const members = async (json: string) => (await audienceMembers(app.db, JSON.parse(json))).map((m) => m.employeeNo).sort();
    expect(await members('{"roles":["校长"]}')).toEqual(['A1', 'A3']);
    expect(await members('{"roles":["副校长"]}')).toEqual(['A2']);
    expect(await members('{"roles":["principals"]}')).toEqual(['A1', 'A3']);
  });
});

describe('same-name teachers are told apart', () => {
  it('masks 工号 so two people are told apart without giving the number away', async () => {
    expect(maskEmployeeNo('T000112')).toBe('T0***12');
    expect(maskEmployeeNo('T012')).toBe('T***2');
  });

  it('签到情况 names each 张伟 with school and a masked 工号; a unique name stays plain', async () => {
    await person(app.db, 'O1', '钱主任', '教师发展中心', { roles: ['officer'] });
    await person(app.db, 'T000112', '张伟', '一中', { bound: false });
    await person(app.db, 'T000212', '张伟', '二中', { bound: false });
    await person(app.db, 'T000312', '王芳', '一中', { bound: false });
    const officer = new ConsoleSession(app, 'acc-O1');
    const [created] = await officer.send('新建培训 师德讲座 师德师风 2 2026-11-25 09:00-18:00 对象 学校:一中,二中');
    const id = /#(\d+)/.exec(created)![1];
    const [status] = await officer.send(`签到情况 ${id}`);
    expect(status).toContain('张伟（一中·T0***12）');
    expect(status).toContain('张伟（二中·T0***12）');
    expect(status).toMatch(/王芳(?!（)/);
    const [remind] = await officer.send(`提醒未签到 ${id}`);
    expect(remind).toContain('张伟（一中·T0***12）');
  });
});

describe('帮助 shows exactly what the asker may run, each with an example', () => {
  const listed = (help: string) =>
    help
      .split('\n')
      .filter((l) => l.startsWith('· '))
      .map((l) => l.slice(2).split(/[ —]/)[0]);
  const examples = (help: string) =>
    help
      .split('\n')
      .filter((l) => l.startsWith('  例：'))
      .map((l) => l.slice('  例：'.length));

  it('an unbound account sees only what needs no binding', async () => {
    const [help] = await chat('u9').send('帮助');
    expect(listed(help)).toEqual(['绑定', '帮助']);
    expect(help).toContain('绑定名册后');
  });

  it('a teacher sees the teacher commands and no officer or leader ones', async () => {
    const [help] = await (await bound()).send('帮助');
    expect(listed(help).sort()).toEqual(['学时', '学时证明', '记录', '绑定', '我是谁', '帮助', '签到', '签退', '退订提醒', '订阅提醒', '申报', '我的申报', '重新申报', '撤回申报', '评价', '问卷', '我的问卷', '我签到了吗'].sort());
  });

  it('an officer sees every officer command; each line has one example that routes to that very command', async () => {
    await person(app.db, 'O1', '钱主任', '教师发展中心', { roles: ['officer'] });
    const [help] = await new ConsoleSession(app, 'acc-O1').send('帮助');
    const names = listed(help);
    const visible = commands.filter((c) => !c.hidden && (c.allow === 'anyone' || c.allow.some((r) => r === 'teacher' || r === 'officer')));
    expect(names.sort()).toEqual(visible.map((c) => c.name).sort());
    const shown = examples(help);
    expect(shown).toHaveLength(names.length);
    for (const example of shown) {
      const route = app.bot.router.route(example);
      expect(route.kind, example).toBe('command');
      if (route.kind !== 'command') continue;
      expect(parseArgs(route.command, route.argText).ok, example).toBe(true);
    }
  });

  it.each(['2026-11-25T10:00:00+08:00', '2027-06-30T10:00:00+08:00'])('dates in the examples are ahead of today (%s)', async (now) => {
    app.fixedClock.set(now);
    await person(app.db, 'O1', '钱主任', '教师发展中心', { roles: ['officer'] });
    const [help] = await new ConsoleSession(app, 'acc-O1').send('帮助');
    const today = now.slice(0, 10);
    const dates = examples(help).join('\n').match(/\d{4}-\d{2}-\d{2}/g) ?? [];
    expect(dates.length).toBeGreaterThanOrEqual(2);
    for (const d of dates) expect(d > today, `${d} after ${today}`).toBe(true);
  });
});
