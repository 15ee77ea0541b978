/**
 * `绑定` against someone who knows (or guesses) the roster, through the real bot over a real SQLite file:
 * one answer for every failure, an attempt limit that rotating accounts cannot dodge, and one-time codes for
 * officers and school leaders.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tables } from '../../db/handle.js';
import { schema } from '../../db/client.js';
import { attemptBind, BIND_WINDOW_MS } from '../../src/ledger/binding.js';
import { grantRole } from '../../src/ledger/roles.js';
import { ConsoleSession } from '../../src/platforms/console/session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addTeacher, countRows } from '../helpers/seed.js';
import { restart } from '../helpers/deadlines.js';

let app: TestApp;
let officerId: number;

beforeEach(async () => {
  app = await createTestApp({}, { now: '2026-11-25T10:00:00+08:00' });
  await addTeacher(app.db, { employeeNo: 'T0001', name: '张三', school: '第一中学' });
  await addTeacher(app.db, { employeeNo: 'T0002', name: '李四', school: '第二小学' });
  officerId = await addTeacher(app.db, { employeeNo: 'T9000', name: '周主任', school: '教师发展中心' });
  await grantRole(app.db, officerId, 'officer', 'test');
  const leader = await addTeacher(app.db, { employeeNo: 'T0100', name: '赵校长', school: '第一中学', position: '校长' });
  await grantRole(app.db, leader, 'leader', 'test');
});
afterEach(async () => app.cleanup());

const chat = (accountId: string) => new ConsoleSession(app, accountId);
const say = async (accountId: string, text: string) => (await chat(accountId).send(text))[0];
const REFUSED = '没有绑定成功。请核对工号和姓名（须与名册一致）。培训管理员和学校负责人还须附上绑定码：绑定 <工号> <姓名> <绑定码>，绑定码向培训管理员索取。';
const LOCKED = '绑定尝试次数过多，请 30 分钟后再试。如有疑问，请联系培训管理员。';

/** The code an officer's `绑定码` reply carries. */
const codeIn = (reply: string) => /绑定码：(\d{8})/.exec(reply)![1];

/** The first officer, bound the way the README says: a code from the CLI side (here: the same function). */
async function bindFirstOfficer(): Promise<void> {
  const { issueBindCode } = await import('../../src/ledger/binding.js');
  const { findTeacherById } = await import('../../src/ledger/store.js');
  const { code } = await issueBindCode(app.db, (await findTeacherById(app.db, officerId))!, 'cli', app.clock.now());
  expect(await say('officer', `绑定 T9000 周主任 ${code}`)).toContain('绑定成功：周主任（教师发展中心）');
}

describe('one answer for every failure', () => {
  it('answers an unknown 工号, a wrong name and an officer without a code identically, and binds nothing', async () => {
    const unknown = await say('u1', '绑定 T9999 张三');
    const wrongName = await say('u2', '绑定 T0001 王五');
    const officerNoCode = await say('u3', '绑定 T9000 周主任');
    const leaderNoCode = await say('u4', '绑定 T0100 赵校长');
    expect([unknown, wrongName, officerNoCode, leaderNoCode]).toEqual([REFUSED, REFUSED, REFUSED, REFUSED]);
    expect(unknown).not.toContain('T9999');
    expect(await countRows(app.db, 'accounts')).toBe(0);
  });

  it('still binds a teacher with the right 工号 and name, without a code', async () => {
    expect(await say('u1', '绑定 T0001 张三')).toBe('绑定成功：张三（第一中学）。现在可以发送「学时」查询本周期学时。');
  });
});

describe('attempt limit', () => {
  it('locks one account out after 5 failures, even for the right name, and lets it in again after 30 minutes', async () => {
    for (let i = 0; i < 5; i++) expect(await say('u1', `绑定 T000${i + 3} 某某`)).toBe(REFUSED);
    expect(await say('u1', '绑定 T0001 张三')).toBe(LOCKED);
    expect(await countRows(app.db, 'accounts')).toBe(0);
    // Someone else is not held up by this account's failures.
    expect(await say('u2', '绑定 T0002 李四')).toContain('绑定成功');
    app.fixedClock.advance(BIND_WINDOW_MS + 1000);
    expect(await say('u1', '绑定 T0001 张三')).toContain('绑定成功');
  });

  it('limits guesses at one 工号 across rotating accounts, and the lock survives a restart', async () => {
    for (let i = 0; i < 5; i++) expect(await say(`attacker${i}`, `绑定 T0001 猜名${i}`)).toBe(REFUSED);
    expect(await say('attacker9', '绑定 T0001 张三')).toBe(LOCKED);
    app = await restart(app);
    expect(await say('attacker10', '绑定 T0001 张三')).toBe(LOCKED);
    expect(await countRows(app.db, 'accounts')).toBe(0);
  });

  it('limits failures per chat: many accounts in one group chat', async () => {
    const now = app.clock.now();
    const attempt = async (i: number, employeeNo: string, name: string) =>
      (await attemptBind(app.db, { platform: 'feishu', accountId: `ou_${i}`, chatId: 'oc_group', employeeNo, name, now })).kind;
    for (let i = 0; i < 10; i++) expect(await attempt(i, `X${i}`, '某某')).toBe('refused');
    expect(await attempt(99, 'T0001', '张三')).toBe('locked');
    expect((await attemptBind(app.db, { platform: 'feishu', accountId: 'ou_99', chatId: 'ou_99', employeeNo: 'T0001', name: '张三', now })).kind).toBe('bound');
  });
});

