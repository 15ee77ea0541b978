import { and, eq, like, type SQL } from 'drizzle-orm';
import { tables } from '../../db/handle.js';
import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/client.js';
import { runSessionsCli } from '../../src/cli/sessions.js';
import { grantRole } from '../../src/ledger/roles.js';
import { ConsoleSession } from '../../src/platforms/console/session.js';
import { projectorKey, rotatingCode, stepOf } from '../../src/sessions/code.js';
import { createSession, setSessionStatus, type SessionDraft } from '../../src/sessions/service.js';
import { getSession } from '../../src/sessions/store.js';
import { type SessionRow } from '../../src/sessions/model.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { asText } from '../helpers/db.js';
import { addTeacher, bindCode } from '../helpers/seed.js';

let app: TestApp;
const ids: Record<string, number> = {};

/** Beijing time on the session day. */
const at = (hhmmss: string) => `2026-03-02T${hhmmss}+08:00`;

beforeEach(async () => {
  app = await createTestApp({}, { now: at('08:00:00') });
  const db = app.db;
  ids.officer = await addTeacher(db, { employeeNo: 'T9000', name: '周主任', school: '教师发展中心' });
  ids.zhang = await addTeacher(db, { employeeNo: 'T0001', name: '张三', school: '第一中学' });
  ids.li = await addTeacher(db, { employeeNo: 'T0002', name: '李四', school: '第一中学' });
  ids.wang = await addTeacher(db, { employeeNo: 'T0003', name: '王五', school: '第二中学', homeroom: true });
  ids.zhao = await addTeacher(db, { employeeNo: 'T0004', name: '赵六', school: '第二中学' });
  ids.chen = await addTeacher(db, { employeeNo: 'T0005', name: '陈七', school: '第三小学' });
  await grantRole(db, ids.officer, 'officer', 'test');
  await chat('officer').send(`绑定 T9000 周主任 ${await bindCode(db, 'T9000')}`);
  await chat('zhang').send('绑定 T0001 张三');
  await chat('li').send('绑定 T0002 李四');
  await chat('wang').send('绑定 T0003 王五');
  await chat('chen').send('绑定 T0005 陈七');
  // 赵六 (T0004) never binds.
});
afterEach(async () => app.cleanup());

const chat = (accountId: string) => new ConsoleSession(app, accountId);
const say = async (accountId: string, text: string) => (await chat(accountId).send(text)).join('\n');

async function makeSession(overrides: Partial<SessionDraft> = {}): Promise<SessionRow> {
  const created = await createSession(
    app.db,
    {
      title: '师德专题讲座',
      category: '师德师风',
      hours: 3,
      date: '2026-03-02',
      checkin: { start: '08:30', end: '09:15' },
      checkout: null,
      audience: { all: true },
      mode: 'rotating',
      ...overrides,
    },
    { now: app.fixedClock.now(), timeZone: 'Asia/Shanghai', createdBy: 'test', presets: app.presets, defaultPolicy: 'laibin' },
  );
  if (!created.ok) throw new Error(JSON.stringify(created.problem));
  return created.session;
}

const codeNow = (s: SessionRow) => rotatingCode(s.secret, stepOf(app.fixedClock.now().getTime()));
const count = (table: 'attendance' | 'records' | 'signinAttempts', where?: SQL) => app.db.$count(tables(app.db)[table], where);
const earned = async (accountId: string) => /已修 ([\d.]+) 学时/.exec(await say(accountId, '学时'))?.[1];

