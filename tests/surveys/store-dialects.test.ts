/**
 * Every exported function of the surveys, broadcasts and certificates stores, on the dialect of this run (issue 16):
 * SQLite by default, PostgreSQL with TEST_DATABASE_URL. Fixtures go in through the query builder (tables(db)), so
 * nothing here is SQLite-only.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { dialectOf, tables } from '../../db/handle.js';
import * as broadcastsStore from '../../src/broadcasts/store.js';
import * as certificatesStore from '../../src/certificates/store.js';
import * as surveys from '../../src/surveys/store.js';
import { closeTestDb, onPostgres, openTestDb } from '../helpers/db.js';

let db: Db;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(() => closeTestDb(db));

const T0 = new Date('2026-11-25T02:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

async function teacher(employeeNo: string, school: string, o: { position?: string; homeroom?: boolean; policyId?: string } = {}): Promise<number> {
  const { teachers } = tables(db);
  const [row] = await db
    .insert(teachers)
    .values({ employeeNo, name: `教师${employeeNo}`, school, policyId: o.policyId ?? 'p1', position: o.position ?? '教师', homeroom: o.homeroom ?? false })
    .returning({ id: teachers.id });
  return row.id;
}

async function session(title: string, date: string, status: 'open' | 'closed' | 'cancelled' = 'closed'): Promise<number> {
  const { trainingSessions } = tables(db);
  const [row] = await db
    .insert(trainingSessions)
    .values({ title, category: '集中培训', hours: 2, date, checkinStart: T0, checkinEnd: at(60), mode: 'button', secret: 's', createdBy: 'cli:test', status, trainer: '李老师' })
    .returning({ id: trainingSessions.id });
  return row.id;
}

async function outboxRow(key: string, origin: string, status: 'pending' | 'sent' | 'failed', o: { lastError?: string; unknownOutcomes?: number } = {}): Promise<number> {
  const { outbox } = tables(db);
  const [row] = await db
    .insert(outbox)
    .values({ idempotencyKey: key, origin, platform: 'console', target: '{}', reply: '{"text":"x"}', nextAttemptAt: T0, status, lastError: o.lastError ?? null, unknownOutcomes: o.unknownOutcomes ?? 0 })
    .returning({ id: outbox.id });
  return row.id;
}

const round = (o: Partial<surveys.NewRound> = {}): surveys.NewRound => ({
  kind: 'evaluation',
  questionnaireId: null,
  questions: '[]',
  sessionId: null,
  audience: null,
  title: '评价',
  openedAt: T0,
  closesAt: at(7 * 24 * 60),
  remindAt: at(24 * 60),
  createdBy: 'cli:test',
  ...o,
});

describe(`the surveys store on ${onPostgres() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('runs on the dialect the run asked for', () => {
    expect(dialectOf(db)).toBe(onPostgres() ? 'postgres' : 'sqlite');
    expect(surveys.answersArePooled(db)).toBe(onPostgres());
  });

  it('keeps evaluation templates per category, the default seeded by the migration', async () => {
    const seeded = (await surveys.evaluationTemplate(db, null))!;
    expect(seeded.title).toBe('培训评价');
    expect(await surveys.evaluationTemplate(db, '集中培训')).toBeNull();
    const questions = [{ key: 'q', kind: 'rating' as const, prompt: '总体', required: true }];
    const made = await surveys.saveEvaluationTemplate(db, { category: '集中培训', title: '集中', questions, by: 'cli:a', now: T0 });
    const replaced = await surveys.saveEvaluationTemplate(db, { category: '集中培训', title: '集中2', questions, by: 'cli:b', now: at(1) });
    expect(replaced).toMatchObject({ id: made.id, title: '集中2', createdBy: 'cli:b', updatedAt: at(1), createdAt: T0 });
    expect(await surveys.getQuestionnaire(db, made.id)).toMatchObject({ title: '集中2', category: '集中培训', kind: 'evaluation' });
    expect(await surveys.getQuestionnaire(db, 999_999)).toBeNull();
    const other = await surveys.saveEvaluationTemplate(db, { category: null, title: '默认', questions, by: 'cli:a', now: T0 });
    expect(other.id).toBe(seeded.id);
  });

  it('finds rounds by id, session, kind and opening date; lists sessions still without one', async () => {
    const s1 = await session('一', '2026-11-24');
    const s2 = await session('二', '2026-11-25');
    await session('取消的', '2026-11-25', 'cancelled');
    await session('旧的', '2026-11-01');
    const r1 = await surveys.insertRound(db, round({ sessionId: s1, openedAt: at(0) }));
    const r2 = await surveys.insertRound(db, round({ kind: 'survey', title: '调研', audience: '{"all":true}', openedAt: at(10) }));
    expect(r1.openedAt).toEqual(at(0));
    expect(await surveys.getRound(db, r2.id)).toEqual(r2);
    expect(await surveys.getRound(db, 999_999)).toBeNull();
    expect((await surveys.roundOfSession(db, s1))?.id).toBe(r1.id);
    expect(await surveys.roundOfSession(db, s2)).toBeNull();
    expect((await surveys.listRounds(db)).map((r) => r.id)).toEqual([r2.id, r1.id]);
    expect((await surveys.listRounds(db, { kind: 'survey' })).map((r) => r.id)).toEqual([r2.id]);
    expect((await surveys.listRounds(db, { from: at(5) })).map((r) => r.id)).toEqual([r2.id]);
    expect((await surveys.listRounds(db, { to: at(5) })).map((r) => r.id)).toEqual([r1.id]);
    expect(await surveys.listRounds(db, { limit: 1 })).toHaveLength(1);
    expect((await surveys.sessionsWithoutRound(db, '2026-11-20')).map((s) => s.title)).toEqual(['二']);
    const [evaluation] = await surveys.evaluationRoundsWithSessions(db, '2026-11-24', '2026-11-24');
    expect(evaluation).toMatchObject({ round: { id: r1.id }, session: { id: s1, title: '一' } });
    expect(await surveys.evaluationRoundsWithSessions(db, '2026-11-25')).toEqual([]);
    expect(await surveys.evaluationRoundsWithSessions(db)).toHaveLength(1);
  });

  it('sends the one reminder and the one results notice once', async () => {
    const r = await surveys.insertRound(db, round());
    const closed = await surveys.insertRound(db, round({ closesAt: at(30), remindAt: null }));
    expect((await surveys.roundsDueReminder(db, at(24 * 60 - 1))).map((x) => x.id)).toEqual([]);
    expect((await surveys.roundsDueReminder(db, at(24 * 60))).map((x) => x.id)).toEqual([r.id]);
    expect(await surveys.markReminded(db, r.id, at(24 * 60))).toBe(true);
    expect(await surveys.markReminded(db, r.id, at(24 * 60))).toBe(false);
    expect(await surveys.roundsDueReminder(db, at(24 * 60 + 1))).toEqual([]);
    // Closed by then: due. Open, with nobody invited: not due.
    expect((await surveys.roundsDueResults(db, at(30))).map((x) => x.id)).toEqual([closed.id]);
    const t1 = await teacher('A1', '一中');
    await surveys.insertInvitations(db, r.id, [{ teacherId: t1, tokenHash: 'h1' }]);
    expect((await surveys.roundsDueResults(db, at(10))).map((x) => x.id)).toEqual([]);
    // Everyone answered, but the answer is not written yet (PostgreSQL's pool): not due until it is.
    await surveys.spendInvitation(db, r.id, t1, null);
    expect((await surveys.roundsDueResults(db, at(10))).map((x) => x.id)).toEqual([]);
    await surveys.insertAnswers(db, [{ id: 'a1', roundId: r.id, answeredOn: '2026-11-25', answers: '{}', school: null, role: null }]);
    expect((await surveys.roundsDueResults(db, at(10))).map((x) => x.id)).toEqual([r.id]);
    expect(await surveys.markResultsNotified(db, r.id, at(10))).toBe(true);
    expect(await surveys.markResultsNotified(db, r.id, at(11))).toBe(false);
    expect((await surveys.roundsDueResults(db, at(40))).map((x) => x.id)).toEqual([closed.id]);
  });

  it('invites once per teacher, spends an invitation once (with its token), and counts', async () => {
    const r = await surveys.insertRound(db, round());
    const ids = [await teacher('A1', '一中', { position: '教师' }), await teacher('A2', '一中', { position: '校长' }), await teacher('A3', '二小')];
    expect(await surveys.insertInvitations(db, r.id, ids.map((teacherId) => ({ teacherId, tokenHash: `h${teacherId}` })))).toBe(3);
    expect(await surveys.insertInvitations(db, r.id, [{ teacherId: ids[0], tokenHash: 'other' }])).toBe(0);
    expect(await surveys.invitationOf(db, r.id, ids[0])).toEqual({ roundId: r.id, teacherId: ids[0], tokenHash: `h${ids[0]}`, answered: false });
    expect(await surveys.invitationOf(db, r.id, 999_999)).toBeNull();
    expect(await surveys.spendInvitation(db, r.id, ids[0], 'wrong')).toBe(false);
    expect(await surveys.spendInvitation(db, r.id, ids[0], `h${ids[0]}`)).toBe(true);
    expect(await surveys.spendInvitation(db, r.id, ids[0], null)).toBe(false);
    expect(await surveys.spendInvitation(db, r.id, ids[1], null)).toBe(true);
    expect([...(await surveys.spentInvitations(db, r.id, ids))].sort()).toEqual([ids[0], ids[1]].sort());
    expect(await surveys.spentInvitations(db, r.id, [])).toEqual(new Set());
    expect(await surveys.invitationCounts(db, r.id)).toEqual({ invited: 3, answered: 2 });
    expect(await surveys.invitationCounts(db, 999_999)).toEqual({ invited: 0, answered: 0 });
    expect((await surveys.openInvitationsOf(db, ids[2], at(0))).map((x) => x.id)).toEqual([r.id]);
    expect(await surveys.openInvitationsOf(db, ids[0], at(0))).toEqual([]);
    expect(await surveys.openInvitationsOf(db, ids[2], at(8 * 24 * 60))).toEqual([]);
    const t4 = await teacher('A4', '二小');
    await surveys.insertInvitations(db, r.id, [{ teacherId: t4, tokenHash: 'h4' }]);
    const { teacherPrefs } = tables(db);
    await db.insert(teacherPrefs).values({ teacherId: t4, remindersOff: true });
    await db.insert(teacherPrefs).values({ teacherId: ids[2], remindersOff: false });
    expect(await surveys.unansweredToRemind(db, r.id)).toEqual([ids[2]]);
    expect(await surveys.invitedBySchoolAndRole(db, r.id, 'school')).toEqual(new Map([['一中', 2], ['二小', 2]]));
    expect(await surveys.invitedBySchoolAndRole(db, r.id, 'role')).toEqual(new Map([['教师', 3], ['校长', 1]]));
  });

  it('stores answers without a respondent and reads them back by round', async () => {
    const r = await surveys.insertRound(db, round({ kind: 'survey' }));
    const other = await surveys.insertRound(db, round());
    const rows = Array.from({ length: 12 }, (_, i) => ({ id: `id${String(i).padStart(2, '0')}`, roundId: r.id, answeredOn: '2026-11-25', answers: `{"q":${i}}`, school: '一中', role: null }));
    await surveys.insertAnswers(db, rows);
    await surveys.insertAnswers(db, [{ id: 'x', roundId: other.id, answeredOn: '2026-11-25', answers: '{}', school: null, role: null }]);
    expect(await surveys.answerCount(db, r.id)).toBe(12);
    expect(await surveys.answerCount(db, 999_999)).toBe(0);
    const back = await surveys.answersOf(db, r.id);
    expect(back.map((a) => a.id).sort()).toEqual(rows.map((a) => a.id));
    expect(back.find((a) => a.id === 'id03')).toEqual(rows[3]);
  });

  it('reports a round’s invitation delivery from the outbox, and lists the officers', async () => {
    await outboxRow('k1', 'survey:1:invite', 'pending');
    await outboxRow('k2', 'survey:1:invite', 'sent');
    await outboxRow('k3', 'survey:1:invite', 'sent');
    await outboxRow('k4', 'survey:1:invite', 'failed');
    await outboxRow('k5', 'survey:2:invite', 'sent');
    expect(await surveys.invitationDelivery(db, 'survey:1:invite')).toEqual({ pending: 1, sent: 2, failed: 1 });
    expect(await surveys.invitationDelivery(db, 'nothing')).toEqual({ pending: 0, sent: 0, failed: 0 });
    const [a, b, c] = [await teacher('O1', '中心'), await teacher('O2', '中心'), await teacher('L1', '一中')];
    const { roles } = tables(db);
    await db.insert(roles).values([
      { teacherId: b, role: 'officer', grantedBy: 't' },
      { teacherId: a, role: 'officer', grantedBy: 't' },
      { teacherId: c, role: 'leader', grantedBy: 't' },
    ]);
    expect(await surveys.officerTeacherIds(db)).toEqual([a, b]);
  });
});

describe(`the broadcasts store on ${onPostgres() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('keeps broadcasts and moves them from preview to sending or cancelled', async () => {
    const values = { text: '通知', audience: '{"all":true}', createdBy: 'teacher:1', createdAt: T0 };
    const b1 = await broadcastsStore.insertBroadcast(db, values);
    const b2 = await broadcastsStore.insertBroadcast(db, { ...values, createdBy: 'teacher:2', createdAt: at(5) });
    expect(b1).toMatchObject({ status: 'preview', recipientCount: 0, confirmedAt: null, createdAt: T0 });
    expect(await broadcastsStore.getBroadcast(db, b1.id)).toEqual(b1);
    expect(await broadcastsStore.getBroadcast(db, 999_999)).toBeNull();
    expect((await broadcastsStore.recentBroadcasts(db, 10)).map((b) => b.id)).toEqual([b2.id, b1.id]);
    expect(await broadcastsStore.recentBroadcasts(db, 1)).toHaveLength(1);
    expect(await broadcastsStore.latestBroadcastBy(db, 'teacher:1')).toBe(b1.id);
    expect(await broadcastsStore.latestBroadcastBy(db, 'teacher:1', at(-1))).toBe(b1.id);
    expect(await broadcastsStore.latestBroadcastBy(db, 'teacher:1', at(1))).toBeNull();
    expect(await broadcastsStore.latestBroadcastBy(db, 'teacher:9')).toBeNull();
    await broadcastsStore.markSending(db, b1.id, at(2), 40);
    await broadcastsStore.markSending(db, b1.id, at(3), 99); // only from preview
    expect(await broadcastsStore.getBroadcast(db, b1.id)).toMatchObject({ status: 'sending', confirmedAt: at(2), recipientCount: 40 });
    expect(await broadcastsStore.latestBroadcastBy(db, 'teacher:1', at(-1))).toBeNull();
    await broadcastsStore.markCancelled(db, b2.id);
    expect((await broadcastsStore.getBroadcast(db, b2.id))?.status).toBe('cancelled');
    expect((await broadcastsStore.sendingSince(db, at(1))).map((b) => b.id)).toEqual([b1.id]);
    expect(await broadcastsStore.sendingSince(db, at(2))).toEqual([]);
  });

  it('records recipients once and reads their outcomes, failures and may-be-duplicates from the outbox', async () => {
    const b = await broadcastsStore.insertBroadcast(db, { text: '通知', audience: '{}', createdBy: 'teacher:1', createdAt: T0 });
    const ids = [await teacher('B1', '一中'), await teacher('B2', '一中'), await teacher('B3', '一中'), await teacher('B4', '一中'), await teacher('B5', '一中')];
    const origin = `broadcast:${b.id}`;
    const o1 = await outboxRow(`${origin}:1`, origin, 'sent', { unknownOutcomes: 1 });
    const o2 = await outboxRow(`${origin}:2`, origin, 'failed', { lastError: '无效用户' });
    const o3 = await outboxRow(`${origin}:3`, origin, 'failed', { lastError: '无效用户', unknownOutcomes: 2 });
    const o4 = await outboxRow(`${origin}:4`, origin, 'pending');
    expect(await broadcastsStore.outboxIdsByKey(db, origin)).toEqual(new Map([[`${origin}:1`, o1], [`${origin}:2`, o2], [`${origin}:3`, o3], [`${origin}:4`, o4]]));
    const outboxOf = new Map([[ids[0], o1], [ids[1], o2], [ids[2], o3], [ids[3], o4]]);
    await broadcastsStore.addRecipients(db, b.id, ids, (id) => outboxOf.get(id) ?? null);
    await broadcastsStore.addRecipients(db, b.id, ids, () => null); // a repeat is ignored
    const outcomes = await broadcastsStore.recipientOutcomes(db, b.id);
    const key = (o: { status: string | null; reason: string | null }) => `${o.status}/${o.reason}`;
    expect(Object.fromEntries(outcomes.map((o) => [key(o), { n: o.n, dup: o.dup }]))).toEqual({
      'sent/null': { n: 1, dup: 1 },
      'failed/无效用户': { n: 2, dup: 1 },
      'pending/null': { n: 1, dup: 0 },
      'null/null': { n: 1, dup: 0 },
    });
    expect(await broadcastsStore.pendingCount(db, origin)).toBe(1);
    expect(await broadcastsStore.pendingCount(db, 'none')).toBe(0);
    expect(await broadcastsStore.hasOutboxKey(db, `${origin}:2`)).toBe(true);
    expect(await broadcastsStore.hasOutboxKey(db, 'none')).toBe(false);
  });

  it('reads the roster for audiences, and the leaders', async () => {
    const a = await teacher('R1', '一中', { homeroom: true });
    const b = await teacher('R2', '二小', { position: '校长' });
    const { roles } = tables(db);
    await db.insert(roles).values({ teacherId: b, role: 'leader', grantedBy: 't' });
    expect(await broadcastsStore.rosterForAudience(db)).toEqual([
      { id: a, school: '一中', homeroom: true, position: '教师' },
      { id: b, school: '二小', homeroom: false, position: '校长' },
    ]);
    expect(await broadcastsStore.leaderIds(db)).toEqual(new Set([b]));
  });
});

describe(`the certificates store on ${onPostgres() ? 'PostgreSQL' : 'SQLite'}`, () => {
  const cert = (serial: string, teacherId: number, issuedAt: Date, employeeNo = 'C1') => ({
    serial,
    teacherId,
    year: null,
    asOf: '2026-11-25',
    cycleStart: '2024-01-01',
    cycleEnd: '2028-12-31',
    required: 360,
    earned: 12.5,
    remaining: 347.5,
    yearEarned: null,
    name: '张三',
    employeeNo,
    school: '一中',
    figuresHash: 'f',
    issuedAt,
    issuedBy: 'cli',
  });

  it('records, finds, revokes once and pages certificates', async () => {
    const t1 = await teacher('C1', '一中');
    const t2 = await teacher('C2', '一中');
    await certificatesStore.insertCertificate(db, cert('AAAA0001', t1, at(0)));
    await certificatesStore.insertCertificate(db, cert('AAAA0002', t1, at(1)));
    await certificatesStore.insertCertificate(db, cert('BBBB0001', t2, at(2), 'C2'));
    expect(await certificatesStore.findCertificate(db, 'AAAA0001')).toMatchObject({ teacherId: t1, earned: 12.5, issuedAt: at(0), revokedAt: null });
    expect(await certificatesStore.findCertificate(db, 'NONE')).toBeNull();
    expect(await certificatesStore.revokeCertificate(db, 'AAAA0001', 'admin:O1', '有误', at(5))).toBe(true);
    expect(await certificatesStore.revokeCertificate(db, 'AAAA0001', 'admin:O1', '再次', at(6))).toBe(false);
    expect(await certificatesStore.revokeCertificate(db, 'NONE', 'admin:O1', '无', at(6))).toBe(false);
    expect(await certificatesStore.findCertificate(db, 'AAAA0001')).toMatchObject({ revokedAt: at(5), revokedBy: 'admin:O1', revokeReason: '有误' });
    const all = await certificatesStore.listCertificates(db, null, 1, 2);
    expect(all).toMatchObject({ total: 3, page: 1, pages: 2 });
    expect(all.rows.map((r) => r.serial)).toEqual(['BBBB0001', 'AAAA0002']);
    expect((await certificatesStore.listCertificates(db, null, 9, 2)).rows.map((r) => r.serial)).toEqual(['AAAA0001']);
    expect((await certificatesStore.listCertificates(db, { employeeNo: 'C2' }, 1, 10)).rows.map((r) => r.serial)).toEqual(['BBBB0001']);
    expect((await certificatesStore.listCertificates(db, { employeeNo: 'X', serial: 'AAAA0002' }, 1, 10)).total).toBe(1);
    expect(await certificatesStore.listCertificates(db, { employeeNo: 'nobody' }, 1, 10)).toMatchObject({ total: 0, pages: 1, rows: [] });
  });

  it('reads what a certificate and a batch are made of: records, teachers, policies, years and categories', async () => {
    const a = await teacher('D1', '一中', { policyId: 'p1' });
    const b = await teacher('D2', '一中', { policyId: 'p2' });
    await teacher('D3', '二小', { policyId: 'p3' });
    const { records } = tables(db);
    await db.insert(records).values([
      { recordKey: 'r1', teacherId: a, date: '2025-03-01', hours: 4, category: '集中培训', project: '国培', source: 'import' },
      { recordKey: 'r2', teacherId: a, date: '2026-01-10', hours: 2.5, category: '校本研修', source: 'signin' },
      { recordKey: 'r3', teacherId: a, date: '2026-01-05', hours: 1, category: '集中培训' },
      { recordKey: 'r4', teacherId: a, date: '2026-02-01', hours: 9, category: '网络研修', cancelledAt: T0 },
      { recordKey: 'r5', teacherId: b, date: '2027-01-01', hours: 3, category: '网络研修' },
    ]);
    expect(await certificatesStore.recordsBetween(db, a, '2026-01-01', '2026-12-31')).toEqual([
      { date: '2026-01-05', project: '', hours: 1, category: '集中培训', source: 'import' },
      { date: '2026-01-10', project: '', hours: 2.5, category: '校本研修', source: 'signin' },
    ]);
    expect(await certificatesStore.teacherCount(db, ['一中', '二小'])).toBe(3);
    expect(await certificatesStore.teacherCount(db, ['没有'])).toBe(0);
    expect((await certificatesStore.policiesOf(db, ['一中'])).sort()).toEqual(['p1', 'p2']);
    expect(await certificatesStore.policiesOf(db, [])).toEqual([]);
    const seen: number[] = [];
    for await (const t of certificatesStore.teachersOf(db, '一中')) seen.push(t.id);
    expect(seen).toEqual([a, b]);
    expect(await certificatesStore.yearCategories(db, '一中', '2026-12-31')).toEqual([
      { year: '2025', category: '集中培训' },
      { year: '2026', category: '集中培训' },
      { year: '2026', category: '校本研修' },
    ]);
  });

  it('pages a school of more than one page of teachers', async () => {
    const { teachers } = tables(db);
    await db.insert(teachers).values(Array.from({ length: 450 }, (_, i) => ({ employeeNo: `P${i}`, name: `教师${i}`, school: '大校', policyId: 'p1' })));
    let n = 0;
    for await (const t of certificatesStore.teachersOf(db, '大校')) if (t.school === '大校') n++;
    expect(n).toBe(450);
  });
});
