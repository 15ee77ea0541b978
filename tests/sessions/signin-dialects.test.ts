/**
 * Signing in from chat on the run's database (issue 16), SQLite or, with TEST_DATABASE_URL, PostgreSQL: the
 * windows are Beijing wall-clock times stored as instants (epoch ms / timestamptz), so "too early", "open", the
 * credit's date and 「我签到了吗」 must come out the same on both. Also the audience by role (booleans), the
 * attendance report and the wrong-code lock (its attempts' times compared to the millisecond).
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import { transaction } from '../../db/statements.js';
import { rotatingCode, stepOf } from '../../src/sessions/code.js';
import { audienceMembers, isInAudience } from '../../src/sessions/members.js';
import { mySessions } from '../../src/sessions/my-status.js';
import { attendanceReport, liveCounts } from '../../src/sessions/report.js';
import { BURST_LIMIT, signInFromChat, type SignInRequest } from '../../src/sessions/signin.js';
import { insertSession } from '../../src/sessions/store.js';
import { instantAt } from '../../src/time/zone.js';
import { onPostgres, useTestDb } from '../helpers/db.js';
import { seedTeacher } from '../helpers/roster-seed.js';

const TZ = 'Asia/Shanghai';
const bj = (date: string, hhmm: string, seconds = 0) => new Date(instantAt(date, hhmm, TZ).getTime() + seconds * 1000);

/** 2026-03-02 (Beijing): sign in 07:30–08:00, sign out 11:30–12:00, rotating code, for 第一中学. */
async function morningSession(db: Db) {
  return insertSession(db, {
    title: '师德专题讲座',
    category: '师德师风',
    hours: 3,
    date: '2026-03-02',
    checkinStart: bj('2026-03-02', '07:30'),
    checkinEnd: bj('2026-03-02', '08:00'),
    checkoutStart: bj('2026-03-02', '11:30'),
    checkoutEnd: bj('2026-03-02', '12:00'),
    audience: '{"schools":["第一中学"]}',
    mode: 'rotating',
    secret: 'secret-for-tests',
    createdBy: 'test',
  });
}