describe('新建培训 (chat)', () => {
  it('creates a rotating session and answers with its id, the numbers and the projector link', async () => {
    const reply = await say('officer', '新建培训 师德专题讲座 师德师风 3 2026-03-02 08:30-09:15 签退 11:30-12:00 对象 学校:第一中学,第二中学');
    const session = (await getSession(app.db, 1))!;
    expect(reply).toContain('已创建培训 #1「师德专题讲座」');
    expect(reply).toContain('师德师风 3 学时，2026-03-02');
    expect(reply).toContain('签到 08:30–09:15，签退 11:30–12:00');
    expect(reply).toContain('对象：学校：第一中学、第二中学，共 4 人');
    expect(reply).toContain(`/sessions/1/checkin?key=${projectorKey(session.secret)}`);
    expect(session.checkinStart.toISOString()).toBe('2026-03-02T00:30:00.000Z');
    expect(session.checkoutEnd!.toISOString()).toBe('2026-03-02T04:00:00.000Z');
    expect(session.audience).toBe('{"schools":["第一中学","第二中学"]}');
    expect((await app.db.select().from(tables(app.db).auditLog).where(eq(tables(app.db).auditLog.action, 'session_create')))).toHaveLength(1);
  });

  it('explains a bad line with the usage and an example, and creates nothing', async () => {
    const reply = await say('officer', '新建培训 讲座 师德师风 3 2026-03-02');
    expect(reply).toContain('格式不对：缺少签到时段，例如 08:30-09:15');
    expect(reply).toContain('用法：新建培训 <标题>');
    expect(reply).toContain('例如：新建培训');
    expect(await say('officer', '新建培训 讲座 网红培训 3 2026-03-02 08:30-09:15')).toContain('缺少学时类别');
    expect(await say('officer', '新建培训 讲座 师德师风 3 2026-03-01 08:30-09:15')).toContain('这个时段已经过去了');
    expect(await say('officer', '新建培训 讲座 师德师风 3 2026-03-02 08:30-09:15 对象 学校:火星中学')).toContain('名册中没有符合参训对象的教师');
    expect(await getSession(app.db, 1)).toBeNull();
  });

  it('reads the dates and windows people write: 明天, 下周五, 下午2点-4点 (today is Monday 2026-03-02)', async () => {
    const tomorrow = await say('officer', '新建培训 讲座 师德师风 3 明天 下午2点 - 4点');
    expect(tomorrow).toContain('师德师风 3 学时，2026-03-03');
    expect(tomorrow).toContain('签到 14:00–16:00');
    const friday = await say('officer', '新建培训 教研 校本研修 2 下周五 8:30 到 9:15 签退 下午3点-3点半');
    expect(friday).toContain('校本研修 2 学时，2026-03-13');
    expect(friday).toContain('签到 08:30–09:15，签退 15:00–15:30');
    const slashed = await say('officer', '新建培训 讲座二 师德师风 1.5 2026/3/20 14:00-16:00');
    expect(slashed).toContain('师德师风 1.5 学时，2026-03-20');
  });

  it('a typo in the date says what was understood and shows an example still ahead', async () => {
    const reply = await say('officer', '新建培训 讲座 师德师风 3 3月32日 08:30-09:15');
    expect(reply).toContain('格式不对：日期「3月32日」不对：3月没有32日，例如 2026-04-01、12月1日 或 明天');
    expect(reply).toContain('看懂了：标题「讲座」、类别 师德师风、3 学时');
    expect(reply).toContain('例如：新建培训 师德专题讲座 师德师风 3 2026-04-01 08:30-09:15');
    expect(reply).not.toContain('缺少');
    expect(await getSession(app.db, 1)).toBeNull();
  });

  it('static mode with a chosen code answers with the code and no link needed to sign in', async () => {
    const reply = await say('officer', '新建培训 校本教研 校本研修 2 2026-03-02 08:30-09:15 固定码 4321');
    expect(reply).toContain('方式：固定签到码 4321');
    expect((await getSession(app.db, 1))!.staticCode).toBe('4321');
  });

  it('button mode sends a card with a 签到 button to every bound audience member through the outbox', async () => {
    const reply = await say('officer', '新建培训 班主任例会 班主任培训 1 2026-03-02 08:30-09:15 对象 角色:班主任 方式 按钮');
    expect(reply).toContain('对象：角色：班主任，共 1 人');
    expect(reply).toContain('已向 1 位教师发送签到卡片');
    const cards = (await app.db.select().from(tables(app.db).outbox).where(eq(tables(app.db).outbox.origin, 'session:1:card')));
    expect(cards).toHaveLength(1);
    expect(JSON.parse(cards[0].target)).toEqual({ type: 'user', accountId: 'wang' });
    const card = JSON.parse(cards[0].reply).card;
    expect(card.buttons[0]).toEqual({ label: '签到', value: { command: '签到', args: '#1' }, style: 'primary' });
  });
});

