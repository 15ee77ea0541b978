/**
 * Anonymous answers on a real PostgreSQL server (docs/postgres.md §3): after N answers, each taken in its own
 * transaction as the bot takes them, neither the stored rows' physical order (ctid) nor their xmin follows the order
 * the answers came in, no answer shares a transaction with the spend of an invitation, every batch hides an answer
 * among at least MIN_GROUP_SIZE, and results wait for the flush. On SQLite (no pool) only the last test runs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';
import { statement, transaction } from '../../db/statements.js';
import { MIN_GROUP_SIZE } from '../../src/surveys/anonymity.js';
import { answerPoolOf, closeAnswerPool, flushAnswers, POOL_HIGH, POOL_KEEP } from '../../src/surveys/answer-pool.js';
import { takeAnswers } from '../../src/surveys/service.js';
import { answerCount, insertInvitations, insertRound, invitationCounts, roundsDueResults, type RoundRow } from '../../src/surveys/store.js';
import type { TeacherRow } from '../../src/ledger/store.js';
import { closeTestDb, onPostgres, openTestDb } from '../helpers/db.js';

const NOW = new Date('2026-11-25T02:00:00.000Z');
const TZ = 'Asia/Shanghai';

let db: Db;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(async () => {
  await closeAnswerPool(db);
  await closeTestDb(db);
});

async function roundWith(n: number): Promise<{ round: RoundRow; teachers: TeacherRow[] }> {
  const { teachers } = tables(db);
  const rows = await db
    .insert(teachers)
    .values(Array.from({ length: n }, (_, i) => ({ employeeNo: `A${String(i).padStart(3, '0')}`, name: `教师${i}`, school: '一中', policyId: 'p1' })))
    .returning();
  const round = await insertRound(db, {
    kind: 'evaluation',
    questionnaireId: null,
    questions: JSON.stringify([{ key: 'comment', kind: 'text', prompt: '意见', required: false }]),
    sessionId: null,
    audience: null,
    title: '评价',
    openedAt: NOW,
    closesAt: new Date(NOW.getTime() + 7 * 86400_000),
    remindAt: null,
    createdBy: 'cli:test',
  });
  await insertInvitations(db, round.id, rows.map((t) => ({ teacherId: t.id, tokenHash: `h${t.id}` })));
  return { round, teachers: rows };
}

/** As the bot takes an answer: in the event's own transaction. The answer says when it came. */
const answer = (round: RoundRow, teacher: TeacherRow, arrival: number) =>
  transaction(db, (tx) => takeAnswers(tx, { round, teacher, answers: { comment: `#${arrival}` }, tokenHash: null, now: NOW, timeZone: TZ }));

interface Stored {
  arrival: number;
  xmin: string;
  block: number;
  offset: number;
}

async function stored(roundId: number): Promise<Stored[]> {
  const rows = await statement<[number], { answers: string; xmin: string; ctid: string }>(
    db,
    'select answers::text as answers, xmin::text as xmin, ctid::text as ctid from survey_answers where round_id = ?',
  ).all(roundId);
  return rows.map((r) => {
    const [block, offset] = r.ctid.replace(/[()]/g, '').split(',').map(Number);
    return { arrival: Number((JSON.parse(r.answers) as { comment: string }).comment.slice(1)), xmin: r.xmin, block, offset };
  });
}

async function spendXmins(roundId: number): Promise<Set<string>> {
  const rows = await statement<[number], { xmin: string }>(db, 'select xmin::text as xmin from survey_invitations where round_id = ? and answered').all(roundId);
  return new Set(rows.map((r) => r.xmin));
}