describe(`signing in on ${onPostgres() ? 'PostgreSQL' : 'SQLite'}`, () => {
  const t = useTestDb();

  it('reads the Beijing windows the same: too early, open (credit on sign-out, dated in Beijing), too late', async () => {
    const db = t.db;
    const session = await morningSession(db);
    const teacher = await seedTeacher(db, { employeeNo: 'T1', school: '第一中学', account: 'feishu:ou_1' });
    const codeAt = (at: Date) => rotatingCode(session.secret, stepOf(at.getTime()));
    const request = (at: Date, action: 'in' | 'out'): SignInRequest => ({ platform: 'feishu', accountId: 'ou_1', teacher, arg: codeAt(at), action, now: at, timeZone: TZ });
    // Each message is one event: one transaction, as the bot runs it.
    const say = (at: Date, action: 'in' | 'out') => transaction(db, (tx) => signInFromChat(tx, request(at, action)));

    // 07:29:59 Beijing is 23:29:59 UTC the day before.
    expect(await say(bj('2026-03-02', '07:29', 59), 'in')).toMatchObject({ kind: 'too_early', opensAt: bj('2026-03-02', '07:30') });
    const at = bj('2026-03-02', '07:45', 10);
    expect(await say(at, 'in')).toMatchObject({ kind: 'signed_in', at, credited: false });
    expect(await say(bj('2026-03-02', '07:46'), 'in')).toMatchObject({ kind: 'already_signed_in', at });
    expect(await say(bj('2026-03-02', '11:00'), 'out')).toMatchObject({ kind: 'too_early', phase: 'checkout' });
    const out = bj('2026-03-02', '12:00', 59);
    expect(await say(out, 'out')).toMatchObject({ kind: 'signed_out', at: out });
    // The end minute counts whole: 08:00:59 is open, 08:01:00 is too late (for someone not yet signed in).
    const late = await seedTeacher(db, { employeeNo: 'T2', school: '第一中学' });
    const lateAt = (at: Date) => transaction(db, (tx) => signInFromChat(tx, { ...request(at, 'in'), teacher: late, accountId: 'ou_2' }));
    expect(await lateAt(bj('2026-03-02', '08:01'))).toMatchObject({ kind: 'too_late', closedAt: bj('2026-03-02', '08:00') });

    const { records, signinAttempts } = tables(db);
    const credit = await db.select().from(records);
    expect(credit).toHaveLength(1);
    expect(credit[0]).toMatchObject({ recordKey: `session:${session.id}:T1`, date: '2026-03-02', hours: 3, source: 'session', createdAt: out });
    // Successful attempts are logged (ok = true), so a later lock counts only the failures.
    expect((await db.select({ ok: signinAttempts.ok }).from(signinAttempts)).map((r) => r.ok)).toEqual([true, true, true]);

    const mine = await mySessions(db, teacher, bj('2026-03-02', '12:30'), TZ);
    expect(mine).toHaveLength(1);
    expect(mine[0].attendance).toMatchObject({ checkedInAt: at, checkedOutAt: out });
    // The next Beijing day (16:00 UTC): the session is yesterday's and closed for signing, so it is not "mine" now.
    expect(await mySessions(db, teacher, bj('2026-03-03', '00:01'), TZ)).toEqual([]);
  });

  it('reports attendance by school and counts live, with someone signed in who left the audience', async () => {
    const db = t.db;
    const session = await morningSession(db);
    const a = await seedTeacher(db, { employeeNo: 'A1', school: '第一中学' });
    const b = await seedTeacher(db, { employeeNo: 'A2', school: '第一中学' });
    const moved = await seedTeacher(db, { employeeNo: 'B1', school: '第二中学' });
    const { attendance } = tables(db);
    await db.insert(attendance).values([
      { sessionId: session.id, teacherId: a.id, checkedInAt: bj('2026-03-02', '07:40'), checkedOutAt: bj('2026-03-02', '11:40'), via: 'test' },
      { sessionId: session.id, teacherId: moved.id, checkedInAt: bj('2026-03-02', '07:41'), via: 'test' },
    ]);
    const report = await attendanceReport(db, session);
    expect(report).toMatchObject({ expected: 2, signedIn: 2, signedOut: 1, absent: 1, outside: 1 });
    expect(report.bySchool.map((s) => [s.school, s.expected, s.signedIn, s.absent.map((m) => m.id)])).toEqual([
      ['第一中学', 2, 1, [b.id]],
      ['第二中学', 0, 1, []],
    ]);
    expect(report.lines.find((l) => l.member.id === a.id)).toMatchObject({ checkedInAt: bj('2026-03-02', '07:40'), credit: { state: 'none' } });
    expect(await liveCounts(db, session)).toEqual({ signedIn: 2, signedOut: 1, expected: 2 });
  });

  it('picks an audience by role from roles, 班主任 and 职务 on both dialects', async () => {
    const db = t.db;
    const head = await seedTeacher(db, { employeeNo: 'P1', position: '校长', roles: ['leader'] });
    const homeroom = await seedTeacher(db, { employeeNo: 'H1', homeroom: true });
    await seedTeacher(db, { employeeNo: 'O1', school: '教师发展中心', roles: ['officer'] });
    const plain = await seedTeacher(db, { employeeNo: 'T1' });
    const ids = async (roles: string[]) => (await audienceMembers(db, { roles })).map((m) => m.employeeNo).sort();
    expect(await ids(['班主任'])).toEqual(['H1']);
    expect(await ids(['校长', 'officer'])).toEqual(['O1', 'P1']);
    expect(await ids(['leader'])).toEqual(['P1']);
    expect(await isInAudience(db, { roles: ['班主任'] }, homeroom)).toBe(true);
    expect(await isInAudience(db, { roles: ['leader'] }, head)).toBe(true);
    expect(await isInAudience(db, { roles: ['leader'] }, plain)).toBe(false);
    expect((await audienceMembers(db, { all: true })).map((m) => m.employeeNo)).toEqual(['O1', 'H1', 'P1', 'T1']);
  });

  it(`locks an account after ${BURST_LIMIT} wrong codes within 10 minutes, audited once`, async () => {
    const db = t.db;
    await morningSession(db);
    const teacher = await seedTeacher(db, { employeeNo: 'T1', school: '第一中学' });
    const wrong = (at: Date) =>
      transaction(db, (tx) => signInFromChat(tx, { platform: 'dingtalk', accountId: 'staff-1', teacher, arg: '000000', action: 'in', now: at, timeZone: TZ }));
    for (let i = 0; i < BURST_LIMIT - 1; i++) expect(await wrong(bj('2026-03-02', '07:40', i * 60))).toEqual({ kind: 'wrong_code' });
    const fifth = bj('2026-03-02', '07:49', 59.999);
    expect(await wrong(fifth)).toEqual({ kind: 'locked', until: new Date(fifth.getTime() + 10 * 60_000), justLocked: true });
    expect(await wrong(bj('2026-03-02', '07:55'))).toEqual({ kind: 'locked', until: new Date(fifth.getTime() + 10 * 60_000), justLocked: false });
    const { auditLog } = tables(db);
    expect((await db.select({ action: auditLog.action, actor: auditLog.actor }).from(auditLog))).toEqual([{ action: 'signin_locked', actor: 'dingtalk:staff-1' }]);
  });
});