describe('签到 with a rotating code', () => {
  it('accepts the current code, credits the hours at once and shows them in 学时', async () => {
    const s = await makeSession();
    app.fixedClock.set(at('08:31:10'));
    expect(await earned('zhang')).toBe('0');
    const reply = await say('zhang', `签到 ${codeNow(s)}`);
    expect(reply).toBe('签到成功：「师德专题讲座」，08:31。已计入师德师风 3 学时，发送「学时」可查看。');
    expect(await earned('zhang')).toBe('3');
    const record = (await app.db.select().from(tables(app.db).records).where(eq(tables(app.db).records.recordKey, 'session:1:T0001')).limit(1))[0]!;
    expect(record).toMatchObject({ source: 'session', category: '师德师风', hours: 3, date: '2026-03-02', project: '师德专题讲座' });
  });

  it('changes every 30 s; the previous code is still accepted, an older one is refused as expired', async () => {
    const s = await makeSession();
    app.fixedClock.set(at('08:40:00'));
    const c0 = codeNow(s);
    app.fixedClock.advance(30_000);
    const c1 = codeNow(s);
    expect(c1).not.toBe(c0);
    expect(await say('zhang', `签到 ${c0}`)).toContain('签到成功');
    app.fixedClock.advance(30_000);
    expect(await say('li', `签到 ${c0}`)).toBe('签到码已过期（每 30 秒更换一次）。请发送投影上当前显示的签到码。');
    expect(await say('li', `签到 ${c1}`)).toContain('签到成功');
    expect(await count('attendance')).toBe(2);
  });

  it('window: 08:29:59 is refused with the opening time, 08:30:00 and 09:15:59 accepted, 09:16:00 too late', async () => {
    const s = await makeSession();
    app.fixedClock.set(at('08:29:59'));
    expect(await say('zhang', `签到 ${codeNow(s)}`)).toBe('「师德专题讲座」签到还没开始，将于 08:30（北京时间）开始，请届时再发送。');
    app.fixedClock.set(at('08:30:00'));
    expect(await say('zhang', `签到 ${codeNow(s)}`)).toContain('签到成功');
    app.fixedClock.set(at('09:15:59'));
    expect(await say('li', `签到 ${codeNow(s)}`)).toContain('签到成功');
    app.fixedClock.set(at('09:16:00'));
    expect(await say('wang', `签到 ${codeNow(s)}`)).toBe('「师德专题讲座」签到已于 09:15 截止，未能签到。如有疑问请联系培训管理员。');
    expect(await count('attendance')).toBe(2);
  });

  it('signing in twice answers 已签到 and writes nothing more', async () => {
    const s = await makeSession();
    app.fixedClock.set(at('08:31:00'));
    await say('zhang', `签到 ${codeNow(s)}`);
    app.fixedClock.set(at('08:35:00'));
    expect(await say('zhang', `签到 ${codeNow(s)}`)).toBe('已签到：您已于 08:31 签到「师德专题讲座」，无需重复签到。');
    expect(await say('zhang', '签到')).toContain('已签到');
    expect(await count('attendance')).toBe(1);
    expect(await count('records')).toBe(1);
    expect(await earned('zhang')).toBe('3');
  });

  it('accepts full-width digits, a glued command and the English alias', async () => {
    const s = await makeSession();
    app.fixedClock.set(at('08:31:00'));
    const code = codeNow(s);
    const wide = code.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
    expect(await say('zhang', `签到　${wide}`)).toContain('签到成功');
    expect(await say('li', `签到${code}`)).toContain('签到成功');
    expect(await say('wang', `/signin ${code}`)).toContain('签到成功');
  });

  it('a bare 签到 asks for the code', async () => {
    await makeSession();
    app.fixedClock.set(at('08:31:00'));
    expect(await say('zhang', '签到')).toBe('请发送「签到 签到码」，例如：签到 123456。签到码见「师德专题讲座」会场投影。');
    expect(await say('zhang', '签退')).toBe('请发送「签退 签到码」，例如：签退 123456。签到码见会场投影或培训通知。');
  });
});

describe('static code and sign-out', () => {
  it('accepts the static code; a wrong one is refused', async () => {
    await makeSession({ mode: 'static', staticCode: '246810', title: '校本教研', category: '校本研修', hours: 2 });
    app.fixedClock.set(at('08:45:00'));
    expect(await say('zhang', '签到 135790')).toBe('签到码不正确，请核对会场投影或培训通知上的签到码后重试。');
    expect(await say('zhang', '签到 246810')).toContain('签到成功：「校本教研」，08:45。已计入校本研修 2 学时');
  });

  it('credits only after sign-out when the session has a sign-out window', async () => {
    const s = await makeSession({ checkout: { start: '11:30', end: '12:00' } });
    app.fixedClock.set(at('08:40:00'));
    expect(await say('li', `签退 ${codeNow(s)}`)).toBe('您还没有签到「师德专题讲座」，不能签退。如有疑问请联系培训管理员。');
    expect(await say('zhang', `签到 ${codeNow(s)}`)).toBe(
      '签到成功：「师德专题讲座」，08:40。请在 11:30–12:00 签退（发送「签退 签到码」），签退后计入 3 学时。',
    );
    expect(await count('records')).toBe(0);
    expect(await earned('zhang')).toBe('0');
    app.fixedClock.set(at('11:29:59'));
    expect(await say('zhang', `签退 ${codeNow(s)}`)).toContain('签退还没开始，将于 11:30');
    app.fixedClock.set(at('11:31:00'));
    expect(await say('li', `签退 ${codeNow(s)}`)).toBe('您还没有签到「师德专题讲座」，不能签退。如有疑问请联系培训管理员。');
    expect(await say('zhang', `签退 ${codeNow(s)}`)).toBe('签退成功：「师德专题讲座」，11:31。已计入师德师风 3 学时，发送「学时」可查看。');
    expect(await say('zhang', `签退 ${codeNow(s)}`)).toBe('已签退：您已于 11:31 签退「师德专题讲座」，无需重复签退。');
    expect(await count('records')).toBe(1);
    expect(await earned('zhang')).toBe('3');
  });

  it('签退 for a session without sign-out says so', async () => {
    const s = await makeSession({ mode: 'static', staticCode: '1111' });
    app.fixedClock.set(at('08:40:00'));
    await say('zhang', '签到 1111');
    // No session with a sign-out window matches the code: it is simply not a sign-out code.
    expect(await say('zhang', `签退 1111`)).toContain('签到码不正确');
    expect(s.checkoutStart).toBeNull();
  });
});

