import { eq } from 'drizzle-orm';
import { tables } from '../../db/handle.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/client.js';
import { hoursSummary } from '../../src/ledger/summary.js';
import { findTeacherById } from '../../src/ledger/store.js';
import { ConsoleSession } from '../../src/platforms/console/session.js';
import { localParts } from '../../src/time/zone.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { addRecord } from '../helpers/seed.js';
import { keysLike, person, restart, rowsLike, tick, TZ } from '../helpers/deadlines.js';

let app: TestApp;
let ids: Record<string, number>;

beforeEach(async () => {
  app = await createTestApp({}, { now: '2026-10-31T10:00:00+08:00' });
  const db = app.db;
  const otog = async (no: string, name: string, bound = true) => await person(db, no, name, '鄂旗一中', { policyId: 'otog', bound });
  ids = {
    behind: await otog('T1', '张三'),
    onPace: await otog('T2', '李四'),
    optedOut: await otog('T3', '王五'),
    noNumbers: await person(db, 'T4', '赵六', '侯马一中', { policyId: 'houma' }),
    unbound: await otog('T5', '孙七', false),
    annualBehind: await otog('T6', '周八'),
    lastCallOnly: await otog('T7', '吴九'),
  };
  const rec = async (t: number, key: string, date: string, hours: number) => await addRecord(db, t, { key, date, hours, category: '集中培训' });
  await rec(ids.behind, 'R1', '2026-03-01', 20);
  await rec(ids.optedOut, 'R2', '2026-03-01', 20);
  await rec(ids.unbound, 'R3', '2026-03-01', 20);
  for (const [t, y26] of [[ids.onPace, 130], [ids.annualBehind, 50], [ids.lastCallOnly, 105]] as const) {
    await rec(t, `Y24-${t}`, '2024-06-01', t === ids.onPace ? 120 : 200);
    await rec(t, `Y25-${t}`, '2025-06-01', t === ids.onPace ? 120 : 200);
    await rec(t, `Y26-${t}`, '2026-03-01', y26);
  }
});
afterEach(async () => app.cleanup());

const paceKeys = async (month: string) => (await keysLike(app.db, `pace:${month}:`));
const keyOf = (month: string, ...teachers: number[]) => teachers.map((t) => `pace:${month}:${t}`).sort();

describe('monthly pace reminder', () => {
  it('goes on the 1st at 09:xx to bound, subscribed teachers behind pace only; once, even across a restart', async () => {
    expect((await new ConsoleSession(app, 'acc-T3').send('退订提醒'))[0]).toBe('已退订每月学时提醒。需要时发送「订阅提醒」即可恢复。');
    expect((await tick(app, '2026-11-01 08:59')).pace).toBe(0);
    expect((await tick(app, '2026-11-01 09:00:30')).pace).toBe(2);
    expect((await paceKeys('2026-11'))).toEqual(keyOf('2026-11', ids.behind, ids.annualBehind));
    expect((await tick(app, '2026-11-01 09:30')).pace).toBe(0);
    app = await restart(app);
    expect((await tick(app, '2026-11-02 09:30')).pace).toBe(0);
    expect((await paceKeys('2026-11'))).toHaveLength(2);

    const [row] = (await rowsLike(app.db, `pace:2026-11:${ids.behind}`));
    const text = JSON.parse(row.reply).text as string;
    const summary = await hoursSummary(app.db, app.presets, (await findTeacherById(app.db, ids.behind))!, '2026-11-01');
    expect(text.split('\n')).toEqual([
      '张三老师，您好。这是本月学时进度提醒：',
      '本周期（2024-01-01 至 2026-12-31）应修 360 学时，已修 20 学时，还差 340 学时。',
      `按进度此时应完成 ${summary.pace!.expected} 学时，目前已完成 20 学时，落后 ${Math.round((summary.pace!.expected - 20) * 10) / 10} 学时。`,
      '还需完成：',
      '· 年度总学时 100 学时（2026-12-31 前）',
      '发送「学时」查看详情；发送「退订提醒」不再接收每月提醒。',
    ]);
    // Held by the outbox if a retry or a late send would land in quiet hours; the 退订 answer is not.
    expect(row.quiet).toBe(true);
    const answers = (await rowsLike(app.db, 'console:'));
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((r) => r.quiet === false)).toBe(true);
    // Spread over the hour after 09:00, off the round minute.
    const local = localParts(row.nextAttemptAt, TZ);
    expect(local.date).toBe('2026-11-01');
    expect(local.hour).toBe(9);
    expect(row.nextAttemptAt.getTime() % 60_000).not.toBe(0);
  });

  it('in December is the last call for the year, to everyone still owing a minimum that ends this year', async () => {
    await tick(app, '2026-11-01 09:30');
    await tick(app, '2026-12-01 09:30');
    expect((await paceKeys('2026-12'))).toEqual(keyOf('2026-12', ids.behind, ids.annualBehind, ids.lastCallOnly, ids.optedOut));
    const text = JSON.parse((await rowsLike(app.db, `pace:2026-12:${ids.lastCallOnly}`))[0].reply).text as string;
    expect(text).toContain('吴九老师，您好。2026 年的年度学时要求将于 12 月 31 日截止，请抓紧完成：');
    expect(text).toContain('· 年度总学时 15 学时（2026-12-31 前）');
    expect(text).not.toContain('落后');
  });

  it('after downtime over the 1st sends the month’s reminder once, late; 退订 / 订阅 toggle it', async () => {
    const me = new ConsoleSession(app, 'acc-T1');
    expect((await me.send('退订提醒'))[0]).toContain('已退订');
    expect((await me.send('退订提醒'))[0]).toBe('您已退订每月学时提醒。需要时发送「订阅提醒」即可恢复。');
    expect((await me.send('订阅提醒'))[0]).toBe('已开启每月学时提醒：每月 1 日上午，如您的学时进度落后，会收到一条提醒。');
    expect((await me.send('订阅提醒'))[0]).toBe('您已开启每月学时提醒，无需重复订阅。');
    expect((await app.db.select().from(tables(app.db).teacherPrefs).where(eq(tables(app.db).teacherPrefs.teacherId, ids.behind)).limit(1))[0]?.remindersOff).toBe(false);
    // The bot ran last month, then was down over the 1st.
    (await app.db.insert(tables(app.db).meta).values({ key: 'scheduler:pace:2026-10', value: '{"after":0,"done":true,"sent":0}' }));
    await tick(app, '2026-11-14 16:00');
    await tick(app, '2026-11-14 16:05');
    expect((await paceKeys('2026-11'))).toEqual(keyOf('2026-11', ids.behind, ids.annualBehind, ids.optedOut));
    expect(localParts((await rowsLike(app.db, `pace:2026-11:${ids.behind}`))[0].nextAttemptAt, TZ).date).toBe('2026-11-14');
  });

  it('a fresh install mid-month does not message everyone at once: it starts with next month', async () => {
    await tick(app, '2026-11-14 16:00');
    expect((await paceKeys('2026-11'))).toEqual([]);
    await tick(app, '2026-12-01 09:30');
    expect((await paceKeys('2026-12')).length).toBeGreaterThan(0);
  });
});
