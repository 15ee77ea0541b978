/**
 * Two instances on one database (issue 16): each runs its own evidence worker on its own connection (a second
 * SQLite connection to the file, or a second PostgreSQL pool). Every pending file is downloaded by exactly one of
 * them, and both take part. Run the file both ways (TEST_DATABASE_URL for PostgreSQL).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Db } from '../../../db/client.js';
import { tables } from '../../../db/handle.js';
import { insertPending } from '../../../src/declarations/evidence/store.js';
import type { ResourceSource } from '../../../src/declarations/evidence/source.js';
import { EvidenceWorker } from '../../../src/declarations/evidence/worker.js';
import { closeConnection, closeTestDb, onPostgres, openTestDb, testDatabaseOf } from '../../helpers/db.js';
import { png } from '../../helpers/evidence.js';
import { eventually } from '../../helpers/fakes/dingtalk-harness.js';

const FILES = 40;

let db: Db;
let dir: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  db = await openTestDb();
  dir = mkdtempSync(join(tmpdir(), 'xueshi-two-workers-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await closeTestDb(db);
  rmSync(dir, { recursive: true, force: true });
});

/** A Feishu source that answers every key after a little while, counting who asked for what. */
function source(opened: Map<string, string[]>, name: string): ResourceSource {
  return {
    platform: 'feishu',
    async open(ref) {
      opened.set(ref.key, [...(opened.get(ref.key) ?? []), name]);
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
      const bytes = png(1500);
      return { ok: true, size: bytes.length, body: (async function* () { yield bytes; })() };
    },
  };
}

it(`two workers on their own ${onPostgres() ? 'PostgreSQL pools' : 'SQLite connections'} download each pending file exactly once`, async () => {
  const { teachers, evidenceFiles } = tables(db);
  const [teacher] = await db.insert(teachers).values({ employeeNo: 'T1', name: '张老师', school: '一小', policyId: 'laibin' }).returning({ id: teachers.id });
  await insertPending(
    db,
    Array.from({ length: FILES }, (_, i) => ({
      teacherId: teacher!.id,
      platform: 'feishu',
      messageId: `om_${i}`,
      accountId: 'ou_1',
      platformKey: `img_${i}`,
      kind: 'image' as const,
      nextAttemptAt: new Date(0),
      createdAt: new Date(),
    })),
  );

  const opened = new Map<string, string[]>();
  const place = testDatabaseOf(db);
  const workers: EvidenceWorker[] = [];
  for (const name of ['one', 'two']) {
    const conn = await place.open();
    const worker = new EvidenceWorker({ db: conn, sources: [source(opened, name)], dir, maxBytes: 1 << 20, pollMs: 10, maxInFlight: 3 });
    cleanups.push(async () => {
      await worker.stop();
      await closeConnection(conn);
    });
    workers.push(worker);
  }
  for (const w of workers) w.start();

  const stored = async () => (await db.select({ status: evidenceFiles.status }).from(evidenceFiles)).filter((r) => r.status === 'stored').length;
  await eventually(async () => (await stored()) === FILES, 20_000, 'every file stored');
  await Promise.all(workers.map((w) => w.whenIdle()));

  expect(opened.size).toBe(FILES);
  const twice = [...opened].filter(([, who]) => who.length > 1);
  expect(twice).toEqual([]);
  const by = (name: string) => [...opened.values()].filter((who) => who[0] === name).length;
  expect(by('one')).toBeGreaterThan(0);
  expect(by('two')).toBeGreaterThan(0);
  const rows = await db.select({ attempts: evidenceFiles.attempts, claimedUntil: evidenceFiles.claimedUntil }).from(evidenceFiles);
  expect(rows.every((r) => r.attempts === 1 && r.claimedUntil === null)).toBe(true);
}, 30_000);
