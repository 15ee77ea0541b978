/**
 * src/deadlines/store.ts on the run's database (issue 16): every exported function, on SQLite and, with
 * TEST_DATABASE_URL, on PostgreSQL. Due times are epoch ms on SQLite and timestamptz on PostgreSQL: the same
 * instant comes back, so a deadline due at 23:59 Beijing time is still due on its Beijing date.
 */
import { desc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import { dueDateOf } from '../../src/deadlines/slots.js';
import {
  activeDeadlines,
  cancelDeadline,
  createDeadline,
  deadlineBySourceKey,
  deleteFiling,
  fileDeadline,
  filingOf,
  filingSchools,
  filingStatus,
  filingsOf,
  findDeadline,
  getDeadline,
  includesSchool,
  insertDeadlineOnce,
  leadersBySchool,
  listSchools,
  officers,
  openDeadlinesFor,
  originExists,
  parseOffsets,
  parseSchoolAudience,
  reachableSchools,
  remindersOff,
  schoolsOf,
  schoolsUnderPolicy,
  setDeadlineAudience,
  timingOf,
  upsertRemindersOff,
} from '../../src/deadlines/store.js';
import { onPostgres, useTestDb } from '../helpers/db.js';
import { pendingKeys, seedOutbox, seedTeacher } from '../helpers/roster-seed.js';

const TZ = 'Asia/Shanghai';
const bj = (local: string) => new Date(`${local.replace(' ', 'T')}+08:00`);

async function auditActions(db: Db): Promise<string[]> {
  const { auditLog } = tables(db);
  return (await db.select({ action: auditLog.action }).from(auditLog).orderBy(desc(auditLog.id))).map((r) => r.action);
}

/** 教师发展中心 (officers only), 第一中学 and 第二中学 with a leader each; only 第一中学's leader is bound. */
async function roster(db: Db) {
  const officer = await seedTeacher(db, { employeeNo: 'O1', name: '钱主任', school: '教师发展中心', roles: ['officer'], account: 'feishu:ou_o1' });
  const lead1 = await seedTeacher(db, { employeeNo: 'L1', name: '李校长', school: '第一中学', roles: ['leader'], account: 'feishu:ou_l1' });
  const lead2 = await seedTeacher(db, { employeeNo: 'L2', name: '王校长', school: '第二中学', roles: ['leader'] });
  const teacher = await seedTeacher(db, { employeeNo: 'T1', school: '第二中学', policyId: 'national' });
  return { officer, lead1, lead2, teacher };
}

describe(`the deadlines store on ${onPostgres() ? 'PostgreSQL' : 'SQLite'}`, () => {
  const t = useTestDb();

  it('lists schools (every one, those that file, those under a policy) in the same order on both dialects', async () => {
    const db = t.db;
    expect(await listSchools(db)).toEqual([]);
    await roster(db);
    await seedTeacher(db, { employeeNo: 'Z1', school: 'Zeta 学校' });
    await seedTeacher(db, { employeeNo: 'a1', school: 'alpha 学校' });
    expect(await listSchools(db)).toEqual(['Zeta 学校', 'alpha 学校', '教师发展中心', '第一中学', '第二中学']);
    expect(await filingSchools(db)).toEqual(['Zeta 学校', 'alpha 学校', '第一中学', '第二中学']);
    expect(await schoolsUnderPolicy(db, 'national')).toEqual(['第二中学']);
    expect(await schoolsUnderPolicy(db, 'laibin')).toEqual(['Zeta 学校', 'alpha 学校', '教师发展中心', '第一中学', '第二中学']);
    expect(await schoolsUnderPolicy(db, 'none')).toEqual([]);
  });

  it('creates a deadline (audited), keeps its due instant and Beijing date, reads and cancels it once', async () => {
    const db = t.db;
    const dueAt = bj('2026-05-31 23:59');
    const row = await createDeadline(db, { title: '年度培训计划', dueAt, audience: { schools: ['第一中学'] }, offsets: [7, 30, 7, 1], createdBy: 'test' });
    expect(row).toMatchObject({ title: '年度培训计划', audience: '{"schools":["第一中学"]}', offsets: '[30,7,1]', overdueEveryDays: 3, escalate: true, sourceKey: null, cancelledAt: null });
    expect(row.dueAt.toISOString()).toBe('2026-05-31T15:59:00.000Z');
    expect(dueDateOf(row, TZ)).toBe('2026-05-31');
    expect(timingOf(row)).toEqual({ id: row.id, dueAt, offsets: [30, 7, 1], overdueEveryDays: 3 });
    expect(await getDeadline(db, row.id)).toEqual(row);
    expect(await getDeadline(db, 999_999)).toBeNull();
    expect(await auditActions(db)).toEqual(['deadline_create']);

    await seedOutbox(db, `reminder:${row.id}:第一中学:d7#t1`, `reminder:${row.id}:d7`);
    await seedOutbox(db, `reminder:${row.id + 10}:第一中学:d7#t1`, `reminder:${row.id + 10}:d7`);
    const at = new Date('2026-05-20T01:02:03.004Z');
    expect(await cancelDeadline(db, row.id, 'test', at)).toBe(true);
    expect(await cancelDeadline(db, row.id, 'test', new Date())).toBe(false);
    expect((await getDeadline(db, row.id))!.cancelledAt).toEqual(at);
    // Its queued reminders are withdrawn; another deadline's (id + 10 shares the digits) stay.
    expect(await pendingKeys(db)).toEqual([`reminder:${row.id + 10}:第一中学:d7#t1`]);
    expect(await auditActions(db)).toEqual(['deadline_cancel', 'deadline_create']);
  });

  it('lists active deadlines soonest first, leaving out cancelled ones and those past their last overdue round', async () => {
    const db = t.db;
    const now = bj('2026-05-01 09:00');
    const later = await createDeadline(db, { title: '下半年计划', dueAt: bj('2026-09-30 23:59'), audience: { all: true }, offsets: [7], createdBy: 'test' });
    const soon = await createDeadline(db, { title: '上半年总结', dueAt: bj('2026-05-10 17:00'), audience: { all: true }, offsets: [7], createdBy: 'test' });
    const overdue = await createDeadline(db, { title: '三月报表', dueAt: bj('2026-03-31 23:59'), audience: { all: true }, offsets: [7], createdBy: 'test' });
    await createDeadline(db, { title: '去年的', dueAt: bj('2025-01-31 23:59'), audience: { all: true }, offsets: [7], createdBy: 'test' });
    const cancelled = await createDeadline(db, { title: '取消的', dueAt: bj('2026-06-01 23:59'), audience: { all: true }, offsets: [7], createdBy: 'test' });
    await cancelDeadline(db, cancelled.id, 'test', now);
    expect((await activeDeadlines(db, now)).map((d) => d.id)).toEqual([overdue.id, soon.id, later.id]);
  });

  it('finds a deadline by id or a piece of its title, ignoring ASCII case on both dialects, within a scope', async () => {
    const db = t.db;
    const plan = await createDeadline(db, { title: 'XS 年度培训计划', dueAt: bj('2026-05-31 23:59'), audience: { all: true }, offsets: [7], createdBy: 'test' });
    const plan2 = await createDeadline(db, { title: '年度培训计划（补报）', dueAt: bj('2026-06-30 23:59'), audience: { schools: ['第二中学'] }, offsets: [7], createdBy: 'test' });
    const gone = await createDeadline(db, { title: '已取消的报表', dueAt: bj('2026-06-30 23:59'), audience: { all: true }, offsets: [7], createdBy: 'test' });
    await cancelDeadline(db, gone.id, 'test', bj('2026-05-01 09:00'));
    expect(await findDeadline(db, `#${plan.id}`)).toEqual({ kind: 'one', deadline: plan });
    expect(await findDeadline(db, String(plan2.id))).toMatchObject({ kind: 'one', deadline: { id: plan2.id } });
    expect(await findDeadline(db, 'xs')).toMatchObject({ kind: 'one', deadline: { id: plan.id } });
    const many = await findDeadline(db, '年度培训');
    expect(many.kind === 'many' && many.choices.map((d) => d.id)).toEqual([plan.id, plan2.id]);
    expect(await findDeadline(db, '年度培训', (d) => includesSchool(parseSchoolAudience(d.audience), '第一中学'))).toMatchObject({ kind: 'one', deadline: { id: plan.id } });
    expect(await findDeadline(db, '报表')).toEqual({ kind: 'none' });
    expect(await findDeadline(db, '  ')).toEqual({ kind: 'none' });
  });

  it('files once per school (audited, its queued reminders withdrawn), reads filings, and takes one back', async () => {
    const db = t.db;
    const { lead1 } = await roster(db);
    const d = await createDeadline(db, { title: '年度培训计划', dueAt: bj('2026-05-31 23:59'), audience: { all: true }, offsets: [7], createdBy: 'test' });
    await seedOutbox(db, `reminder:${d.id}:第一中学:d7#t${lead1.id}`, `reminder:${d.id}:d7`);
    await seedOutbox(db, `reminder:${d.id}:第二中学:d7#t9`, `reminder:${d.id}:d7`);
    const at = bj('2026-05-20 10:11');
    expect(await fileDeadline(db, d.id, '第一中学', lead1.id, at, 'feishu:ou_l1')).toEqual({ ok: true });
    expect(await fileDeadline(db, d.id, '第一中学', null, bj('2026-05-21 08:00'), 'cli')).toEqual({ ok: false, already: { school: '第一中学', filedAt: at, filedBy: lead1.id } });
    expect(await fileDeadline(db, d.id, '教师发展中心', null, at, 'cli')).toEqual({ ok: true });
    expect(await pendingKeys(db)).toEqual([`reminder:${d.id}:第二中学:d7#t9`]);
    expect(await auditActions(db)).toEqual(['deadline_filed', 'deadline_filed', 'deadline_create']);

    const filings = await filingsOf(db, d.id);
    expect([...filings.keys()].sort()).toEqual(['教师发展中心', '第一中学']);
    expect(filings.get('第一中学')).toEqual({ school: '第一中学', filedAt: at, filedBy: lead1.id });
    expect(filings.get('第一中学')!.filedAt).toBeInstanceOf(Date);
    expect(filings.get('教师发展中心')!.filedBy).toBeNull();
    expect(await filingOf(db, d.id, '第一中学')).toEqual({ deadlineId: d.id, school: '第一中学', filedAt: at, filedBy: lead1.id });
    expect(await filingOf(db, d.id, '第二中学')).toBeNull();

    // "All schools" is every school but the officers' own; a filing outside the audience is not listed.
    expect(await filingStatus(db, d)).toEqual([
      { school: '第一中学', filing: { school: '第一中学', filedAt: at, filedBy: lead1.id } },
      { school: '第二中学', filing: null },
    ]);
    expect(await filingStatus(db, d, ['第二中学'])).toEqual([{ school: '第二中学', filing: null }]);

    await deleteFiling(db, d.id, '第一中学');
    expect(await filingOf(db, d.id, '第一中学')).toBeNull();
    expect(await fileDeadline(db, d.id, '第一中学', lead1.id, at, 'feishu:ou_l1')).toEqual({ ok: true });
  });

  it('lists a school’s open deadlines: addressed to it, not filed, not cancelled', async () => {
    const db = t.db;
    const now = bj('2026-05-01 09:00');
    const all = await createDeadline(db, { title: '全部学校', dueAt: bj('2026-06-30 23:59'), audience: { all: true }, offsets: [7], createdBy: 'test' });
    const mine = await createDeadline(db, { title: '一中', dueAt: bj('2026-05-31 23:59'), audience: { schools: ['第一中学'] }, offsets: [7], createdBy: 'test' });
    const theirs = await createDeadline(db, { title: '二中', dueAt: bj('2026-05-15 23:59'), audience: { schools: ['第二中学'] }, offsets: [7], createdBy: 'test' });
    const filed = await createDeadline(db, { title: '已报', dueAt: bj('2026-05-20 23:59'), audience: { all: true }, offsets: [7], createdBy: 'test' });
    await fileDeadline(db, filed.id, '第一中学', null, now, 'cli');
    expect((await openDeadlinesFor(db, '第一中学', now)).map((d) => d.id)).toEqual([mine.id, all.id]);
    expect((await openDeadlinesFor(db, '第二中学', now)).map((d) => d.id)).toEqual([theirs.id, filed.id, all.id]);
  });

  it('reads leaders by school, officers, and which schools a reminder can reach', async () => {
    const db = t.db;
    const { officer, lead1, lead2 } = await roster(db);
    const second = await seedTeacher(db, { employeeNo: 'L3', name: '赵副校长', school: '第一中学', roles: ['leader'] });
    const leaders = await leadersBySchool(db);
    expect([...leaders.keys()].sort()).toEqual(['第一中学', '第二中学']);
    expect(leaders.get('第一中学')).toEqual([
      { teacherId: lead1.id, name: '李校长', school: '第一中学', employeeNo: 'L1' },
      { teacherId: second.id, name: '赵副校长', school: '第一中学', employeeNo: 'L3' },
    ]);
    expect(leaders.get('第二中学')!.map((l) => l.teacherId)).toEqual([lead2.id]);
    expect(await officers(db)).toEqual([{ teacherId: officer.id, name: '钱主任', school: '教师发展中心', employeeNo: 'O1' }]);
    expect([...(await reachableSchools(db, leaders))]).toEqual(['第一中学']);
  });

  it('knows a handled reminder slot by its origin', async () => {
    const db = t.db;
    expect(await originExists(db, 'reminder:1:d7')).toBe(false);
    await seedOutbox(db, 'reminder:1:第一中学:d7#t1', 'reminder:1:d7');
    expect(await originExists(db, 'reminder:1:d7')).toBe(true);
    expect(await originExists(db, 'reminder:1:d3')).toBe(false);
  });

  it('adds a preset deadline once per source key and widens its audience', async () => {
    const db = t.db;
    const values = {
      title: '年度培训计划',
      dueAt: bj('2026-03-28 23:59'),
      audience: '{"schools":["第一中学"]}',
      offsets: '[30,7,3,1,0]',
      overdueEveryDays: 3,
      escalate: true,
      sourceKey: 'preset:laibin:plan:2026',
      createdBy: 'preset',
    };
    expect(await insertDeadlineOnce(db, values)).toBe(1);
    expect(await insertDeadlineOnce(db, { ...values, title: '又一次' })).toBe(0);
    const row = (await deadlineBySourceKey(db, 'preset:laibin:plan:2026'))!;
    expect(row).toMatchObject({ title: '年度培训计划', escalate: true, cancelledAt: null });
    expect(row.dueAt).toEqual(values.dueAt);
    expect(await deadlineBySourceKey(db, 'preset:none')).toBeUndefined();
    await setDeadlineAudience(db, row.id, '{"schools":["第一中学","第二中学"]}');
    expect(schoolsOf(parseSchoolAudience((await getDeadline(db, row.id))!.audience), [])).toEqual(['第一中学', '第二中学']);
    expect(parseOffsets(row.offsets)).toEqual([30, 7, 3, 1, 0]);
  });

  it('keeps a teacher’s reminder preference as a boolean, upserted', async () => {
    const db = t.db;
    const { teacher } = await roster(db);
    expect(await remindersOff(db, teacher.id)).toBe(false);
    await upsertRemindersOff(db, teacher.id, true, bj('2026-05-01 09:00'));
    expect(await remindersOff(db, teacher.id)).toBe(true);
    await upsertRemindersOff(db, teacher.id, false, bj('2026-05-02 09:00'));
    expect(await remindersOff(db, teacher.id)).toBe(false);
    const { teacherPrefs } = tables(db);
    const [row] = await db.select().from(teacherPrefs).where(eq(teacherPrefs.teacherId, teacher.id));
    expect(row).toEqual({ teacherId: teacher.id, remindersOff: false, updatedAt: bj('2026-05-02 09:00') });
  });
});