describe('refusals', () => {
  it('a code of another session the teacher is not in: says whose code it is', async () => {
    const mine = await makeSession({ title: '一中讲座', audience: { schools: ['第一中学'] } });
    const other = await makeSession({ title: '二中讲座', audience: { schools: ['第二中学'] } });
    app.fixedClock.set(at('08:40:00'));
    expect(await say('zhang', `签到 ${codeNow(other)}`)).toBe(
      '这是另一场培训「二中讲座」的签到码，您不在其名单内。您参加的「一中讲座」请使用本场会场投影上的签到码。',
    );
    expect(await say('zhang', `签到 ${codeNow(mine)}`)).toContain('签到成功：「一中讲座」');
    expect(await count('attendance')).toBe(1);
  });

  it('a teacher outside the audience is refused', async () => {
    const s = await makeSession({ audience: { schools: ['第一中学'] } });
    app.fixedClock.set(at('08:40:00'));
    expect(await say('chen', `签到 ${codeNow(s)}`)).toBe('您不在「师德专题讲座」的签到名单内，无法签到。如有疑问请联系培训管理员。');
    expect(await count('attendance')).toBe(0);
  });

  it('an unbound account is asked to bind first', async () => {
    const s = await makeSession();
    app.fixedClock.set(at('08:40:00'));
    expect(await say('stranger', `签到 ${codeNow(s)}`)).toContain('您还没有绑定名册');
    expect(await count('attendance')).toBe(0);
  });

  it('closed and cancelled sessions refuse sign-in', async () => {
    const s = await makeSession({ mode: 'static', staticCode: '5555' });
    app.fixedClock.set(at('08:40:00'));
    expect(await say('officer', `结束培训 ${s.id}`)).toBe('已结束「师德专题讲座」的签到：应到 6 人，已签到 0 人。\n没有老师签到，不发评价。');
    expect(await say('zhang', '签到 5555')).toBe('「师德专题讲座」的签到已结束。如有疑问请联系培训管理员。');
    await setSessionStatus(app.db, (await getSession(app.db, s.id))!, 'cancelled', 'test', '讲师生病');
    expect(await say('zhang', '签到 5555')).toBe('「师德专题讲座」已取消，无需签到。');
    expect(await count('attendance')).toBe(0);
  });

  it('slows down a burst of wrong codes: the 5th wrong code locks the account for 10 minutes, logged', async () => {
    const s = await makeSession();
    app.fixedClock.set(at('08:40:00'));
    for (let i = 0; i < 4; i++) {
      expect(await say('zhang', `签到 00000${i}`)).toContain('签到码不正确');
      app.fixedClock.advance(10_000);
    }
    expect(await say('zhang', '签到 000009')).toBe('签到码已连续输错 5 次。为防止猜码，请在 08:50 之后再试。');
    // Even the right code waits until the lock ends.
    expect(await say('zhang', `签到 ${codeNow(s)}`)).toBe('签到码输错次数过多，请在 08:50 之后再试。');
    expect(await count('attendance')).toBe(0);
    expect(await count('signinAttempts', eq(tables(app.db).signinAttempts.ok, false))).toBe(5);
    expect((await app.db.select().from(tables(app.db).auditLog).where(eq(tables(app.db).auditLog.action, 'signin_locked')))).toHaveLength(1);
    // Another account is not affected.
    expect(await say('li', `签到 ${codeNow(s)}`)).toContain('签到成功');
    app.fixedClock.set(at('08:50:41'));
    expect(await say('zhang', `签到 ${codeNow(s)}`)).toContain('签到成功');
  });

  it('officer-only commands are refused for teachers', async () => {
    await makeSession();
    for (const line of ['新建培训 讲座 师德师风 3 2026-03-02 08:30-09:15', '签到情况 1', '提醒未签到 1', '取消学时 1 T0002 代签', '结束培训 1', '取消培训 1 讲师生病']) {
      const name = line.split(' ')[0];
      expect(await say('zhang', line)).toBe(`「${name}」仅限培训管理员使用。如需权限，请联系教师发展中心。`);
    }
    expect(await getSession(app.db, 2)).toBeNull();
    expect((await getSession(app.db, 1))!.status).toBe('open');
  });
});

