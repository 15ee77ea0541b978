/**
 * Scheduled jobs run once per tick across instances on one database (issue 16): each instance claims (minute, job)
 * in job_ticks, and only the one whose claim lands runs the job. Two schedulers here are two connections (two pools
 * on PostgreSQL, two SQLite connections to one file) with their own INSTANCE_ID and clocks moved together; the effect
 * checked is the monthly pace reminder (due on the 1st from 09:00, once per teacher per month).
 */
import { like } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import { FixedClock } from '../../src/clock.js';
import { loadPresets } from '../../src/policy/presets.js';
import { Scheduler } from '../../src/schedule/cron.js';
import { claimJobTicks, pruneJobTicks } from '../../src/schedule/store.js';
import { CLAIMED_JOBS, runSchedulerTick } from '../../src/schedule/tick.js';
import { bj, person, TZ } from '../helpers/deadlines.js';
import { closeConnection, onPostgres, testDatabase, type TestDatabase } from '../helpers/db.js';
import { addRecord } from '../helpers/seed.js';

const presets = loadPresets();
const ALL = [...CLAIMED_JOBS].sort();

let place: TestDatabase;
const open: Db[] = [];
let clock: FixedClock;

beforeEach(async () => {
  place = await testDatabase();
  clock = new FixedClock(bj('2026-11-01 08:59:30'));
});
afterEach(async () => {
  for (const db of open.splice(0)) await closeConnection(db).catch(() => undefined);
  await place.drop();
});

async function connect(): Promise<Db> {
  const db = await place.open();
  open.push(db);
  return db;
}

/** An instance's scheduler: its own connection, its own INSTANCE_ID, the shared (test-moved) clock for both business and transport time. */
function scheduler(db: Db, instance: string): Scheduler {
  // A generous time budget: a tick slowed by a loaded machine must not leave reminders for the next one here.
  return new Scheduler({ db, presets, timeZone: TZ, clock, transportClock: clock, instance, budgetMs: 60_000 });
}

/**
 * Both instances' ticks at once. On PostgreSQL they overlap for real (two pools). Two SQLite connections in one
 * process cannot: a writer waits synchronously (busy_timeout) for the other's transaction, which needs this same
 * event loop to finish, so there they run one after the other (a SQLite deployment is one process anyway).
 */
async function together<A, B>(first: () => Promise<A>, second: () => Promise<B>): Promise<[A, B]> {
  if (onPostgres()) return Promise.all([first(), second()]);
  const a = await first();
  return [a, await second()];
}

/** Two teachers behind pace, bound, so the 1 November pace reminder goes to both. */
async function seedBehind(db: Db): Promise<void> {
  for (const [no, name] of [['T1', '张三'], ['T2', '李四']] as const) {
    const id = await person(db, no, name, '鄂旗一中', { policyId: 'otog' });
    await addRecord(db, id, { key: `R-${no}`, date: '2026-03-01', hours: 20, category: '集中培训' });
  }
}

async function paceRows(db: Db): Promise<string[]> {
  const { outbox } = tables(db);
  const rows = await db.select({ key: outbox.idempotencyKey }).from(outbox).where(like(outbox.idempotencyKey, 'pace:%'));
  return rows.map((r) => r.key).sort();
}

async function owners(db: Db): Promise<{ tick: number; job: string; claimedBy: string }[]> {
  const { jobTicks } = tables(db);
  const rows = await db.select().from(jobTicks);
  return rows.map((r) => ({ tick: r.tick.getTime(), job: r.job, claimedBy: r.claimedBy })).sort((a, b) => a.tick - b.tick || a.job.localeCompare(b.job));
}

