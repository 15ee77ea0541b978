/**
 * src/sessions/store.ts on the run's database (issue 16): every exported function, on SQLite and, with
 * TEST_DATABASE_URL, on PostgreSQL. Times are stored as epoch ms on SQLite and timestamptz on PostgreSQL: each
 * comes back as the same instant, and a session's Beijing date and windows read the same on both.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { dialectOf, tables } from '../../db/handle.js';
import { transaction } from '../../db/statements.js';
import { recordKeyOf, windowState, type SessionRow } from '../../src/sessions/model.js';
import {
  attendanceCounts,
  attendanceOf,
  attendanceRows,
  cancelRecord,
  creditStates,
  creditsOf,
  failedAttemptTimes,
  getSession,
  grantedRoleRows,
  insertCheckin,
  insertCredit,
  insertSession,
  latestSession,
  listSessions,
  logAttempt,
  markCheckedOut,
  recordByKey,
  rosterCount,
  rosterRows,
  rosterRowsById,
  sessionsDated,
  updateSessionStatus,
  withdrawQueued,
} from '../../src/sessions/store.js';
import { dateOf, instantAt } from '../../src/time/zone.js';
import { onPostgres, useTestDb } from '../helpers/db.js';
import { pendingKeys, seedOutbox, seedTeacher } from '../helpers/roster-seed.js';

const TZ = 'Asia/Shanghai';
const bj = (date: string, hhmm: string) => instantAt(date, hhmm, TZ);

function sessionValues(date: string, over: Partial<Parameters<typeof insertSession>[1]> = {}): Parameters<typeof insertSession>[1] {
  return {
    title: `讲座 ${date}`,
    category: '师德师风',
    hours: 2.5,
    date,
    checkinStart: bj(date, '08:30'),
    checkinEnd: bj(date, '09:15'),
    audience: '{"all":true}',
    mode: 'rotating',
    secret: 'secret',
    createdBy: 'test',
    createdAt: new Date('2026-03-01T00:00:00.123Z'),
    ...over,
  };
}

describe(`the sessions store on ${onPostgres() ? 'PostgreSQL' : 'SQLite'}`, () => {
  const t = useTestDb();

  it('runs on the dialect the run asked for', () => {
    expect(dialectOf(t.db)).toBe(onPostgres() ? 'postgres' : 'sqlite');
  });

  it('keeps a session’s instants to the millisecond and its Beijing date, including just after midnight', async () => {
    const db = t.db;
    // 00:10 in Beijing is 16:10 UTC the day before: the stored date and the window must stay Beijing's.
    const early = await insertSession(db, sessionValues('2026-03-02', { checkinStart: bj('2026-03-02', '00:10'), checkinEnd: bj('2026-03-02', '00:40') }));
    const withCheckout = await insertSession(
      db,
      sessionValues('2026-03-02', { checkoutStart: bj('2026-03-02', '11:30'), checkoutEnd: bj('2026-03-02', '12:00'), mode: 'static', staticCode: '1234' }),
    );
    expect(early.id).toBeGreaterThan(0);
    const back = (await getSession(db, early.id))!;
    expect(back.checkinStart).toBeInstanceOf(Date);
    expect(back.checkinStart.toISOString()).toBe('2026-03-01T16:10:00.000Z');
    expect(dateOf(back.checkinStart, TZ)).toBe('2026-03-02');
    expect(back.createdAt.toISOString()).toBe('2026-03-01T00:00:00.123Z');
    expect(back.checkoutStart).toBeNull();
    expect(back.status).toBe('open');
    expect(windowState(back, 'checkin', new Date('2026-03-01T16:20:00Z'))).toBe('open');
    expect(windowState(back, 'checkin', new Date('2026-03-01T16:09:59Z'))).toBe('before');
    const other = (await getSession(db, withCheckout.id))!;
    expect(other).toEqual(withCheckout);
    expect(other.checkoutEnd!.getTime()).toBe(bj('2026-03-02', '12:00').getTime());
    expect(await getSession(db, 999_999)).toBeNull();
  });

  it('finds the latest session of a day, else the latest, and lists and dates them in order', async () => {
    const db = t.db;
    expect(await latestSession(db, '2026-03-02')).toBeNull();
    const a = await insertSession(db, sessionValues('2026-03-02', { checkinStart: bj('2026-03-02', '14:00'), checkinEnd: bj('2026-03-02', '15:00') }));
    const b = await insertSession(db, sessionValues('2026-03-02'));
    const c = await insertSession(db, sessionValues('2026-03-05'));
    const d = await insertSession(db, sessionValues('2026-02-27'));
    expect((await latestSession(db, '2026-03-02'))!.id).toBe(b.id);
    expect((await latestSession(db, '2026-03-09'))!.id).toBe(d.id);
    expect((await listSessions(db)).map((s) => s.id)).toEqual([c.id, a.id, b.id, d.id]);
    expect((await listSessions(db, { from: '2026-03-01', to: '2026-03-04' })).map((s) => s.id)).toEqual([a.id, b.id]);
    expect((await listSessions(db, { limit: 1 })).map((s) => s.id)).toEqual([c.id]);
    // Earliest sign-in first: b (08:30) before a (14:00) on the same day.
    expect((await sessionsDated(db, '2026-03-02', '2026-03-05')).map((s) => s.id)).toEqual([b.id, a.id, c.id]);
    expect(await sessionsDated(db, '2026-04-01', '2026-04-30')).toEqual([]);
    await updateSessionStatus(db, a.id, 'cancelled');
    await updateSessionStatus(db, b.id, 'closed');
    expect((await getSession(db, a.id))!.status).toBe('cancelled');
    expect((await getSession(db, b.id))!.status).toBe('closed');
  });

  it('signs in and out once, and counts who did', async () => {
    const db = t.db;
    const s = await insertSession(db, sessionValues('2026-03-02', { checkoutStart: bj('2026-03-02', '11:30'), checkoutEnd: bj('2026-03-02', '12:00') }));
    const one = await seedTeacher(db, { employeeNo: 'T1' });
    const two = await seedTeacher(db, { employeeNo: 'T2' });
    const at = new Date('2026-03-02T00:35:10.250Z');
    expect(await attendanceOf(db, s.id, one.id)).toBeNull();
    expect(await insertCheckin(db, s.id, one.id, at, 'feishu:signin')).toBe(true);
    expect(await insertCheckin(db, s.id, one.id, new Date(at.getTime() + 1000), 'feishu:signin')).toBe(false);
    expect(await insertCheckin(db, s.id, two.id, at, 'dingtalk:signin')).toBe(true);
    expect(await attendanceOf(db, s.id, one.id)).toEqual({ sessionId: s.id, teacherId: one.id, checkedInAt: at, checkedOutAt: null, via: 'feishu:signin' });
    expect(await attendanceCounts(db, s.id)).toEqual({ signedIn: 2, signedOut: 0 });
    const out = new Date('2026-03-02T03:45:00Z');
    expect(await markCheckedOut(db, s.id, one.id, out)).toBe(true);
    expect(await markCheckedOut(db, s.id, one.id, new Date(out.getTime() + 1000))).toBe(false);
    expect(await markCheckedOut(db, s.id, 999_999, out)).toBe(false);
    expect((await attendanceOf(db, s.id, one.id))!.checkedOutAt).toEqual(out);
    const counts = await attendanceCounts(db, s.id);
    expect(counts).toEqual({ signedIn: 2, signedOut: 1 });
    expect(typeof counts.signedIn).toBe('number');
    expect((await attendanceRows(db, s.id)).map((r) => [r.teacherId, r.checkedOutAt?.getTime() ?? null])).toEqual([
      [one.id, out.getTime()],
      [two.id, null],
    ]);
    expect(await attendanceCounts(db, 999_999)).toEqual({ signedIn: 0, signedOut: 0 });
    // Signed in, not out, in a session with a sign-out window: waiting for it. No credit yet.
    expect(await creditsOf(db, s)).toEqual({ credited: 0, awaitingCheckout: 1 });
  });

  it('writes one credit record per teacher, reads its state, and cancels it once', async () => {
    const db = t.db;
    const s = await insertSession(db, sessionValues('2026-03-02'));
    const later = await insertSession(db, sessionValues('2026-03-03'));
    const one = await seedTeacher(db, { employeeNo: 'T1' });
    const two = await seedTeacher(db, { employeeNo: 'T2' });
    const now = new Date('2026-03-02T00:40:00Z');
    expect(await insertCredit(db, s, one, now)).toBe(true);
    expect(await insertCredit(db, s, one, now)).toBe(false);
    expect(await insertCredit(db, s, two, now)).toBe(true);
    // Session 1's key range must not take in session 10, 11 …: only its own records.
    expect(await insertCredit(db, later, one, now)).toBe(true);
    const record = (await recordByKey(db, recordKeyOf(s.id, 'T1')))!;
    expect(record).toMatchObject({ teacherId: one.id, date: '2026-03-02', hours: 2.5, category: '师德师风', source: 'session', cancelledAt: null });
    expect(record.createdAt).toEqual(now);
    expect(await recordByKey(db, 'session:0:none')).toBeUndefined();
    expect(await creditsOf(db, s)).toEqual({ credited: 2, awaitingCheckout: 0 });
    const at = new Date('2026-03-02T05:00:00.5Z');
    await cancelRecord(db, record.id, at, '未到场');
    await cancelRecord(db, record.id, new Date(at.getTime() + 60_000), '第二次');
    expect(await recordByKey(db, recordKeyOf(s.id, 'T1'))).toMatchObject({ cancelledAt: at, cancelReason: '未到场' });
    const states = (await creditStates(db, s.id)).sort((x, y) => x.teacherId - y.teacherId);
    expect(states).toEqual([
      { teacherId: one.id, cancelledAt: at, cancelReason: '未到场' },
      { teacherId: two.id, cancelledAt: null, cancelReason: null },
    ]);
    expect(await creditsOf(db, s)).toEqual({ credited: 1, awaitingCheckout: 0 });
  });

  it('logs attempts and reads an account’s failures since a moment, oldest first, to the millisecond', async () => {
    const db = t.db;
    const base = new Date('2026-03-02T00:40:00.000Z').getTime();
    await logAttempt(db, 'feishu', 'ou_1', new Date(base + 2_000), false);
    await logAttempt(db, 'feishu', 'ou_1', new Date(base), false);
    await logAttempt(db, 'feishu', 'ou_1', new Date(base + 1_001), true);
    await logAttempt(db, 'feishu', 'ou_1', new Date(base - 1), false);
    await logAttempt(db, 'feishu', 'ou_2', new Date(base + 5), false);
    await logAttempt(db, 'dingtalk', 'ou_1', new Date(base + 6), false);
    expect(await failedAttemptTimes(db, 'feishu', 'ou_1', new Date(base))).toEqual([base, base + 2_000]);
    expect(await failedAttemptTimes(db, 'feishu', 'ou_1', new Date(base - 1))).toEqual([base - 1, base, base + 2_000]);
    expect(await failedAttemptTimes(db, 'feishu', 'ou_3', new Date(0))).toEqual([]);
  });

  it('withdraws a session’s queued cards and reminders, nothing sent and nothing of another session', async () => {
    const db = t.db;
    const s = await insertSession(db, sessionValues('2026-03-02'));
    await seedOutbox(db, 'session:1:card:1', `session:${s.id}:card`);
    await seedOutbox(db, 'session:1:remind:9:1', `session:${s.id}:remind`);
    await seedOutbox(db, 'session:1:cancelled:1', `session:${s.id}:cancelled`);
    await seedOutbox(db, 'other', `session:${s.id + 1}:card`);
    await seedOutbox(db, 'sent', `session:${s.id}:card`);
    const { outbox } = tables(db);
    await db.update(outbox).set({ status: 'sent' }).where(eq(outbox.idempotencyKey, 'sent'));
    expect(await withdrawQueued(db, s)).toBe(2);
    expect(await pendingKeys(db)).toEqual(['other', 'session:1:cancelled:1']);
    expect(await withdrawQueued(db, s)).toBe(0);
  });

  it('reads the roster in 学校, 工号 order, by school, by id, counted, with granted roles', async () => {
    const db = t.db;
    const b2 = await seedTeacher(db, { employeeNo: 'B2', school: '第二中学', homeroom: true, position: '班主任' });
    const a9 = await seedTeacher(db, { employeeNo: 'A9', school: '第一中学', roles: ['leader'] });
    const a1 = await seedTeacher(db, { employeeNo: 'A1', school: '第一中学', roles: ['officer', 'leader'], policyId: 'national' });
    const rows = await rosterRows(db, null);
    expect(rows.map((r) => r.employeeNo)).toEqual(['A1', 'A9', 'B2']);
    expect(rows[2]).toEqual({ id: b2.id, employeeNo: 'B2', name: '教师B2', school: '第二中学', policyId: 'laibin', homeroom: true, position: '班主任' });
    expect(typeof rows[0].homeroom).toBe('boolean');
    expect((await rosterRows(db, ['第二中学'])).map((r) => r.id)).toEqual([b2.id]);
    expect(await rosterRows(db, ['无此校'])).toEqual([]);
    expect(await rosterCount(db, null)).toBe(3);
    expect(await rosterCount(db, ['第一中学'])).toBe(2);
    expect(await rosterCount(db, ['无此校'])).toBe(0);
    const byId = (await rosterRowsById(db, [a1.id, b2.id])).sort((x, y) => x.id - y.id);
    expect(byId).toEqual([
      { id: b2.id, employeeNo: 'B2', name: '教师B2', school: '第二中学', policyId: 'laibin' },
      { id: a1.id, employeeNo: 'A1', name: '教师A1', school: '第一中学', policyId: 'national' },
    ]);
    const granted = (rows: { teacherId: number; role: string }[]) => rows.map((r) => `${r.teacherId}:${r.role}`).sort();
    expect(granted(await grantedRoleRows(db, null))).toEqual([`${a1.id}:leader`, `${a1.id}:officer`, `${a9.id}:leader`].sort());
    expect(granted(await grantedRoleRows(db, [a9.id, b2.id]))).toEqual([`${a9.id}:leader`]);
  });

  it('runs inside a transaction and rolls back with it', async () => {
    const db = t.db;
    const s: SessionRow = await insertSession(db, sessionValues('2026-03-02'));
    const one = await seedTeacher(db, { employeeNo: 'T1' });
    await expect(
      transaction(db, async (tx: Db) => {
        expect(await insertCheckin(tx, s.id, one.id, new Date(), 'test')).toBe(true);
        expect(await attendanceCounts(tx, s.id)).toEqual({ signedIn: 1, signedOut: 0 });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await attendanceOf(db, s.id, one.id)).toBeNull();
  });
});