describe('取消培训 (a whole session)', () => {
  const notices = async () => (await app.db.select().from(tables(app.db).outbox).where(eq(tables(app.db).outbox.origin, 'session:1:cancelled')));

  it('stops sign-in, tells every bound audience member why, once, and audits the reason', async () => {
    await makeSession({ mode: 'static', staticCode: '5555', audience: { schools: ['第一中学', '第二中学'] } });
    expect(await say('officer', '取消培训 1 讲师生病，改期另行通知')).toBe(
      '已取消「师德专题讲座」，签到和签退随即停止。\n已通知 3 位参训教师。\n1 人未绑定账号，未能通知：赵六。',
    );
    const texts = (await notices()).map((r) => JSON.parse(r.reply).text as string);
    expect(texts).toHaveLength(3);
    expect(texts).toContain('【培训取消】张三老师，原定 2026-03-02 08:30–09:15（北京时间）的「师德专题讲座」已取消。原因：讲师生病，改期另行通知。无需签到。');

    app.fixedClock.set(at('08:40:00'));
    expect(await say('zhang', '签到 5555')).toBe('「师德专题讲座」已取消，无需签到。');
    expect(await count('attendance')).toBe(0);

    // Again: nothing changes and nobody hears twice.
    expect(await say('officer', '取消培训 1 讲师生病')).toBe('「师德专题讲座」此前已经取消。');
    expect((await notices())).toHaveLength(3);
    const audit = (await app.db.select().from(tables(app.db).auditLog).where(eq(tables(app.db).auditLog.action, 'session_cancel')));
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].detail)).toMatchObject({ sessionId: 1, reason: '讲师生病，改期另行通知' });
  });

  it('keeps credit already given and says how to revoke it; after the session, notifies nobody', async () => {
    const s = await makeSession({ mode: 'static', staticCode: '5555' });
    app.fixedClock.set(at('08:40:00'));
    expect(await say('zhang', '签到 5555')).toContain('签到成功');
    app.fixedClock.set(at('10:00:00'));
    expect(await say('officer', `取消培训 ${s.id} 重复录入`)).toBe(
      '已取消「师德专题讲座」。培训时间已过，未再通知参训教师。\n已有 1 人记了学时，这些学时仍然有效；如需撤销，请逐人发送「取消学时 <培训编号> <工号> <原因>」。',
    );
    expect((await notices())).toHaveLength(0);
    expect(await count('records')).toBe(1);
  });

  it('with sign-out: counts only credit actually given, and names those who signed in but not out', async () => {
    const s = await makeSession({ mode: 'static', staticCode: '5555', checkout: { start: '11:30', end: '12:00' } });
    app.fixedClock.set(at('08:40:00'));
    await say('zhang', '签到 5555');
    await say('li', '签到 5555');
    await say('wang', '签到 5555');
    app.fixedClock.set(at('11:35:00'));
    expect(await say('zhang', '签退 5555')).toContain('签退成功');
    expect(await say('officer', `取消学时 ${s.id} T0001 代签`)).toContain('已取消');
    app.fixedClock.set(at('11:40:00'));
    expect(await say('li', '签退 5555')).toContain('签退成功');
    // 张三's credit was revoked, 李四's stands, 王五 never signed out.
    const reply = await say('officer', `取消培训 ${s.id} 讲师生病`);
    expect(reply).toContain('已有 1 人记了学时');
    expect(reply).toContain('1 人已签到但未签退，按规定不计学时。');
  });

  it('withdraws sign-in cards and reminders still waiting in the outbox', async () => {
    const s = await makeSession({ mode: 'button' });
    app.fixedClock.set(at('08:40:00'));
    await say('officer', `提醒未签到 ${s.id}`);
    const queued = async (origin: string) =>
      (await app.db.select().from(tables(app.db).outbox).where(and(eq(tables(app.db).outbox.origin, origin), eq(tables(app.db).outbox.status, 'pending')))).length;
    // Hold everything as if the platform were slow, so the rows are still queued when the session is called off.
    const { outbox } = tables(app.db);
    await app.db.update(outbox).set({ status: 'pending', nextAttemptAt: new Date(Date.now() + 3600_000) }).where(like(outbox.origin, 'session:%'));
    expect((await queued(`session:${s.id}:card`)) + (await queued(`session:${s.id}:remind`))).toBeGreaterThan(0);
    await say('officer', `取消培训 ${s.id} 讲师生病`);
    expect((await queued(`session:${s.id}:card`))).toBe(0);
    expect((await queued(`session:${s.id}:remind`))).toBe(0);
    expect((await app.db.select().from(tables(app.db).outbox).where(eq(tables(app.db).outbox.origin, `session:${s.id}:cancelled`)))).toHaveLength(5);
  });

  it('asks for a reason and a session that exists', async () => {
    await makeSession();
    expect(await say('officer', '取消培训 1')).toContain('请写明取消原因');
    expect(await say('officer', '取消培训 99 讲师生病')).toContain('99');
    expect((await getSession(app.db, 1))!.status).toBe('open');
  });
});

