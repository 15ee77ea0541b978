/**
 * Outbox claims and leases (issue 16: several instances on one database), on either dialect: a row claimed by one
 * instance is not read or claimed by another while its lease lasts; a recipient's lane is worked by one instance at
 * a time; a dead instance's rows are claimed again once its lease has passed; and an outcome is written only by the
 * row's holder, so a row claimed again elsewhere is not marked twice. (On SQLite the worker never claims: one
 * process sends; the statements still mean the same.)
 */
import { describe, expect, it } from 'vitest';
import type { Outgoing } from '../../src/core/messages.js';
import { claimRows, dueRows, enqueue, laneHead, markFailed, markRetry, markSent, newestDueRows, postpone } from '../../src/outbox/store.js';
import { statement } from '../../db/statements.js';
import { useTestDb } from '../helpers/db.js';

const t = useTestDb();
const T0 = new Date('2026-12-07T02:00:00.123Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const LEASE = 30_000;

const to = (accountId: string, key: string): Outgoing => ({
  platform: 'feishu',
  target: { type: 'user', accountId },
  reply: { text: '通知' },
  idempotencyKey: key,
  origin: 'broadcast:1',
});

async function seed(): Promise<Map<string, number>> {
  await enqueue(t.db, [to('ou_a', 'a1'), to('ou_a', 'a2'), to('ou_b', 'b1'), to('ou_c', 'c1')], T0);
  const rows = await dueRows(t.db, T0, 10);
  return new Map(rows.map((r) => [r.idempotencyKey, r.id]));
}

const claimed = async (ids: number[], by: string, now: Date) => [...(await claimRows(t.db, ids, { by, at: now }, new Date(now.getTime() + LEASE)))].sort((x, y) => x - y);
const keysOf = (rows: { idempotencyKey: string }[]) => rows.map((r) => r.idempotencyKey);

describe('outbox claims', () => {
  it('a claimed row is hidden from other instances while its lease lasts, and its lane with it', async () => {
    const id = await seed();
    expect(await claimed([id.get('a1')!, id.get('b1')!], 'A', at(1))).toEqual([id.get('a1'), id.get('b1')]);

    // B does not read A's rows, nor claim them, nor a2 (ou_a's lane is A's until a1 is done).
    expect(keysOf(await dueRows(t.db, at(2), 10, 'B'))).toEqual(['a2', 'c1']);
    expect(keysOf(await newestDueRows(t.db, at(2), 10, 'B'))).toEqual(['c1', 'a2']);
    expect((await laneHead(t.db, 'feishu:user:ou_a', at(2), 'B'))?.idempotencyKey).toBe('a2');
    expect(await claimed([id.get('a1')!, id.get('a2')!, id.get('b1')!, id.get('c1')!], 'B', at(2))).toEqual([id.get('c1')]);
    // A still reads its own, and may claim again what it holds.
    expect(keysOf(await dueRows(t.db, at(2), 10, 'A'))).toEqual(['a1', 'a2', 'b1']);
    expect(await claimed([id.get('a1')!], 'A', at(3))).toEqual([id.get('a1')]);

    // A sends a1: the lease ends with it, and ou_a's next row is free for anyone.
    expect(await markSent(t.db, id.get('a1')!, at(4), 'om_1', { by: 'A', at: at(4) })).toBe(true);
    expect(await claimed([id.get('a2')!], 'B', at(5))).toEqual([id.get('a2')]);
    const lease = await statement(t.db, `select claimed_by as "by", claimed_until as "until" from outbox where id = ?`).get(id.get('a1')!);
    expect(lease).toEqual({ by: null, until: null });
  });

  it("a dead instance's rows are claimed again once its lease has passed; its late outcome is then not written", async () => {
    const id = await seed();
    const a1 = id.get('a1')!;
    expect(await claimed([a1], 'A', at(0))).toEqual([a1]);
    expect(await claimed([a1], 'B', at(LEASE - 1))).toEqual([]);
    expect(keysOf(await dueRows(t.db, at(LEASE), 10, 'B'))).toEqual(['a2', 'b1', 'c1']); // the lease's last millisecond
    expect(keysOf(await dueRows(t.db, at(LEASE + 1), 10, 'B'))).toEqual(['a1', 'a2', 'b1', 'c1']);
    expect(await claimed([a1], 'B', at(LEASE + 1))).toEqual([a1]);

    // A comes back within B's lease: none of its outcomes is written over B's claim.
    const asA = { by: 'A', at: at(LEASE + 2) };
    expect(await markSent(t.db, a1, at(LEASE + 2), 'om_A', asA)).toBe(false);
    expect(await markRetry(t.db, a1, 'HTTP 503', at(LEASE + 60_000), false, asA)).toBe(false);
    expect(await markFailed(t.db, a1, 'refused', false, asA)).toBe(false);
    await postpone(t.db, a1, at(LEASE + 3_600_000), asA);
    expect(await statement(t.db, `select status, attempts, claimed_by as "by" from outbox where id = ?`).get(a1)).toEqual({ status: 'pending', attempts: 0, by: 'B' });

    // B's is; and once sent, neither B again nor A marks it a second time.
    expect(await markSent(t.db, a1, at(LEASE + 5), 'om_B', { by: 'B', at: at(LEASE + 5) })).toBe(true);
    expect(await markSent(t.db, a1, at(LEASE + 6), 'om_B', { by: 'B', at: at(LEASE + 6) })).toBe(false);
    expect(await markSent(t.db, a1, at(LEASE + 7), 'om_A', { by: 'A', at: at(LEASE + 7) })).toBe(false);
    expect(await statement(t.db, `select status, attempts, platform_message_id as m from outbox where id = ?`).get(a1)).toEqual({ status: 'sent', attempts: 1, m: 'om_B' });
  });

  it('an outcome after the lease ran out, the row not claimed since, is still written (the instance was only slow)', async () => {
    const id = await seed();
    const b1 = id.get('b1')!;
    await claimed([b1], 'A', at(0));
    expect(await markRetry(t.db, b1, 'HTTP 503', at(LEASE + 60_000), true, { by: 'A', at: at(LEASE + 10) })).toBe(true);
    // Without a lease (a caller that never claims): only rows nobody holds.
    await claimed([id.get('c1')!], 'A', at(1));
    expect(await markFailed(t.db, id.get('c1')!, 'refused')).toBe(false);
    expect(await markFailed(t.db, id.get('a1')!, 'refused')).toBe(true);
  });
});