describe.skipIf(!onPostgres())('survey answers on PostgreSQL: the answer pool', () => {
  it('after 23 answers, neither heap order nor xmin follows the answer order, and no answer shares a spend’s transaction', async () => {
    const N = 23;
    const { round, teachers } = await roundWith(N);
    for (let i = 0; i < N; i++) {
      expect(await answer(round, teachers[i], i)).toBe('taken');
      // Never written with its spend, whatever has been written so far.
      const spends = await spendXmins(round.id);
      for (const row of await stored(round.id)) expect(spends.has(row.xmin)).toBe(false);
    }
    await answerPoolOf(db).idle();
    const open = await answerCount(db, round.id);
    // Some batches are written while the round is open, and at least POOL_KEEP answers are always held back.
    expect(open).toBeGreaterThan(0);
    expect(N - open).toBeGreaterThanOrEqual(POOL_KEEP);
    expect(answerPoolOf(db).waiting(round.id)).toBe(N - open);

    await flushAnswers(db);
    const rows = await stored(round.id);
    expect(rows.map((r) => r.arrival).sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    const spends = await spendXmins(round.id);
    expect(spends.size).toBe(N);
    for (const row of rows) expect(spends.has(row.xmin)).toBe(false);

    // Batches: each one transaction (one xmin), each hiding an answer among at least MIN_GROUP_SIZE.
    const batches = new Map<string, Stored[]>();
    for (const row of rows) batches.set(row.xmin, [...(batches.get(row.xmin) ?? []), row]);
    expect(batches.size).toBeGreaterThan(1);
    expect(batches.size).toBeLessThanOrEqual(Math.ceil(N / (POOL_HIGH - POOL_KEEP)));
    for (const batch of batches.values()) expect(batch.length).toBeGreaterThanOrEqual(MIN_GROUP_SIZE);

    // Heap order (block, offset) and xmin order do not give the arrival order back.
    const byHeap = [...rows].sort((a, b) => a.block - b.block || a.offset - b.offset).map((r) => r.arrival);
    const byXmin = [...rows].sort((a, b) => Number(a.xmin) - Number(b.xmin) || a.block - b.block || a.offset - b.offset).map((r) => r.arrival);
    const arrivalOrder = Array.from({ length: N }, (_, i) => i);
    expect(byHeap).not.toEqual(arrivalOrder);
    expect(byXmin).not.toEqual(arrivalOrder);
    // Not merely out of order at one place: a batch is a random pick of what waited, not the latest arrivals.
    const inversions = byHeap.reduce((n, a, i) => n + byHeap.slice(i + 1).filter((b) => b < a).length, 0);
    expect(inversions).toBeGreaterThan(N / 2);
  });

  it('results wait for the flush: an all-answered round is not due until its answers are written', async () => {
    const { round, teachers } = await roundWith(3);
    for (const [i, t] of teachers.entries()) await answer(round, t, i);
    expect(await invitationCounts(db, round.id)).toEqual({ invited: 3, answered: 3 });
    expect(await answerCount(db, round.id)).toBe(0);
    expect(await roundsDueResults(db, NOW)).toEqual([]);
    await flushAnswers(db);
    expect(await answerCount(db, round.id)).toBe(3);
    expect((await roundsDueResults(db, NOW)).map((r) => r.id)).toEqual([round.id]);
    // Three answers written together: one transaction, as all of a small round's respondents.
    expect(new Set((await stored(round.id)).map((r) => r.xmin)).size).toBe(1);
  });

  it('an answer whose transaction rolled back is never written; the retry that spends the invitation is', async () => {
    const { round, teachers } = await roundWith(2);
    await expect(
      transaction(db, async (tx) => {
        await takeAnswers(tx, { round, teacher: teachers[0], answers: { comment: '#0' }, tokenHash: null, now: NOW, timeZone: TZ });
        throw new Error('the event failed after taking the answer');
      }),
    ).rejects.toThrow('event failed');
    await answer(round, teachers[1], 1);
    await flushAnswers(db);
    expect((await stored(round.id)).map((r) => r.arrival)).toEqual([1]);
    // Redelivered, the event takes it again: now spent, and written once.
    expect(await answer(round, teachers[0], 0)).toBe('taken');
    expect(await answer(round, teachers[0], 0)).toBe('already');
    await flushAnswers(db);
    expect((await stored(round.id)).map((r) => r.arrival).sort()).toEqual([0, 1]);
  });

  it('a closed round is written whole by the scheduler’s flush, fewer than POOL_HIGH included', async () => {
    const { round, teachers } = await roundWith(4);
    for (const [i, t] of teachers.entries()) await answer(round, t, i);
    await answerPoolOf(db).flushClosed(NOW);
    expect(await answerCount(db, round.id)).toBe(0);
    await answerPoolOf(db).flushClosed(round.closesAt);
    expect(await answerCount(db, round.id)).toBe(4);
    expect(answerPoolOf(db).waiting()).toBe(0);
  });
});

describe.skipIf(onPostgres())('survey answers on SQLite', () => {
  it('are written with the spend, in the event’s transaction (WITHOUT ROWID keeps them in random-id order)', async () => {
    const { round, teachers } = await roundWith(2);
    await answer(round, teachers[0], 0);
    expect(await answerCount(db, round.id)).toBe(1);
    await expect(
      transaction(db, async (tx) => {
        await takeAnswers(tx, { round, teacher: teachers[1], answers: { comment: '#1' }, tokenHash: null, now: NOW, timeZone: TZ });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await invitationCounts(db, round.id)).toEqual({ invited: 2, answered: 1 });
    expect(await answerCount(db, round.id)).toBe(1);
  });
});
