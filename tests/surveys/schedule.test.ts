import { eq, like } from 'drizzle-orm';
import { tables } from '../../db/handle.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/client.js';
import { setRemindersOff } from '../../src/deadlines/prefs.js';
import { findTeacherById } from '../../src/ledger/store.js';
import { ConsoleSession } from '../../src/platforms/console/session.js';
import { runSchedulerTick } from '../../src/schedule/tick.js';
import { FLUSH_GRACE_MS } from '../../src/surveys/answer-pool.js';
import { answersArePooled, getRound, roundOfSession } from '../../src/surveys/store.js';
import { takeAnswers } from '../../src/surveys/service.js';
import { localParts } from '../../src/time/zone.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addSession, seedOfficer, seedTeachers, signIn } from '../helpers/surveys.js';

/**
 * The evaluation's timing, from the scheduler (console platform, a fixed business clock): a session whose window
 * passed is evaluated once, a closed one at once, a cancelled or an old one never; one reminder to those who
 * have not answered (not to those who turned reminders off), held through quiet hours; the organiser told once.
 */

const TZ = 'Asia/Shanghai';
let app: TestApp;
let teachers: number[];
beforeEach(async () => {
  app = await createTestApp({}, { now: '2026-11-25T10:00:00+08:00' });
  await seedOfficer(app.db, 'console', 'acc-officer');
  teachers = await seedTeachers(app.db, 'console', 6, (i) => `acc-${i}`);
});
afterEach(async () => app.cleanup());

