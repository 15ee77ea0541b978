/**
 * Every exported function of src/admin/store.ts on the dialect of this run (issue 16): SQLite by default,
 * PostgreSQL with TEST_DATABASE_URL. Fixtures go in through the query builder (tables(db)), so nothing here is
 * SQLite-only; times come back as Dates to the millisecond, booleans as booleans, counts as numbers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import { transaction } from '../../db/statements.js';
import * as store from '../../src/admin/store.js';
import { closeTestDb, openTestDb } from '../helpers/db.js';

let db: Db;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDb(db));

const T0 = new Date('2026-11-25T02:00:00.123Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

async function teacher(employeeNo: string, name: string, school = '一中'): Promise<number> {
  const { teachers } = tables(db);
  const [row] = await db.insert(teachers).values({ employeeNo, name, school, policyId: 'p1', position: '教师', homeroom: false }).returning({ id: teachers.id });
  return row.id;
}

describe('admin store: sign-in', () => {
  it('isOfficer: only the officer role counts', async () => {
    const { roles } = tables(db);
    const officer = await teacher('T1', '周主任');
    const leader = await teacher('T2', '李组长');
    await db.insert(roles).values([
      { teacherId: officer, role: 'officer', grantedBy: 'test' },
      { teacherId: leader, role: 'leader', grantedBy: 'test' },
    ]);
    expect(await store.isOfficer(db, officer)).toBe(true);
    expect(await store.isOfficer(db, leader)).toBe(false);
    expect(await store.isOfficer(db, 9999)).toBe(false);
  });

  it('login tokens: insert forgets long-expired ones, read by hash, claim wins once', async () => {
    const id = await teacher('T1', '周主任');
    await store.insertLoginToken(db, { tokenHash: 'old', teacherId: id, createdAt: at(-3000), expiresAt: at(-2990) }, at(-100));
    await store.insertLoginToken(db, { tokenHash: 'h1', teacherId: id, createdAt: T0, expiresAt: at(10) }, at(-5000));
    expect(await store.loginTokenByHash(db, 'old')).toBeDefined();
    await store.insertLoginToken(db, { tokenHash: 'h2', teacherId: id, createdAt: T0, expiresAt: at(10) }, at(-1440));
    expect(await store.loginTokenByHash(db, 'old')).toBeUndefined();
    expect(await store.loginTokenByHash(db, 'h1')).toEqual({ tokenHash: 'h1', teacherId: id, createdAt: T0, expiresAt: at(10), usedAt: null });
    expect(await store.loginTokenByHash(db, 'nope')).toBeUndefined();

    expect(await store.claimLoginToken(db, 'h1', at(1))).toBe(true);
    expect(await store.claimLoginToken(db, 'h1', at(2))).toBe(false);
    expect(await store.claimLoginToken(db, 'nope', at(2))).toBe(false);
    expect((await store.loginTokenByHash(db, 'h1'))!.usedAt).toEqual(at(1));
    expect((await store.loginTokenByHash(db, 'h2'))!.usedAt).toBeNull();
  });

  it('claimLoginToken: two transactions racing for one link, exactly one wins', async () => {
    const id = await teacher('T1', '周主任');
    await store.insertLoginToken(db, { tokenHash: 'h', teacherId: id, createdAt: T0, expiresAt: at(10) }, at(-1440));
    const wins = await Promise.all([1, 2, 3].map((n) => transaction(db, (tx) => store.claimLoginToken(tx, 'h', at(n)))));
    expect(wins.filter(Boolean)).toHaveLength(1);
  });

  it('admin sessions: insert forgets expired ones, read, revoke, touch', async () => {
    const id = await teacher('T1', '周主任');
    const row = (idHash: string, expiresAt: Date) => ({
      idHash,
      teacherId: id,
      actor: 'admin:T1',
      csrfToken: `csrf-${idHash}`,
      ip: '10.0.0.1',
      userAgent: 'test',
      createdAt: T0,
      lastSeenAt: T0,
      expiresAt,
    });
    await store.insertAdminSession(db, row('gone', at(-20_000)), at(-30_000));
    await store.insertAdminSession(db, row('s1', at(480)), at(-10_080));
    expect(await store.adminSessionByHash(db, 'gone')).toBeUndefined();
    expect(await store.adminSessionByHash(db, 's1')).toEqual({ ...row('s1', at(480)), revokedAt: null });
    await store.insertAdminSession(db, { ...row('token', at(480)), teacherId: null, actor: 'admin:ADMIN_TOKEN', ip: null, userAgent: null }, at(-10_080));
    expect((await store.adminSessionByHash(db, 'token'))!.teacherId).toBeNull();

    await store.touchAdminSession(db, 's1', at(5));
    expect((await store.adminSessionByHash(db, 's1'))!.lastSeenAt).toEqual(at(5));
    await store.revokeAdminSession(db, 's1', at(6));
    expect((await store.adminSessionByHash(db, 's1'))!.revokedAt).toEqual(at(6));
    expect((await store.adminSessionByHash(db, 'token'))!.revokedAt).toBeNull();
    expect(await store.adminSessionByHash(db, 'nope')).toBeUndefined();
  });

  it('attempts: failures of one key since a time, oldest first; old attempts forgotten', async () => {
    await store.insertLoginAttempt(db, '10.0.0.1', false, at(-2000), at(-3000));
    await store.insertLoginAttempt(db, '10.0.0.1', false, at(3), at(-1440));
    await store.insertLoginAttempt(db, '10.0.0.1', true, at(1), at(-1440));
    await store.insertLoginAttempt(db, '10.0.0.1', false, at(2), at(-1440));
    await store.insertLoginAttempt(db, '10.0.0.2', false, at(2), at(-1440));
    expect(await store.failedAttemptTimes(db, '10.0.0.1', at(-10))).toEqual([at(2), at(3)]);
    expect(await store.failedAttemptTimes(db, '10.0.0.1', at(3))).toEqual([at(3)]);
    expect(await store.failedAttemptTimes(db, '10.0.0.3', at(-10))).toEqual([]);
    // The one from 2000 minutes ago was forgotten by the later inserts (forgetBefore a day back).
    expect(await store.failedAttemptTimes(db, '10.0.0.1', at(-5000))).toEqual([at(2), at(3)]);
  });
});

describe('admin store: audit log', () => {
  async function log(actor: string, action: string, minutes: number, detail = '{}') {
    const { auditLog } = tables(db);
    await db.insert(auditLog).values({ actor, action, at: at(minutes), detail });
  }

  it('counts, pages newest first, lists actions in code-unit order', async () => {
    await log('cli', 'import_teachers', 0);
    await log('admin:T1', 'admin_login', 1);
    await log('admin:T1', 'admin_login', 2);
    await log('teacher:1', 'bind', 3);
    await log('admin:T1', 'adminx', 4);
    expect(await store.auditCount(db, null)).toBe(5);
    expect(await store.auditCount(db, 'admin_login')).toBe(2);
    expect(await store.auditCount(db, 'none')).toBe(0);

    const first = await store.auditRows(db, null, 2, 0);
    expect(first.map((r) => r.action)).toEqual(['adminx', 'bind']);
    expect(first[1]).toMatchObject({ actor: 'teacher:1', at: at(3), detail: '{}' });
    expect((await store.auditRows(db, null, 2, 4)).map((r) => r.action)).toEqual(['import_teachers']);
    expect((await store.auditRows(db, 'admin_login', 10, 0)).map((r) => r.at)).toEqual([at(2), at(1)]);

    // '_' (0x5f) sorts before 'x' (0x78) by code unit, whatever the PostgreSQL database's collation says.
    expect(await store.auditActions(db)).toEqual(['admin_login', 'adminx', 'bind', 'import_teachers']);
  });

  it('names: accounts, people by id and by 工号, session and deadline titles', async () => {
    const { accounts, deadlines, trainingSessions } = tables(db);
    const a = await teacher('T1', '张三', '一中');
    const b = await teacher('T2', '李四', '二中');
    await db.insert(accounts).values([
      { platform: 'feishu', accountId: 'ou_a', teacherId: a },
      { platform: 'dingtalk', accountId: 'dt_b', teacherId: b },
    ]);
    const accountsFound = await store.accountsByAccountIds(db, ['ou_a', 'dt_b', 'unknown']);
    expect(accountsFound.map((r) => [r.platform, r.accountId, r.teacherId]).sort()).toEqual([
      ['dingtalk', 'dt_b', b],
      ['feishu', 'ou_a', a],
    ]);
    expect(accountsFound[0].boundAt).toBeInstanceOf(Date);

    const byId = (rows: store.PersonNames[]) => [...rows].sort((x, y) => x.id - y.id);
    expect(byId(await store.peopleByIds(db, [a, b, 999]))).toEqual([
      { id: a, name: '张三', school: '一中', employeeNo: 'T1' },
      { id: b, name: '李四', school: '二中', employeeNo: 'T2' },
    ]);
    expect(await store.peopleByEmployeeNos(db, ['T2', 'T9'])).toEqual([{ id: b, name: '李四', school: '二中', employeeNo: 'T2' }]);

    const [s] = await db
      .insert(trainingSessions)
      .values({ title: '师德讲座', category: '集中培训', hours: 2, date: '2026-11-25', checkinStart: T0, checkinEnd: at(60), mode: 'button', secret: 's', createdBy: 'cli:test' })
      .returning({ id: trainingSessions.id });
    const [d] = await db.insert(deadlines).values({ title: '年度小结', dueAt: at(10_000), createdBy: 'cli:test' }).returning({ id: deadlines.id });
    expect(await store.sessionTitlesByIds(db, [s.id, s.id + 100])).toEqual([{ id: s.id, title: '师德讲座' }]);
    expect(await store.deadlineTitlesByIds(db, [d.id, d.id + 100])).toEqual([{ id: d.id, title: '年度小结' }]);
  });
});
