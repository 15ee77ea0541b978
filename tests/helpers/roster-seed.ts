/**
 * Rows for store tests on either dialect (issue 16): written through the query builder with the tables of the
 * database's own dialect, so the same seed works on SQLite and on PostgreSQL.
 */
import type { Db } from '../../db/client.js';
import { tables } from '../../db/handle.js';

export interface RosterSeed {
  employeeNo: string;
  name?: string;
  school?: string;
  policyId?: string;
  homeroom?: boolean;
  position?: string;
  roles?: ('leader' | 'officer')[];
  /** A chat account to bind (platform:accountId), e.g. 'feishu:ou_1'. */
  account?: string;
}

/** Adds a teacher (with roles and a bound account if asked); returns the row. */
export async function seedTeacher(db: Db, seed: RosterSeed) {
  const { teachers, roles, accounts } = tables(db);
  const [row] = await db
    .insert(teachers)
    .values({
      employeeNo: seed.employeeNo,
      name: seed.name ?? `教师${seed.employeeNo}`,
      school: seed.school ?? '第一中学',
      policyId: seed.policyId ?? 'laibin',
      homeroom: seed.homeroom ?? false,
      position: seed.position ?? '教师',
    })
    .returning();
  for (const role of seed.roles ?? []) await db.insert(roles).values({ teacherId: row.id, role, grantedBy: 'test' });
  if (seed.account) {
    const [platform, accountId] = seed.account.split(':');
    await db.insert(accounts).values({ platform, accountId, teacherId: row.id });
  }
  return row;
}

/** A pending outbox row (a queued message) with this key and origin. */
export async function seedOutbox(db: Db, idempotencyKey: string, origin: string | null, at = new Date('2026-03-01T00:00:00Z')): Promise<void> {
  const { outbox } = tables(db);
  await db.insert(outbox).values({ idempotencyKey, platform: 'console', target: '{"type":"user","accountId":"x"}', reply: '{"text":"hi"}', origin, nextAttemptAt: at });
}

/** The idempotency keys of the pending outbox rows, sorted. */
export async function pendingKeys(db: Db): Promise<string[]> {
  const { outbox } = tables(db);
  return (await db.select({ key: outbox.idempotencyKey, status: outbox.status }).from(outbox))
    .filter((r) => r.status === 'pending')
    .map((r) => r.key)
    .sort();
}
