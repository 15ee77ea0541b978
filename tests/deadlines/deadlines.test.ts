import { eq } from 'drizzle-orm';
import { tables } from '../../db/handle.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/client.js';
import { runDeadlinesCli } from '../../src/cli/deadlines.js';
import { ConsoleSession } from '../../src/platforms/console/session.js';
import { localParts } from '../../src/time/zone.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addTeacher } from '../helpers/seed.js';
import { bj, keysLike, person as addPerson, restart, rowsLike, tick, TZ } from '../helpers/deadlines.js';

let app: TestApp;
let ids: Record<string, number>;

beforeEach(async () => {
  app = await createTestApp({}, { now: '2026-03-01T10:00:00+08:00' });
  const db = app.db;
  const person = (no: string, name: string, school: string, opts: Parameters<typeof addPerson>[4] = {}) =>
    addPerson(db, no, name, school, { remindersOff: true, ...opts });
  ids = {
    officer: await person('O1', '钱主任', '教师发展中心', { roles: ['officer'] }),
    leadA1: await person('A1', '赵校长', '一中', { roles: ['leader'] }),
    leadA2: await person('A2', '孙主任', '一中', { roles: ['leader'] }),
    teacherA: await person('A3', '周老师', '一中'),
    leadB: await person('B1', '吴校长', '二中', { roles: ['leader'] }),
    leadC: await person('C1', '郑校长', '三中', { roles: ['leader'] }),
    leadD: await person('D1', '王校长', '四中', { roles: ['leader'], bound: false }),
  };
});
afterEach(async () => app.cleanup());

const as = (no: string) => new ConsoleSession(app, `acc-${no}`);

async function newDeadline(text: string): Promise<number> {
  const [reply] = await as('O1').send(`新建截止 ${text}`);
  const m = /#(\d+)/.exec(reply);
  if (!m) throw new Error(`not created: ${reply}`);
  return Number(m[1]);
}

/** 已报送 asks first; the leader confirms with the command the answer names. */
async function file(no: string, what: string): Promise<string> {
  const [ask] = await as(no).send(`已报送 ${what}`);
  const m = /回复「(确认报送 \d+)」/.exec(ask);
  if (!m) throw new Error(`no confirmation asked: ${ask}`);
  return (await as(no).send(m[1]))[0];
}

function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Ticks several times a day (night, around the 09:00 slot, afternoon, late evening); returns new keys per day. */
async function runDays(from: string, days: number, prefix: string, onDay?: (date: string) => void): Promise<Map<string, string[]>> {
  const byDay = new Map<string, string[]>();
  for (let i = 0; i < days; i++) {
    const date = addDays(from, i);
    onDay?.(date);
    const before = new Set((await keysLike(app.db, prefix)));
    for (const time of ['03:10', '08:59', '09:00:30', '09:40', '15:00', '23:30']) await tick(app, `${date} ${time}`);
    const added = (await keysLike(app.db, prefix)).filter((k) => !before.has(k));
    if (added.length) byDay.set(date, added);
  }
  return byDay;
}