const tick = () => runSchedulerTick({ db: app.db, presets: app.presets, timeZone: TZ }, app.fixedClock.now());
const at = (iso: string) => app.fixedClock.set(new Date(iso));
const outboxLike = async (pattern: string) => (await app.db.select().from(tables(app.db).outbox).where(like(tables(app.db).outbox.idempotencyKey, pattern)));
const beijing = (d: Date) => {
  const p = localParts(d, TZ);
  return `${p.date} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
};

describe('evaluation rounds from the scheduler', () => {
  it('opens once for a session whose window passed, at once for a closed one, never for a cancelled or old one', async () => {
    const over = await addSession(app.db, { title: '早上的课', date: '2026-11-25', start: '08:30', end: '09:15', createdBy: 'console:acc-officer' });
    const later = await addSession(app.db, { title: '上午的课', date: '2026-11-25', start: '10:30', end: '11:00', createdBy: 'console:acc-officer' });
    const cancelled = await addSession(app.db, { title: '取消的课', date: '2026-11-25', start: '08:00', end: '08:30', createdBy: 'console:acc-officer' });
    const old = await addSession(app.db, { title: '上周的课', date: '2026-11-20', start: '08:00', end: '08:30', createdBy: 'console:acc-officer' });
    const { trainingSessions } = tables(app.db);
    await app.db.update(trainingSessions).set({ status: 'cancelled' }).where(eq(trainingSessions.id, cancelled.id));
    for (const s of [over, later, cancelled, old]) await signIn(app.db, s, teachers.slice(0, 3));

    expect((await tick()).evaluationsOpened).toBe(1);
    expect(await roundOfSession(app.db, over.id)).not.toBeNull();
    expect(await roundOfSession(app.db, later.id)).toBeNull();
    expect((await outboxLike(`survey:%:invite:%`))).toHaveLength(3);
    // Again, and after a restart: nothing twice.
    expect((await tick()).evaluationsOpened).toBe(0);
    expect((await outboxLike(`survey:%:invite:%`))).toHaveLength(3);

    // The officer closes the later one early, in chat: invited at once, before any tick.
    const [reply] = await new ConsoleSession(app, 'acc-officer').send(`结束培训 ${later.id}`);
    expect(reply).toContain('已向 3 位签到的老师发出匿名评价邀请');
    expect(await roundOfSession(app.db, later.id)).not.toBeNull();
    expect((await new ConsoleSession(app, 'acc-officer').send(`结束培训 ${later.id}`))[0]).not.toContain('评价邀请');
    at('2026-11-25T12:00:00+08:00');
    expect((await tick()).evaluationsOpened).toBe(0);
    expect(await roundOfSession(app.db, cancelled.id)).toBeNull();
    expect(await roundOfSession(app.db, old.id)).toBeNull();
    expect((await outboxLike(`survey:%:invite:%`))).toHaveLength(6);
    // By day they are due at once.
    expect((await outboxLike(`survey:%:invite:%`)).every((r) => r.nextAttemptAt.getTime() <= app.fixedClock.now().getTime())).toBe(true);
  });

  it('one reminder to those who have not answered (reminders off respected), then nothing; the organiser told once', async () => {
    const session = await addSession(app.db, { title: '课例研讨', date: '2026-11-25', start: '08:30', end: '09:15', createdBy: 'console:acc-officer' });
    await signIn(app.db, session, teachers.slice(0, 5));
    await tick();
    const round = (await roundOfSession(app.db, session.id))!;
    expect(beijing(round.remindAt!)).toBe('2026-11-26 10:00');
    // Teacher 1 answered; teacher 2 turned reminders off.
    const now = app.fixedClock.now();
    expect(await takeAnswers(app.db, { round, teacher: (await findTeacherById(app.db, teachers[0]))!, answers: { overall: 5, content: 5, trainer: 5, usefulness: 5 }, tokenHash: null, now, timeZone: TZ })).toBe('taken');
    await setRemindersOff(app.db, teachers[1], true, now);

    at('2026-11-26T09:59:00+08:00');
    expect((await tick()).surveyReminders).toBe(0);
    at('2026-11-26T10:00:30+08:00');
    expect((await tick()).surveyReminders).toBe(3);
    const reminders = await outboxLike(`survey:${round.id}:remind:%`);
    expect(reminders.map((r) => r.idempotencyKey.split(':').pop()).sort()).toEqual(teachers.slice(2, 5).map(String).sort());
    expect(reminders.every((r) => r.quiet && JSON.parse(r.reply).text.includes('只提醒这一次'))).toBe(true);
    // One send time for the round (jittered by the round, not by teacher), so DingTalk sends them 20 users a call.
    expect(new Set(reminders.map((r) => r.nextAttemptAt.getTime())).size).toBe(1);
    at('2026-11-27T10:00:30+08:00');
    expect((await tick()).surveyReminders).toBe(0);
    expect((await outboxLike(`survey:${round.id}:remind:%`))).toHaveLength(3);

    // Not everyone answered: the organiser hears when the round closes, once.
    expect((await tick()).surveyNotices).toBe(0);
    at('2026-12-02T10:00:30+08:00');
    if (answersArePooled(app.db)) {
      // PostgreSQL: told FLUSH_GRACE_MS after the close, once every instance's answer pool has written the round.
      expect((await tick()).surveyNotices).toBe(0);
      at(new Date(round.closesAt.getTime() + FLUSH_GRACE_MS + 30_000).toISOString());
    }
    expect((await tick()).surveyNotices).toBe(1);
    expect((await tick()).surveyNotices).toBe(0);
    const [notice] = (await outboxLike(`survey:${round.id}:results`));
    expect(notice.target).toContain('acc-officer');
    const text = JSON.parse(notice.reply).text as string;
    expect(text).toContain('发出 5 份，收回 1 份（回收率 20%）');
    expect(text).toContain('收回不足 5 份：为保护匿名，只显示份数');
    expect(text).not.toContain('平均');
    expect((await getRound(app.db, round.id))!.resultsNotifiedAt).not.toBeNull();
  });

  it('an evaluation opened at night, and a reminder due at night, wait for the morning', async () => {
    at('2026-11-25T22:40:00+08:00');
    const session = await addSession(app.db, { title: '晚间研修', date: '2026-11-25', start: '21:00', end: '22:30', createdBy: 'console:acc-officer' });
    await signIn(app.db, session, teachers.slice(0, 2));
    await tick();
    const round = (await roundOfSession(app.db, session.id))!;
    // Opened at 22:40: the invitations wait for the morning too.
    for (const row of (await outboxLike(`survey:${round.id}:invite:%`))) expect(beijing(row.nextAttemptAt) >= '2026-11-26 07:00').toBe(true);
    at('2026-11-26T22:41:00+08:00');
    expect((await tick()).surveyReminders).toBe(2);
    for (const row of (await outboxLike(`survey:${round.id}:remind:%`))) {
      // Due after quiet hours end (07:00 Beijing), on the transport clock, which here is the business clock.
      expect(beijing(row.nextAttemptAt) >= '2026-11-27 07:00').toBe(true);
      expect(beijing(row.nextAttemptAt) < '2026-11-27 08:00').toBe(true);
    }
  });
});