describe('one-time codes for officers and leaders', () => {
  it('binds an officer with a code exactly once; the code is stored only as a hash', async () => {
    await bindFirstOfficer();
    const issued = await say('officer', '绑定码 T0100');
    const code = codeIn(issued);
    expect(issued).toContain('赵校长（工号 T0100）的绑定码');
    expect(issued).toContain('2026-11-26 10:00 前有效');
    expect(JSON.stringify((await app.db.select().from(tables(app.db).bindCodes)))).not.toContain(code);

    expect(await say('leader', `绑定 T0100 赵校长 ${code}`)).toContain('绑定成功：赵校长（第一中学）');
    // Used: after an unbind, the same code no longer works.
    expect(await say('officer', '解绑 T0100')).toContain('已解除 赵校长');
    expect(await say('leader', `绑定 T0100 赵校长 ${code}`)).toBe(REFUSED);
    expect(await say('someone', `绑定 T0100 赵校长 ${code}`)).toBe(REFUSED);
  });

  it('refuses an expired code, a wrong code and another person’s code, and wrong codes count toward the limit', async () => {
    await bindFirstOfficer();
    const leaderCode = codeIn(await say('officer', '绑定码 T0100'));
    app.fixedClock.advance(24 * 60 * 60_000 + 1000);
    expect(await say('leader', `绑定 T0100 赵校长 ${leaderCode}`)).toBe(REFUSED);

    const fresh = codeIn(await say('officer', '绑定码 T0100'));
    const wrong = fresh === '00000000' ? '11111111' : '00000000';
    expect(await say('leader', `绑定 T0100 赵校长 ${wrong}`)).toBe(REFUSED);
    expect(await say('leader', `绑定 T0001 张三 ${fresh}`)).toContain('绑定成功：张三'); // a teacher needs no code
    // The leader's account is now 张三's; from a fresh account, 5 failures at T0100 in all lock it.
    for (let i = 0; i < 3; i++) expect(await say(`x${i}`, `绑定 T0100 赵校长 1234567${i}`)).toBe(REFUSED);
    expect(await say('leader2', `绑定 T0100 赵校长 ${fresh}`)).toBe(LOCKED);
  });

  it('a new code replaces the previous one', async () => {
    await bindFirstOfficer();
    const first = codeIn(await say('officer', '绑定码 T0100'));
    const second = codeIn(await say('officer', '绑定码 T0100'));
    if (first !== second) expect(await say('leader', `绑定 T0100 赵校长 ${first}`)).toBe(REFUSED);
    expect(await say('leader', `绑定 T0100 赵校长 ${second}`)).toContain('绑定成功');
  });

  it('绑定码 is for officers only, and says a plain teacher needs no code', async () => {
    await say('u1', '绑定 T0001 张三');
    expect(await say('u1', '绑定码 T0100')).toBe('「绑定码」仅限培训管理员使用。如需权限，请联系教师发展中心。');
    await bindFirstOfficer();
    expect(await say('officer', '绑定码 T0002')).toBe('李四（工号 T0002）不是培训管理员或学校负责人，本人直接发送「绑定 T0002 李四」即可，无需绑定码。');
    expect(await say('officer', '绑定码 T7777')).toBe('名册中没有工号 T7777。');
  });

  it('leaves existing bindings alone', async () => {
    await say('u1', '绑定 T0001 张三');
    await grantRole(app.db, (await app.db.select().from(tables(app.db).teachers)).find((t) => t.employeeNo === 'T0001')!.id, 'leader', 'test');
    expect(await say('u1', '我是谁')).toContain('张三');
    expect(await say('u1', '绑定 T0001 张三')).toBe('您已绑定为 张三，无需重复绑定。');
  });
});