describe('deadline reminders', () => {
  it('sends exactly one reminder per offset per school as days pass, and a restart in between changes nothing', async () => {
    const id = await newDeadline('年度培训计划 2026-04-01 学校:一中,二中');
    const byDay = await runDays('2026-03-01', 16, `reminder:${id}:`);
    app = await restart(app);
    for (const [k, v] of await runDays('2026-03-17', 16, `reminder:${id}:`)) byDay.set(k, v);

    const slotOf = (key: string) => key.split(':')[3].split('#')[0];
    const summary = [...byDay].map(([day, keys]) => `${day} ${[...new Set(keys.map(slotOf))].join(',')} ×${keys.length}`);
    // Three bound leaders (two at 一中, one at 二中) get each of 30/7/3/1/0 exactly once, on the right day.
    expect(summary).toEqual(['2026-03-02 30 ×3', '2026-03-25 7 ×3', '2026-03-29 3 ×3', '2026-03-31 1 ×3', '2026-04-01 0 ×3']);
    const keys = (await keysLike(app.db, `reminder:${id}:`));
    expect(keys).toHaveLength(15);
    expect(new Set(keys).size).toBe(15);
    expect(keys.filter((k) => k.startsWith(`reminder:${id}:一中:7#`))).toEqual([
      `reminder:${id}:一中:7#t${ids.leadA1}`,
      `reminder:${id}:一中:7#t${ids.leadA2}`,
    ]);
    // 三中 is not addressed; nobody at 四中 is bound; plain teachers get nothing.
    expect(keys.some((k) => k.includes('三中') || k.includes('四中'))).toBe(false);
    const reminder = (await rowsLike(app.db, `reminder:${id}:二中:3#`))[0];
    const reply = JSON.parse(reminder.reply);
    expect(reply.text).toContain('年度培训计划');
    expect(reply.text).toContain('还有 3 天');
    expect(reply.card.buttons[0].value).toEqual({ command: '已报送', args: `#${id} 学校:二中` });
    expect(JSON.parse(reminder.target)).toEqual({ type: 'user', accountId: 'acc-B1' });
  });

  it('after the due date reminds every 3 days and sends the officers the list of schools not filed, once per round', async () => {
    const id = await newDeadline('年度培训计划 2026-03-10 学校:一中,二中,四中');
    await file('A1', `#${id}`);
    await runDays('2026-03-01', 10, `reminder:${id}:`);
    const byDay = await runDays('2026-03-11', 9, `reminder:${id}:`);
    expect([...byDay.keys()]).toEqual(['2026-03-13', '2026-03-16', '2026-03-19']);
    expect(byDay.get('2026-03-13')).toEqual([`reminder:${id}:二中:overdue-1#t${ids.leadB}`]);
    const escalations = (await keysLike(app.db, `escalation:${id}:`));
    expect(escalations).toEqual([
      `escalation:${id}:overdue-1#t${ids.officer}`,
      `escalation:${id}:overdue-2#t${ids.officer}`,
      `escalation:${id}:overdue-3#t${ids.officer}`,
    ]);
    const text = JSON.parse((await rowsLike(app.db, `escalation:${id}:overdue-1`))[0].reply).text as string;
    expect(text).toContain('2/3 所学校尚未报送');
    expect(text).toContain('二中、四中（无已绑定负责人）');
    expect(text).not.toContain('一中');
  });

  it('stops reminding a school once its leader files, and withdraws reminders queued but not yet sent', async () => {
    const id = await newDeadline('年度培训计划 2026-04-01 学校:一中,二中');
    await tick(app, '2026-03-25 09:00:30', { hold: true });
    expect((await keysLike(app.db, `reminder:${id}:`))).toHaveLength(3);
    const reply = await file('A2', '培训计划');
    expect(reply).toBe(`已记录：一中 已报送「年度培训计划」（#${id}），本校不会再收到该事项的提醒。`);
    expect((await keysLike(app.db, `reminder:${id}:一中`))).toEqual([]);
    await runDays('2026-03-26', 16, `reminder:${id}:`);
    expect((await keysLike(app.db, `reminder:${id}:一中`))).toEqual([]);
    expect((await keysLike(app.db, `reminder:${id}:二中`)).map((k) => k.split(':')[3].split('#')[0])).toEqual([
      '0', '1', '3', '7', 'overdue-1', 'overdue-2', 'overdue-3',
    ]);
    expect((await as('A1').send(`已报送 ${id}`))[0]).toContain('一中 已于 2026-03-25');
    expect((await app.db.select().from(tables(app.db).deadlineFilings))).toHaveLength(1);
  });

  it('after downtime sends one late reminder, not the pile it missed', async () => {
    const id = await newDeadline('年度培训计划 2026-04-01 学校:二中');
    await tick(app, '2026-03-02 09:30');
    // Down from 03-02 to 03-30: the 7- and 3-day reminders were missed.
    await tick(app, '2026-03-30 11:00');
    await tick(app, '2026-03-30 11:05');
    const keys = (await keysLike(app.db, `reminder:${id}:`));
    expect(keys).toEqual([`reminder:${id}:二中:3#t${ids.leadB}`, `reminder:${id}:二中:30#t${ids.leadB}`]);
    expect(JSON.parse((await rowsLike(app.db, `reminder:${id}:二中:3#`))[0].reply).text).toContain('还有 2 天');
    // Down again across two overdue rounds (04-04, 04-07): only the latest goes out, with one escalation.
    await tick(app, '2026-04-01 09:30');
    await tick(app, '2026-04-08 16:00');
    expect((await keysLike(app.db, `reminder:${id}:`)).filter((k) => !/:30?#/.test(k))).toEqual([`reminder:${id}:二中:0#t${ids.leadB}`, `reminder:${id}:二中:overdue-2#t${ids.leadB}`]);
    expect((await keysLike(app.db, `escalation:${id}:`))).toEqual([`escalation:${id}:overdue-2#t${ids.officer}`]);
  });

  it('respects quiet hours and spreads sends off the round minute', async () => {
    const id = await newDeadline('年度培训计划 2026-03-03 学校:一中,二中');
    // The reminders are looked at, not sent: the app's sender runs on the real clock, and during real quiet hours
    // it would move a due quiet row to the real next morning before the test reads it.
    await app.outbox.stop();
    await tick(app, '2026-03-01 22:30'); // created in the evening: the 3-day slot (02-28 09:00) already passed
    const rows = (await rowsLike(app.db, `reminder:${id}:`));
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      expect(r.quiet).toBe(true); // and the outbox keeps a retry out of the night too (outbox-quiet.test.ts)
      const local = localParts(r.nextAttemptAt, TZ);
      expect(local.date).toBe('2026-03-02');
      expect(local.hour * 60 + local.minute).toBeGreaterThanOrEqual(7 * 60 + 1);
      expect(local.hour * 60 + local.minute).toBeLessThan(7 * 60 + 21);
    }
    await tick(app, '2026-03-02 09:00:05');
    const daySlot = (await rowsLike(app.db, `reminder:${id}:`)).filter((r) => r.idempotencyKey.includes(':1#'));
    expect(daySlot).toHaveLength(3);
    for (const r of daySlot) {
      const at = r.nextAttemptAt.getTime();
      expect(at).toBeGreaterThan(bj('2026-03-02 09:01').getTime());
      expect(at).toBeLessThan(bj('2026-03-02 09:31').getTime());
      expect(at % 60_000).not.toBe(0);
    }
    // Jitter is fixed by the key: spread out, and the same on a re-run.
    expect(new Set(daySlot.map((r) => r.nextAttemptAt.getTime())).size).toBe(3);
  });
});

describe('deadline commands', () => {
  it('reads dates and times as people write them (today is Sunday 2026-03-01)', async () => {
    const due = async (text: string) => {
      const [reply] = await as('O1').send(`新建截止 ${text}`);
      const m = /截止：(.+)/.exec(reply);
      if (!m) throw new Error(`not created: ${reply}`);
      return m[1];
    };
    expect(await due('年度培训计划 5月31日')).toBe('2026-05-31');
    expect(await due('材料 明天')).toBe('2026-03-02');
    expect(await due('材料 后天 14:00')).toBe('2026-03-03 14:00');
    expect(await due('材料 下周五 下午5点')).toBe('2026-03-06 17:00');
    expect(await due('材料 月底')).toBe('2026-03-31');
    expect(await due('材料 2026/3/5')).toBe('2026-03-05');
    expect(await due('材料 2026.3.5')).toBe('2026-03-05');
    expect(await due('材料 2026年3月5日 9点半')).toBe('2026-03-05 09:30');
    expect(await due('材料 5/31 学校:一中')).toBe('2026-05-31');
    expect(await due('材料 明天下午3点')).toBe('2026-03-02 15:00');
    expect(await due('月底 报表 3月20日')).toBe('2026-03-20');
    const titles = (await app.db.select().from(tables(app.db).deadlines)).map((d) => d.title);
    expect(titles).toContain('年度培训计划');
    expect(titles).toContain('月底 报表');
  });

  it('a typo in the date says what was understood and shows an example that is still ahead', async () => {
    const [reply] = await as('O1').send('新建截止 年度培训计划 5月32日 学校:一中');
    expect(reply).toBe(
      [
        '格式不对：截止日期「5月32日」不对：5月没有32日',
        '看懂了：标题「年度培训计划」、学校 一中',
        '用法：新建截止 <标题> <日期> [时间] [学校:一中,二中|全部] [提前:30,7,3,1,0]',
        '例如：新建截止 年度培训计划 2026-03-31 17:00（日期也可写 5月31日、明天、下周五、月底；时间也可写 下午5点）',
      ].join('\n'),
    );
    expect(reply).not.toContain('缺少');
    const [time] = await as('O1').send('新建截止 年度培训计划 5月31日 25:00');
    expect(time).toContain('时间「25:00」不对');
    expect(time).toContain('看懂了：标题「年度培训计划」、日期 2026年5月31日（周日）');
    expect((await app.db.select().from(tables(app.db).deadlines))).toHaveLength(0);
  });

  it('refuses a past deadline, an unknown school, an empty title, and a non-officer; nothing is written', async () => {
    const count = async () => (await app.db.select().from(tables(app.db).deadlines)).length;
    expect((await as('O1').send('新建截止 计划 2026-02-28'))[0]).toBe('截止时间 2026-02-28 已经过去，不能新建。请检查日期。');
    expect((await as('O1').send('新建截止 计划 2026-03-01 09:00'))[0]).toContain('已经过去');
    expect((await as('O1').send('新建截止 计划 2026-05-01 学校:一中,九中'))[0]).toContain('名册中没有这些学校：九中');
    expect((await as('O1').send('新建截止 2026-05-01'))[0]).toBe(
      [
        '格式不对：缺少事项标题（写在日期前面）',
        '看懂了：日期 2026年5月1日（周五）',
        '用法：新建截止 <标题> <日期> [时间] [学校:一中,二中|全部] [提前:30,7,3,1,0]',
        '例如：新建截止 年度培训计划 2026-03-31 17:00（日期也可写 5月31日、明天、下周五、月底；时间也可写 下午5点）',
      ].join('\n'),
    );
    expect((await as('O1').send('新建截止 计划'))[0]).toContain('缺少截止日期\n看懂了：标题「计划」');
    expect((await as('O1').send('新建截止 计划 2026-02-30'))[0]).toContain('截止日期「2026-02-30」不对：2026年2月没有30日');
    expect((await as('O1').send('新建截止 计划 2026-05-01 提前:7,x'))[0]).toContain('提前天数「7,x」有误');
    expect((await as('A1').send('新建截止 计划 2026-05-01'))[0]).toBe('「新建截止」仅限培训管理员使用。如需权限，请联系教师发展中心。');
    expect((await count())).toBe(0);
    const [ok] = await as('O1').send('新建截止 学期 总结 2026-05-01 17:00 学校：一中，二中 提前:14,1');
    expect(ok).toContain('学期 总结');
    expect(ok).toContain('截止：2026-05-01 17:00');
    expect(ok).toContain('报送学校：一中、二中');
    expect(ok).toContain('提前 14 天、提前 1 天');
    const row = (await app.db.select().from(tables(app.db).deadlines).limit(1))[0]!;
    expect(row.dueAt).toEqual(bj('2026-05-01 17:00'));
    expect(JSON.parse(row.audience)).toEqual({ schools: ['一中', '二中'] });
    expect(JSON.parse(row.offsets)).toEqual([14, 1]);
  });

  it('lets a leader file only for their own school', async () => {
    const id = await newDeadline('年度培训计划 2026-04-01 学校:一中,二中');
    const [reply] = await as('A1').send(`已报送 #${id} 学校:二中`);
    expect(reply).toBe('只能为本校（一中）报送，不能替 二中 报送。');
    expect((await as('C1').send(`已报送 #${id}`))[0]).toBe('「年度培训计划」不需要 三中 报送。');
    expect((await as('A3').send(`已报送 #${id}`))[0]).toContain('仅限学校负责人');
    expect((await app.db.select().from(tables(app.db).deadlineFilings))).toHaveLength(0);
    // The reminder card's button, clicked by the 二中 leader it was sent to, asks; the answer's button files for 二中.
    const click = (eventId: string, value: Record<string, string>) =>
      app.bot.accept({ kind: 'card_action', platform: 'console', eventId, accountId: 'acc-B1', value, receivedAt: Date.now() });
    await click('click-1', { command: '已报送', args: `#${id} 学校:二中` });
    await app.bot.drain();
    expect((await app.db.select().from(tables(app.db).deadlineFilings))).toHaveLength(0);
    const asked = JSON.parse((await app.db.select().from(tables(app.db).outbox)).find((r) => r.reply.includes('确认报送'))!.reply);
    expect(asked.card.buttons[0].value).toEqual({ command: '确认报送', args: `#${id} 学校:二中` });
    await click('click-2', asked.card.buttons[0].value);
    await app.bot.drain();
    expect((await app.db.select().from(tables(app.db).deadlineFilings).where(eq(tables(app.db).deadlineFilings.school, '二中')).limit(1))[0]?.filedBy).toBe(ids.leadB);
  });

  it('matches 事项 by id or title piece and lists choices when ambiguous; 待办 and 报送情况 show the state', async () => {
    const a = await newDeadline('年度培训计划 2026-04-01 学校:一中,二中');
    const b = await newDeadline('培训总结 2026-06-30');
    const [ambiguous] = await as('A1').send('已报送 培训');
    expect(ambiguous.split('\n')).toEqual([
      '「培训」对应多个事项，请用编号指定：',
      `· #${a} 年度培训计划（截止 2026-04-01）`,
      `· #${b} 培训总结（截止 2026-06-30）`,
    ]);
    expect((await as('A1').send('已报送 不存在的事项'))[0]).toContain('没有找到事项「不存在的事项」');
    const [todo] = await as('A1').send('待办');
    expect(todo.split('\n').slice(0, 3)).toEqual([
      '一中 待报送事项（2 项）',
      `· #${a} 年度培训计划 — 截止 2026-04-01（还有 31 天）`,
      `· #${b} 培训总结 — 截止 2026-06-30（还有 121 天）`,
    ]);
    await file('A1', '总结');
    expect((await as('A1').send('待办'))[0]).not.toContain('培训总结');
    const [status] = await as('O1').send(`报送情况 ${b}`);
    // "All schools" are the roster's schools, without the training office's own unit.
    expect(status).toContain('已报送 1/4 所');
    expect(status).toContain('· 一中（2026-03-01 10:00）');
    expect(status).toContain('未报送：\n三中、二中、四中（无已绑定的负责人，收不到提醒）');
    expect(status).not.toContain('教师发展中心');
    expect((await as('A1').send(`报送情况 ${b}`))[0]).toContain('仅限');
  });
});

describe('preset deadlines', () => {
  it('materialises school-leader deadlines of the presets the roster uses, once; not the province one', async () => {
    await addTeacher(app.db, { employeeNo: 'H1', name: '侯老师', school: '侯马一中', policyId: 'houma' });
    await addTeacher(app.db, { employeeNo: 'H2', name: '马老师', school: '侯马二中', policyId: 'houma' });
    await addTeacher(app.db, { employeeNo: 'N1', name: '国老师', school: '某中学', policyId: 'national' });
    await addTeacher(app.db, { employeeNo: 'E1', name: '鄂老师', school: '鄂旗一中', policyId: 'otog' });
    expect((await tick(app, '2026-04-01 10:00')).materialised).toBe(2);
    expect((await tick(app, '2026-04-01 10:05')).materialised).toBe(0);
    const rows = (await app.db.select().from(tables(app.db).deadlines));
    expect(rows.map((r) => [r.sourceKey, JSON.parse(r.audience), localParts(r.dueAt, TZ).date])).toEqual([
      ['preset:houma:houma-school-plan:2026', { schools: ['侯马一中', '侯马二中'] }, '2026-05-31'],
      // 03-28 has passed this year when the roster first uses otog: next year's is created.
      ['preset:otog:otog-school-plan:2027', { schools: ['鄂旗一中'] }, '2027-03-28'],
    ]);
    // A school joining before the due date is added to the audience.
    await addTeacher(app.db, { employeeNo: 'H3', name: '新老师', school: '侯马三中', policyId: 'houma' });
    await tick(app, '2026-04-02 10:00');
    const houma = (await app.db.select().from(tables(app.db).deadlines).where(eq(tables(app.db).deadlines.sourceKey, 'preset:houma:houma-school-plan:2026')).limit(1))[0]!;
    expect(JSON.parse(houma.audience).schools).toEqual(['侯马一中', '侯马三中', '侯马二中']);
    expect(rows.some((r) => r.sourceKey?.includes('national'))).toBe(false);
  });
});

describe('deadlines CLI', () => {
  it('adds, lists, shows status, records a paper filing and cancels, with the chat syntax and refusals', async () => {
    const run = async (...argv: string[]) => {
      const chunks: string[] = [];
      const io = { stdout: { write: (x: string) => chunks.push(x) }, stderr: { write: (x: string) => chunks.push(`ERR ${x}`) } };
      const code = await runDeadlinesCli(argv, { db: app.db, clock: app.fixedClock, timeZone: TZ, ...io });
      return { code, text: chunks.join('') };
    };
    const added = await run('add', '年度培训计划', '2026-04-01', '学校:一中,二中');
    expect(added.code).toBe(0);
    expect(added.text).toContain('已新建截止事项 #1：年度培训计划');
    expect((await run('add', '计划', '2026-02-01')).text).toBe('ERR 截止时间 2026-02-01 已经过去，不能新建。请检查日期。\n');
    expect((await run('add', '计划', '2026-05-01', '学校:九中')).code).toBe(1);
    expect((await app.db.select().from(tables(app.db).deadlines))).toHaveLength(1);
    expect((await run('list')).text).toContain('· #1 年度培训计划 — 截止 2026-04-01（还有 31 天）· 已报送 0/2');
    expect((await run('file', '年度', '二中')).text).toContain('已记录：二中 已报送「年度培训计划」');
    expect((await run('file', '1', '三中')).text).toBe('ERR 「年度培训计划」不需要 三中 报送。\n');
    expect((await run('status', '1')).text).toContain('已报送 1/2 所');
    await tick(app, '2026-03-25 09:30');
    expect((await keysLike(app.db, 'reminder:1:'))).toEqual([`reminder:1:一中:7#t${ids.leadA1}`, `reminder:1:一中:7#t${ids.leadA2}`]);
    expect((await run('cancel', '#1')).code).toBe(0);
    await tick(app, '2026-03-29 09:30');
    // Cancelled: no 3-day reminder (and the 7-day ones still queued were withdrawn).
    expect((await keysLike(app.db, 'reminder:1:')).filter((k) => !k.includes(':7#'))).toEqual([]);
  });
});
