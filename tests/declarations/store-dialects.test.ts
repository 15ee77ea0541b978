/**
 * Every function of the declaration stores (src/declarations/store.ts, src/declarations/evidence/store.ts) on the
 * database this run uses: SQLite by default, PostgreSQL with TEST_DATABASE_URL (run the file both ways). What
 * differs between the dialects is what these check: timestamps coming back as Dates, counts and sums as numbers,
 * conflicts ignored, rows changed counted, and the evidence claim that two instances never share.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { dialectOf, tables } from '../../db/handle.js';
import { transaction } from '../../db/statements.js';
import * as core from '../../src/declarations/store.js';
import * as evidence from '../../src/declarations/evidence/store.js';
import { closeConnection, closeTestDb, onPostgres, openTestDb, testDatabaseOf } from '../helpers/db.js';

const T0 = new Date('2026-03-02T01:00:00.123Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

let db: Db;
let ids: { teacher: number; colleague: number; leader: number; officer: number; otherLeader: number };

async function seed(d: Db) {
  const { teachers, roles } = tables(d);
  const person = async (employeeNo: string, name: string, school: string) =>
    (await d.insert(teachers).values({ employeeNo, name, school, policyId: 'default' }).returning({ id: teachers.id }))[0]!.id;
  const teacher = await person('T1', '张老师', '一小');
  const colleague = await person('T2', '李老师', '一小');
  const leader = await person('L1', '王校长', '一小');
  const otherLeader = await person('L2', '赵校长', '二小');
  const officer = await person('O1', '陈科长', '教育局');
  await d.insert(roles).values([
    { teacherId: leader, role: 'leader', grantedBy: 'test' },
    { teacherId: otherLeader, role: 'leader', grantedBy: 'test' },
    { teacherId: officer, role: 'officer', grantedBy: 'test' },
  ]);
  return { teacher, colleague, leader, officer, otherLeader };
}

const base = { project: '信息技术培训', projectKey: '信息技术培训', organiser: '县教师发展中心', category: '集中培训', state: 'pending' as const };

async function declare(over: Partial<core.DeclarationInsert> = {}): Promise<core.DeclarationRow> {
  const row = await core.insertDeclaration(db, {
    ...base,
    teacherId: ids.teacher,
    startDate: '2026-02-01',
    endDate: '2026-02-03',
    hours: 12,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  });
  expect(row).not.toBeNull();
  return row!;
}

async function pendingEvidence(n: number, over: Partial<evidence.EvidenceInsert> = {}): Promise<evidence.EvidenceRow[]> {
  const keys = Array.from({ length: n }, (_, i) => `k${i}`);
  await evidence.insertPending(
    db,
    keys.map((platformKey) => ({
      teacherId: ids.teacher,
      platform: 'feishu',
      messageId: 'om_1',
      accountId: 'ou_1',
      platformKey,
      kind: 'image' as const,
      nextAttemptAt: new Date(0),
      createdAt: T0,
      ...over,
    })),
  );
  return evidence.evidenceOfMessage(db, over.platform ?? 'feishu', over.messageId ?? 'om_1', keys);
}

beforeEach(async () => {
  db = await openTestDb();
  ids = await seed(db);
});
afterEach(() => closeTestDb(db));

describe(`declaration store on ${onPostgres() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('runs on the dialect this run asked for', () => {
    expect(dialectOf(db)).toBe(onPostgres() ? 'postgres' : 'sqlite');
  });

  it('inserts, finds, updates; an exact repeat loses the insert and is found', async () => {
    const d = await declare({ certificateNo: 'ZS-1' });
    expect(d).toMatchObject({ teacherId: ids.teacher, hours: 12, state: 'pending', createdAt: T0 });
    expect(d.createdAt).toBeInstanceOf(Date);
    expect(await core.findDeclaration(db, d.id)).toEqual(d);
    expect(await core.findDeclaration(db, d.id + 1000)).toBeNull();

    const same = { teacherId: ids.teacher, projectKey: base.projectKey, startDate: '2026-02-01', endDate: '2026-02-03', hours: 12 };
    expect(await core.insertDeclaration(db, { ...base, ...same, createdAt: T0, updatedAt: T0 })).toBeNull();
    expect((await core.findExactRepeat(db, same, null))?.id).toBe(d.id);
    expect(await core.findExactRepeat(db, same, d.id)).toBeNull();
    expect(await core.findExactRepeat(db, { ...same, hours: 12.5 }, null)).toBeNull();

    const updated = await core.updateDeclaration(db, d.id, { state: 'withdrawn', decidedAt: at(5), updatedAt: at(5) });
    expect(updated).toMatchObject({ id: d.id, state: 'withdrawn', decidedAt: at(5) });
    // Withdrawn no longer counts as a repeat, and the partial unique index lets the same one in again.
    expect(await core.findExactRepeat(db, same, null)).toBeNull();
    expect(await core.insertDeclaration(db, { ...base, ...same, createdAt: T0, updatedAt: T0 })).not.toBeNull();
  });

  it('records steps in order and counts them as a number', async () => {
    const d = await declare();
    expect(await core.stepCount(db, d.id)).toBe(0);
    const first = await core.insertStep(db, { declarationId: d.id, step: 'school', action: 'submit', actor: 'feishu:ou_1', actorTeacherId: ids.teacher, at: at(1) });
    await core.insertStep(db, { declarationId: d.id, step: 'school', action: 'forward', actor: 'feishu:ou_2', actorTeacherId: ids.leader, toTeacherId: ids.otherLeader, at: at(2) });
    expect(first).toMatchObject({ declarationId: d.id, action: 'submit', at: at(1), reason: null });
    const steps = await core.stepsOf(db, d.id);
    expect(steps.map((s) => s.action)).toEqual(['submit', 'forward']);
    expect(steps[1]!.at).toEqual(at(2));
    const n = await core.stepCount(db, d.id);
    expect(n).toBe(2);
    expect(typeof n).toBe('number');
  });

  it('sets assignees (repeats once), lists them, and tells who took part', async () => {
    const d = await declare();
    await core.setAssignees(db, d.id, [ids.officer, ids.leader, ids.leader]);
    expect((await core.assigneesOf(db, d.id)).map((t) => t.id)).toEqual([ids.leader, ids.officer]);
    expect(await core.isAssignee(db, d.id, ids.leader)).toBe(true);
    expect(await core.isAssignee(db, d.id, ids.colleague)).toBe(false);
    await core.setAssignees(db, d.id, []);
    expect(await core.assigneesOf(db, d.id)).toEqual([]);
    expect(await core.hasTakenPart(db, d.id, ids.leader)).toBe(false);

    await core.setAssignees(db, d.id, [ids.officer]);
    expect(await core.hasTakenPart(db, d.id, ids.officer)).toBe(true);
    await core.insertStep(db, { declarationId: d.id, step: 'school', action: 'forward', actor: 'x', actorTeacherId: ids.leader, toTeacherId: ids.otherLeader, at: at(1) });
    expect(await core.hasTakenPart(db, d.id, ids.leader)).toBe(true);
    expect(await core.hasTakenPart(db, d.id, ids.otherLeader)).toBe(true);
    expect(await core.hasTakenPart(db, d.id, ids.colleague)).toBe(false);
  });

  it('finds leaders of a school, officers, and roles', async () => {
    expect((await core.leadersOfSchool(db, '一小')).map((t) => t.employeeNo)).toEqual(['L1']);
    expect((await core.leadersOfSchool(db, '三小'))).toEqual([]);
    const officers = await core.officerTeachers(db);
    expect(officers.map((t) => t.employeeNo)).toEqual(['O1']);
    expect(officers[0]!.createdAt).toBeInstanceOf(Date);
    expect(await core.hasRole(db, ids.officer, 'officer')).toBe(true);
    expect(await core.hasRole(db, ids.officer, 'leader')).toBe(false);
    expect(await core.hasRole(db, ids.leader, 'leader')).toBe(true);
  });

  it('adds each flag once, lists them, and clears only the field flags', async () => {
    const a = await declare();
    const b = await declare({ startDate: '2026-02-02', endDate: '2026-02-04' });
    expect(await core.insertFlag(db, { declarationId: b.id, kind: 'overlap_declaration', otherDeclarationId: a.id })).toBe(true);
    expect(await core.insertFlag(db, { declarationId: b.id, kind: 'overlap_declaration', otherDeclarationId: a.id })).toBe(false);
    expect(await core.insertFlag(db, { declarationId: b.id, kind: 'evidence_hash', otherDeclarationId: a.id, detail: 'ab'.repeat(32) })).toBe(true);
    const flags = await core.flagsOf(db, b.id);
    expect(flags.map((f) => [f.kind, f.otherKey])).toEqual([
      ['overlap_declaration', `d:${a.id}`],
      ['evidence_hash', `d:${a.id}`],
    ]);
    await core.clearFieldFlags(db, b.id);
    expect((await core.flagsOf(db, b.id)).map((f) => f.kind)).toEqual(['evidence_hash']);
  });

  it('finds the same certificate, overlapping declarations and records, live ones only', async () => {
    const a = await declare({ certificateNo: 'ZS-9' });
    const b = await declare({ teacherId: ids.colleague, certificateNo: 'ZS-9' });
    const gone = await declare({ startDate: '2026-01-01', endDate: '2026-02-01', certificateNo: 'ZS-9', state: 'withdrawn' });
    expect((await core.declarationsWithCertificate(db, 'ZS-9', b.id)).map((d) => d.id)).toEqual([a.id]);
    expect(await core.declarationsWithCertificate(db, 'ZS-0', b.id)).toEqual([]);

    const c = await declare({ startDate: '2026-02-03', endDate: '2026-02-05' });
    const window = { teacherId: ids.teacher, projectKey: base.projectKey, startDate: '2026-02-03', endDate: '2026-02-05' };
    expect((await core.overlappingDeclarations(db, window, c.id)).map((d) => d.id)).toEqual([a.id]);
    expect(gone.state).toBe('withdrawn');

    const { records } = tables(db);
    await db.insert(records).values([
      { recordKey: 'r1', teacherId: ids.teacher, date: '2026-02-02', hours: 3, category: '集中培训', project: 'x' },
      { recordKey: 'r2', teacherId: ids.teacher, date: '2026-02-09', hours: 3, category: '集中培训', project: 'x' },
      { recordKey: 'r3', teacherId: ids.teacher, date: '2026-02-03', hours: 3, category: '集中培训', project: 'x', cancelledAt: at(1) },
    ]);
    const within = await core.recordsWithin(db, ids.teacher, '2026-02-01', '2026-02-05');
    expect(within.map((r) => r.recordKey)).toEqual(['r1']);
    expect(await core.findRecord(db, within[0]!.id)).toEqual(within[0]);
    expect(await core.findRecord(db, 99_999)).toBeNull();
  });

  it('sums declared hours as a number, pending and approved only, revoked left out', async () => {
    expect(await core.declaredHoursWithin(db, ids.teacher, '集中培训', '2026-01-01', '2026-12-31', null)).toBe(0);
    const a = await declare({ hours: 12.5 });
    const b = await declare({ startDate: '2026-03-01', endDate: '2026-03-01', hours: 4, state: 'approved' });
    await declare({ startDate: '2026-04-01', endDate: '2026-04-01', hours: 100, state: 'returned' });
    await declare({ startDate: '2026-05-01', endDate: '2026-05-01', hours: 50, state: 'approved', recordRevokedAt: at(1) });
    await declare({ startDate: '2025-05-01', endDate: '2025-05-01', hours: 7 });
    const sum = await core.declaredHoursWithin(db, ids.teacher, '集中培训', '2026-01-01', '2026-12-31', null);
    expect(sum).toBe(16.5);
    expect(typeof sum).toBe('number');
    expect(await core.declaredHoursWithin(db, ids.teacher, '集中培训', '2026-01-01', '2026-12-31', a.id)).toBe(4);
    expect(await core.declaredHoursWithin(db, ids.teacher, '校本研修', '2026-01-01', '2026-12-31', b.id)).toBe(0);
  });

  it('writes the record of a final approval once, found by its record', async () => {
    const d = await declare();
    const record = await core.insertDeclarationRecord(db, d);
    expect(record).toMatchObject({ recordKey: `declaration:${d.id}`, teacherId: ids.teacher, hours: 12, source: 'declaration', cancelledAt: null });
    expect(record!.createdAt).toBeInstanceOf(Date);
    expect(await core.insertDeclarationRecord(db, d)).toBeNull();
    await core.updateDeclaration(db, d.id, { recordId: record!.id, state: 'approved' });
    expect((await core.findDeclarationByRecord(db, record!.id))?.id).toBe(d.id);
    expect(await core.findDeclarationByRecord(db, record!.id + 1)).toBeNull();
  });

  it('lists declarations by every filter, newest or oldest first, limited', async () => {
    const a = await declare();
    const b = await declare({ teacherId: ids.colleague, category: '校本研修', state: 'returned' });
    const c = await declare({ teacherId: ids.otherLeader, startDate: '2026-02-10', endDate: '2026-02-10' });
    await core.setAssignees(db, a.id, [ids.leader]);
    await core.insertFlag(db, { declarationId: c.id, kind: 'certificate_no', otherDeclarationId: a.id, detail: 'ZS' });
    const idsOf = (rows: { declaration: core.DeclarationRow }[]) => rows.map((r) => r.declaration.id);
    expect(idsOf(await core.listDeclarationRows(db))).toEqual([c.id, b.id, a.id]);
    expect(idsOf(await core.listDeclarationRows(db, { oldestFirst: true, limit: 2 }))).toEqual([a.id, b.id]);
    expect(idsOf(await core.listDeclarationRows(db, { state: 'pending' }))).toEqual([c.id, a.id]);
    expect(idsOf(await core.listDeclarationRows(db, { school: '二小' }))).toEqual([c.id]);
    expect(idsOf(await core.listDeclarationRows(db, { teacherId: ids.colleague }))).toEqual([b.id]);
    expect(idsOf(await core.listDeclarationRows(db, { category: '校本研修' }))).toEqual([b.id]);
    expect(idsOf(await core.listDeclarationRows(db, { flagged: true }))).toEqual([c.id]);
    expect(idsOf(await core.listDeclarationRows(db, { assigneeId: ids.leader }))).toEqual([a.id]);
    const [row] = await core.listDeclarationRows(db, { teacherId: ids.teacher });
    expect(row!.teacher.employeeNo).toBe('T1');
    expect(row!.declaration.updatedAt).toEqual(T0);
  });

  it('attaches the teacher’s own evidence, reads it and its hashes, and finds the same hash elsewhere', async () => {
    const a = await declare();
    const b = await declare({ startDate: '2026-03-01', endDate: '2026-03-01' });
    const [e1, e2, e3] = await pendingEvidence(3);
    const strangers = await pendingEvidence(1, { teacherId: ids.colleague, messageId: 'om_2' });
    expect(await core.attachEvidence(db, a.id, ids.teacher, [])).toBe(0);
    expect(await core.attachEvidence(db, a.id, ids.teacher, [e1!.id, e2!.id, e2!.id, strangers[0]!.id])).toBe(2);
    expect(await core.attachEvidence(db, b.id, ids.teacher, [e1!.id, e3!.id])).toBe(1);
    expect((await core.evidenceOf(db, a.id)).map((e) => e.id)).toEqual([e1!.id, e2!.id]);
    expect(await core.evidenceHashesOf(db, a.id)).toEqual([]);

    const hash = 'f'.repeat(64);
    await evidence.markStored(db, e2!.id, { sha256: hash, size: 10, mime: 'image/png' }, at(1));
    await evidence.markStored(db, e3!.id, { sha256: hash, size: 10, mime: 'image/png' }, at(1));
    expect(await core.evidenceHashesOf(db, a.id)).toEqual([hash]);
    expect(await core.declarationsWithEvidenceHash(db, [hash, hash], b.id)).toEqual([{ declarationId: a.id, sha256: hash }]);
    expect(await core.declarationsWithEvidenceHash(db, [], b.id)).toEqual([]);
    await core.updateDeclaration(db, a.id, { state: 'withdrawn' });
    expect(await core.declarationsWithEvidenceHash(db, [hash], b.id)).toEqual([]);
  });
});

describe(`evidence store on ${onPostgres() ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('inserts pending rows once and reads them back in the order asked', async () => {
    const rows = await pendingEvidence(3);
    expect(rows.map((r) => r.platformKey)).toEqual(['k0', 'k1', 'k2']);
    expect(rows[0]).toMatchObject({ status: 'pending', attempts: 0, claimedUntil: null, nextAttemptAt: new Date(0), createdAt: T0 });
    const again = await pendingEvidence(3, { fileName: 'changed.png' });
    expect(again).toEqual(rows);
    expect(await evidence.evidenceOfMessage(db, 'feishu', 'om_1', ['k2', 'k0', 'nope'])).toEqual([rows[2], rows[0]]);
    expect(await evidence.evidenceOfMessage(db, 'feishu', 'om_1', [])).toEqual([]);
    await evidence.insertPending(db, []);
    expect(await evidence.findEvidence(db, rows[1]!.id)).toEqual(rows[1]);
    expect(await evidence.findEvidence(db, 99_999)).toBeNull();
    const d = await declare();
    await core.attachEvidence(db, d.id, ids.teacher, [rows[2]!.id, rows[0]!.id]);
    expect((await evidence.evidenceOfDeclaration(db, d.id)).map((r) => r.id)).toEqual([rows[0]!.id, rows[2]!.id]);
  });

  it('claims due rows under a lease, once each, oldest due first, only of the platforms asked', async () => {
    const rows = await pendingEvidence(3);
    await pendingEvidence(1, { platform: 'dingtalk', messageId: 'm_dt' });
    await evidence.markRetry(db, rows[0]!.id, 'timeout', at(10));
    expect(await evidence.claimDue(db, [], at(0), at(2), 5)).toEqual([]);

    const first = await evidence.claimDue(db, ['feishu'], at(0), at(2), 5);
    expect(first.map((r) => r.id)).toEqual([rows[1]!.id, rows[2]!.id]);
    expect(first[0]).toMatchObject({ attempts: 1, claimedUntil: at(2) });
    // Leased: nobody takes them again until the lease ends; the retried one waits for its time.
    expect(await evidence.claimDue(db, ['feishu'], at(1), at(3), 5)).toEqual([]);
    // Once the lease ends they are due again, before the one retried later (oldest due first), one more attempt each.
    const next = await evidence.claimDue(db, ['feishu'], at(10), at(12), 1);
    expect(next.map((r) => [r.id, r.attempts])).toEqual([[rows[1]!.id, 2]]);
    const rest = await evidence.claimDue(db, ['feishu'], at(10), at(12), 5);
    expect(rest.map((r) => [r.id, r.attempts, r.error])).toEqual([
      [rows[2]!.id, 2, null],
      [rows[0]!.id, 1, 'timeout'],
    ]);
    expect(rest[1]!.nextAttemptAt).toEqual(at(10));
  });

  it('marks stored, rejected and retried, only while pending', async () => {
    const [a, b, c] = await pendingEvidence(3);
    await evidence.claimDue(db, ['feishu'], at(0), at(2), 5);
    const stored = await evidence.markStored(db, a!.id, { sha256: 'a'.repeat(64), size: 123, mime: 'image/jpeg' }, at(1));
    expect(stored).toMatchObject({ status: 'stored', size: 123, mime: 'image/jpeg', claimedUntil: null, storedAt: at(1), error: null });
    expect(await evidence.markStored(db, a!.id, { sha256: 'b'.repeat(64), size: 1, mime: 'image/png' }, at(2))).toBeNull();
    expect(await evidence.markRejected(db, a!.id, 'no', null)).toBeNull();

    expect(await evidence.markRejected(db, b!.id, '不是图片', 77)).toMatchObject({ status: 'rejected', error: '不是图片', size: 77, claimedUntil: null });
    await evidence.markRetry(db, b!.id, 'late', at(9));
    expect(await evidence.findEvidence(db, b!.id)).toMatchObject({ status: 'rejected', error: '不是图片' });

    await evidence.markRetry(db, c!.id, 'reset', at(9));
    expect(await evidence.findEvidence(db, c!.id)).toMatchObject({ status: 'pending', error: 'reset', nextAttemptAt: at(9), claimedUntil: null });
  });

  it('tells when the next pending row is due: its retry time or the end of its lease', async () => {
    expect(await evidence.nextDueAt(db, ['feishu'])).toBeNull();
    const [a, b] = await pendingEvidence(2);
    expect(await evidence.nextDueAt(db, [])).toBeNull();
    expect(await evidence.nextDueAt(db, ['feishu'])).toEqual(new Date(0));
    await evidence.markRetry(db, a!.id, 'x', at(5));
    await evidence.markRetry(db, b!.id, 'x', at(7));
    expect(await evidence.nextDueAt(db, ['feishu'])).toEqual(at(5));
    await evidence.claimDue(db, ['feishu'], at(5), at(20), 1);
    expect(await evidence.nextDueAt(db, ['feishu'])).toEqual(at(7));
    await evidence.markStored(db, b!.id, { sha256: 'c'.repeat(64), size: 1, mime: 'image/png' }, at(8));
    expect(await evidence.nextDueAt(db, ['feishu'])).toEqual(at(20));
    expect(await evidence.nextDueAt(db, ['dingtalk'])).toBeNull();
  });

  it('two instances claiming at once on their own connections take every row exactly once', async () => {
    const n = 120;
    await evidence.insertPending(
      db,
      Array.from({ length: n }, (_, i) => ({
        teacherId: ids.teacher,
        platform: 'feishu',
        messageId: `om_${i}`,
        accountId: 'ou_1',
        platformKey: 'k',
        kind: 'image' as const,
        nextAttemptAt: new Date(0),
        createdAt: T0,
      })),
    );
    const place = testDatabaseOf(db);
    const instances = [await place.open(), await place.open()];
    try {
      const taken: number[][] = [[], []];
      const claim = async (i: number) => {
        const rows = await evidence.claimDue(instances[i]!, ['feishu'], at(0), at(5), 3);
        taken[i]!.push(...rows.map((r) => r.id));
        return rows.length;
      };
      // Four claimers per instance, each taking three at a time until nothing is left. All eight make their first
      // claim at once and wait for each other: otherwise a CI machine slow to open the second pool's connections
      // let the first instance drain every row alone, and the test proved nothing about two claiming together.
      const claimers = instances.flatMap((_, i) => Array.from({ length: 4 }, () => i));
      await Promise.all(claimers.map(claim));
      await Promise.all(
        claimers.map(async (i) => {
          while ((await claim(i)) > 0);
        }),
      );
      const all = [...taken[0]!, ...taken[1]!];
      expect(all.length).toBe(n);
      expect(new Set(all).size).toBe(n);
      expect(taken[0]!.length).toBeGreaterThan(0);
      expect(taken[1]!.length).toBeGreaterThan(0);
      const { evidenceFiles } = tables(db);
      const attempts = await db.select({ attempts: evidenceFiles.attempts }).from(evidenceFiles);
      expect(attempts.every((r) => r.attempts === 1)).toBe(true);
    } finally {
      for (const conn of instances) await closeConnection(conn);
    }
  });

  it.skipIf(!onPostgres())('on PostgreSQL a claim skips rows another instance holds locked instead of waiting for them', async () => {
    const rows = await pendingEvidence(4);
    const place = testDatabaseOf(db);
    const [one, two] = [await place.open(), await place.open()];
    try {
      const seen = await transaction(one, async (tx) => {
        const mine = await evidence.claimDue(tx, ['feishu'], at(0), at(5), 2);
        // The first instance's transaction is still open and holds its two rows locked. Without SKIP LOCKED the
        // second instance would wait on them (here: forever, since the first waits for it).
        const theirs = await evidence.claimDue(two, ['feishu'], at(0), at(5), 4);
        return { mine: mine.map((r) => r.id), theirs: theirs.map((r) => r.id) };
      });
      expect(seen.mine).toEqual([rows[0]!.id, rows[1]!.id]);
      expect(seen.theirs).toEqual([rows[2]!.id, rows[3]!.id]);
      expect(await evidence.claimDue(two, ['feishu'], at(1), at(5), 4)).toEqual([]);
    } finally {
      await closeConnection(one);
      await closeConnection(two);
    }
  });

  it('covers every function both stores export', async () => {
    const source = (await import('node:fs')).readFileSync(new URL(import.meta.url), 'utf8');
    const exported = [...Object.entries(core), ...Object.entries(evidence)].filter(([, v]) => typeof v === 'function').map(([k]) => k);
    const untested = exported.filter((name) => !new RegExp(`\\b(core|evidence)\\.${name}\\(`).test(source));
    expect(untested).toEqual([]);
  });
});