describe('签到情况, 提醒未签到, 取消学时', () => {
  it('签到情况 gives signed in / expected / absent by school', async () => {
    const s = await makeSession({ audience: { schools: ['第一中学', '第二中学'] } });
    app.fixedClock.set(at('08:40:00'));
    await say('zhang', `签到 ${codeNow(s)}`);
    await say('wang', `签到 ${codeNow(s)}`);
    const reply = await say('officer', '签到情况 1');
    expect(reply.split('\n')).toEqual([
      '「师德专题讲座」#1 签到情况（截至 08:40）',
      '应到 4 人，已签到 2 人，未签到 2 人，签到率 50%。',
      '按学校：',
      // Most absent first, then by pinyin (二 er before 一 yi).
      '· 第二中学：应到 2，已签到 1，未签到 1（赵六）',
      '· 第一中学：应到 2，已签到 1，未签到 1（李四）',
    ]);
    // No number: today's latest session.
    expect(await say('officer', '签到情况')).toContain('#1 签到情况');
    expect(await say('officer', '签到情况 99')).toContain('没有编号为 99 的培训');
  });

  it('提醒未签到 messages exactly the absent bound teachers, once per round', async () => {
    const s = await makeSession({ audience: { schools: ['第一中学', '第二中学'] } });
    app.fixedClock.set(at('08:40:00'));
    await say('zhang', `签到 ${codeNow(s)}`);
    const first = await say('officer', '提醒未签到 1');
    expect(first).toBe('未签到 3 人：已提醒 2 人。\n1 人未绑定账号，无法提醒：赵六。');
    const reminders = async () => (await app.db.select().from(tables(app.db).outbox).where(eq(tables(app.db).outbox.origin, 'session:1:remind')));
    expect((await reminders()).map((r) => JSON.parse(r.target).accountId).sort()).toEqual(['li', 'wang']);
    expect(JSON.parse((await reminders())[0].reply).text).toContain('【签到提醒】');
    app.fixedClock.advance(60_000);
    expect(await say('officer', '提醒未签到 1')).toBe('未签到 3 人：已提醒 0 人，2 人本轮（10 分钟内）已提醒过、未重复发送。\n1 人未绑定账号，无法提醒：赵六。');
    expect((await reminders())).toHaveLength(2);
    // The next round reminds again those still absent.
    await say('li', `签到 ${codeNow(s)}`);
    app.fixedClock.set(at('08:50:00'));
    expect(await say('officer', '提醒未签到 1')).toContain('未签到 2 人：已提醒 1 人');
    expect((await reminders())).toHaveLength(3);
    app.fixedClock.set(at('09:20:00'));
    expect(await say('officer', '提醒未签到 1')).toBe('「师德专题讲座」签到已于 09:15 截止，不再提醒。');
  });

  it('取消学时 removes the hours from 学时, keeps the record and writes the audit log', async () => {
    const s = await makeSession();
    app.fixedClock.set(at('08:40:00'));
    await say('li', `签到 ${codeNow(s)}`);
    expect(await earned('li')).toBe('3');
    expect(await say('officer', '取消学时 1 T0002')).toContain('请写明取消原因');
    expect(await say('officer', '取消学时 1 T0002 代人签到，经核实本人未到场')).toBe(
      '已取消 李四（T0002）在「师德专题讲座」的 3 学时，原因：代人签到，经核实本人未到场。记录保留，已写入审计日志。',
    );
    expect(await earned('li')).toBe('0');
    const record = (await app.db.select().from(tables(app.db).records).where(eq(tables(app.db).records.recordKey, 'session:1:T0002')).limit(1))[0]!;
    expect(record.cancelledAt).not.toBeNull();
    expect(record.cancelReason).toBe('代人签到，经核实本人未到场');
    const auditRow = (await app.db.select().from(tables(app.db).auditLog).where(eq(tables(app.db).auditLog.action, 'cancel_credit')).limit(1))[0]!;
    expect(JSON.parse(auditRow.detail)).toMatchObject({ sessionId: 1, employeeNo: 'T0002', reason: '代人签到，经核实本人未到场', hours: 3 });
    expect(await say('officer', '取消学时 1 T0002 再次')).toContain('已于 08:40 取消');
    expect(await say('officer', '取消学时 1 T0001 没来')).toContain('没有「师德专题讲座」的学时记录');
    // Signing in again cannot bring the credit back.
    expect(await say('li', `签到 ${codeNow(s)}`)).toContain('已签到');
    expect(await earned('li')).toBe('0');
  });
});

describe('button mode: card clicks', () => {
  async function click(accountId: string, value: Record<string, string>, eventId: string): Promise<string> {
    await app.bot.accept({ kind: 'card_action', platform: 'console', eventId, accountId, value, receivedAt: app.fixedClock.now().getTime() });
    await app.bot.drain();
    const rows = (await app.db.select().from(tables(app.db).outbox).where(eq(tables(app.db).outbox.origin, `console:${eventId}`)));
    expect(rows).toHaveLength(1);
    // The answer goes to the clicker (a direct chat with them), never anywhere else.
    const target = JSON.parse(rows[0].target);
    expect(target.type === 'user' ? target.accountId : target.chatId).toBe(accountId);
    return JSON.parse(rows[0].reply).text;
  }

  it('a click signs the clicker in; a duplicate delivery does nothing twice', async () => {
    await makeSession({ mode: 'button', audience: { schools: ['第一中学'] } });
    app.fixedClock.set(at('08:35:00'));
    expect(await click('zhang', { command: '签到', args: '#1' }, 'click-1')).toBe(
      '签到成功：「师德专题讲座」，08:35。已计入师德师风 3 学时，发送「学时」可查看。',
    );
    expect(await app.bot.accept({ kind: 'card_action', platform: 'console', eventId: 'click-1', accountId: 'zhang', value: { command: '签到', args: '#1' }, receivedAt: 0 })).toBe(false);
    expect(await click('zhang', { command: '签到', args: '#1' }, 'click-2')).toContain('已签到');
    expect(await count('attendance')).toBe(1);
    expect(await count('records')).toBe(1);
  });

  it('a forged click for a session the teacher is not in the audience of is refused', async () => {
    await makeSession({ mode: 'button', audience: { schools: ['第一中学'] } });
    app.fixedClock.set(at('08:35:00'));
    expect(await click('chen', { command: '签到', args: '#1' }, 'forged-1')).toBe('您不在「师德专题讲座」的签到名单内，无法签到。如有疑问请联系培训管理员。');
    expect(await count('attendance')).toBe(0);
  });

  it('a click (or typed #id) cannot skip the code of a rotating or static session', async () => {
    await makeSession({ mode: 'rotating' });
    app.fixedClock.set(at('08:35:00'));
    expect(await click('zhang', { command: '签到', args: '#1' }, 'forged-2')).toBe('「师德专题讲座」需要签到码：请发送「签到 签到码」，签到码见会场投影。');
    expect(await say('zhang', '签到 #99')).toContain('没有找到这场培训');
    expect(await count('attendance')).toBe(0);
  });

  it('a click before the window opens or for a closed session is refused with the reason', async () => {
    const s = await makeSession({ mode: 'button' });
    app.fixedClock.set(at('08:00:00'));
    expect(await click('zhang', { command: '签到', args: '#1' }, 'early-1')).toContain('将于 08:30（北京时间）开始');
    await setSessionStatus(app.db, s, 'closed', 'test');
    app.fixedClock.set(at('08:35:00'));
    expect(await click('zhang', { command: '签到', args: '#1' }, 'closed-1')).toContain('签到已结束');
  });
});

