/**
 * Anonymous answers on PostgreSQL (docs/postgres.md §3). A PostgreSQL heap keeps rows roughly in insertion order
 * and stamps each with `xmin`, the id of the transaction that wrote it: an answer written in the event's own
 * transaction would share its xmin with the survey_invitations row that transaction marked answered, a join that
 * names the respondent. So on PostgreSQL the event's transaction only spends the invitation; the answer waits in
 * this process's pool (memory, never written anywhere linked to the teacher) and is written later, in shuffled
 * batches, one transaction per batch, so every row of a batch shares one xmin unrelated to any spend.
 *
 * The pool mixes: a round's answers are written only once POOL_HIGH wait, and then all but POOL_KEEP of them,
 * picked at random, so a batch is never "the answers that came since the last one" and always hides each answer
 * among at least MIN_GROUP_SIZE. When the round closes (and on a clean shutdown) the rest is written. Results read
 * only what is written, so they wait for the flush (src/surveys/schedule.ts gives the instances FLUSH_GRACE_MS).
 * Cost, stated in the docs: answers waiting here when the process is killed (not stopped) are lost, their
 * invitations already spent.
 */
import { randomInt } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { databaseOf } from '../../db/handle.js';
import { transaction } from '../../db/statements.js';
import { MIN_GROUP_SIZE } from './anonymity.js';
import { insertAnswers, spentInvitations, type AnswerRow } from './store.js';

/** Answers always held back once a round writes (so a batch is a random pick, not the latest arrivals). */
export const POOL_KEEP = MIN_GROUP_SIZE;
/** A round writes when this many answers wait. */
export const POOL_HIGH = 2 * MIN_GROUP_SIZE;
/** How often each instance looks for closed rounds to flush. */
export const FLUSH_EVERY_MS = 30_000;
/** How long after a round closes its results wait, so every instance's pool has flushed it. */
export const FLUSH_GRACE_MS = 2 * FLUSH_EVERY_MS;
/** An answer whose invitation is still not spent this long after it came belongs to a transaction that rolled back. */
const ABANDONED_MS = 60_000;

interface Waiting {
  row: AnswerRow;
  /** performance.now() when it came: only to tell an abandoned one. */
  at: number;
}

interface RoundPool {
  closesAt: Date;
  /** By teacher: a retried event that spent the invitation replaces the answer of the one that rolled back. */
  byTeacher: Map<number, Waiting>;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

export class AnswerPool {
  private readonly rounds = new Map<number, RoundPool>();
  /** Flushes run one at a time. */
  private chain: Promise<unknown> = Promise.resolve();
  /** Business time minus performance.now(), from the last `now` seen: the timer's clock. */
  private offset = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly db: Db) {
    this.timer = setInterval(() => this.tick().catch(() => undefined), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  /** Takes a respondent's answer; the caller's transaction has just spent their invitation. */
  add(round: { id: number; closesAt: Date }, teacherId: number, row: AnswerRow, now: Date): void {
    this.offset = now.getTime() - performance.now();
    let pool = this.rounds.get(round.id);
    if (!pool) this.rounds.set(round.id, (pool = { closesAt: round.closesAt, byTeacher: new Map() }));
    pool.byTeacher.set(teacherId, { row, at: performance.now() });
    // After the caller's transaction: the flush checks the spend committed, on a connection of its own.
    if (pool.byTeacher.size >= POOL_HIGH) this.flush(round.id, POOL_KEEP).catch(() => undefined);
  }

  /** Answers waiting in this process (counts only). */
  waiting(roundId?: number): number {
    if (roundId !== undefined) return this.rounds.get(roundId)?.byTeacher.size ?? 0;
    let n = 0;
    for (const pool of this.rounds.values()) n += pool.byTeacher.size;
    return n;
  }

  /** The timer: rounds closed by now are written whole, full ones as after an answer (retrying a failed write). */
  private async tick(): Promise<void> {
    await this.flushClosed(new Date(performance.now() + this.offset));
    const full = [...this.rounds].filter(([, p]) => p.byTeacher.size >= POOL_HIGH).map(([id]) => id);
    await this.flushRounds(full, POOL_KEEP);
  }

  /** Writes everything of the rounds closed by `now`. */
  flushClosed(now: Date): Promise<void> {
    this.offset = now.getTime() - performance.now();
    const closed = [...this.rounds].filter(([, p]) => p.closesAt.getTime() <= now.getTime()).map(([id]) => id);
    return this.flushRounds(closed, 0);
  }

  /** Writes everything waiting (a clean shutdown, tests). */
  flushAll(): Promise<void> {
    return this.flushRounds([...this.rounds.keys()], 0);
  }

  /** Waits for the flushes under way. */
  async idle(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.chain;
      await seen;
    } while (seen !== this.chain);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async flushRounds(ids: number[], keep: number): Promise<void> {
    for (const id of ids) await this.flush(id, keep);
  }

  /**
   * Writes a random pick of a round's spent answers, shuffled, in one transaction: all but `keep` of them, and only
   * once POOL_HIGH are spent (so a batch holds at least POOL_HIGH - POOL_KEEP); with `keep` 0 (closed, shutdown), all.
   */
  private flush(roundId: number, keep: number): Promise<void> {
    const run = this.chain.then(async () => {
      const pool = this.rounds.get(roundId);
      if (!pool || pool.byTeacher.size <= keep) return;
      const spent = await spentInvitations(this.db, roundId, [...pool.byTeacher.keys()]);
      const ready: [number, Waiting][] = [];
      for (const [teacherId, waiting] of pool.byTeacher) {
        if (spent.has(teacherId)) ready.push([teacherId, waiting]);
        else if (performance.now() - waiting.at > ABANDONED_MS) pool.byTeacher.delete(teacherId);
      }
      if (keep > 0 && ready.length < POOL_HIGH) return;
      const picked = shuffle(ready).slice(0, ready.length - keep);
      if (picked.length === 0) return;
      for (const [teacherId] of picked) pool.byTeacher.delete(teacherId);
      try {
        await transaction(this.db, (tx) => insertAnswers(tx, picked.map(([, w]) => w.row)));
      } catch (error) {
        for (const [teacherId, waiting] of picked) if (!pool.byTeacher.has(teacherId)) pool.byTeacher.set(teacherId, waiting);
        throw error;
      }
      if (pool.byTeacher.size === 0) this.rounds.delete(roundId);
    });
    // A failed write keeps its answers for the next try (the timer, the next answer); the chain goes on.
    this.chain = run.catch(() => undefined);
    return run;
  }
}

const pools = new WeakMap<Db, AnswerPool>();

/** The pool of the database behind `db` (a transaction's handle reaches its pool's). */
export function answerPoolOf(db: Db): AnswerPool {
  const root = databaseOf(db);
  let pool = pools.get(root);
  if (!pool) pools.set(root, (pool = new AnswerPool(root)));
  return pool;
}

/** Flushes and stops the pool of `db`, if it has one (the app's shutdown, before the database closes). */
export async function closeAnswerPool(db: Db): Promise<void> {
  const root = databaseOf(db);
  const pool = pools.get(root);
  if (!pool) return;
  pool.stop();
  await pool.idle();
  await pool.flushAll();
  pools.delete(root);
}

/** Writes every answer waiting for `db` now (tests, and a console action that must see them): nothing on SQLite. */
export async function flushAnswers(db: Db): Promise<void> {
  const pool = pools.get(databaseOf(db));
  if (!pool) return;
  await pool.idle();
  await pool.flushAll();
}