describe(`jobs once per tick across instances on ${onPostgres() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('two instances ticking together: every job runs on exactly one of them, each reminder is queued once', async () => {
    const [dbA, dbB] = [await connect(), await connect()];
    await seedBehind(dbA);
    const [a, b] = [scheduler(dbA, 'city-a-1'), scheduler(dbB, 'city-a-2')];

    clock.set(bj('2026-11-01 09:00:30'));
    const [ra, rb] = await together(() => a.tick(), () => b.tick());
    // Between them every claimed job ran once; neither ran one the other ran.
    expect([...ra.ran, ...rb.ran].sort()).toEqual(ALL);
    expect(ra.ran.filter((job) => rb.ran.includes(job))).toEqual([]);
    expect(ra.errors + rb.errors).toBe(0);
    expect(ra.pace + rb.pace).toBe(2);
    expect(await paceRows(dbB)).toHaveLength(2);
    const minute = bj('2026-11-01 09:00').getTime();
    const claims = await owners(dbA);
    expect(claims.map((c) => c.job).sort()).toEqual(ALL);
    expect(claims.every((c) => c.tick === minute)).toBe(true);
    for (const c of claims) expect(c.claimedBy).toBe(ra.ran.includes(c.job as never) ? 'city-a-1' : 'city-a-2');

    // Later in the same minute (a catch-up after a tick over budget): each job's owner may run it again, nobody else.
    clock.set(bj('2026-11-01 09:00:50'));
    const [again, other] = [await a.tick(), await b.tick()];
    expect(again.ran).toEqual(ra.ran);
    expect(other.ran).toEqual(rb.ran);

    // The next minute is claimed afresh; still one run per job, and the month's reminder is not queued again.
    clock.set(bj('2026-11-01 09:01:17'));
    const [na, nb] = await together(() => b.tick(), () => a.tick());
    expect([...na.ran, ...nb.ran].sort()).toEqual(ALL);
    expect(na.ran.filter((job) => nb.ran.includes(job))).toEqual([]);
    expect(await paceRows(dbA)).toHaveLength(2);
    expect(await paceRows(dbA)).toEqual(await paceRows(dbB));
    expect((await owners(dbB)).filter((c) => c.tick === minute + 60_000)).toHaveLength(ALL.length);
  });

  it('a leader killed after claiming its minute is replaced at the next minute by the instance still alive', async () => {
    const [dbA, dbB] = [await connect(), await connect()];
    await seedBehind(dbB);
    const a = scheduler(dbA, 'city-a-1');
    const b = scheduler(dbB, 'city-a-2');

    // 09:00: A claims the minute and dies before running anything (killed: its claims stay, its connection is gone).
    clock.set(bj('2026-11-01 09:00:17'));
    expect([...(await claimJobTicks(dbA, bj('2026-11-01 09:00'), CLAIMED_JOBS, 'city-a-1'))].sort()).toEqual(ALL);
    await a.stop();
    await closeConnection(dbA);
    open.splice(open.indexOf(dbA), 1);

    // B, in the same minute, finds every job held: nothing runs twice, nothing is sent.
    const held = await b.tick();
    expect(held.ran).toEqual([]);
    expect(await paceRows(dbB)).toEqual([]);

    // The next minute nobody holds: B claims it and the reminders A never sent go out, once.
    clock.set(bj('2026-11-01 09:01:17'));
    const taken = await b.tick();
    expect([...taken.ran].sort()).toEqual(ALL);
    expect(taken.pace).toBe(2);
    expect(await paceRows(dbB)).toHaveLength(2);
    expect((await owners(dbB)).filter((c) => c.claimedBy === 'city-a-2').map((c) => c.tick)).toEqual(ALL.map(() => bj('2026-11-01 09:01').getTime()));
  });

  it('a tick that cannot claim (database gone) runs nothing, counts the error and does not throw', async () => {
    const db = await connect();
    await closeConnection(db);
    open.splice(open.indexOf(db), 1);
    const report = await runSchedulerTick({ db, presets, timeZone: TZ, instance: 'city-a-1' }, bj('2026-11-01 09:00:30'));
    expect(report.ran).toEqual([]);
    expect(report.errors).toBe(1);
  });

  it('claims: the first instance gets the minute, the owner may claim again, others not; old minutes are pruned', async () => {
    const db = await connect();
    const m1 = bj('2026-11-01 09:00');
    const m2 = bj('2026-11-02 09:01');
    expect([...(await claimJobTicks(db, m1, ['deadlines', 'pace'], 'one'))].sort()).toEqual(['deadlines', 'pace']);
    expect([...(await claimJobTicks(db, m1, ['deadlines', 'pace', 'surveys'], 'two'))]).toEqual(['surveys']);
    expect([...(await claimJobTicks(db, m1, ['deadlines', 'surveys'], 'one'))]).toEqual(['deadlines']);
    expect([...(await claimJobTicks(db, m2, ['deadlines'], 'two'))]).toEqual(['deadlines']);
    expect((await owners(db)).map((c) => `${c.job}@${c.tick === m1.getTime() ? 'm1' : 'm2'}=${c.claimedBy}`)).toEqual([
      'deadlines@m1=one',
      'pace@m1=one',
      'surveys@m1=two',
      'deadlines@m2=two',
    ]);
    expect(await pruneJobTicks(db, new Date(m2.getTime() - 24 * 3600_000))).toBe(3);
    expect((await owners(db)).map((c) => c.job)).toEqual(['deadlines']);
  });

  it('the scheduler prunes claims older than a day as one of its claimed jobs', async () => {
    const db = await connect();
    await claimJobTicks(db, bj('2026-10-30 09:00'), ['pace'], 'gone');
    await claimJobTicks(db, bj('2026-10-31 10:00'), ['pace'], 'gone');
    clock.set(bj('2026-11-01 09:00:30'));
    const report = await scheduler(db, 'city-a-1').tick();
    expect(report.ran).toContain('jobTicks');
    const left = await owners(db);
    expect(left.filter((c) => c.claimedBy === 'gone').map((c) => c.tick)).toEqual([bj('2026-10-31 10:00').getTime()]);
    expect(left.filter((c) => c.claimedBy === 'city-a-1')).toHaveLength(ALL.length);
  });
});