describe('projector page', () => {
  const get = async (path: string): Promise<Response> => await app.http.request(path);

  it('shows the current code and QR for the right key, refreshes, and the code changes after 30 s', async () => {
    const s = await makeSession({ checkout: { start: '11:30', end: '12:00' } });
    const key = projectorKey(s.secret);
    app.fixedClock.set(at('08:40:00'));
    await say('zhang', `签到 ${codeNow(s)}`);
    const res = await get(`/sessions/${s.id}/checkin?key=${key}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const page = await res.text();
    const c0 = codeNow(s);
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain(`<div id="code" class="code">${c0}</div>`);
    expect(page).toContain('师德专题讲座');
    expect(page).toContain('签到 08:30–09:15 · 签退 11:30–12:00（北京时间）');
    expect(page).toContain('已签到 1 / 应到 6');
    expect(page).toContain('<svg');
    expect(page).toContain("location.pathname + '.json'");
    expect(page).toContain('<noscript><meta http-equiv="refresh" content="5"></noscript>');
    expect(page).not.toContain('src="http');

    app.fixedClock.advance(30_000);
    const next = await get(`/sessions/${s.id}/checkin?key=${key}`).then((r) => r.text());
    const c1 = codeNow(s);
    expect(c1).not.toBe(c0);
    expect(next).toContain(`<div id="code" class="code">${c1}</div>`);

    const json = await get(`/sessions/${s.id}/checkin.json?key=${key}`).then((r) => r.json());
    expect(json).toMatchObject({ id: s.id, code: c1, phase: 'checkin', signedIn: 1, expected: 6 });
    expect(json.nextChangeInMs).toBeGreaterThan(0);
    expect(json.nextChangeInMs).toBeLessThanOrEqual(30_000);
    expect(json.hint).toBe(`扫码，或向学时助手发送「签到 ${c1}」`);

    // Between the windows: no code; in the sign-out window the page asks for 签退.
    app.fixedClock.set(at('10:00:00'));
    expect(await get(`/sessions/${s.id}/checkin.json?key=${key}`).then((r) => r.json())).toMatchObject({ phase: 'between', message: '签到已截止，签退将于 11:30 开始' });
    app.fixedClock.set(at('11:35:00'));
    const out = await get(`/sessions/${s.id}/checkin.json?key=${key}`).then((r) => r.json());
    expect(out).toMatchObject({ phase: 'checkout', code: codeNow(s), hint: `扫码，或向学时助手发送「签退 ${codeNow(s)}」` });
    expect(await say('zhang', `签退 ${out.code}`)).toContain('签退成功');
  });

  it('a wrong or missing key gets 403 without anything about the session; an unknown id 404', async () => {
    const s = await makeSession();
    app.fixedClock.set(at('08:40:00'));
    for (const path of [`/sessions/${s.id}/checkin?key=nope`, `/sessions/${s.id}/checkin`, `/sessions/${s.id}/checkin?key=${projectorKey(s.secret).slice(1)}`]) {
      const res = await get(path);
      expect(res.status).toBe(403);
      const body = await res.text();
      expect(body).toContain('链接无效');
      expect(body).not.toContain('师德专题讲座');
      expect(body).not.toContain(codeNow(s));
    }
    expect((await get(`/sessions/${s.id}/checkin.json?key=nope`)).status).toBe(403);
    expect((await get(`/sessions/999/checkin?key=${projectorKey(s.secret)}`)).status).toBe(404);
    expect((await get(`/sessions/abc/checkin?key=x`)).status).toBe(404);
  });

  it('before the window and after the session it says so; static and button modes', async () => {
    const s = await makeSession({ mode: 'static', staticCode: '8888' });
    const b = await makeSession({ mode: 'button', title: '按钮场' });
    app.fixedClock.set(at('08:10:00'));
    const before = await get(`/sessions/${s.id}/checkin?key=${projectorKey(s.secret)}`).then((r) => r.text());
    expect(before).toContain('签到将于 08:30 开始');
    expect(before).toContain('8888');
    const button = await get(`/sessions/${b.id}/checkin?key=${projectorKey(b.secret)}`).then((r) => r.text());
    expect(button).toContain('本场为按钮签到');
    app.fixedClock.set(at('09:30:00'));
    const after = await get(`/sessions/${s.id}/checkin.json?key=${projectorKey(s.secret)}`).then((r) => r.json());
    expect(after).toMatchObject({ phase: 'ended', code: null, message: '本场签到已结束' });
  });
});

describe('CLI', () => {
  function io() {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      deps: {
        db: app.db,
        clock: app.fixedClock,
        timeZone: 'Asia/Shanghai',
        presets: app.presets,
        defaultPolicy: 'laibin',
        stdout: { write: (s: string) => out.push(s) },
        stderr: { write: (s: string) => err.push(s) },
      },
    };
  }

  it('creates, lists and shows sessions', async () => {
    const a = io();
    const code = await runSessionsCli(
      ['create', '--title', '新课标解读', '--category', '集中培训', '--hours', '6', '--date', '2026-03-02', '--checkin', '08:30-09:15', '--checkout', '16:30-17:00', '--audience', '学校:第一中学', '--base-url', 'https://xueshi.example.org/'],
      a.deps,
    );
    expect(a.err.join('')).toBe('');
    expect(code).toBe(0);
    const s = (await getSession(app.db, 1))!;
    expect(a.out.join('')).toContain('已创建培训 #1「新课标解读」');
    expect(a.out.join('')).toContain(`https://xueshi.example.org/sessions/1/checkin?key=${projectorKey(s.secret)}`);
    expect(s).toMatchObject({ category: '集中培训', hours: 6, mode: 'rotating', audience: '{"schools":["第一中学"]}' });

    const b = io();
    expect(await runSessionsCli(['list'], b.deps)).toBe(0);
    expect(b.out.join('')).toMatch(/#1 +2026-03-02 08:30–09:15 +rotating +open +0\/2 +新课标解读/);

    const c = io();
    expect(await runSessionsCli(['create', '--title', 'x', '--category', '师德师风', '--hours', '0', '--date', '2026-03-02', '--checkin', '08:30-09:15'], c.deps)).toBe(1);
    expect(c.err.join('')).toContain('学时数「0」不对');
    const d = io();
    expect(await runSessionsCli(['frobnicate'], d.deps)).toBe(1);
  });

  it('exports the attendance list as CSV (UTF-8 BOM) and XLSX', async () => {
    const s = await makeSession({ audience: { schools: ['第一中学', '第二中学'] }, checkout: { start: '11:30', end: '12:00' } });
    app.fixedClock.set(at('08:40:05'));
    await say('zhang', `签到 ${codeNow(s)}`);
    await say('wang', `签到 ${codeNow(s)}`);
    app.fixedClock.set(at('11:35:00'));
    await say('zhang', `签退 ${codeNow(s)}`);

    const csvFile = join(app.dir, 'a.csv');
    const a = io();
    expect(await runSessionsCli(['attendance', '1', '--format', 'csv', '--out', csvFile], a.deps)).toBe(0);
    expect(a.out.join('')).toContain('已导出 4 行');
    const csv = readFileSync(csvFile, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.slice(1).split('\r\n')).toEqual([
      '工号,姓名,学校,签到时间,签退时间,状态',
      'T0001,张三,第一中学,2026-03-02 08:40:05,2026-03-02 11:35:00,已签退',
      'T0002,李四,第一中学,,,未签到',
      'T0003,王五,第二中学,2026-03-02 08:40:05,,已签到未签退',
      'T0004,赵六,第二中学,,,未签到',
      '',
    ]);

    const xlsxFile = join(app.dir, 'a.xlsx');
    expect(await runSessionsCli(['attendance', '1', '--format', 'xlsx', '--out', xlsxFile], io().deps)).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(xlsxFile);
    const sheet = workbook.worksheets[0];
    expect(sheet.rowCount).toBe(5);
    expect(sheet.getRow(1).values).toEqual([undefined, '工号', '姓名', '学校', '签到时间', '签退时间', '状态']);
    expect(sheet.getRow(2).values).toEqual([undefined, 'T0001', '张三', '第一中学', '2026-03-02 08:40:05', '2026-03-02 11:35:00', '已签退']);
    expect(sheet.getRow(3).getCell(6).value).toBe('未签到');
  });

  it('close and cancel change the status, audited', async () => {
    await makeSession();
    expect(await runSessionsCli(['cancel', '1'], io().deps)).toBe(1);
    expect(await runSessionsCli(['cancel', '1', '--reason', '讲师生病'], io().deps)).toBe(0);
    expect((await getSession(app.db, 1))!.status).toBe('cancelled');
    expect((await app.db.select().from(tables(app.db).auditLog).where(and(eq(tables(app.db).auditLog.action, 'session_cancel'), like(asText(tables(app.db).auditLog.detail), '%讲师生病%'))))).toHaveLength(1);
  });
});
